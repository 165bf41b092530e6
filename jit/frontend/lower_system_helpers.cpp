#include "jit/frontend/lower_system_helpers.h"

#include "cpu/cpuid.h"
#include "cpu/debug_regs.h"
#include "cpu/interrupts.h"
#include "cpu/lazy_flags.h"
#include "cpu/msr.h"
#include "cpu/segmentation.h"

namespace vmm86 {
namespace {

bool deliver(Cpu& cpu, uint8_t vector, uint64_t return_eip, EventKind kind) {
    if (deliver_event(cpu, vector, return_eip, kind)) return true;
    // A fault left pending is delivered by the engine at this instruction. Otherwise the
    // delivery escalated to a triple fault, which the engine learns of only through a
    // fault: re-raise #DF, whose delivery fails the same way (nothing changed), and the
    // engine's fault path reports the shutdown.
    if (cpu.pending_exception < 0) cpu.raise(EXC_DF, 0);
    return false;
}

}  // namespace

uint64_t helper_interrupt(Cpu& cpu, uint64_t vector, uint64_t next_eip, uint64_t kind) {
    // INT n in V86 mode is IOPL-sensitive (INT3, INTO and INT1 are not): SDM vol. 3, 20.2.
    if ((kind & kIoplSensitiveInt) && cpu.v86_mode() && ((cpu.s.eflags >> 12) & 3) != 3) {
        cpu.raise(EXC_GP, 0);
        return 0;
    }
    deliver(cpu, uint8_t(vector), next_eip, EventKind(kind & 0xFF));
    return 0;
}

uint64_t helper_into(Cpu& cpu, uint64_t, uint64_t next_eip, uint64_t) {
    if (read_eflags(cpu.s) & FLAG_OF) deliver(cpu, EXC_OF, next_eip, EventKind::Software);
    else cpu.s.eip = next_eip;
    return 0;
}

uint64_t helper_iret_real(Cpu& cpu, uint64_t op_bytes, uint64_t, uint64_t) {
    CpuState& s = cpu.s;
    const unsigned n = unsigned(op_bytes);
    const bool big = s.seg[SS].attributes & SEG_ATTR_DB;
    const uint32_t mask = big ? 0xFFFFFFFFu : 0xFFFFu;
    const uint32_t sp = uint32_t(s.gpr[ESP]) & mask;
    // All three pops must succeed (each wraps at the stack size) before anything changes.
    uint64_t ip, cs, flags;
    if (!read_seg_fast(cpu, SS, sp, n, ip) || !read_seg_fast(cpu, SS, (sp + n) & mask, n, cs) ||
        !read_seg_fast(cpu, SS, (sp + 2 * n) & mask, n, flags))
        return 0;
    // The new IP must lie within the CS limit (which a real-mode load leaves as it was).
    if (ip > s.seg[CS].limit) {
        cpu.raise(EXC_GP, 0);
        return 0;
    }
    materialize_flags(s);
    if (n == 4) {
        // SDM IRET, real-address mode: VM, VIF and VIP keep their values; RF is loaded.
        s.eflags = (uint32_t(flags) & 0x257FD5u) | (s.eflags & 0x1A0000u) | FLAGS_FIXED1;
    } else {
        s.eflags = (s.eflags & 0xFFFF0000u) | (uint32_t(flags) & 0x7FD5u) | FLAGS_FIXED1;
    }
    // Single-stepping starts after the next instruction: the run loop must look now.
    if (s.eflags & FLAG_TF) cpu.exit_request = 1;
    on_iret(cpu);  // NMI unblocking, RF for the next instruction
    const uint16_t sel = uint16_t(cs);
    s.seg[CS].selector = sel;
    s.seg[CS].base = uint32_t(sel) << 4;
    s.eip = ip;
    const uint32_t new_sp = (sp + 3 * n) & mask;
    s.gpr[ESP] = big ? new_sp : (s.gpr[ESP] & ~0xFFFFull) | new_sp;
    return 0;
}

uint64_t helper_iret_any(Cpu& cpu, uint64_t op_bytes, uint64_t next_eip, uint64_t) {
    if (cpu.real_mode()) return helper_iret_real(cpu, op_bytes, 0, 0);
    helper_iret(cpu, op_bytes, next_eip, 0);
    // As in real mode: NMI blocking ends, and an RF from the image (or from the TSS of the
    // task an IRET with NT returns to) lasts for the next instruction.
    if (cpu.pending_exception < 0) on_iret(cpu);
    return 0;
}

uint64_t helper_popf(Cpu& cpu, uint64_t value, uint64_t op_bytes, uint64_t) {
    CpuState& s = cpu.s;
    const unsigned iopl = (s.eflags >> 12) & 3;  // IOPL is never lazy
    // Real mode and CPL 0: everything but the fixed and reserved bits (16-bit POPF only
    // FLAGS[15:0]; POPFD also AC and ID, clears RF, leaves VM, VIF and VIP alone).
    uint32_t mask = FLAGS_ARITH | FLAG_TF | FLAG_IF | FLAG_DF | FLAG_IOPL | FLAG_NT;
    if (cpu.v86_mode()) {
        if (iopl != 3) {
            cpu.raise(EXC_GP, 0);
            return 0;
        }
        mask &= ~FLAG_IOPL;
    } else if (!cpu.real_mode()) {
        const unsigned cpl = cpu.cpl();
        if (cpl > 0) mask &= ~FLAG_IOPL;
        if (cpl > iopl) mask &= ~FLAG_IF;  // silently kept, no fault (SDM POPF)
    }
    uint32_t write = mask;
    if (op_bytes == 4) {
        mask |= FLAG_AC | FLAG_ID;
        write = mask | FLAG_RF;  // RF is written as 0
    }
    materialize_flags(s);
    s.eflags = (s.eflags & ~write) | (uint32_t(value) & mask) | FLAGS_FIXED1;
    if (s.eflags & FLAG_TF) cpu.exit_request = 1;
    return 0;
}

uint64_t helper_pushf_check(Cpu& cpu, uint64_t, uint64_t, uint64_t) {
    if (cpu.v86_mode() && ((cpu.s.eflags >> 12) & 3) != 3) cpu.raise(EXC_GP, 0);
    return 0;
}

uint64_t helper_bound(Cpu& cpu, uint64_t index, uint64_t lower, uint64_t upper) {
    if (int64_t(index) < int64_t(lower) || int64_t(index) > int64_t(upper)) cpu.raise(EXC_BR);
    return 0;
}

uint64_t helper_sti(Cpu& cpu, uint64_t, uint64_t, uint64_t) {
    materialize_flags(cpu.s);
    // Only an STI that sets IF from 0 delays interrupts by one instruction (SDM vol. 3,
    // "blocking by STI"), so that STI; HLT or STI; RET cannot be interrupted in between.
    if (!(cpu.s.eflags & FLAG_IF)) cpu.s.interrupt_shadow = 1;
    cpu.s.eflags |= FLAG_IF;
    return 0;
}

uint64_t helper_cpuid_ab(Cpu&, uint64_t leaf, uint64_t subleaf, uint64_t) {
    CpuidLeaf r = cpuid_query(uint32_t(leaf), uint32_t(subleaf));
    return uint64_t(r.eax) | (uint64_t(r.ebx) << 32);
}

uint64_t helper_cpuid_cd(Cpu&, uint64_t leaf, uint64_t subleaf, uint64_t) {
    CpuidLeaf r = cpuid_query(uint32_t(leaf), uint32_t(subleaf));
    return uint64_t(r.ecx) | (uint64_t(r.edx) << 32);
}

uint64_t helper_rdtsc(Cpu& cpu, uint64_t, uint64_t, uint64_t) { return rdtsc_allowed(cpu) ? tsc_value(cpu) : 0; }

}  // namespace vmm86
