// Protected-mode (and virtual-8086) interrupt and exception delivery through the IDT
// (SDM vol. 3, 6.10-6.13, and the INT n pseudo-code in vol. 2): interrupt, trap and
// task gates; the stack switch from the TSS; V86 segment registers pushed and zeroed.
// As everywhere in cpu/, the new CS/SS/ESP/EIP are staged, all pushes done, then the
// state is committed, so a fault during delivery leaves the interrupted state intact.
#include "cpu/interrupts_pm.h"

#include "cpu/lazy_flags.h"
#include "cpu/task_switch.h"

namespace vmm86 {
namespace {

bool fail(Cpu& cpu, uint8_t vector, uint32_t error) {
    cpu.raise(vector, error);
    return false;
}

}  // namespace

bool deliver_protected(Cpu& cpu, uint8_t vector, uint64_t return_eip, EventKind kind, bool has_error,
                       uint32_t error) {
    CpuState& s = cpu.s;
    // EXT: the event is not the program's own INT n / INT3 / INTO.
    const uint32_t ext = kind == EventKind::Software ? 0 : 1;
    const uint32_t idt_error = uint32_t(vector) * 8 + 2 + ext;
    if (uint32_t(vector) * 8 + 7 > s.idtr.limit) return fail(cpu, EXC_GP, idt_error);
    Descriptor gate;
    {
        SupervisorAccess sup(cpu);
        uint64_t raw;
        if (!cpu.read_linear(s.idtr.base + uint32_t(vector) * 8, 8, raw)) return false;
        gate.lo = uint32_t(raw);
        gate.hi = uint32_t(raw >> 32);
    }
    const unsigned type = gate.type();
    if (!gate.system() || !(type == SYS_TASK_GATE || type == SYS_INT16 || type == SYS_TRAP16 ||
                            type == SYS_INT32 || type == SYS_TRAP32))
        return fail(cpu, EXC_GP, idt_error);
    const unsigned cpl = cpu.cpl();
    // Software interrupts may only use gates at or below their privilege.
    if (kind == EventKind::Software && gate.dpl() < cpl) return fail(cpu, EXC_GP, idt_error);
    if (!gate.present()) return fail(cpu, EXC_NP, idt_error);
    // A fault's EFLAGS image has RF set, so that the handler's IRET re-runs the faulting
    // instruction without its instruction breakpoint firing again (SDM vol. 3, 17.3.1.1).
    // Traps, aborts, software and external interrupts push RF as it is; so does #DB (its
    // handler decides). Through a task gate the image is the one saved in the old TSS.
    const bool fault_class = kind == EventKind::Exception && vector != EXC_DB && vector != EXC_DF &&
                             vector != EXC_MC;

    if (type == SYS_TASK_GATE) {
        const uint16_t tss_sel = gate.gate_selector();
        if (tss_sel & 4) return fail(cpu, EXC_GP, selector_error(tss_sel, ext));
        Descriptor tss;
        if (!read_descriptor(cpu, tss_sel, tss, EXC_GP, ext)) return false;
        if (!tss.system() || (tss.type() != SYS_TSS16_AVAIL && tss.type() != SYS_TSS32_AVAIL))
            return fail(cpu, EXC_GP, selector_error(tss_sel, ext));
        if (!tss.present()) return fail(cpu, EXC_NP, selector_error(tss_sel, ext));
        if (!task_switch(cpu, tss_sel, tss, TaskSwitchReason::Interrupt, uint32_t(return_eip), has_error, error, ext,
                         fault_class))
            return false;
        s.halted = 0;
        return true;
    }

    const uint16_t code_sel = gate.gate_selector();
    if ((code_sel & 0xFFFC) == 0) return fail(cpu, EXC_GP, ext);
    Descriptor code;
    if (!read_descriptor(cpu, code_sel, code, EXC_GP, ext)) return false;
    if (!code.code() || code.dpl() > cpl) return fail(cpu, EXC_GP, selector_error(code_sel, ext));
    if (!code.present()) return fail(cpu, EXC_NP, selector_error(code_sel, ext));

    const bool gate32 = type & 8;
    const unsigned size = gate32 ? 4 : 2;
    const uint32_t target = gate32 ? gate.gate_offset() : gate.gate_offset() & 0xFFFF;
    const bool v86 = cpu.v86_mode();
    const uint32_t flags = read_eflags(s) | (fault_class ? FLAG_RF : 0u);
    const unsigned words = 3 + (has_error ? 1 : 0);

    if (!code.conforming() && code.dpl() < cpl) {
        // To an inner level: the handler's stack comes from the TSS.
        const unsigned new_cpl = code.dpl();
        if (v86 && new_cpl != 0) return fail(cpu, EXC_GP, selector_error(code_sel, ext));
        SegmentCache ss;
        uint32_t esp;
        if (!inner_stack(cpu, new_cpl, ss, esp, ext)) return false;
        StagedStack st{cpu, ss, esp, selector_error(ss.selector, ext)};
        const uint32_t frame = size * (words + 2 + (v86 ? 4 : 0));
        if (!segment_ok(ss, (esp - frame) & st.mask(), frame)) return fail(cpu, EXC_SS, st.fault_error);
        if (target > code.limit()) return fail(cpu, EXC_GP, ext);
        SupervisorAccess sup(cpu);
        if (v86) {
            for (unsigned seg : {GS, FS, DS, ES})
                if (!st.push(size, s.seg[seg].selector)) return false;
        }
        if (!st.push(size, s.seg[SS].selector) || !st.push(size, uint32_t(s.gpr[ESP])) || !st.push(size, flags) ||
            !st.push(size, s.seg[CS].selector) || !st.push(size, uint32_t(return_eip)) ||
            (has_error && !st.push(size, error)))
            return false;
        if (!mark_accessed(cpu, code_sel, code)) return false;
        s.seg[SS] = ss;
        s.gpr[ESP] = (ss.attributes & SEG_ATTR_DB) ? st.sp : (s.gpr[ESP] & ~0xFFFFull) | st.sp;
        s.seg[CS] = code_cache(code_sel, new_cpl, code);
        if (v86)
            for (unsigned seg : {ES, DS, FS, GS}) s.seg[seg] = null_cache(0);
    } else {
        // Same level (a conforming handler, or DPL = CPL). Not allowed from V86.
        if (v86) return fail(cpu, EXC_GP, selector_error(code_sel, ext));
        StagedStack st{cpu, s.seg[SS], uint32_t(s.gpr[ESP]), ext};
        const uint32_t frame = size * words;
        if (!segment_ok(st.ss, (st.sp - frame) & st.mask(), frame)) return fail(cpu, EXC_SS, ext);
        if (target > code.limit()) return fail(cpu, EXC_GP, ext);
        if (!st.push(size, flags) || !st.push(size, s.seg[CS].selector) || !st.push(size, uint32_t(return_eip)) ||
            (has_error && !st.push(size, error)))
            return false;
        if (!mark_accessed(cpu, code_sel, code)) return false;
        const uint32_t m = st.mask();
        s.gpr[ESP] = (s.gpr[ESP] & ~uint64_t(m)) | st.sp;
        s.seg[CS] = code_cache(code_sel, cpl, code);
    }
    s.eip = target;
    materialize_flags(s);
    s.eflags &= ~(FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM);
    if (type == SYS_INT16 || type == SYS_INT32) s.eflags &= ~FLAG_IF;
    s.halted = 0;
    return true;
}

}  // namespace vmm86
