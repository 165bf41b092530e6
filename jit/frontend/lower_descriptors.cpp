// LAR, LSL, VERR, VERW, ARPL, SLDT, STR, LLDT, LTR: protected-mode only (#UD in real and
// V86 mode, which the translator sees as Real16). The inspecting ones never fault on a
// bad selector: they report it in ZF. The checks live in cpu/ (descriptor helpers).
#include "cpu/lazy_flags.h"
#include "cpu/segmentation.h"
#include "jit/frontend/lower_segment.h"
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {
using ir::Op;

constexpr uint64_t kValid = 1ull << 32;

// The descriptor `sel` selects, if its index lies within the table (no fault otherwise).
bool peek_descriptor(Cpu& cpu, uint16_t sel, Descriptor& d, bool& faulted) {
    faulted = false;
    if ((sel & 0xFFFC) == 0) return false;
    const uint32_t limit = (sel & 4) ? cpu.s.ldtr.limit : cpu.s.gdtr.limit;
    if ((sel & 4) && ((cpu.s.ldtr.selector & 0xFFFC) == 0 || !(cpu.s.ldtr.attributes & SEG_ATTR_PRESENT))) return false;
    if (uint32_t(sel & 0xFFF8u) + 7 > limit) return false;
    if (!read_descriptor(cpu, sel, d)) faulted = true;  // a page fault on the table
    return !faulted;
}

// DPL >= CPL and DPL >= RPL, which LAR/LSL/VERR skip for conforming code segments.
bool visible(const Cpu& cpu, uint16_t sel, const Descriptor& d) {
    if (d.conforming()) return true;
    return d.dpl() >= cpu.cpl() && d.dpl() >= (sel & 3);
}

// a = selector, b = 1 for LSL (else LAR). Returns kValid | value, or 0.
uint64_t helper_lar_lsl(Cpu& cpu, uint64_t sel64, uint64_t lsl, uint64_t) {
    const uint16_t sel = uint16_t(sel64);
    Descriptor d;
    bool faulted;
    if (!peek_descriptor(cpu, sel, d, faulted)) return 0;
    if (d.system()) {
        // LAR accepts TSSs, LDTs, call and task gates; LSL only the ones with a limit.
        const unsigned t = d.type();
        const bool ok = lsl ? (t == 1 || t == 2 || t == 3 || t == 9 || t == 11)
                            : (t == 1 || t == 2 || t == 3 || t == 4 || t == 5 || t == 9 || t == 11 || t == 12);
        if (!ok) return 0;
    }
    if (!visible(cpu, sel, d)) return 0;
    if (lsl) return kValid | d.limit();
    return kValid | (d.hi & 0x00F0FF00u);
}

// a = selector, b = 1 for VERW. Returns 1 when the segment is readable (writable).
uint64_t helper_verify(Cpu& cpu, uint64_t sel64, uint64_t write, uint64_t) {
    const uint16_t sel = uint16_t(sel64);
    Descriptor d;
    bool faulted;
    if (!peek_descriptor(cpu, sel, d, faulted) || d.system()) return 0;
    if (write) return d.writable() && d.dpl() >= cpu.cpl() && d.dpl() >= (sel & 3);
    if (!(d.data() || d.readable())) return 0;
    return visible(cpu, sel, d) ? 1 : 0;
}

// The checks LLDT and LTR share for a non-null selector (SDM vol. 2): it must name the
// GDT (#GP), a system descriptor of an accepted type (#GP) that is present (#NP); the
// error code is the selector. False with the exception raised.
bool load_gdt_system_descriptor(Cpu& cpu, uint16_t sel, bool (*type_ok)(unsigned), Descriptor& d) {
    if (sel & 4) {
        cpu.raise(EXC_GP, selector_error(sel, 0));
        return false;
    }
    if (!read_descriptor(cpu, sel, d)) return false;
    if (!d.system() || !type_ok(d.type())) {
        cpu.raise(EXC_GP, selector_error(sel, 0));
        return false;
    }
    if (!d.present()) {
        cpu.raise(EXC_NP, selector_error(sel, 0));
        return false;
    }
    return true;
}

uint64_t helper_lldt(Cpu& cpu, uint64_t sel64, uint64_t, uint64_t) {
    const uint16_t sel = uint16_t(sel64);
    if ((sel & 0xFFFC) == 0) {
        cpu.s.ldtr = SegmentCache{0, 0, sel, 0};  // later LDT references are #GP
        return 0;
    }
    Descriptor d;
    if (!load_gdt_system_descriptor(cpu, sel, [](unsigned type) { return type == SYS_LDT; }, d)) return 0;
    cpu.s.ldtr = make_cache(sel, d);
    return 0;
}

uint64_t helper_ltr(Cpu& cpu, uint64_t sel64, uint64_t, uint64_t) {
    const uint16_t sel = uint16_t(sel64);
    if ((sel & 0xFFFC) == 0) {
        cpu.raise(EXC_GP, 0);
        return 0;
    }
    Descriptor d;
    auto available_tss = [](unsigned type) { return type == SYS_TSS16_AVAIL || type == SYS_TSS32_AVAIL; };
    if (!load_gdt_system_descriptor(cpu, sel, available_tss, d)) return 0;
    // LTR marks the TSS busy in the GDT.
    d.hi |= 2u << 8;
    SupervisorAccess sup(cpu);
    if (!cpu.write_linear(descriptor_address(cpu, sel) + 5, 1, (d.hi >> 8) & 0xFF)) return 0;
    cpu.s.tr = make_cache(sel, d);
    return 0;
}

uint64_t helper_system_selector(Cpu& cpu, uint64_t tr, uint64_t, uint64_t) {
    return tr ? cpu.s.tr.selector : cpu.s.ldtr.selector;
}

void set_zf(Translator& t, ValueId bit) {
    t.b().effect(Op::SetFlagBits, 4, t.b().emit(Op::Shl, 4, bit, t.c(6)), 0, 0, FLAG_ZF);
}

bool protected_only(Translator& t) { return t.mode() != CpuMode::Real16; }

Flow lar_lsl(Translator& t, const DecodedInsn& d, bool lsl) {
    if (!protected_only(t)) return t.fault(EXC_UD);
    const unsigned size = t.op_size(0);
    ValueId sel = t.b().zext(2, t.read(1));
    ValueId r = t.call(&helper_lar_lsl, sel, t.c(lsl ? 1 : 0));
    ValueId valid = t.b().emit(Op::Shr, 8, r, t.c(32));
    ValueId old = t.read(0);
    t.write(0, t.b().emit(Op::Select, size, valid, t.b().zext(size, r), old));
    set_zf(t, valid);
    (void)d;
    return Flow::Next;
}

Flow verify(Translator& t, bool write) {
    if (!protected_only(t)) return t.fault(EXC_UD);
    ValueId sel = t.b().zext(2, t.read(0));
    set_zf(t, t.call(&helper_verify, sel, t.c(write ? 1 : 0)));
    return Flow::Next;
}

Flow store_selector(Translator& t, bool tr) {
    if (!protected_only(t)) return t.fault(EXC_UD);
    ValueId v = t.call(&helper_system_selector, t.c(tr ? 1 : 0));
    if (t.insn().op(0).type == ZYDIS_OPERAND_TYPE_MEMORY) {
        MemRef m = t.mem(0);
        t.b().store(m.seg, 2, m.offset, v);  // always 16 bits to memory
    } else {
        t.write(0, t.b().zext(t.op_size(0), v));  // zero-extended into a 32-bit register
    }
    return Flow::Next;
}

Flow load_system(Translator& t, Translator::Helper h) {
    if (!protected_only(t)) return t.fault(EXC_UD);
    t.call(&helper_require_cpl0);
    ValueId sel = t.b().zext(2, t.read(0));
    t.call(h, sel);
    return Flow::Next;
}

// ARPL's memory form writes only when it raises the RPL (SDM pseudocode: DEST[RPL] is
// assigned in the ZF = 1 branch only). A destination in a read-only segment or page whose
// RPL needs no change is therefore read and not written, with no fault, as Intel CPUs do.
// a = offset, b = new value | segment << 16, c = 1 to write.
uint64_t helper_arpl_store(Cpu& cpu, uint64_t offset, uint64_t value_seg, uint64_t write) {
    if (write & 1) cpu.write_seg(unsigned(value_seg >> 16) & 7, uint32_t(offset), 2, value_seg & 0xFFFF);
    return 0;
}

}  // namespace

