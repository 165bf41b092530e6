// Runs one x87 instruction natively on the host (x86-64) from an FSAVE image, for the
// x87 unit tests' comparisons: FRSTOR, EFLAGS in, the instruction (a memory form uses
// [rsi]), EFLAGS out, FNSAVE. The code is assembled into an executable page, apart from
// the emulator's own engine, so the two paths share nothing but the host CPU.
#pragma once
#include <sys/mman.h>

#include <cstdint>
#include <cstring>

namespace vmm86::test {

class NativeX87 {
public:
    NativeX87() {
        page_ = static_cast<uint8_t*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    }
    ~NativeX87() { munmap(page_, 4096); }

    // img: 108 bytes (32-bit protected FSAVE layout), mem: operand buffer, flags in/out.
    void run(uint8_t opcode, uint8_t modrm, uint8_t* img, uint8_t* mem, uint64_t& flags) {
        uint8_t* p = page_;
        auto emit = [&](std::initializer_list<uint8_t> b) { for (uint8_t x : b) *p++ = x; };
        emit({0xD9, 0x7C, 0x24, 0xF0});          // fnstcw [rsp-16]
        emit({0xDD, 0x27});                      // frstor [rdi]
        emit({0x48, 0x83, 0xEC, 0x20});          // sub rsp, 32
        emit({0x52, 0x9D});                      // push rdx; popfq
        if ((modrm >> 6) == 3) emit({opcode, modrm});
        else emit({opcode, uint8_t((modrm & 0x38) | 6)});  // [rsi]
        emit({0x9C, 0x58});                      // pushfq; pop rax
        emit({0x48, 0x83, 0xC4, 0x20});          // add rsp, 32
        emit({0xDD, 0x37});                      // fnsave [rdi]
        emit({0xD9, 0x6C, 0x24, 0xF0});          // fldcw [rsp-16]
        emit({0xC3});
        using Fn = uint64_t (*)(uint8_t*, uint8_t*, uint64_t);
        flags = reinterpret_cast<Fn>(page_)(img, mem, 0x202 | (flags & 0x8D5)) & 0x8D5;
    }

private:
    uint8_t* page_;
};

}  // namespace vmm86::test
