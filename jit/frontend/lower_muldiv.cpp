// MUL, IMUL (one, two and three operands), DIV, IDIV.
//
// Multiplies are IR (the product's low and high halves) with a lazy LF_MUL flag record:
// CF = OF = "the high half is significant" as the SDM defines; SF and PF come from the
// low half and ZF and AF are cleared, which is what Intel CPUs do with these undefined
// flags (tests/unit/test_muldiv.cpp compares with the host).
//
// Divides go through a helper because #DE depends on run-time values (a zero divisor or
// a quotient that does not fit); it raises before any register is written. DIV and IDIV
// leave all six arithmetic flags unchanged, as Intel CPUs do (they are undefined).
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {

using ir::Op;

inline uint64_t size_mask(unsigned size) { return size == 8 ? ~0ull : (1ull << (8 * size)) - 1; }

// `dividend` is AX, DX:AX or EDX:EAX; `ctl` = operand size | signed << 8. Returns the
// quotient in the low half and the remainder in the high half (AX/DX/EDX layout).
uint64_t helper_divide(Cpu& cpu, uint64_t dividend, uint64_t divisor, uint64_t ctl) {
    const unsigned size = unsigned(ctl & 0xFF), bits = 8 * size;
    const bool is_signed = ctl & 0x100;
    const uint64_t mask = size_mask(size);
    divisor &= mask;
    if (divisor == 0) {
        cpu.raise(EXC_DE);
        return 0;
    }
    uint64_t q, r;
    if (!is_signed) {
        dividend &= size_mask(2 * size);
        q = dividend / divisor;
        r = dividend % divisor;
        if (q > mask) {
            cpu.raise(EXC_DE);
            return 0;
        }
    } else {
        // In 128 bits so that the most negative dividend over -1 is well defined here; it
        // is a #DE like any quotient outside [-2^(bits-1), 2^(bits-1) - 1]. The quotient
        // -2^(bits-1) itself is allowed (486 and later; the 8086 faulted on it).
        const unsigned n_bits = 2 * bits;
        const __int128 n = __int128(int64_t(dividend << (64 - n_bits))) >> (64 - n_bits);
        const __int128 d = __int128(int64_t(divisor << (64 - bits)) >> (64 - bits));
        const __int128 sq = n / d, limit = __int128(1) << (bits - 1);
        if (sq >= limit || sq < -limit) {
            cpu.raise(EXC_DE);
            return 0;
        }
        q = uint64_t(sq) & mask;
        r = uint64_t(n % d) & mask;  // the remainder has the dividend's sign
    }
    return q | (bits == 64 ? 0 : r << bits);
}

// CF=OF: does the product need more than `size` bytes?
ValueId significant_high(Translator& t, unsigned size, ValueId lo, ValueId hi, bool is_signed) {
    ir::Builder& b = t.b();
    if (!is_signed) return b.binop(Op::CmpNe, size, hi, t.c(0));
    return b.binop(Op::CmpNe, size, hi, b.binop(Op::Sar, size, lo, t.c(8 * size - 1)));
}

// MUL and one-operand IMUL: AX = AL * src, DX:AX = AX * src, EDX:EAX = EAX * src.
Flow multiply_accumulator(Translator& t, bool is_signed) {
    ir::Builder& b = t.b();
    const unsigned size = t.op_size(0);
    ValueId src = t.read(0);
    if (size == 1) {
        ValueId al = t.read_gpr(EAX, 1);
        ValueId x = is_signed ? b.sext(2, 1, al) : al, y = is_signed ? b.sext(2, 1, src) : src;
        ValueId prod = b.binop(Op::Mul, 2, x, y);  // the whole 16-bit product
        ValueId lo = b.zext(1, prod);
        ValueId sig = is_signed ? b.binop(Op::CmpNe, 2, prod, b.sext(2, 1, lo))
                                : b.binop(Op::CmpNe, 2, b.binop(Op::Shr, 2, prod, t.c(8)), t.c(0));
        t.write_gpr(EAX, 2, prod);
        t.set_flags(LF_MUL, 1, lo, al, sig);
        return Flow::Next;
    }
    ValueId x = t.read_gpr(EAX, size);
    ValueId lo = b.binop(Op::Mul, size, x, src);
    ValueId hi = b.binop(is_signed ? Op::MulHighS : Op::MulHighU, size, x, src);
    ValueId sig = significant_high(t, size, lo, hi, is_signed);
    t.write_gpr(EAX, size, lo);
    t.write_gpr(EDX, size, hi);
    t.set_flags(LF_MUL, size, lo, x, sig);
    return Flow::Next;
}

Flow divide(Translator& t, bool is_signed) {
    ir::Builder& b = t.b();
    const unsigned size = t.op_size(0);
    ValueId divisor = t.read(0);  // may fault, before anything is written
    ValueId dividend;
    if (size == 1) {
        dividend = t.read_gpr(EAX, 2);
    } else {
        ValueId high = b.binop(Op::Shl, 2 * size, t.read_gpr(EDX, size), t.c(8 * size));
        dividend = b.binop(Op::Or, 2 * size, high, t.read_gpr(EAX, size));
    }
    ValueId qr = t.call(&helper_divide, dividend, divisor, t.c(size | (is_signed ? 0x100 : 0)));
    if (size == 1) {
        t.write_gpr(EAX, 2, b.zext(2, qr));  // AL = quotient, AH = remainder
    } else {
        t.write_gpr(EAX, size, b.zext(size, qr));
        t.write_gpr(EDX, size, b.binop(Op::Shr, 2 * size, qr, t.c(8 * size)));
    }
    return Flow::Next;
}

}  // namespace

Flow lower_mul(Translator& t, const DecodedInsn&) { return multiply_accumulator(t, false); }
Flow lower_div(Translator& t, const DecodedInsn&) { return divide(t, false); }
Flow lower_idiv(Translator& t, const DecodedInsn&) { return divide(t, true); }

Flow lower_imul(Translator& t, const DecodedInsn& d) {
    if (d.operand_count() == 1) return multiply_accumulator(t, true);
    // IMUL r, r/m and IMUL r, r/m, imm: the product truncated to the operand size.
    ir::Builder& b = t.b();
    const unsigned size = t.op_size(0);
    ValueId x, y;
    if (d.operand_count() == 2) {
        x = t.read(0);
        y = t.read(1);
    } else {
        x = t.read(1);
        y = t.c(uint64_t(d.op(2).imm.value.s) & size_mask(size));  // imm8 is sign-extended
    }
    ValueId lo = b.binop(Op::Mul, size, x, y);
    ValueId hi = b.binop(Op::MulHighS, size, x, y);
    ValueId sig = significant_high(t, size, lo, hi, true);
    t.write(0, lo);
    t.set_flags(LF_MUL, size, lo, x, sig);
    return Flow::Next;
}

}  // namespace vmm86