Flow lower_lar(Translator& t, const DecodedInsn& d) { return lar_lsl(t, d, false); }
Flow lower_lsl(Translator& t, const DecodedInsn& d) { return lar_lsl(t, d, true); }
Flow lower_verr(Translator& t, const DecodedInsn&) { return verify(t, false); }
Flow lower_verw(Translator& t, const DecodedInsn&) { return verify(t, true); }
Flow lower_sldt(Translator& t, const DecodedInsn&) { return store_selector(t, false); }
Flow lower_str(Translator& t, const DecodedInsn&) { return store_selector(t, true); }
Flow lower_lldt(Translator& t, const DecodedInsn&) { return load_system(t, &helper_lldt); }
Flow lower_ltr(Translator& t, const DecodedInsn&) { return load_system(t, &helper_ltr); }

// ARPL r/m16, r16: raises the destination's RPL to the source's (ZF = 1), else ZF = 0.
Flow lower_arpl(Translator& t, const DecodedInsn&) {
    if (!protected_only(t)) return t.fault(EXC_UD);
    ir::Builder& b = t.b();
    ValueId dst = t.read(0);
    ValueId src = t.read(1);
    ValueId drpl = b.and_(2, dst, t.c(3)), srpl = b.and_(2, src, t.c(3));
    ValueId raise = b.emit(Op::CmpLtU, 2, drpl, srpl);
    ValueId raised = b.binop(Op::Or, 2, b.and_(2, dst, t.c(0xFFFC)), srpl);
    if (t.insn().op(0).type == ZYDIS_OPERAND_TYPE_MEMORY) {
        MemRef m = t.mem(0);
        ValueId packed = b.binop(Op::Or, 4, b.zext(4, raised), t.c(uint64_t(m.seg) << 16));
        t.call(&helper_arpl_store, m.offset, packed, raise);
    } else {
        t.write(0, b.emit(Op::Select, 2, raise, raised, dst));
    }
    set_zf(t, raise);
    return Flow::Next;
}

}  // namespace vmm86
