// Near and far jumps, calls and returns, Jcc, LOOP/LOOPE/LOOPNE, JCXZ/JECXZ.
// Far transfers in real (and V86) mode load CS as base = selector << 4; in protected mode
// they go through helpers (cpu/segmentation_far.cpp: gates, privilege changes, task
// switches) that set CS:EIP themselves, and the block ends with ExitBlock.
#include "cpu/segmentation.h"
#include "jit/frontend/condition.h"
#include "jit/frontend/lower_segment.h"
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {
using ir::Op;

uint64_t relative_target(Translator& t, const DecodedInsn& d) {
    ZyanU64 target = 0;
    ZydisCalcAbsoluteAddress(&d.zi, &d.ops[0], d.eip, &target);
    return target & t.ip_mask();
}

bool is_far(const DecodedInsn& d) { return d.zi.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR; }

// Reads the far pointer of a direct (ptr16:16/32) or memory (m16:16/32) operand.
void far_operand(Translator& t, const DecodedInsn& d, ValueId& sel, ValueId& offset) {
    const ZydisDecodedOperand& op = d.op(0);
    const unsigned size = d.operand_bytes();
    if (op.type == ZYDIS_OPERAND_TYPE_POINTER) {
        sel = t.c(op.ptr.segment);
        offset = t.c(op.ptr.offset & t.ip_mask());
        return;
    }
    MemRef m = t.mem(0);
    offset = t.b().load(m.seg, size, m.offset);
    sel = t.b().load(m.seg, 2, t.b().add(d.address_bytes(), m.offset, t.c(size)));
}

// Real mode: CS = sel, EIP = offset. The block ends with an indirect jump so that the
// next block is looked up under the new CS base.
Flow far_transfer(Translator& t, ValueId sel, ValueId offset) {
    t.b().effect(Op::SetSegReal, 2, sel, 0, 0, CS);
    return t.jump_indirect(offset);
}

// What the protected-mode far JMP/CALL helpers need besides selector and offset.
uint64_t far_packed(Translator& t, const DecodedInsn& d) {
    return (d.next_eip() & t.code_mask()) | (uint64_t(d.operand_bytes()) << 32);
}

}  // namespace

Flow lower_jmp(Translator& t, const DecodedInsn& d) {
    const ZydisDecodedOperand& op = d.op(0);
    if (is_far(d)) {
        ValueId sel, offset;
        far_operand(t, d, sel, offset);
        if (t.mode() != CpuMode::Real16) {
            t.call(&helper_far_jmp, sel, offset, t.c(far_packed(t, d)));
            return t.exit_block();
        }
        return far_transfer(t, sel, offset);
    }
    if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) return t.jump(relative_target(t, d));
    return t.jump_indirect(t.b().zext(d.operand_bytes(), t.read(0)));
}

Flow lower_jcc(Translator& t, const DecodedInsn& d) {
    return t.branch(t.cond(condition_of(d.mnemonic())), relative_target(t, d), d.next_eip() & t.code_mask());
}

Flow lower_call(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();
    const uint64_t ret = d.next_eip() & t.ip_mask();
    const ZydisDecodedOperand& op = d.op(0);
    if (is_far(d)) {
        ValueId sel, offset;
        far_operand(t, d, sel, offset);
        if (t.mode() != CpuMode::Real16) {
            t.call(&helper_far_call, sel, offset, t.c(far_packed(t, d)));
            return t.exit_block();
        }
        t.push(size, t.b().zext(size, t.b().emit(Op::GetSegSel, 2, 0, 0, 0, CS)));
        t.push(size, t.c(ret));
        t.commit_stack();
        return far_transfer(t, sel, offset);
    }
    if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
        const uint64_t target = relative_target(t, d);
        t.check_branch_target(t.c(target));
        t.push(size, t.c(ret));
        t.commit_stack();
        return t.jump(target);
    }
    ValueId target = t.b().zext(size, t.read(0));  // read before the push: CALL [SP] works
    t.check_branch_target(target);
    t.push(size, t.c(ret));
    t.commit_stack();
    return t.jump_indirect(target);
}

Flow lower_ret(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();
    const bool far = is_far(d);
    if (far && t.mode() != CpuMode::Real16) {
        const uint64_t imm = d.operand_count() > 0 && d.op(0).type == ZYDIS_OPERAND_TYPE_IMMEDIATE
                                 ? d.op(0).imm.value.u & 0xFFFF : 0;
        t.call(&helper_far_ret, t.c(size), t.c(imm));
        return t.exit_block();
    }
    ValueId ip = t.pop(size);
    ValueId sel = far ? t.pop(size) : 0;
    if (d.operand_count() > 0 && d.op(0).type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
        t.adjust_stack(int64_t(d.op(0).imm.value.u & 0xFFFF));
    if (!far) t.check_branch_target(ip);
    t.commit_stack();
    if (far) return far_transfer(t, t.b().zext(2, sel), ip);
    return t.jump_indirect(ip);
}

Flow lower_loop(Translator& t, const DecodedInsn& d) {
    const unsigned asize = d.address_bytes();  // LOOP counts CX or ECX by address size
    ValueId count = t.b().sub(asize, t.read_gpr(ECX, asize), t.c(1));
    ValueId cond = t.b().emit(Op::CmpNe, asize, count, t.c(0));
    if (d.mnemonic() == ZYDIS_MNEMONIC_LOOPE) cond = t.b().and_(1, cond, t.cond(CC_E));
    if (d.mnemonic() == ZYDIS_MNEMONIC_LOOPNE) cond = t.b().and_(1, cond, t.cond(CC_NE));
    const uint64_t target = relative_target(t, d);
    t.check_branch_target(t.c(target), cond);  // a taken LOOP past the limit leaves ECX alone
    t.write_gpr(ECX, asize, count);
    return t.branch(cond, target, d.next_eip() & t.code_mask());
}

Flow lower_jcxz(Translator& t, const DecodedInsn& d) {
    const unsigned asize = d.address_bytes();
    ValueId cond = t.b().emit(Op::CmpEq, asize, t.read_gpr(ECX, asize), t.c(0));
    return t.branch(cond, relative_target(t, d), d.next_eip() & t.code_mask());
}

}  // namespace vmm86
