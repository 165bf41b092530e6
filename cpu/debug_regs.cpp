// Debug registers, breakpoints, RF and NMI blocking. See debug_regs.h for the design.
#include "cpu/debug_regs.h"

#include "cpu/interrupts.h"

namespace vmm86 {
namespace {

// DR6: bits 4-11 and 16-31 read as 1, bit 12 as 0 (P6). DR7: bit 10 reads as 1, bits 11,
// 12, 14 and 15 as 0.
constexpr uint64_t kDr6Writable = 0xE00F, kDr6Ones = 0xFFFF0FF0;
constexpr uint64_t kDr7Writable = 0xFFFF23FF, kDr7Ones = 0x400;

bool is_data(unsigned rw) { return rw == 1 || rw == 3; }

// The first byte a breakpoint covers: its address with the bits below its length ignored.
uint32_t bp_base(const CpuState& s, unsigned n) { return uint32_t(s.dr[n]) & ~(dr7_len(s.dr[7], n) - 1); }

bool overlaps(uint32_t a, unsigned alen, uint32_t b, unsigned blen) {
    return uint64_t(a) < uint64_t(b) + blen && uint64_t(b) < uint64_t(a) + alen;
}

bool page_watched(const CpuState& s, uint32_t page) {
    for (unsigned n = 0; n < 4; ++n)
        if (dr7_enabled(s.dr[7], n) && is_data(dr7_rw(s.dr[7], n)) && (bp_base(s, n) & ~0xFFFu) == page) return true;
    return false;
}

void deliver_db(Cpu& cpu, uint64_t return_eip) {
    if (!deliver_event(cpu, EXC_DB, return_eip, EventKind::Exception) && cpu.pending_exception >= 0)
        deliver_pending_exception(cpu, cpu.s.eip);
}

void record_hits(Cpu& cpu, uint32_t hits) {
    if (!hits) return;
    cpu.s.debug_pending |= hits;
    cpu.exit_request = 1;  // a REP string instruction stops after this iteration
}

// Common checks of MOV DR: privilege, general detect, and which register DR4/DR5 mean.
bool mov_dr_checks(Cpu& cpu, unsigned& n) {
    if (cpu.cpl() != 0) {
        cpu.raise(EXC_GP, 0);
        return false;
    }
    if (cpu.s.dr[7] & DR7_GD) {
        // A fault before the MOV; the handler may use the debug registers (GD cleared).
        cpu.s.dr[6] |= DR6_BD;
        cpu.s.dr[7] &= ~uint64_t(DR7_GD);
        cpu.raise(EXC_DB);
        return false;
    }
    if (n == 4 || n == 5) {
        if (cpu.s.cr4 & CR4_DE) {
            cpu.raise(EXC_UD);
            return false;
        }
        n += 2;  // without debug extensions DR4/DR5 are DR6/DR7
    }
    if (n > 7) {
        cpu.raise(EXC_UD);
        return false;
    }
    return true;
}

}  // namespace

bool debug_mov_from_dr(Cpu& cpu, unsigned n, uint64_t& value) {
    if (!mov_dr_checks(cpu, n)) return false;
    value = cpu.s.dr[n];
    return true;
}

bool debug_mov_to_dr(Cpu& cpu, unsigned n, uint64_t value) {
    if (!mov_dr_checks(cpu, n)) return false;
    value &= 0xFFFFFFFFull;
    if (n == 6) value = (value & kDr6Writable) | kDr6Ones;
    if (n == 7) value = (value & kDr7Writable) | kDr7Ones;
    const bool armed_before = cpu.s.dr[7] & 0xFF;
    cpu.s.dr[n] = value;
    if (n != 6 && (armed_before || (cpu.s.dr[7] & 0xFF))) {
        // Pages with data breakpoints change: refill the TLB. And the run loop must see the
        // new breakpoints before the next instruction.
        cpu.flush_tlb();
        cpu.exit_request = 1;
    }
    return true;
}

bool debug_needs_single_step(const Cpu& cpu) {
    const CpuState& s = cpu.s;
    if ((s.eflags & FLAG_RF) || s.debug_pending) return true;
    for (unsigned n = 0; n < 4; ++n)
        if (dr7_enabled(s.dr[7], n) && (dr7_rw(s.dr[7], n) != 2 || (s.cr4 & CR4_DE))) return true;
    return false;
}

bool debug_before_instruction(Cpu& cpu) {
    CpuState& s = cpu.s;
    s.debug_pending &= ~DR6_BMASK;
    if (!(s.dr[7] & 0xFF) || (s.eflags & FLAG_RF) || s.halted) return false;
    const uint32_t linear = uint32_t(s.seg[CS].base + s.eip);
    uint32_t hits = 0;
    for (unsigned n = 0; n < 4; ++n)
        if (dr7_enabled(s.dr[7], n) && dr7_rw(s.dr[7], n) == 0 && uint32_t(s.dr[n]) == linear) hits |= 1u << n;
    if (!hits) return false;
    // A fault: the handler returns to the instruction (and sets RF in the image to get
    // past the breakpoint).
    s.dr[6] = (s.dr[6] & ~uint64_t(DR6_BMASK)) | hits;
    deliver_db(cpu, s.eip);
    return true;
}

void debug_after_instruction(Cpu& cpu, bool completed, bool single_step) {
    CpuState& s = cpu.s;
    const uint32_t pending = s.debug_pending;
    s.debug_pending = 0;
    // RF is cleared once an instruction completes, unless that instruction loaded it.
    if (completed && !(pending & kDebugRfLoaded)) s.eflags &= ~FLAG_RF;
    uint32_t bits = pending & DR6_BT;
    if (completed) bits |= (pending & DR6_BMASK) | (single_step ? uint32_t(DR6_BS) : 0u);
    if (!bits) return;
    if (bits & DR6_BMASK) s.dr[6] = (s.dr[6] & ~uint64_t(DR6_BMASK)) | (bits & DR6_BMASK);
    s.dr[6] |= bits & (DR6_BS | DR6_BT);
    deliver_db(cpu, s.eip);  // a trap: returns to the next instruction
}

bool debug_tlb_fill(Cpu& cpu, uint32_t linear, Access kind, TlbEntry*& entry, bool& ok) {
    static thread_local bool inside = false;
    if (inside || !page_watched(cpu.s, linear & ~0xFFFu)) return false;
    inside = true;
    ok = cpu.tlb_fill(linear, kind, entry);
    inside = false;
    if (ok) entry->tag_read = entry->tag_write = SoftTlb::kInvalidTag;  // code fetch keeps its tag
    return true;
}

void debug_check_data(Cpu& cpu, uint32_t linear, unsigned size, bool write) {
    const CpuState& s = cpu.s;
    uint32_t hits = 0;
    for (unsigned n = 0; n < 4; ++n) {
        const unsigned rw = dr7_rw(s.dr[7], n);
        if (dr7_enabled(s.dr[7], n) && (rw == 3 || (rw == 1 && write)) &&
            overlaps(linear, size, bp_base(s, n), dr7_len(s.dr[7], n)))
            hits |= 1u << n;
    }
    record_hits(cpu, hits);
}

void debug_check_io(Cpu& cpu, uint32_t port, unsigned size) {
    const CpuState& s = cpu.s;
    if (!(s.cr4 & CR4_DE) || !(s.dr[7] & 0xFF)) return;
    uint32_t hits = 0;
    for (unsigned n = 0; n < 4; ++n)
        if (dr7_enabled(s.dr[7], n) && dr7_rw(s.dr[7], n) == 2 &&
            overlaps(port & 0xFFFF, size, bp_base(s, n) & 0xFFFF, dr7_len(s.dr[7], n)))
            hits |= 1u << n;
    record_hits(cpu, hits);
}

void debug_task_switched(Cpu& cpu, bool trap) {
    CpuState& s = cpu.s;
    if (s.eflags & FLAG_RF) s.debug_pending |= kDebugRfLoaded;
    if (trap) s.debug_pending |= DR6_BT;
    // The run loop delivers the trap (or keeps RF for one instruction) before going on.
    if (trap || (s.eflags & FLAG_RF)) cpu.exit_request = 1;
}

bool debug_take_task_trap(Cpu& cpu) {
    CpuState& s = cpu.s;
    if (!(s.debug_pending & DR6_BT)) return false;
    s.debug_pending &= ~uint32_t(DR6_BT | kDebugRfLoaded);  // the #DB frame keeps RF; the handler runs without
    s.dr[6] |= DR6_BT;
    deliver_db(cpu, s.eip);
    return true;
}

void on_iret(Cpu& cpu) {
    cpu.s.nmi_blocked = 0;
    if (cpu.s.eflags & FLAG_RF) cpu.s.debug_pending |= kDebugRfLoaded;
    // The run loop must see RF (one instruction, then clear it) or a waiting NMI now.
    if ((cpu.s.eflags & FLAG_RF) || cpu.s.nmi_pending) cpu.exit_request = 1;
}

bool take_nmi(Cpu& cpu) {
    CpuState& s = cpu.s;
    if (!s.nmi_pending || s.nmi_blocked || s.interrupt_shadow) return false;
    s.nmi_pending = 0;
    s.nmi_blocked = 1;
    s.halted = 0;
    // Like an external interrupt, it returns to the instruction that would have run next.
    if (!deliver_event(cpu, EXC_NMI, s.eip, EventKind::External) && cpu.pending_exception >= 0)
        deliver_pending_exception(cpu, s.eip);
    return true;
}

}  // namespace vmm86
