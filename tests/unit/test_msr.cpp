// MSRs (cpu/msr.cpp) through RDMSR/WRMSR in real mode (CPL 0), the privilege checks, and
// RDTSC/RDTSCP/RDPMC; CPUID must agree with what exists.
#include "cpu/cpuid.h"
#include "sys_harness.h"

namespace vmm86::test {
namespace {

constexpr uint8_t kRdmsr[] = {0x0F, 0x32}, kWrmsr[] = {0x0F, 0x30};

// Runs one RDMSR of `index`; returns EDX:EAX, or -1 if it faulted (vector in *vec).
struct MsrResult {
    int vector;  // -1: no fault
    uint64_t value;
};

MsrResult rdmsr(SysHarness& h, uint32_t index) {
    h.s().eip = 0x100;
    h.code({kRdmsr[0], kRdmsr[1], 0xF4});
    h.s().gpr[ECX] = index;
    h.s().halted = 0;
    h.run_to_halt();
    const int v = h.halted_in_vector();
    return {v, (uint64_t(h.reg32(EDX)) << 32) | h.reg32(EAX)};
}

int wrmsr(SysHarness& h, uint32_t index, uint64_t value) {
    h.s().eip = 0x100;
    h.code({kWrmsr[0], kWrmsr[1], 0xF4});
    h.s().gpr[ECX] = index;
    h.s().gpr[EAX] = uint32_t(value);
    h.s().gpr[EDX] = uint32_t(value >> 32);
    h.s().halted = 0;
    h.run_to_halt();
    return h.halted_in_vector();
}

TEST(Msr, ResetValues) {
    SysHarness h;
    EXPECT_EQ(rdmsr(h, MSR_APIC_BASE).value, 0xFEE00100ull);  // BSP, globally disabled
    EXPECT_EQ(rdmsr(h, MSR_PAT).value, 0x0007040600070406ull);
    EXPECT_EQ(rdmsr(h, MSR_MTRRCAP).value, 0x508ull);  // WC, FIX, VCNT = 8
    EXPECT_EQ(rdmsr(h, MSR_MTRR_DEF_TYPE).value, 0u);
    EXPECT_EQ(rdmsr(h, MSR_MISC_ENABLE).value, 0x1801ull);
    EXPECT_EQ(rdmsr(h, MSR_PLATFORM_ID).value, 0u);
    EXPECT_EQ(rdmsr(h, MSR_BIOS_SIGN_ID).value, uint64_t(kMicrocodeRevision) << 32);
    EXPECT_EQ(rdmsr(h, MSR_SYSENTER_CS).value, 0u);
    for (uint32_t i = 0x200; i < 0x210; ++i) EXPECT_EQ(rdmsr(h, i).vector, -1) << i;
}

TEST(Msr, UnknownIndicesAreGp) {
    SysHarness h;
    for (uint32_t i : {0x0u, 0x1u, 0x11u, 0x79u, 0xC1u, 0x186u, 0x1D9u, 0x210u, 0x251u, 0x260u, 0x270u,
                       0x3FFu, 0xC0000081u, 0x40000000u, 0xFFFFFFFFu}) {
        MsrResult r = rdmsr(h, i);
        EXPECT_EQ(r.vector, EXC_GP) << std::hex << i;
        EXPECT_EQ(h.frame_ip(), 0x100) << "the fault returns to the RDMSR";
        EXPECT_EQ(wrmsr(h, i, 0), EXC_GP) << std::hex << i;
    }
}

TEST(Msr, TscWriteSetsTheCounterP6Style) {
    SysHarness h;
    ASSERT_EQ(wrmsr(h, MSR_TSC, 0x0000000512345678ull), -1);
    MsrResult r = rdmsr(h, MSR_TSC);
    ASSERT_EQ(r.vector, -1);
    // The high half is cleared (P6); a few instructions have retired since.
    EXPECT_GE(r.value, 0x12345678ull);
    EXPECT_LT(r.value, 0x12345678ull + 16);
    // RDTSC reads the same counter.
    h.s().eip = 0x100;
    h.code({0x0F, 0x31, 0xF4});
    h.s().halted = 0;
    h.run_to_halt();
    const uint64_t t = (uint64_t(h.reg32(EDX)) << 32) | h.reg32(EAX);
    EXPECT_GE(t, r.value);
    EXPECT_LT(t, r.value + 16);
}

TEST(Msr, ReservedBitsAndInvalidTypesAreGp) {
    SysHarness h;
    EXPECT_EQ(wrmsr(h, MSR_PAT, 0x0007040600070402ull), EXC_GP);  // type 2 is reserved
    EXPECT_EQ(wrmsr(h, MSR_PAT, 0x0007040600070408ull), EXC_GP);  // bits 7:3 of an entry
    EXPECT_EQ(wrmsr(h, MSR_PAT, 0x0606060606060607ull), -1);
    EXPECT_EQ(rdmsr(h, MSR_PAT).value, 0x0606060606060607ull);
    EXPECT_EQ(wrmsr(h, MSR_MTRR_DEF_TYPE, 0x1000), EXC_GP);
    EXPECT_EQ(wrmsr(h, MSR_MTRR_DEF_TYPE, 0xC07), EXC_GP);  // UC- is not an MTRR type
    EXPECT_EQ(wrmsr(h, MSR_MTRR_DEF_TYPE, 0xC06), -1);
    EXPECT_EQ(rdmsr(h, MSR_MTRR_DEF_TYPE).value, 0xC06u);
    EXPECT_EQ(wrmsr(h, 0x200, 0x1000000006ull), EXC_GP);  // base bit 36 (MAXPHYADDR 36)
    EXPECT_EQ(wrmsr(h, 0x200, 0x0FFF00F06ull), EXC_GP);   // bits 11:8
    EXPECT_EQ(wrmsr(h, 0x200, 0x0FFF00003ull), EXC_GP);   // type 3
    EXPECT_EQ(wrmsr(h, 0x200, 0x0FFF00006ull), -1);
    EXPECT_EQ(wrmsr(h, 0x201, 0xFFFF00801ull), EXC_GP);   // mask bits 10:0
    EXPECT_EQ(wrmsr(h, 0x201, 0xFFFF00800ull), -1);
    EXPECT_EQ(rdmsr(h, 0x201).value, 0xFFFF00800ull);
    EXPECT_EQ(wrmsr(h, MSR_MTRR_FIX4K_C0000 + 7, 0x0606060606060606ull), -1);
    EXPECT_EQ(wrmsr(h, MSR_MTRR_FIX16K_A0000, 0x0000000000000200ull), EXC_GP);
    EXPECT_EQ(rdmsr(h, MSR_MTRR_FIX4K_C0000 + 7).value, 0x0606060606060606ull);
    EXPECT_EQ(wrmsr(h, MSR_APIC_BASE, 0xFEE00001ull), EXC_GP);
    EXPECT_EQ(wrmsr(h, MSR_APIC_BASE, 0x1000FEE00000ull), EXC_GP);
    EXPECT_EQ(wrmsr(h, MSR_MISC_ENABLE, 0x1801ull | (1u << 16)), EXC_GP);
    EXPECT_EQ(wrmsr(h, MSR_TSC_AUX, 0x100000000ull), EXC_GP);
}

TEST(Msr, ReadOnlyRegisters) {
    SysHarness h;
    EXPECT_EQ(wrmsr(h, MSR_MTRRCAP, 0x508), EXC_GP);
    EXPECT_EQ(wrmsr(h, MSR_PLATFORM_ID, 0), EXC_GP);
    // The APIC stays disabled and BSP stays set; the base moves.
    EXPECT_EQ(wrmsr(h, MSR_APIC_BASE, 0xFEC00800ull), -1);
    EXPECT_EQ(rdmsr(h, MSR_APIC_BASE).value, 0xFEC00100ull);
    // Microcode signature: the write is accepted, the revision reads back.
    EXPECT_EQ(wrmsr(h, MSR_BIOS_SIGN_ID, 0), -1);
    EXPECT_EQ(rdmsr(h, MSR_BIOS_SIGN_ID).value >> 32, kMicrocodeRevision);
    EXPECT_EQ(wrmsr(h, MSR_MISC_ENABLE, 0), -1);
    EXPECT_EQ(rdmsr(h, MSR_MISC_ENABLE).value, 0x1800ull);  // fast strings off; 11, 12 fixed
}

TEST(Msr, SysenterMsrsHold32Bits) {
    SysHarness h;
    EXPECT_EQ(wrmsr(h, MSR_SYSENTER_CS, 0xFFFFFFFF00000010ull), -1);
    EXPECT_EQ(wrmsr(h, MSR_SYSENTER_ESP, 0x12345678ABCDEF00ull), -1);
    EXPECT_EQ(wrmsr(h, MSR_SYSENTER_EIP, 0xC0001000ull), -1);
    EXPECT_EQ(rdmsr(h, MSR_SYSENTER_CS).value, 0x10u);
    EXPECT_EQ(rdmsr(h, MSR_SYSENTER_ESP).value, 0xABCDEF00u);
    EXPECT_EQ(h.s().msr.sysenter_eip, 0xC0001000u);
}

TEST(Msr, MtrrWritesFlushTheTlb) {
    SysHarness h;
    const uint32_t epoch = h.cpu().tlb_epoch;
    EXPECT_EQ(wrmsr(h, MSR_MTRR_DEF_TYPE, 0x806), -1);
    EXPECT_GT(h.cpu().tlb_epoch, epoch);
}

TEST(Msr, CpuidAgreesWithTheTable) {
    const CpuidLeaf l1 = cpuid_query(1), e1 = cpuid_query(0x80000001);
    EXPECT_EQ(l1.eax, cpuid_signature());
    EXPECT_EQ(l1.eax, 0x633u);  // family 6 model 3 stepping 3: SEP is real from 633h on
    for (uint32_t bit : {CPUID_1_EDX_MSR, CPUID_1_EDX_TSC, CPUID_1_EDX_SEP, CPUID_1_EDX_MTRR, CPUID_1_EDX_PAT,
                         CPUID_1_EDX_DE})
        EXPECT_TRUE(l1.edx & bit) << bit;
    EXPECT_FALSE(l1.edx & CPUID_1_EDX_APIC);  // IA32_APIC_BASE says "disabled"
    EXPECT_FALSE(l1.edx & (CPUID_1_EDX_MCE | CPUID_1_EDX_MCA));
    EXPECT_EQ(msr_known(MSR_SYSENTER_CS), bool(l1.edx & CPUID_1_EDX_SEP));
    EXPECT_EQ(msr_known(MSR_MTRRCAP), bool(l1.edx & CPUID_1_EDX_MTRR));
    EXPECT_EQ(msr_known(MSR_PAT), bool(l1.edx & CPUID_1_EDX_PAT));
    EXPECT_EQ(msr_known(MSR_TSC_AUX), bool(e1.edx & CPUID_80000001_EDX_RDTSCP));
    EXPECT_EQ(msr_known(MSR_EFER),
              bool(e1.edx & (CPUID_80000001_EDX_NX | CPUID_80000001_EDX_SYSCALL | CPUID_80000001_EDX_LM)));
    SysHarness h;
    Machine& m = h.machine();
    (void)m;
    CpuState fresh;
    reset_cpu_state(fresh);
    EXPECT_EQ(uint32_t(fresh.gpr[EDX]), cpuid_signature());
}

TEST(Msr, RdtscpReturnsTscAux) {
    SysHarness h;
    ASSERT_EQ(wrmsr(h, MSR_TSC_AUX, 0x2A), -1);
    h.s().eip = 0x100;
    h.code({0x0F, 0x01, 0xF9, 0xF4});
    h.s().halted = 0;
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), -1);
    EXPECT_EQ(h.reg32(ECX), 0x2Au);
    EXPECT_GT(h.reg32(EAX), 0u);
}

