// The host x87 as the engine (x86-64 hosts). Each guest encoding gets its own stub, an
// instantiation of one inline-asm template with the guest's two opcode bytes emitted as
// data: register forms keep the guest's ModRM, memory forms use ModRM reg/000 (= [rax])
// with rax pointing at the operand buffer. The stub saves the host FCW, loads the guest
// image with FRSTOR, runs the instruction, and stores the result with FNSAVE, which
// neither waits nor traps, so an unmasked guest exception stays a flag in the image
// instead of becoming a host SIGFPE. The SysV ABI leaves the host x87 stack empty at
// calls, so only its FCW needs restoring.
#include "cpu/fpu/x87_engine.h"

#if defined(__x86_64__) && !defined(VMM86_X87_PORTABLE)

#include <array>
#include <utility>

namespace vmm86 {
namespace {

using Stub = void (*)(uint8_t* img, uint8_t* mem, uint64_t* flags);

template <unsigned Op, unsigned ModRM>
void stub(uint8_t* img, uint8_t* mem, uint64_t* flags) {
    uint16_t host_cw;
    uint64_t fl = *flags;
    // The red zone below RSP may hold the compiler's locals: step over it before pushing.
    asm volatile(
        "fnstcw %[cw]\n\t"
        "frstor (%[img])\n\t"
        "lea -128(%%rsp), %%rsp\n\t"
        "push %[fl]\n\t"
        "popfq\n\t"
        ".byte %c[op], %c[modrm]\n\t"
        "pushfq\n\t"
        "pop %[fl]\n\t"
        "lea 128(%%rsp), %%rsp\n\t"
        "fnsave (%[img])\n\t"
        "fldcw %[cw]\n\t"
        : [cw] "+m"(host_cw), [fl] "+r"(fl)
        : [img] "r"(img), "a"(mem), [op] "i"(Op), [modrm] "i"(ModRM)
        : "memory", "cc");
    *flags = fl;
}

template <size_t... I>
constexpr std::array<Stub, 512> register_stubs(std::index_sequence<I...>) {
    return {&stub<0xD8 + (I >> 6), 0xC0 | (I & 63)>...};
}
template <size_t... I>
constexpr std::array<Stub, 64> memory_stubs(std::index_sequence<I...>) {
    return {&stub<0xD8 + (I >> 3), (I & 7) << 3>...};
}

const std::array<Stub, 512> kRegister = register_stubs(std::make_index_sequence<512>());
const std::array<Stub, 64> kMemory = memory_stubs(std::make_index_sequence<64>());

}  // namespace

void x87_execute(uint8_t opcode, uint8_t modrm, X87Image& img, uint8_t* mem, uint64_t& rflags) {
    const unsigned op = (opcode - 0xD8) & 7;
    // Only the arithmetic flags go in: TF, DF, AC and the rest stay as the ABI wants them.
    uint64_t fl = 0x202 | (rflags & 0x8D5);
    if ((modrm >> 6) == 3) kRegister[op * 64 + (modrm & 63)](img.b, mem, &fl);
    else kMemory[op * 8 + ((modrm >> 3) & 7)](img.b, mem, &fl);
    rflags = fl & 0x8D5;
}

bool x87_engine_is_host() { return true; }

}  // namespace vmm86

#endif
