// String instructions (MOVS CMPS SCAS LODS STOS INS OUTS) and port I/O (IN, OUT).
//
// Single (non-REP) MOVS/CMPS/SCAS/LODS/STOS are lowered to IR: they are common in
// compiled code and cost a few ops. REP forms and INS/OUTS call string_ops::helper_string,
// which iterates with per-iteration register updates (fault-precise, interruptible).
//
// REP contract: the helper returns 1 when the instruction is finished and 0 when it
// stopped early with work left (iteration bound, exit request, TF, or a fault). The block
// ends with Branch(done, next EIP, this EIP): when not done the same instruction runs
// again and resumes from the registers the helper left, and the engine gets a block
// boundary to take interrupts at. On a fault the engine rewinds EIP to this instruction
// before the branch is reached, so the branch target does not matter then.
#include "jit/frontend/lower_segment.h"
#include "jit/frontend/lower_string_helpers.h"
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {
using ir::Op;
using namespace string_ops;

Kind kind_of(ZydisMnemonic m) {
    switch (m) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD: return Movs;
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD: return Cmps;
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD: return Scas;
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: return Lods;
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: return Stos;
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD: return Ins;
    default: return Outs;
    }
}

// The source segment is the segment of the memory operand based on SI/ESI: Zydis has
// already applied any override prefix to it. The ES:DI operand ignores overrides.
unsigned source_segment(const DecodedInsn& d) {
    for (unsigned i = 0; i < d.zi.operand_count; ++i) {
        const ZydisDecodedOperand& op = d.ops[i];
        RegRef base;
        if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && op.mem.base != ZYDIS_REGISTER_NONE && gpr_of(op.mem.base, base) &&
            base.gpr == ESI) {
            int seg = seg_of(op.mem.segment);
            return seg < 0 ? unsigned(DS) : unsigned(seg);
        }
    }
    return DS;
}

Form form_of(const DecodedInsn& d) {
    Form f{kind_of(d.mnemonic()), uint8_t(d.operand_bytes()), uint8_t(d.address_bytes()),
           uint8_t(source_segment(d)), NoRep};
    const bool compares = f.kind == Cmps || f.kind == Scas;
    if (d.has(ZYDIS_ATTRIB_HAS_REPE)) f.rep = compares ? RepWhileEqual : RepAlways;
    else if (d.has(ZYDIS_ATTRIB_HAS_REPNE)) f.rep = compares ? RepWhileNotEqual : RepAlways;  // F2 MOVS = REP
    else if (d.has(ZYDIS_ATTRIB_HAS_REP)) f.rep = compares ? RepWhileEqual : RepAlways;
    return f;
}

// +size or -size at the address size, chosen by DF at run time.
ValueId step(Translator& t, const Form& f) {
    ValueId flags = t.b().emit(Op::GetFlags, 4);
    ValueId df = t.b().and_(4, t.b().emit(Op::Shr, 4, flags, t.c(10)), t.c(1));
    const uint64_t amask = f.asize == 4 ? 0xFFFFFFFFull : 0xFFFFull;
    return t.b().emit(Op::Select, f.asize, df, t.c(uint64_t(-int64_t(f.size)) & amask), t.c(f.size));
}

// One iteration in IR: every load and store comes before SI/DI/AX and the flags change.
Flow lower_single(Translator& t, const Form& f) {
    auto& b = t.b();
    const unsigned size = f.size, asize = f.asize;
    ValueId delta = step(t, f);
    ValueId si = 0, di = 0, v = 0, w = 0;
    const bool uses_si = f.kind == Movs || f.kind == Cmps || f.kind == Lods;
    const bool uses_di = f.kind != Lods;
    if (uses_si) si = t.read_gpr(ESI, asize);
    if (uses_di) di = t.read_gpr(EDI, asize);
    switch (f.kind) {
    case Movs: b.store(ES, size, di, b.load(f.src_seg, size, si)); break;
    case Cmps: w = b.load(ES, size, di); v = b.load(f.src_seg, size, si); break;  // ES:DI first, as Intel
    case Scas: v = t.read_gpr(EAX, size); w = b.load(ES, size, di); break;
    case Lods: v = b.load(f.src_seg, size, si); break;
    case Stos: b.store(ES, size, di, t.read_gpr(EAX, size)); break;
    default: break;
    }
    if (uses_si) t.write_gpr(ESI, asize, b.add(asize, si, delta));
    if (uses_di) t.write_gpr(EDI, asize, b.add(asize, di, delta));
    if (f.kind == Lods) t.write_gpr(EAX, size, v);
    if (f.kind == Cmps || f.kind == Scas) t.set_flags(LF_SUB, size, b.sub(size, v, w), v, w);
    return Flow::Next;
}

}  // namespace

Flow lower_string(Translator& t, const DecodedInsn& d) {
    // MOVSD and CMPSD are also SSE2 mnemonics (F2 0F 10 / F2 0F C2); only the one-byte
    // opcodes A5/A7 are string instructions.
    if (d.zi.opcode_map != ZYDIS_OPCODE_MAP_DEFAULT) return unimplemented(t);
    const Form f = form_of(d);
    const uint64_t next = d.next_eip() & t.code_mask();
    if (f.rep == NoRep && f.kind != Ins && f.kind != Outs) return lower_single(t, f);

    ValueId done = t.call(&helper_string, t.c(f.pack()));
    if (f.rep == NoRep) {
        // OUTS writes a device: end the block as OUT does. INS may continue.
        return f.kind == Outs ? t.jump(next) : Flow::Next;
    }
    return t.branch(done, next, d.eip & t.code_mask());
}

Flow lower_in(Translator& t, const DecodedInsn& d) {
    const unsigned size = t.op_size(0);
    const ZydisDecodedOperand& src = d.op(1);
    ValueId port = src.type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? t.c(src.imm.value.u & 0xFF) : t.read_gpr(EDX, 2);
    ValueId v = t.call(&helper_in, port, t.c(size));
    t.write_gpr(EAX, size, t.b().zext(size, v));
    return Flow::Next;
}

Flow lower_out(Translator& t, const DecodedInsn& d) {
    const unsigned size = t.op_size(1);
    const ZydisDecodedOperand& dst = d.op(0);
    ValueId port = dst.type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? t.c(dst.imm.value.u & 0xFF) : t.read_gpr(EDX, 2);
    t.call(&helper_out, port, t.c(size), t.read_gpr(EAX, size));
    // A device write can change what the engine must see at once: a raised interrupt
    // line or exit request, the A20 gate, a test-exit port. End the block.
    return t.jump(d.next_eip() & t.code_mask());
}

}  // namespace vmm86
