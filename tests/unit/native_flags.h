// The host CPU as an oracle for flag computations: runs one ALU instruction (8, 16 or 32
// bits) natively with inline asm, with CF (and the other arithmetic flags) set on entry,
// and returns the result and the six arithmetic flags it left; evaluates a condition code
// with the host's own SETcc. Unlike native_x86.h this stays in 64-bit mode, so it needs
// nothing from the kernel and works on every x86-64 host; elsewhere it defines nothing and
// VMM86_NATIVE_FLAGS stays undefined, so that tests can skip their native comparisons.
#pragma once
#include <cstdint>

#if defined(__x86_64__)
#define VMM86_NATIVE_FLAGS 1

namespace vmm86::native {

enum class Alu : uint8_t { Add, Adc, Sub, Sbb, And, Or, Xor, Inc, Dec, Neg, Shl, Shr, Sar, Mul, Imul };

struct AluResult {
    uint64_t value;  // the destination (for Mul/Imul: the low half)
    uint64_t high;   // Mul/Imul: the high half (AH, DX or EDX); 0 otherwise
    uint32_t flags;  // the six arithmetic flags only
};

constexpr uint32_t kArith6 = 0x8D5;  // CF PF AF ZF SF OF

namespace detail {

// The stack pushes below would land in the red zone the compiler may be using: step over
// it first. Only the arithmetic flags (and the fixed bit 1) are loaded into RFLAGS.
#define VMM86_FLAGS_IN "lea -128(%%rsp), %%rsp\n\tpush %[fl]\n\tpopfq\n\t"
#define VMM86_FLAGS_OUT "\n\tpushfq\n\tpop %[fl]\n\tlea 128(%%rsp), %%rsp"

// dst op= src, for the two-operand instructions.
#define VMM86_BINOP(fn, mnem)                                                                        \
    inline uint64_t fn(unsigned size, uint64_t a, uint64_t b, uint64_t& fl) {                      \
        switch (size) {                                                                            \
        case 1: asm volatile(VMM86_FLAGS_IN mnem "b %b[b], %b[a]" VMM86_FLAGS_OUT                  \
                             : [a] "+r"(a), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory"); break;   \
        case 2: asm volatile(VMM86_FLAGS_IN mnem "w %w[b], %w[a]" VMM86_FLAGS_OUT                  \
                             : [a] "+r"(a), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory"); break;   \
        default: asm volatile(VMM86_FLAGS_IN mnem "l %k[b], %k[a]" VMM86_FLAGS_OUT                 \
                              : [a] "+r"(a), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory"); break;  \
        }                                                                                          \
        return a;                                                                                  \
    }
VMM86_BINOP(add, "add")
VMM86_BINOP(adc, "adc")
VMM86_BINOP(sub, "sub")
VMM86_BINOP(sbb, "sbb")
VMM86_BINOP(and_, "and")
VMM86_BINOP(or_, "or")
VMM86_BINOP(xor_, "xor")
#undef VMM86_BINOP

#define VMM86_UNOP(fn, mnem)                                                                         \
    inline uint64_t fn(unsigned size, uint64_t a, uint64_t& fl) {                                  \
        switch (size) {                                                                            \
        case 1: asm volatile(VMM86_FLAGS_IN mnem "b %b[a]" VMM86_FLAGS_OUT                         \
                             : [a] "+r"(a), [fl] "+r"(fl) : : "cc", "memory"); break;              \
        case 2: asm volatile(VMM86_FLAGS_IN mnem "w %w[a]" VMM86_FLAGS_OUT                         \
                             : [a] "+r"(a), [fl] "+r"(fl) : : "cc", "memory"); break;              \
        default: asm volatile(VMM86_FLAGS_IN mnem "l %k[a]" VMM86_FLAGS_OUT                        \
                              : [a] "+r"(a), [fl] "+r"(fl) : : "cc", "memory"); break;             \
        }                                                                                          \
        return a;                                                                                  \
    }
VMM86_UNOP(inc, "inc")
VMM86_UNOP(dec, "dec")
VMM86_UNOP(neg, "neg")
#undef VMM86_UNOP

// dst shifted by CL (the CPU masks the count to 5 bits itself).
#define VMM86_SHIFT(fn, mnem)                                                                        \
    inline uint64_t fn(unsigned size, uint64_t a, uint64_t count, uint64_t& fl) {                  \
        switch (size) {                                                                            \
        case 1: asm volatile(VMM86_FLAGS_IN mnem "b %%cl, %b[a]" VMM86_FLAGS_OUT                   \
                             : [a] "+r"(a), [fl] "+r"(fl) : "c"(count) : "cc", "memory"); break;   \
        case 2: asm volatile(VMM86_FLAGS_IN mnem "w %%cl, %w[a]" VMM86_FLAGS_OUT                   \
                             : [a] "+r"(a), [fl] "+r"(fl) : "c"(count) : "cc", "memory"); break;   \
        default: asm volatile(VMM86_FLAGS_IN mnem "l %%cl, %k[a]" VMM86_FLAGS_OUT                  \
                              : [a] "+r"(a), [fl] "+r"(fl) : "c"(count) : "cc", "memory"); break;  \
        }                                                                                          \
        return a;                                                                                  \
    }
VMM86_SHIFT(shl, "shl")
VMM86_SHIFT(shr, "shr")
VMM86_SHIFT(sar, "sar")
#undef VMM86_SHIFT

// One-operand MUL/IMUL: AX = AL*b, DX:AX = AX*b, EDX:EAX = EAX*b.
#define VMM86_MUL(fn, mnem)                                                                          \
    inline uint64_t fn(unsigned size, uint64_t a, uint64_t b, uint64_t& high, uint64_t& fl) {      \
        uint64_t d = 0;                                                                            \
        switch (size) {                                                                            \
        case 1:                                                                                    \
            asm volatile(VMM86_FLAGS_IN mnem "b %b[b]" VMM86_FLAGS_OUT                             \
                         : "+a"(a), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory");                  \
            high = (a >> 8) & 0xFF;                                                                \
            return a & 0xFF;                                                                       \
        case 2:                                                                                    \
            asm volatile(VMM86_FLAGS_IN mnem "w %w[b]" VMM86_FLAGS_OUT                             \
                         : "+a"(a), "+d"(d), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory");         \
            high = d & 0xFFFF;                                                                     \
            return a & 0xFFFF;                                                                     \
        default:                                                                                   \
            asm volatile(VMM86_FLAGS_IN mnem "l %k[b]" VMM86_FLAGS_OUT                             \
                         : "+a"(a), "+d"(d), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory");         \
            high = d & 0xFFFFFFFF;                                                                 \
            return a & 0xFFFFFFFF;                                                                 \
        }                                                                                          \
    }
VMM86_MUL(mul, "mul")
VMM86_MUL(imul, "imul")
#undef VMM86_MUL

}  // namespace detail

inline uint64_t width_mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

// Runs `op` at `size` bytes on (a, b) with the arithmetic flags `flags_in` (CF is the carry
// in of ADC/SBB and what INC/DEC must keep). b is the count for shifts, unused for
// INC/DEC/NEG.
inline AluResult alu(Alu op, unsigned size, uint64_t a, uint64_t b, uint32_t flags_in) {
    using namespace detail;
    uint64_t fl = (flags_in & kArith6) | 2;
    const uint64_t m = width_mask(size);
    a &= m;
    b &= m;
    uint64_t v = 0, high = 0;
    switch (op) {
    case Alu::Add: v = add(size, a, b, fl); break;
    case Alu::Adc: v = adc(size, a, b, fl); break;
    case Alu::Sub: v = sub(size, a, b, fl); break;
    case Alu::Sbb: v = sbb(size, a, b, fl); break;
    case Alu::And: v = and_(size, a, b, fl); break;
    case Alu::Or: v = or_(size, a, b, fl); break;
    case Alu::Xor: v = xor_(size, a, b, fl); break;
    case Alu::Inc: v = inc(size, a, fl); break;
    case Alu::Dec: v = dec(size, a, fl); break;
    case Alu::Neg: v = neg(size, a, fl); break;
    case Alu::Shl: v = shl(size, a, b, fl); break;
    case Alu::Shr: v = shr(size, a, b, fl); break;
    case Alu::Sar: v = sar(size, a, b, fl); break;
    case Alu::Mul: v = mul(size, a, b, high, fl); break;
    case Alu::Imul: v = imul(size, a, b, high, fl); break;
    }
    return AluResult{v & m, high, uint32_t(fl) & kArith6};
}

// Whether condition `cc` (the low nibble of Jcc/SETcc) holds with these arithmetic flags,
// as the host's SETcc decides it.
inline bool condition(unsigned cc, uint32_t flags) {
    uint64_t fl = (flags & kArith6) | 2;
    uint8_t r = 0;
#define VMM86_SETCC(n, mnem)                                                                     \
    case n: asm volatile(VMM86_FLAGS_IN mnem " %b[r]" VMM86_FLAGS_OUT                           \
                         : [r] "=r"(r), [fl] "+r"(fl) : : "cc", "memory"); break;
    switch (cc & 15) {
        VMM86_SETCC(0, "seto") VMM86_SETCC(1, "setno") VMM86_SETCC(2, "setb") VMM86_SETCC(3, "setae")
        VMM86_SETCC(4, "sete") VMM86_SETCC(5, "setne") VMM86_SETCC(6, "setbe") VMM86_SETCC(7, "seta")
        VMM86_SETCC(8, "sets") VMM86_SETCC(9, "setns") VMM86_SETCC(10, "setp") VMM86_SETCC(11, "setnp")
        VMM86_SETCC(12, "setl") VMM86_SETCC(13, "setge") VMM86_SETCC(14, "setle") VMM86_SETCC(15, "setg")
    }
#undef VMM86_SETCC
    return r != 0;
}

#undef VMM86_FLAGS_IN
#undef VMM86_FLAGS_OUT

}  // namespace vmm86::native

#endif  // __x86_64__
