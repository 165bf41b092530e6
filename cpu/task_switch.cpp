// Hardware task switch (SDM vol. 3, 7.3 "Task switching", and the TASK-SWITCH
// pseudo-code of JMP/CALL/IRET/INT). The new TSS is read whole and every check that
// belongs to the old task is made before the old TSS is written; that write is the
// commit point. The new task's segment registers are checked after it (raising #TS, #NP
// or #SS in the new task's context, as the hardware does).
#include "cpu/task_switch.h"

#include "cpu/debug_regs.h"
#include "cpu/lazy_flags.h"

namespace vmm86 {
namespace {

bool fail(Cpu& cpu, uint8_t vector, uint32_t error) {
    cpu.raise(vector, error);
    return false;
}

struct TaskImage {
    uint32_t cr3 = 0, eip = 0, eflags = 0;
    uint32_t gpr[8] = {};
    uint16_t seg[6] = {};
    uint16_t ldt = 0;
    bool trap = false;  // the T flag (32-bit TSS, bit 0 of the word at 64h)
};

bool read_image(Cpu& cpu, uint32_t base, bool tss32, TaskImage& t) {
    uint64_t v;
    auto rd = [&](uint32_t off, unsigned size, uint32_t& out) {
        if (!cpu.read_linear(base + off, size, v)) return false;
        out = uint32_t(v);
        return true;
    };
    uint32_t w;
    if (tss32) {
        if (!rd(0x1C, 4, t.cr3) || !rd(0x20, 4, t.eip) || !rd(0x24, 4, t.eflags)) return false;
        for (unsigned i = 0; i < 8; ++i)
            if (!rd(0x28 + 4 * i, 4, t.gpr[i])) return false;
        for (unsigned i = 0; i < 6; ++i) {
            if (!rd(0x48 + 4 * i, 2, w)) return false;
            t.seg[i] = uint16_t(w);
        }
        if (!rd(0x60, 2, w)) return false;
        t.ldt = uint16_t(w);
        if (!rd(0x64, 2, w)) return false;
        t.trap = w & 1;
        return true;
    }
    if (!rd(0x0E, 2, t.eip) || !rd(0x10, 2, t.eflags)) return false;
    for (unsigned i = 0; i < 8; ++i) {
        if (!rd(0x12 + 2 * i, 2, t.gpr[i])) return false;
        t.gpr[i] |= 0xFFFF0000u;  // upper halves read as all ones (as Bochs and QEMU do)
    }
    for (unsigned i = 0; i < 4; ++i) {  // ES CS SS DS
        if (!rd(0x22 + 2 * i, 2, w)) return false;
        t.seg[i] = uint16_t(w);
    }
    if (!rd(0x2A, 2, w)) return false;
    t.ldt = uint16_t(w);
    return true;
}

bool write_state(Cpu& cpu, uint32_t base, bool tss32, uint32_t eip, uint32_t eflags) {
    const CpuState& s = cpu.s;
    auto wr = [&](uint32_t off, unsigned size, uint32_t value) { return cpu.write_linear(base + off, size, value); };
    if (tss32) {
        if (!wr(0x20, 4, eip) || !wr(0x24, 4, eflags)) return false;
        for (unsigned i = 0; i < 8; ++i)
            if (!wr(0x28 + 4 * i, 4, uint32_t(s.gpr[i]))) return false;
        for (unsigned i = 0; i < 6; ++i)
            if (!wr(0x48 + 4 * i, 2, s.seg[i].selector)) return false;
        return true;
    }
    if (!wr(0x0E, 2, eip) || !wr(0x10, 2, eflags)) return false;
    for (unsigned i = 0; i < 8; ++i)
        if (!wr(0x12 + 2 * i, 2, uint32_t(s.gpr[i]))) return false;
    for (unsigned i = 0; i < 4; ++i)
        if (!wr(0x22 + 2 * i, 2, s.seg[i].selector)) return false;
    return true;
}

// Sets or clears the busy bit (type bit 1) of the TSS descriptor `sel` in the GDT.
bool set_busy(Cpu& cpu, uint16_t sel, bool busy) {
    const uint32_t addr = cpu.s.gdtr.base + (sel & 0xFFF8u) + 5;
    uint64_t b;
    if (!cpu.read_linear(addr, 1, b)) return false;
    b = busy ? (b | 2) : (b & ~2ull);
    return cpu.write_linear(addr, 1, b);
}

bool load_ldt(Cpu& cpu, uint16_t sel, uint32_t ext) {
    if ((sel & 0xFFFC) == 0) {
        cpu.s.ldtr = SegmentCache{0, 0, sel, 0};
        return true;
    }
    if (sel & 4) return fail(cpu, EXC_TS, selector_error(sel, ext));
    Descriptor d;
    if (!read_descriptor(cpu, sel, d, EXC_TS, ext)) return false;
    if (!d.system() || d.type() != SYS_LDT) return fail(cpu, EXC_TS, selector_error(sel, ext));
    if (!d.present()) return fail(cpu, EXC_TS, selector_error(sel, ext));
    cpu.s.ldtr = make_cache(sel, d);
    return true;
}

// The new task's CS: its RPL becomes the CPL.
bool load_task_cs(Cpu& cpu, uint16_t sel, uint32_t ext) {
    if ((sel & 0xFFFC) == 0) return fail(cpu, EXC_TS, ext & 1);
    Descriptor d;
    if (!read_descriptor(cpu, sel, d, EXC_TS, ext)) return false;
    if (!d.code()) return fail(cpu, EXC_TS, selector_error(sel, ext));
    if (d.conforming() ? d.dpl() > (sel & 3) : d.dpl() != (sel & 3)) return fail(cpu, EXC_TS, selector_error(sel, ext));
    if (!d.present()) return fail(cpu, EXC_NP, selector_error(sel, ext));
    if (!mark_accessed(cpu, sel, d)) return false;
    cpu.s.seg[CS] = make_cache(sel, d);
    return true;
}

}  // namespace

bool task_switch(Cpu& cpu, uint16_t sel, Descriptor d, TaskSwitchReason why, uint32_t return_eip, bool has_error,
                 uint32_t error, uint32_t ext, bool fault) {
    SupervisorAccess sup(cpu);
    CpuState& s = cpu.s;
    const bool tss32 = d.type() & 8;
    if (!d.present()) return fail(cpu, EXC_NP, selector_error(sel, ext));
    if (d.limit() < (tss32 ? 0x67u : 0x2Bu)) return fail(cpu, EXC_TS, selector_error(sel, ext));
    const bool old32 = s.tr.attributes & 8;
    if (s.tr.limit < (old32 ? 0x67u : 0x29u)) return fail(cpu, EXC_TS, selector_error(s.tr.selector, ext));

    TaskImage img;
    if (!read_image(cpu, d.base(), tss32, img)) return false;

    // The commit point: the old task's state goes into its TSS.
    materialize_flags(s);
    uint32_t old_flags = s.eflags;
    if (why == TaskSwitchReason::Iret) old_flags &= ~FLAG_NT;
    // A fault's image gets RF, as one pushed on a handler's stack does (SDM vol. 3,
    // 17.3.1.1): the task that returns to the faulting instruction is not stopped by its
    // instruction breakpoint again. (A 16-bit TSS keeps FLAGS only.)
    if (fault) old_flags |= FLAG_RF;
    if (!write_state(cpu, s.tr.base, old32, return_eip, old_flags)) return false;
    if (why == TaskSwitchReason::Jmp || why == TaskSwitchReason::Iret)
        if (!set_busy(cpu, s.tr.selector, false)) return false;
    if (why == TaskSwitchReason::Call || why == TaskSwitchReason::Interrupt) {
        if (!cpu.write_linear(d.base(), 2, s.tr.selector)) return false;
        img.eflags |= FLAG_NT;
    }
    if (why != TaskSwitchReason::Iret && !set_busy(cpu, sel, true)) return false;

    // Load the new task.
    d.hi |= 2u << 8;  // busy
    s.tr = make_cache(sel, d);
    s.cr0 |= CR0_TS;
    if (tss32 && (s.cr0 & CR0_PG)) {
        s.cr3 = img.cr3;
        cpu.flush_tlb();
    }
    s.eip = img.eip;
    s.eflags = (tss32 ? img.eflags : (s.eflags & 0xFFFF0000u) | img.eflags) | FLAGS_FIXED1;
    if (!tss32) s.eflags &= ~FLAG_VM;
    for (unsigned i = 0; i < 8; ++i)
        s.gpr[i] = img.gpr[i];
    // Selectors first (with caches that fault on use), then each descriptor is checked.
    for (unsigned i = 0; i < 6; ++i) s.seg[i] = null_cache(img.seg[i]);
    if (!tss32) s.seg[FS] = null_cache(0), s.seg[GS] = null_cache(0);
    s.ldtr = SegmentCache{0, 0, img.ldt, 0};
    if (s.eflags & FLAG_TF) cpu.exit_request = 1;

    if (!load_ldt(cpu, img.ldt, ext)) return false;
    if (s.eflags & FLAG_VM) {
        for (unsigned i = 0; i < 6; ++i) s.seg[i] = v86_cache(img.seg[i]);
    } else {
        if (!load_task_cs(cpu, img.seg[CS], ext)) return false;
        const unsigned cpl = img.seg[CS] & 3;
        for (unsigned seg : {SS, ES, DS, FS, GS}) {
            if (!tss32 && (seg == FS || seg == GS)) continue;
            SegmentCache c;
            if (!check_data_segment(cpu, seg, img.seg[seg], cpl, c, EXC_TS, ext)) return false;
            s.seg[seg] = c;
        }
    }
    if (has_error) {
        StagedStack st{cpu, s.seg[SS], uint32_t(s.gpr[ESP]), 0};
        const unsigned size = tss32 ? 4 : 2;
        if (!st.push(size, error)) return false;
        const uint32_t m = st.mask();
        s.gpr[ESP] = (s.gpr[ESP] & ~uint64_t(m)) | st.sp;
    }
    if (s.eip > s.seg[CS].limit) return fail(cpu, EXC_GP, ext & 1);
    debug_task_switched(cpu, img.trap);
    return true;
}

}  // namespace vmm86