TEST(Msr, RdpmcCountersReadZeroAndOthersAreGp) {
    SysHarness h;
    for (uint32_t c : {0u, 1u}) {
        h.s().eip = 0x100;
        h.code({0x0F, 0x33, 0xF4});
        h.s().gpr[ECX] = c;
        h.s().gpr[EAX] = h.s().gpr[EDX] = 0xFFFFFFFF;
        h.s().halted = 0;
        h.run_to_halt();
        EXPECT_EQ(h.halted_in_vector(), -1);
        EXPECT_EQ(h.reg32(EAX), 0u);
        EXPECT_EQ(h.reg32(EDX), 0u);
    }
    h.s().eip = 0x100;
    h.s().gpr[ECX] = 2;
    h.s().halted = 0;
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), EXC_GP);
}

// Privilege: set up CPL 3 (V86 or a ring-3 CS) in the state and ask the checks directly;
// protected-mode delivery is another part's.
TEST(Msr, PrivilegeChecks) {
    SysHarness h;
    Cpu& cpu = h.cpu();
    EXPECT_TRUE(msr_access_allowed(cpu));
    cpu.s.cr0 |= CR0_PE;
    cpu.s.seg[CS].selector = 0x1B;  // RPL 3
    EXPECT_FALSE(msr_access_allowed(cpu));
    EXPECT_EQ(cpu.pending_exception, EXC_GP);
    EXPECT_EQ(cpu.pending_error_code, 0u);
    cpu.pending_exception = -1;
    EXPECT_TRUE(rdtsc_allowed(cpu));  // TSD clear: any CPL
    cpu.s.cr4 |= CR4_TSD;
    EXPECT_FALSE(rdtsc_allowed(cpu));
    cpu.pending_exception = -1;
    EXPECT_FALSE(rdpmc_allowed(cpu, 0));  // PCE clear at CPL 3
    cpu.pending_exception = -1;
    cpu.s.cr4 |= CR4_PCE;
    EXPECT_TRUE(rdpmc_allowed(cpu, 1));
    EXPECT_FALSE(rdpmc_allowed(cpu, 2));
    cpu.pending_exception = -1;
    cpu.s.seg[CS].selector = 0x08;  // ring 0
    EXPECT_TRUE(rdtsc_allowed(cpu));
    EXPECT_TRUE(msr_access_allowed(cpu));
    // V86 is CPL 3.
    cpu.s.eflags |= FLAG_VM;
    EXPECT_FALSE(msr_access_allowed(cpu));
}

