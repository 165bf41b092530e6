#include "cpu/interrupts.h"

#include "cpu/interrupts_pm.h"
#include "cpu/lazy_flags.h"

namespace vmm86 {
namespace {

// Contributory exceptions (SDM vol. 3, table 6-5): two of them in a row make a #DF.
bool contributory(uint8_t v) { return v == EXC_DE || (v >= EXC_TS && v <= EXC_GP); }

bool deliver_real_mode(Cpu& cpu, uint8_t vector, uint64_t return_eip) {
    CpuState& s = cpu.s;
    // The IVT entry must lie within the IDTR limit, or the CPU raises #GP (which, in
    // real mode, usually escalates to a shutdown).
    if (uint32_t(vector) * 4 + 3 > s.idtr.limit) {
        cpu.raise(EXC_GP, vector * 8 + 2);
        return false;
    }
    uint64_t entry;
    if (!cpu.read_linear(s.idtr.base + vector * 4, 4, entry)) return false;
    uint32_t flags = read_eflags(s);
    // Three pushes (FLAGS, CS, IP) through SS:SP with 16-bit wraparound; all must succeed
    // before SP, CS and IP change.
    uint32_t sp = uint32_t(s.gpr[ESP]);
    const bool big = s.seg[SS].attributes & SEG_ATTR_DB;
    const uint32_t mask = big ? 0xFFFFFFFFu : 0xFFFFu;
    uint32_t sp1 = (sp - 2) & mask, sp2 = (sp - 4) & mask, sp3 = (sp - 6) & mask;
    if (!cpu.write_seg(SS, sp1, 2, flags & 0xFFFF) || !cpu.write_seg(SS, sp2, 2, s.seg[CS].selector) ||
        !cpu.write_seg(SS, sp3, 2, return_eip & 0xFFFF))
        return false;
    s.gpr[ESP] = big ? sp3 : (s.gpr[ESP] & ~0xFFFFull) | sp3;
    materialize_flags(s);
    s.eflags &= ~(FLAG_IF | FLAG_TF | FLAG_AC | FLAG_RF);
    uint16_t sel = uint16_t(entry >> 16);
    s.seg[CS].selector = sel;
    s.seg[CS].base = uint32_t(sel) << 4;
    s.eip = entry & 0xFFFF;
    s.halted = 0;
    return true;
}

}  // namespace

bool deliver_event(Cpu& cpu, uint8_t vector, uint64_t return_eip, EventKind kind, bool has_error_code,
                   uint32_t error_code) {
    cpu.pending_exception = -1;
    const bool delivered = cpu.real_mode() ? deliver_real_mode(cpu, vector, return_eip)
                                           : deliver_protected(cpu, vector, return_eip, kind, has_error_code, error_code);
    if (delivered) {
        ++cpu.events_delivered;
        return true;
    }
    // Delivery faulted. A fault while delivering a contributory exception (or #DF itself)
    // escalates; the pending fault now describes the new exception.
    uint8_t second = uint8_t(cpu.pending_exception);
    const bool second_has_error = cpu.pending_has_error;
    const uint32_t second_error = cpu.pending_error_code;
    cpu.pending_exception = -1;
    if (vector == EXC_DF) {
        cpu.shutdown_reason = ExitReason::Shutdown;  // triple fault
        return false;
    }
    // A fault while delivering INT n belongs to the INT instruction: leave it pending so
    // the engine delivers it with EIP at the INT.
    if (kind == EventKind::Software) {
        if (second_has_error) cpu.raise(second, second_error);
        else cpu.raise(second);
        return false;
    }
    // SDM vol. 3, table 6-5: contributory then contributory, or #PF then contributory or
    // #PF, make a double fault; every other pair is handled serially (the second fault is
    // delivered). An external interrupt or an INT1 counts as a benign first event.
    const bool first_contributory = kind == EventKind::Exception && contributory(vector);
    const bool first_pf = kind == EventKind::Exception && vector == EXC_PF;
    const bool dbl = (first_contributory && contributory(second)) ||
                     (first_pf && (contributory(second) || second == EXC_PF));
    if (!dbl)
        return deliver_event(cpu, second, return_eip, EventKind::Exception, second_has_error, second_error);
    return deliver_event(cpu, EXC_DF, return_eip, EventKind::Exception, true, 0);
}

bool deliver_pending_exception(Cpu& cpu, uint64_t faulting_eip) {
    uint8_t vector = uint8_t(cpu.pending_exception);
    bool has = cpu.pending_has_error;
    uint32_t code = cpu.pending_error_code;
    cpu.s.eip = faulting_eip;
    return deliver_event(cpu, vector, faulting_eip, EventKind::Exception, has, code);
}

}  // namespace vmm86
