// Model-specific registers: the one table of the MSRs vmm86 implements (cpu/msr.cpp),
// the time-stamp counter, and the checks RDMSR, WRMSR, RDTSC(P) and RDPMC share.
//
// The model is a P6-family CPU (family 6) with 36 physical address bits and no local APIC
// (its IA32_APIC_BASE says "globally disabled", which is also why CPUID.1:EDX.APIC is 0).
// An index that is not in the table, or a write that sets a reserved bit or an invalid
// memory type, is #GP(0), as on hardware.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace vmm86 {

// MSR indices (Intel SDM vol. 4).
enum : uint32_t {
    MSR_TSC = 0x10,
    MSR_PLATFORM_ID = 0x17,
    MSR_APIC_BASE = 0x1B,
    MSR_BIOS_SIGN_ID = 0x8B,
    MSR_MTRRCAP = 0xFE,
    MSR_SYSENTER_CS = 0x174,
    MSR_SYSENTER_ESP = 0x175,
    MSR_SYSENTER_EIP = 0x176,
    MSR_MISC_ENABLE = 0x1A0,
    MSR_MTRR_PHYSBASE0 = 0x200,  // ... 0x20F (eight base/mask pairs)
    MSR_MTRR_FIX64K_00000 = 0x250,
    MSR_MTRR_FIX16K_80000 = 0x258,
    MSR_MTRR_FIX16K_A0000 = 0x259,
    MSR_MTRR_FIX4K_C0000 = 0x268,  // ... 0x26F
    MSR_PAT = 0x277,
    MSR_MTRR_DEF_TYPE = 0x2FF,
    MSR_EFER = 0xC0000080,
    MSR_TSC_AUX = 0xC0000103,
};

// EFER bits.
enum : uint64_t { EFER_SCE = 1u << 0, EFER_LME = 1u << 8, EFER_LMA = 1u << 10, EFER_NXE = 1u << 11 };

constexpr unsigned kMtrrVariableCount = 8;
constexpr unsigned kPhysAddrBits = 36;
// The microcode revision IA32_BIOS_SIGN_ID reports in its upper half.
constexpr uint32_t kMicrocodeRevision = 0x20;

// RDMSR/WRMSR of `index`: false means #GP(0) (not raised here; the caller raises it).
// The CPL check is the caller's too.
bool msr_read(Cpu& cpu, uint32_t index, uint64_t& value);
bool msr_write(Cpu& cpu, uint32_t index, uint64_t value);
// Whether `index` is one of ours (for the monitor and the tests).
bool msr_known(uint32_t index);
const char* msr_name(uint32_t index);

// The guest's TSC: the machine's clock as TSC ticks (Cpu::tsc_base) plus the offset that
// writes to the TSC set.
inline uint64_t tsc_value(const Cpu& cpu) { return cpu.tsc_base() + cpu.s.msr.tsc_offset; }

// MSR values after RESET (the rest of MsrState is zero then).
void reset_msrs(CpuState& s);

// The instruction-level checks. Each raises #GP(0) (and returns false) when the
// instruction may not run now.
bool msr_access_allowed(Cpu& cpu);   // RDMSR, WRMSR: CPL 0 (real mode is CPL 0)
bool rdtsc_allowed(Cpu& cpu);        // RDTSC, RDTSCP: CR4.TSD restricts them to CPL 0
// RDPMC: CPL 0 or CR4.PCE, and ECX must name one of the two P6 counters.
bool rdpmc_allowed(Cpu& cpu, uint32_t counter);

}  // namespace vmm86