TEST(Msr, RdtscInRealModeIgnoresTsd) {
    SysHarness h;
    h.code({0x0F, 0x20, 0xE0, 0x66, 0x83, 0xC8, 0x04, 0x0F, 0x22, 0xE0, 0x0F, 0x31, 0xF4});  // CR4 |= TSD; RDTSC
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), -1);
    EXPECT_TRUE(h.s().cr4 & CR4_TSD);
}

}  // namespace
}  // namespace vmm86::test

namespace vmm86::test {
namespace {

// CPUID reports NX, so IA32_EFER exists with only NXE writable (SCE and LME need SYSCALL
// and long mode, which vmm86 does not report), and setting NXE reaches the page walker.
TEST(Msr, EferHasOnlyNxeWritableAndItReachesPaging) {
    SysHarness h;
    ASSERT_TRUE(cpuid_query(0x80000001).edx & CPUID_80000001_EDX_NX);
    EXPECT_EQ(wrmsr(h, MSR_EFER, EFER_SCE), EXC_GP);
    EXPECT_EQ(wrmsr(h, MSR_EFER, EFER_LME), EXC_GP);
    ASSERT_EQ(wrmsr(h, MSR_EFER, EFER_NXE), -1);
    EXPECT_EQ(h.s().efer, uint64_t(EFER_NXE));
    MsrResult r = rdmsr(h, MSR_EFER);
    EXPECT_EQ(r.vector, -1);
    EXPECT_EQ(r.value, uint64_t(EFER_NXE));
}

}  // namespace
}  // namespace vmm86::test
