// RDMSR, WRMSR, RDTSCP, RDPMC, SYSENTER and SYSEXIT. The MSRs themselves are the table in
// cpu/msr.cpp; RDTSC stays with the system family (lower_system.cpp) and shares the
// CR4.TSD check from cpu/msr.h.
#include "cpu/lazy_flags.h"
#include "cpu/msr.h"
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {

using ir::Op;

uint64_t helper_rdmsr(Cpu& cpu, uint64_t index, uint64_t, uint64_t) {
    uint64_t value = 0;
    if (!msr_access_allowed(cpu)) return 0;
    if (!msr_read(cpu, uint32_t(index), value)) cpu.raise(EXC_GP, 0);
    return value;
}

uint64_t helper_wrmsr(Cpu& cpu, uint64_t index, uint64_t eax, uint64_t edx) {
    if (!msr_access_allowed(cpu)) return 0;
    if (!msr_write(cpu, uint32_t(index), (edx << 32) | (eax & 0xFFFFFFFFull))) cpu.raise(EXC_GP, 0);
    return 0;
}

uint64_t helper_rdtscp(Cpu& cpu, uint64_t, uint64_t, uint64_t) { return rdtsc_allowed(cpu) ? tsc_value(cpu) : 0; }
uint64_t helper_tsc_aux(Cpu& cpu, uint64_t, uint64_t, uint64_t) { return uint32_t(cpu.s.msr.tsc_aux); }

// The two P6 counters exist as far as RDPMC can tell, but vmm86 counts no events: they
// read 0 (their event selects, MSRs 186h/187h, are not implemented and #GP).
uint64_t helper_rdpmc(Cpu& cpu, uint64_t counter, uint64_t, uint64_t) {
    rdpmc_allowed(cpu, uint32_t(counter));
    return 0;
}

// The flat 4 GiB segments SYSENTER and SYSEXIT load straight into the caches (no
// descriptor is read): code is execute/read, accessed; stack is read/write, accessed;
// both 32-bit, page granular, present, S = 1. Code is not writable (the derived bit the
// memory fast path tests).
void load_flat(SegmentCache& sc, uint16_t selector, unsigned dpl, bool code) {
    sc.selector = selector;
    sc.base = 0;
    sc.limit = 0xFFFFFFFFu;
    sc.attributes = uint16_t((code ? 0x0B | SEG_ATTR_NO_WRITE : 0x03) | SEG_ATTR_S | (dpl << 5) | SEG_ATTR_PRESENT |
                             SEG_ATTR_DB | SEG_ATTR_G);
}

// SDM SYSENTER: #GP(0) in real mode or with a null IA32_SYSENTER_CS (bits 15:2 zero).
uint64_t helper_sysenter(Cpu& cpu, uint64_t, uint64_t, uint64_t) {
    CpuState& s = cpu.s;
    const uint16_t cs = uint16_t(s.msr.sysenter_cs);
    if (cpu.real_mode() || (cs & 0xFFFC) == 0) {
        cpu.raise(EXC_GP, 0);
        return 0;
    }
    materialize_flags(s);
    s.eflags &= ~(FLAG_VM | FLAG_IF | FLAG_RF);
    load_flat(s.seg[CS], cs & 0xFFFC, 0, true);
    load_flat(s.seg[SS], uint16_t((cs & 0xFFFC) + 8), 0, false);
    s.gpr[ESP] = uint32_t(s.msr.sysenter_esp);
    s.eip = uint32_t(s.msr.sysenter_eip);
    return 0;
}

// SDM SYSEXIT (32-bit form): #GP(0) in real mode, at CPL > 0 (V86 included) or with a
// null IA32_SYSENTER_CS. CS = SYSENTER_CS + 16, SS = + 24, both RPL 3; ESP = ECX,
// EIP = EDX. EFLAGS is left alone.
uint64_t helper_sysexit(Cpu& cpu, uint64_t, uint64_t, uint64_t) {
    CpuState& s = cpu.s;
    const uint16_t cs = uint16_t(s.msr.sysenter_cs);
    if (cpu.real_mode() || cpu.cpl() != 0 || (cs & 0xFFFC) == 0) {
        cpu.raise(EXC_GP, 0);
        return 0;
    }
    const uint32_t esp = uint32_t(s.gpr[ECX]), eip = uint32_t(s.gpr[EDX]);
    load_flat(s.seg[CS], uint16_t((cs + 16) | 3), 3, true);
    load_flat(s.seg[SS], uint16_t((cs + 24) | 3), 3, false);
    s.gpr[ESP] = esp;
    s.eip = eip;
    return 0;
}

}  // namespace

Flow lower_rdmsr(Translator& t, const DecodedInsn&) {
    ValueId v = t.call(&helper_rdmsr, t.read_gpr(ECX, 4));
    t.write_gpr(EAX, 4, t.b().zext(4, v));
    t.write_gpr(EDX, 4, t.b().emit(Op::Shr, 8, v, t.c(32)));
    return Flow::Next;
}

Flow lower_wrmsr(Translator& t, const DecodedInsn&) {
    t.call(&helper_wrmsr, t.read_gpr(ECX, 4), t.read_gpr(EAX, 4), t.read_gpr(EDX, 4));
    // Serializing; EFER.NXE and the MTRRs change what the TLB grants.
    t.end_block_after();
    return Flow::Next;
}

Flow lower_rdtscp(Translator& t, const DecodedInsn&) {
    ValueId tsc = t.call(&helper_rdtscp);
    ValueId aux = t.call(&helper_tsc_aux);
    t.write_gpr(EAX, 4, t.b().zext(4, tsc));
    t.write_gpr(EDX, 4, t.b().emit(Op::Shr, 8, tsc, t.c(32)));
    t.write_gpr(ECX, 4, aux);
    return Flow::Next;
}

Flow lower_rdpmc(Translator& t, const DecodedInsn&) {
    ValueId v = t.call(&helper_rdpmc, t.read_gpr(ECX, 4));
    t.write_gpr(EAX, 4, t.b().zext(4, v));
    t.write_gpr(EDX, 4, t.b().emit(Op::Shr, 8, v, t.c(32)));
    return Flow::Next;
}

// Both change CS, SS, CPL and the code size: the next block is looked up afresh.
Flow lower_sysenter(Translator& t, const DecodedInsn&) {
    t.call(&helper_sysenter);
    return t.exit_block();
}

Flow lower_sysexit(Translator& t, const DecodedInsn&) {
    t.call(&helper_sysexit);
    return t.exit_block();
}

}  // namespace vmm86
