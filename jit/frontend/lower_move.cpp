// Data movement: MOV in all its forms, MOVZX/MOVSX, LEA, XCHG, CBW/CWDE/CWD/CDQ, the
// far-pointer loads LDS/LES/LFS/LGS/LSS, XLAT.
#include "jit/frontend/lower_segment.h"
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {
using ir::Op;

bool is_seg_operand(const ZydisDecodedOperand& op) {
    return op.type == ZYDIS_OPERAND_TYPE_REGISTER && seg_of(op.reg.value) >= 0;
}
}  // namespace

Flow lower_mov(Translator& t, const DecodedInsn& d) {
    const ZydisDecodedOperand& dst = d.op(0);
    const ZydisDecodedOperand& src = d.op(1);
    if (is_seg_operand(dst)) {
        int seg = seg_of(dst.reg.value);
        if (seg == CS) return t.fault(EXC_UD);  // MOV CS is invalid on 186 and later
        ValueId sel = t.b().zext(2, t.read(1));
        return load_segment(t, unsigned(seg), sel);
    }
    if (is_seg_operand(src)) {
        ValueId sel = t.read(1);
        // To memory the store is always 16 bits; to a 32-bit register it zero-extends.
        if (dst.type == ZYDIS_OPERAND_TYPE_MEMORY) {
            MemRef m = t.mem(0);
            t.b().store(m.seg, 2, m.offset, sel);
        } else {
            t.write(0, sel);
        }
        return Flow::Next;
    }
    if (dst.type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(dst.reg.value) != ZYDIS_REGCLASS_GPR8 &&
        ZydisRegisterGetClass(dst.reg.value) != ZYDIS_REGCLASS_GPR16 &&
        ZydisRegisterGetClass(dst.reg.value) != ZYDIS_REGCLASS_GPR32)
        return lower_mov_system(t, d);  // control and debug registers
    if (src.type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(src.reg.value) != ZYDIS_REGCLASS_GPR8 &&
        ZydisRegisterGetClass(src.reg.value) != ZYDIS_REGCLASS_GPR16 &&
        ZydisRegisterGetClass(src.reg.value) != ZYDIS_REGCLASS_GPR32)
        return lower_mov_system(t, d);
    t.write(0, t.read(1));
    return Flow::Next;
}

Flow lower_movzx(Translator& t, const DecodedInsn&) {
    t.write(0, t.b().zext(t.op_size(0), t.read(1)));
    return Flow::Next;
}

Flow lower_movsx(Translator& t, const DecodedInsn&) {
    t.write(0, t.b().sext(t.op_size(0), t.op_size(1), t.read(1)));
    return Flow::Next;
}

Flow lower_lea(Translator& t, const DecodedInsn& d) {
    // The address is computed at the address size, then truncated or zero-extended to
    // the operand size.
    t.write(0, t.b().zext(t.op_size(0), t.effective_offset(d.op(1))));
    return Flow::Next;
}

Flow lower_xchg(Translator& t, const DecodedInsn&) {
    ValueId a = t.read(0), b = t.read(1);
    // A memory operand is written first, so a fault leaves the register untouched.
    if (t.insn().op(1).type == ZYDIS_OPERAND_TYPE_MEMORY) {
        t.write(1, a);
        t.write(0, b);
    } else {
        t.write(0, b);
        t.write(1, a);
    }
    return Flow::Next;
}

Flow lower_cbw(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();  // CBW: 2, CWDE: 4
    t.write_gpr(EAX, size, t.b().sext(size, size / 2, t.read_gpr(EAX, size / 2)));
    return Flow::Next;
}

Flow lower_cwd(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();  // CWD: 2, CDQ: 4
    ValueId sign = t.b().emit(Op::Sar, size, t.read_gpr(EAX, size), t.c(size * 8 - 1));
    t.write_gpr(EDX, size, sign);
    return Flow::Next;
}

Flow lower_load_far_pointer(Translator& t, const DecodedInsn& d) {
    const unsigned size = t.op_size(0);
    int seg = ES;
    switch (d.mnemonic()) {
    case ZYDIS_MNEMONIC_LDS: seg = DS; break;
    case ZYDIS_MNEMONIC_LFS: seg = FS; break;
    case ZYDIS_MNEMONIC_LGS: seg = GS; break;
    case ZYDIS_MNEMONIC_LSS: seg = SS; break;
    default: break;
    }
    if (d.op(1).type != ZYDIS_OPERAND_TYPE_MEMORY) return t.fault(EXC_UD);
    MemRef m = t.mem(1);
    ValueId offset = t.b().load(m.seg, size, m.offset);
    ValueId sel = t.b().load(m.seg, 2, t.b().add(d.address_bytes(), m.offset, t.c(size)));
    Flow flow = load_segment(t, unsigned(seg), sel);
    t.write(0, offset);
    return flow;
}

Flow lower_xlat(Translator& t, const DecodedInsn& d) {
    // AL = [seg:(E)BX + AL]; Zydis describes the memory operand as base BX, index AL.
    const ZydisDecodedOperand* memop = nullptr;
    unsigned idx = 0;
    for (unsigned i = 0; i < d.zi.operand_count; ++i)
        if (d.ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY) { memop = &d.ops[i]; idx = i; }
    if (!memop) return t.fault(EXC_UD);
    const unsigned asize = d.address_bytes();
    int seg = seg_of(memop->mem.segment);
    ValueId off = t.b().add(asize, t.read_gpr(EBX, asize), t.b().zext(asize, t.read_gpr(EAX, 1)));
    (void)idx;
    t.write_gpr(EAX, 1, t.b().load(unsigned(seg < 0 ? DS : seg), 1, off));
    return Flow::Next;
}

}  // namespace vmm86
