// Shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR (count 1, imm8, CL) and SHLD/SHRD.
//
// The count is masked to 5 bits (486 and later); a masked count of 0 changes neither the
// operand nor any flag. That is what makes CL counts awkward for lazy flags (whether the
// flags change is known only at run time), so:
// - SHL/SHR/SAR by a constant: IR ops plus a lazy flag record (the hot path);
// - ROL/ROR by a constant: IR ops, CF (and OF for count 1) written directly;
// - CL counts, RCL/RCR and SHLD/SHRD: one helper computes result and flags together
//   against the current EFLAGS (lower_shift_helpers.cpp says what Intel does with the
//   undefined flags, and what the 80386 does differently: cpu.h UndefinedFlags). It raises nothing, so the result is written (a store may fault)
//   before the flags, as precise exceptions need.
#include "jit/frontend/lower_shift_helpers.h"
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {

using ir::Op;

void write_flag_bits(Translator& t, uint32_t mask, ValueId value) {
    t.b().effect(Op::SetFlagBits, 4, value, 0, 0, mask);
}

// The helper path: `src` is the SHLD/SHRD source (0 otherwise), `count` any count value.
void shift_via_helper(Translator& t, ShiftKind kind, ValueId a, ValueId src, ValueId count) {
    ir::Builder& b = t.b();
    const unsigned size = t.op_size(0);
    const uint64_t ctl = shift_ctl(kind, size);
    ValueId ctl_v = b.is_constant(count)
                        ? t.c(ctl | (b.constant_value(count) & 0xFF) << kShiftCountShift)
                        : b.binop(Op::Or, 4, b.binop(Op::Shl, 4, count, t.c(kShiftCountShift)), t.c(ctl));
    ValueId packed = t.call(&helper_shift, a, src, ctl_v);
    t.write(0, b.zext(size, packed));
    write_flag_bits(t, FLAGS_ARITH, b.binop(Op::Shr, 8, packed, t.c(32)));
}

void rotate_by_constant(Translator& t, ShiftKind kind, ValueId a, unsigned n) {
    ir::Builder& b = t.b();
    const unsigned size = t.op_size(0), bits = size * 8;
    const unsigned m = n % bits;
    ValueId r = a;
    if (m) {
        const bool left = kind == SK_ROL;
        ValueId hi = b.binop(left ? Op::Shl : Op::Shr, size, a, t.c(m));
        ValueId lo = b.binop(left ? Op::Shr : Op::Shl, size, a, t.c(bits - m));
        r = b.binop(Op::Or, size, hi, lo);
        t.write(0, r);
    }
    // CF is the bit that went round last. OF: defined for count 1 (MSB(r) XOR CF); for
    // larger immediate counts Intel CPUs leave it unchanged (unlike counts in CL, where
    // they compute it: see lower_shift_helpers.cpp), the 80386 sets it as for count 1.
    ValueId cf = kind == SK_ROL ? b.and_(size, r, t.c(1)) : b.binop(Op::Shr, size, r, t.c(bits - 1));
    if (n != 1 && t.undefined_flags() == UndefinedFlags::Intel) {
        write_flag_bits(t, FLAG_CF, cf);
        return;
    }
    ValueId msb_r = b.binop(Op::Shr, size, r, t.c(bits - 1));
    ValueId other = kind == SK_ROL ? cf : b.and_(size, b.binop(Op::Shr, size, r, t.c(bits - 2)), t.c(1));
    ValueId of = b.binop(Op::Xor, size, msb_r, other);
    write_flag_bits(t, FLAG_CF | FLAG_OF, b.binop(Op::Or, 4, cf, b.binop(Op::Shl, 4, of, t.c(11))));
}

Flow shift(Translator& t, ShiftKind kind) {
    ir::Builder& b = t.b();
    const unsigned size = t.op_size(0);
    ValueId a = t.read(0);  // a memory operand is read (and may fault) even for count 0
    ValueId count = t.read(1);
    if (!b.is_constant(count)) {
        shift_via_helper(t, kind, a, t.c(0), count);
        return Flow::Next;
    }
    const unsigned n = unsigned(b.constant_value(count)) & 31;
    if (n == 0) return Flow::Next;
    switch (kind) {
    case SK_SHL: case SK_SHR: case SK_SAR: {
        const Op op = kind == SK_SHL ? Op::Shl : kind == SK_SHR ? Op::Shr : Op::Sar;
        const LazyFlagOp lf = kind == SK_SHL ? LF_SHL : kind == SK_SHR ? LF_SHR : LF_SAR;
        ValueId r = b.binop(op, size, a, t.c(n));
        t.write(0, r);
        t.set_flags(lf, size, r, a, t.c(n));
        return Flow::Next;
    }
    case SK_ROL: case SK_ROR:
        rotate_by_constant(t, kind, a, n);
        return Flow::Next;
    default:
        shift_via_helper(t, kind, a, t.c(0), t.c(n));
        return Flow::Next;
    }
}

Flow double_shift(Translator& t, ShiftKind kind) {
    ValueId a = t.read(0);
    ValueId src = t.read(1);
    ValueId count = t.read(2);
    if (t.b().is_constant(count) && (t.b().constant_value(count) & 31) == 0) return Flow::Next;
    shift_via_helper(t, kind, a, src, count);
    return Flow::Next;
}

}  // namespace

Flow lower_shl(Translator& t, const DecodedInsn&) { return shift(t, SK_SHL); }
Flow lower_shr(Translator& t, const DecodedInsn&) { return shift(t, SK_SHR); }
Flow lower_sar(Translator& t, const DecodedInsn&) { return shift(t, SK_SAR); }
Flow lower_rol(Translator& t, const DecodedInsn&) { return shift(t, SK_ROL); }
Flow lower_ror(Translator& t, const DecodedInsn&) { return shift(t, SK_ROR); }
Flow lower_rcl(Translator& t, const DecodedInsn&) { return shift(t, SK_RCL); }
Flow lower_rcr(Translator& t, const DecodedInsn&) { return shift(t, SK_RCR); }
Flow lower_shld(Translator& t, const DecodedInsn&) { return double_shift(t, SK_SHLD); }
Flow lower_shrd(Translator& t, const DecodedInsn&) { return double_shift(t, SK_SHRD); }

}  // namespace vmm86
