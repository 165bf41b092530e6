// Stack instructions: PUSH/POP (registers, memory, immediates, segment registers),
// PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE.
//
// Every form stages its stack accesses through the Translator (t.push/t.pop) and writes
// ESP once with t.commit_stack() after all loads and stores, so a stack fault in the
// middle (a #SS at the segment limit) leaves every register as it was. The width of the
// stack pointer (SP or ESP) is SS.B (t.stack_size()); the width of each slot is the
// operand size. They are independent: 66h PUSH in a 16-bit stack moves SP by 4.
#include "jit/frontend/lower_segment.h"
#include "jit/frontend/lower_system_helpers.h"
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {
using ir::Op;

uint64_t size_mask(unsigned bytes) { return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1; }

bool is_reg(const ZydisDecodedOperand& op) { return op.type == ZYDIS_OPERAND_TYPE_REGISTER; }

// The value ESP would have after the staged stack operations, at full 32-bit width. With
// a 16-bit stack only SP moves; the upper half of ESP stays what it was.
ValueId staged_esp32(Translator& t) {
    ValueId sp = t.stack_pointer();
    if (t.stack_size() == 4) return sp;
    ValueId high = t.b().and_(4, t.b().get_reg(ESP, 4), t.c(0xFFFF0000u));
    return t.b().binop(Op::Or, 4, high, sp);
}

// ENTER's last check (SDM vol. 2, ENTER, exceptions): the instruction faults when a write
// at the final stack pointer would, so a frame that ends in a page or segment it may not
// write to is refused before anything changes. A probe: the byte at SS:offset is checked
// for writing (segment type and limit, then the page rights) and not written. Seen on
// Intel hardware too: ENTER 1,0 whose final ESP is the last byte of a read-only page
// faults, one whose frame stays in the writable page above does not.
uint64_t helper_enter_probe(Cpu& cpu, uint64_t offset, uint64_t, uint64_t) {
    const SegmentCache& sc = cpu.s.seg[SS];
    if (!segment_ok(sc, uint32_t(offset), 1) || (sc.attributes & SEG_ATTR_NO_WRITE)) {
        cpu.raise(EXC_SS, 0);
        return 0;
    }
    TlbEntry* e;
    cpu.tlb_fill(sc.base + uint32_t(offset), Access::Write, e);
    return 0;
}

}  // namespace

Flow lower_push(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();
    const ZydisDecodedOperand& op = d.op(0);
    ValueId v;
    if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
        // imm8 (6A) is sign-extended to the operand size; Zydis hands it over extended.
        v = t.c(op.imm.value.u & size_mask(size));
    } else if (is_reg(op) && seg_of(op.reg.value) >= 0) {
        // A 32-bit push of a segment register moves ESP by 4 but writes only the 16-bit
        // selector, leaving the upper half of the slot unchanged: what Intel CPUs since
        // the Pentium Pro do (checked on the host; the SDM allows this or zero-extension).
        // The KVM oracle runs on such a CPU, so this is the behaviour tests compare to.
        ValueId sel = t.b().emit(Op::GetSegSel, 2, 0, 0, 0, uint64_t(seg_of(op.reg.value)));
        ValueId sp = t.stack_offset(t.stack_pointer(), -int64_t(size));
        t.b().store(SS, 2, sp, sel);
        t.adjust_stack(-int64_t(size));
        t.commit_stack();
        return Flow::Next;
    } else {
        // Registers (PUSH SP included: the value read is the one before the decrement, as
        // on the 286 and later) and memory operands, read before anything moves.
        v = t.read(0);
    }
    t.push(size, v);
    t.commit_stack();
    return Flow::Next;
}

Flow lower_pop(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();
    const ZydisDecodedOperand& op = d.op(0);
    if (is_reg(op) && seg_of(op.reg.value) >= 0) {
        int seg = seg_of(op.reg.value);
        if (seg == CS) return t.fault(EXC_UD);  // POP CS (0F) is not an instruction on 286+
        // A 32-bit pop takes 4 bytes and uses the low 16 as the selector.
        ValueId sel = t.b().zext(2, t.pop(size));
        // A protected-mode load can fault: it comes before ESP is written. (The block end
        // load_segment asks for after SS is taken after the whole instruction.)
        Flow flow = load_segment(t, unsigned(seg), sel);
        t.commit_stack();
        return flow;
    }
    ValueId v = t.pop(size);
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) {
        // SDM: with ESP as the base register, the destination address is computed with
        // the already incremented ESP. The store still comes before ESP is written.
        ValueId offset;
        RegRef base;
        if (op.mem.base != ZYDIS_REGISTER_NONE && gpr_of(op.mem.base, base) && base.gpr == ESP) {
            ZydisDecodedOperand rest = op;
            rest.mem.base = ZYDIS_REGISTER_NONE;
            const unsigned asize = d.address_bytes();
            ValueId sp = asize == 4 ? staged_esp32(t) : t.b().zext(2, t.stack_pointer());
            offset = t.b().add(asize, sp, t.effective_offset(rest));
        } else {
            offset = t.mem(0).offset;
        }
        int seg = seg_of(op.mem.segment);
        t.b().store(seg < 0 ? unsigned(DS) : unsigned(seg), size, offset, v);
        t.commit_stack();
        return Flow::Next;
    }
    // POP SP/ESP: the popped value wins over the increment, so commit first.
    t.commit_stack();
    t.write(0, v);
    return Flow::Next;
}

