// Two-operand arithmetic and logic, INC/DEC, NEG/NOT. Each computes its result, writes it
// (a store may fault, so it comes first), then records the lazy flags.
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {

using ir::Op;

Flow binary(Translator& t, const DecodedInsn& d, Op op, LazyFlagOp flags, bool write_back) {
    const unsigned size = t.op_size(0);
    ValueId a = t.read(0), b = t.read(1);
    ValueId r = t.b().binop(op, size, a, b);
    if (write_back) t.write(0, r);
    t.set_flags(flags, size, r, a, b);
    return Flow::Next;
}

Flow with_carry(Translator& t, Op op, LazyFlagOp flags) {
    const unsigned size = t.op_size(0);
    ValueId a = t.read(0), b = t.read(1);
    ValueId carry = t.cf();
    ValueId r = t.b().binop(op, size, t.b().binop(op, size, a, b), carry);
    t.write(0, r);
    t.set_flags(flags, size, r, a, b, carry);
    return Flow::Next;
}

Flow inc_dec(Translator& t, Op op, LazyFlagOp flags) {
    const unsigned size = t.op_size(0);
    ValueId a = t.read(0);
    ValueId old_cf = t.cf();  // INC and DEC leave CF alone
    ValueId r = t.b().binop(op, size, a, t.c(1));
    t.write(0, r);
    t.set_flags(flags, size, r, a, t.c(1), old_cf);
    return Flow::Next;
}

}  // namespace

Flow lower_add(Translator& t, const DecodedInsn& d) { return binary(t, d, Op::Add, LF_ADD, true); }
Flow lower_or(Translator& t, const DecodedInsn& d) { return binary(t, d, Op::Or, LF_LOGIC, true); }
Flow lower_and(Translator& t, const DecodedInsn& d) { return binary(t, d, Op::And, LF_LOGIC, true); }
Flow lower_sub(Translator& t, const DecodedInsn& d) { return binary(t, d, Op::Sub, LF_SUB, true); }
Flow lower_xor(Translator& t, const DecodedInsn& d) { return binary(t, d, Op::Xor, LF_LOGIC, true); }
Flow lower_cmp(Translator& t, const DecodedInsn& d) { return binary(t, d, Op::Sub, LF_SUB, false); }
Flow lower_test(Translator& t, const DecodedInsn& d) { return binary(t, d, Op::And, LF_LOGIC, false); }
Flow lower_adc(Translator& t, const DecodedInsn&) { return with_carry(t, Op::Add, LF_ADC); }
Flow lower_sbb(Translator& t, const DecodedInsn&) { return with_carry(t, Op::Sub, LF_SBB); }
Flow lower_inc(Translator& t, const DecodedInsn&) { return inc_dec(t, Op::Add, LF_INC); }
Flow lower_dec(Translator& t, const DecodedInsn&) { return inc_dec(t, Op::Sub, LF_DEC); }

Flow lower_neg(Translator& t, const DecodedInsn&) {
    const unsigned size = t.op_size(0);
    ValueId a = t.read(0);
    ValueId r = t.b().emit(Op::Neg, size, a);
    t.write(0, r);
    t.set_flags(LF_NEG, size, r, a, t.c(0));
    return Flow::Next;
}

Flow lower_not(Translator& t, const DecodedInsn&) {
    ValueId r = t.b().emit(Op::Not, t.op_size(0), t.read(0));
    t.write(0, r);  // NOT sets no flags
    return Flow::Next;
}

}  // namespace vmm86
