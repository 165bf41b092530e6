// The x64 JIT's arithmetic: the interpreter's masking rules on host instructions.
#include "jit/backend/x64/x64_block_emitter.h"

namespace vmm86::x64 {

void BlockEmitter::binary(const ir::Inst& in) {
    load(x86::rax, in.a);
    const bool imm_b = is_const(in.b) && asmjit::Support::isInt32(int64_t(b_.constants[in.b]));
    const int32_t imm = imm_b ? int32_t(b_.constants[in.b]) : 0;
    if (!imm_b) load(x86::rcx, in.b);
    switch (in.op) {
    case Op::Add: imm_b ? a_.add(x86::rax, imm) : a_.add(x86::rax, x86::rcx); break;
    case Op::Sub: imm_b ? a_.sub(x86::rax, imm) : a_.sub(x86::rax, x86::rcx); break;
    case Op::And: imm_b ? a_.and_(x86::rax, imm) : a_.and_(x86::rax, x86::rcx); break;
    case Op::Or: imm_b ? a_.or_(x86::rax, imm) : a_.or_(x86::rax, x86::rcx); break;
    case Op::Xor: imm_b ? a_.xor_(x86::rax, imm) : a_.xor_(x86::rax, x86::rcx); break;
    default: if (imm_b) a_.mov(x86::rcx, int64_t(imm)); a_.imul(x86::rax, x86::rcx); break;  // Mul
    }
    mask(x86::rax, in.size);
    store(in.dst, x86::rax);
}

void BlockEmitter::compare(const ir::Inst& in) {
    load(x86::rax, in.a);
    load(x86::rcx, in.b);
    const bool is_signed = in.op == Op::CmpLtS || in.op == Op::CmpLeS;
    if (is_signed) {
        sign_extend(x86::rax, in.size);
        sign_extend(x86::rcx, in.size);
    } else {
        mask(x86::rax, in.size);
        mask(x86::rcx, in.size);
    }
    a_.cmp(x86::rax, x86::rcx);
    switch (in.op) {
    case Op::CmpEq: a_.sete(x86::al); break;
    case Op::CmpNe: a_.setne(x86::al); break;
    case Op::CmpLtU: a_.setb(x86::al); break;
    case Op::CmpLeU: a_.setbe(x86::al); break;
    case Op::CmpLtS: a_.setl(x86::al); break;
    default: a_.setle(x86::al); break;  // CmpLeS
    }
    a_.movzx(x86::eax, x86::al);
    store(in.dst, x86::rax);
}

void BlockEmitter::shift(const ir::Inst& in) {
    load(x86::rax, in.a);
    load(x86::rcx, in.b);
    if (in.op == Op::Sar) {
        // x >> min(count, 63) on the value sign-extended from its size.
        sign_extend(x86::rax, in.size);
        a_.mov(x86::edx, 63);
        a_.cmp(x86::rcx, 63);
        a_.cmova(x86::rcx, x86::rdx);
        a_.sar(x86::rax, x86::cl);
    } else {
        // Counts of 64 or more give 0 (the host masks the count to 6 bits).
        if (in.op == Op::Shr) mask(x86::rax, in.size);
        if (in.op == Op::Shl) a_.shl(x86::rax, x86::cl);
        else a_.shr(x86::rax, x86::cl);
        a_.xor_(x86::edx, x86::edx);
        a_.cmp(x86::rcx, 64);
        a_.cmovae(x86::rax, x86::rdx);
    }
    mask(x86::rax, in.size);
    store(in.dst, x86::rax);
}

void BlockEmitter::multiply_high(const ir::Inst& in) {
    load(x86::rax, in.a);
    load(x86::rcx, in.b);
    const bool is_signed = in.op == Op::MulHighS;
    if (in.size == 8) {
        is_signed ? a_.imul(x86::rcx) : a_.mul(x86::rcx);  // rdx:rax
        a_.mov(x86::rax, x86::rdx);
    } else {
        // Both factors fit in 32 bits: the whole product fits in 64.
        if (is_signed) {
            sign_extend(x86::rax, in.size);
            sign_extend(x86::rcx, in.size);
            a_.imul(x86::rax, x86::rcx);
            a_.sar(x86::rax, 8 * in.size);
        } else {
            mask(x86::rax, in.size);
            mask(x86::rcx, in.size);
            a_.imul(x86::rax, x86::rcx);
            a_.shr(x86::rax, 8 * in.size);
        }
        mask(x86::rax, in.size);
    }
    store(in.dst, x86::rax);
}

}  // namespace vmm86::x64
