// The host CPU as an oracle for unit tests: runs a few bytes of 32-bit x86 code natively
// and returns the registers and EFLAGS it left. The code runs in compatibility mode (a
// far jump to the 32-bit user code segment that x86-64 Linux provides, selector 23h), so
// the instructions that 64-bit mode removed (DAA, AAM, ...) can be checked too, and 16-bit
// operand forms are just the 32-bit ones with a 66h prefix. A divide error in the code is
// caught (SIGFPE) and reported instead of killing the test.
//
// Only x86-64 Linux hosts with IA-32 emulation can do this; native_available() says so, and
// tests skip their native comparison (with a message) elsewhere.
#pragma once
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#if defined(__x86_64__) && defined(__linux__)
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#define VMM86_NATIVE_X86 1
#endif

namespace vmm86::native {

struct Regs {
    uint32_t eax = 0, ecx = 0, edx = 0, ebx = 0, esi = 0, edi = 0, ebp = 0;
    uint32_t eflags = 0;  // only the six arithmetic flags are passed in
    bool divide_error = false;  // out: the code raised #DE
};

constexpr uint32_t kArithFlags = 0x8D5;

#ifdef VMM86_NATIVE_X86
namespace detail {

// Layout of the low (below 4 GiB) page pair: code at 0, data block at kData, stack on top.
constexpr uint32_t kData = 0x800, kStackTop = 0x1FF0;
enum : uint32_t {  // offsets inside the data block
    D_REGS = 0x00,      // Regs::eax .. eflags, 8 dwords
    D_SAVED_RSP = 0x40, D_FAR32 = 0x48, D_FAR64 = 0x50, D_SAVED_SEGS = 0x58,
};

struct Page {
    uint8_t* p = nullptr;
    bool ok = false;
    Page() {
        void* m = mmap(nullptr, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
        if (m == MAP_FAILED) return;
        p = static_cast<uint8_t*>(m);
        ok = true;
    }
};

inline Page& page() {
    static Page pg;
    return pg;
}

inline sigjmp_buf& jump_buf() {
    static sigjmp_buf jb;
    return jb;
}

inline void on_sigfpe(int) { siglongjmp(jump_buf(), 1); }

class Emitter {
public:
    std::vector<uint8_t> v;
    void b(std::initializer_list<uint8_t> bytes) { v.insert(v.end(), bytes); }
    void d(uint32_t x) {
        for (int i = 0; i < 4; ++i) v.push_back(uint8_t(x >> (8 * i)));
    }
};

// Builds: 64-bit entry -> far jump to 32-bit code -> the test code -> far jump back.
inline void build(const uint8_t* code, size_t len) {
    uint8_t* p = page().p;
    const uint32_t base = uint32_t(reinterpret_cast<uintptr_t>(p));
    const uint32_t dat = base + kData;
    Emitter e;
    // 64-bit: save callee-saved registers, switch to the low stack, jump far to CS=23h.
    e.b({0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57});
    e.b({0x48, 0x89, 0x24, 0x25}); e.d(dat + D_SAVED_RSP);  // mov [abs], rsp
    e.b({0x8C, 0xD8, 0x66, 0x89, 0x04, 0x25}); e.d(dat + D_SAVED_SEGS);      // ds
    e.b({0x8C, 0xC0, 0x66, 0x89, 0x04, 0x25}); e.d(dat + D_SAVED_SEGS + 2);  // es
    e.b({0xBC}); e.d(base + kStackTop);                      // mov esp, imm32
    e.b({0xFF, 0x2C, 0x25}); e.d(dat + D_FAR32);             // jmp far m16:32
    const uint32_t code32 = uint32_t(e.v.size());
    // 32-bit: DS/ES may be null in a 64-bit process; use the flat data segment (= SS).
    e.b({0x8C, 0xD0, 0x8E, 0xD8, 0x8E, 0xC0});
    e.b({0xFF, 0x35}); e.d(dat + D_REGS + 28); e.b({0x9D});  // push [eflags]; popfd
    e.b({0x8B, 0x0D}); e.d(dat + D_REGS + 4);   // mov ecx, [..]
    e.b({0x8B, 0x15}); e.d(dat + D_REGS + 8);   // edx
    e.b({0x8B, 0x1D}); e.d(dat + D_REGS + 12);  // ebx
    e.b({0x8B, 0x35}); e.d(dat + D_REGS + 16);  // esi
    e.b({0x8B, 0x3D}); e.d(dat + D_REGS + 20);  // edi
    e.b({0x8B, 0x2D}); e.d(dat + D_REGS + 24);  // ebp
    e.b({0xA1}); e.d(dat + D_REGS + 0);         // eax
    e.v.insert(e.v.end(), code, code + len);
    e.b({0x9C, 0xFC});                           // pushfd; cld (for the C code after)
    e.b({0xA3}); e.d(dat + D_REGS + 0);
    e.b({0x89, 0x0D}); e.d(dat + D_REGS + 4);
    e.b({0x89, 0x15}); e.d(dat + D_REGS + 8);
    e.b({0x89, 0x1D}); e.d(dat + D_REGS + 12);
    e.b({0x89, 0x35}); e.d(dat + D_REGS + 16);
    e.b({0x89, 0x3D}); e.d(dat + D_REGS + 20);
    e.b({0x89, 0x2D}); e.d(dat + D_REGS + 24);
    e.b({0x8F, 0x05}); e.d(dat + D_REGS + 28);  // pop [eflags]
    e.b({0xFF, 0x2D}); e.d(dat + D_FAR64);      // jmp far m16:32 back to CS=33h
    const uint32_t back64 = uint32_t(e.v.size());
    e.b({0x48, 0x8B, 0x24, 0x25}); e.d(dat + D_SAVED_RSP);
    e.b({0x66, 0x8B, 0x04, 0x25}); e.d(dat + D_SAVED_SEGS); e.b({0x8E, 0xD8});
    e.b({0x66, 0x8B, 0x04, 0x25}); e.d(dat + D_SAVED_SEGS + 2); e.b({0x8E, 0xC0});
    e.b({0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, 0xC3});
    std::memcpy(p, e.v.data(), e.v.size());
    const uint32_t far32[2] = {base + code32, 0x23}, far64[2] = {base + back64, 0x33};
    std::memcpy(p + kData + D_FAR32, far32, 8);
    std::memcpy(p + kData + D_FAR64, far64, 8);
}

}  // namespace detail

inline bool native_available() { return detail::page().ok; }

// Runs `code` once with `r` as the input registers; returns the registers afterwards (on a
// divide error, the input registers with divide_error set).
inline Regs run(const std::vector<uint8_t>& code, Regs r) {
    using namespace detail;
    if (!native_available()) return r;
    build(code.data(), code.size());
    uint8_t* blk = page().p + kData + D_REGS;
    uint32_t in[8] = {r.eax, r.ecx, r.edx, r.ebx, r.esi, r.edi, r.ebp, (r.eflags & kArithFlags) | 2};
    std::memcpy(blk, in, sizeof in);
    struct sigaction sa {}, old {};
    sa.sa_handler = on_sigfpe;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGFPE, &sa, &old);
    volatile bool faulted = false;
    if (sigsetjmp(jump_buf(), 1) == 0) {
        reinterpret_cast<void (*)()>(page().p)();
    } else {
        faulted = true;
        // The handler left from 32-bit code: put back the 64-bit process's DS/ES.
        uint16_t ds, es;
        std::memcpy(&ds, page().p + kData + D_SAVED_SEGS, 2);
        std::memcpy(&es, page().p + kData + D_SAVED_SEGS + 2, 2);
        asm volatile("mov %0, %%ds\n\tmov %1, %%es" ::"r"(ds), "r"(es));
    }
    sigaction(SIGFPE, &old, nullptr);
    if (faulted) {
        r.divide_error = true;
        return r;
    }
    uint32_t out[8];
    std::memcpy(out, blk, sizeof out);
    Regs o;
    o.eax = out[0]; o.ecx = out[1]; o.edx = out[2]; o.ebx = out[3];
    o.esi = out[4]; o.edi = out[5]; o.ebp = out[6];
    o.eflags = out[7];
    return o;
}
#else
inline bool native_available() { return false; }
inline Regs run(const std::vector<uint8_t>&, Regs r) { return r; }
#endif

}  // namespace vmm86::native