Flow lower_pusha(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();
    ValueId original_sp = t.read_gpr(ESP, size);  // the value before the first push
    for (unsigned r : {EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI})
        t.push(size, r == ESP ? original_sp : t.read_gpr(r, size));
    t.commit_stack();
    return Flow::Next;
}

Flow lower_popa(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();
    ValueId v[8];
    for (unsigned r : {EDI, ESI, EBP, ESP, EBX, EDX, ECX, EAX}) {
        if (r == ESP) t.adjust_stack(size);  // the saved SP is skipped, not loaded
        else v[r] = t.pop(size);
    }
    t.commit_stack();
    for (unsigned r : {EDI, ESI, EBP, EBX, EDX, ECX, EAX}) t.write_gpr(r, size, v[r]);
    return Flow::Next;
}

Flow lower_pushf(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();
    ValueId flags = t.b().emit(Op::GetFlags, 4);
    // The image never shows VM or RF (SDM PUSHF); bit 1 always reads 1.
    flags = t.b().and_(4, flags, t.c(~uint64_t(FLAG_VM | FLAG_RF) & 0xFFFFFFFFu));
    flags = t.b().binop(Op::Or, 4, flags, t.c(FLAGS_FIXED1));
    if (t.mode() == CpuMode::Real16) t.call(&helper_pushf_check);  // V86 with IOPL < 3: #GP(0)
    t.push(size, t.b().zext(size, flags));
    t.commit_stack();
    return Flow::Next;
}

Flow lower_popf(Translator& t, const DecodedInsn& d) {
    // Which bits POPF may change depends on the mode, CPL and IOPL, and V86 with IOPL < 3
    // faults (V86 code is translated as Real16 too): helper_popf applies the rules. It may
    // raise, so ESP is written after it.
    const unsigned size = d.operand_bytes();
    ValueId v = t.pop(size);
    t.call(&helper_popf, v, t.c(size));
    t.commit_stack();
    // TF or IF may have changed: end the block so the engine sees them (an interrupt
    // unmasked by POPF is taken right after it; there is no shadow as after STI).
    return t.jump(d.next_eip() & t.code_mask());
}

Flow lower_enter(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();   // width of each frame pointer and of BP
    const unsigned ssize = t.stack_size();     // width of SP and of the BP walk
    const uint64_t alloc = d.op(0).imm.value.u & 0xFFFF;
    const unsigned level = unsigned(d.op(1).imm.value.u) & 31;

    t.push(size, t.read_gpr(EBP, size));
    // FrameTemp: the stack pointer after that push, at the operand size.
    ValueId frame;
    if (size == ssize) frame = t.stack_pointer();
    else if (size == 4) frame = staged_esp32(t);
    else frame = t.b().zext(2, t.stack_pointer());

    ValueId bp = 0;
    if (level > 0) {
        // Copy level-1 frame pointers of the enclosing frames (the display), then the
        // new frame pointer. All loads and stores happen before any register changes.
        bp = t.read_gpr(EBP, ssize);
        for (unsigned i = 1; i < level; ++i) {
            bp = t.b().sub(ssize, bp, t.c(size));
            t.push(size, t.b().load(SS, size, bp));
        }
        t.push(size, frame);
    }
    t.adjust_stack(-int64_t(alloc));
    if (alloc) t.call(&helper_enter_probe, t.stack_pointer());
    t.commit_stack();
    // The walk moved BP at the stack width; the final write is at the operand size. With
    // a 32-bit stack and 16-bit operands the upper half of EBP keeps the walked value.
    if (level > 1 && ssize == 4 && size == 2) t.write_gpr(EBP, 4, bp);
    t.write_gpr(EBP, size, frame);
    return Flow::Next;
}

Flow lower_leave(Translator& t, const DecodedInsn& d) {
    const unsigned size = d.operand_bytes();
    const unsigned ssize = t.stack_size();
    // SP = BP (at the stack width), then BP = pop. Loaded before either register changes.
    ValueId bp = t.read_gpr(EBP, ssize);
    ValueId v = t.b().load(SS, size, bp);
    t.write_gpr(ESP, ssize, t.stack_offset(bp, size));
    t.write_gpr(EBP, size, v);
    return Flow::Next;
}

}  // namespace vmm86
