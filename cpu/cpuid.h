// What CPUID reports: an i686-class "GenuineIntel" CPU (family 6) that claims only the
// features this emulator implements. The leaves are one table, so that the differential
// tester can read exactly what the guest is told (and mask host-only features).
#pragma once
#include <cstdint>
#include <span>

namespace vmm86 {

struct CpuidLeaf {
    uint32_t leaf;
    uint32_t eax, ebx, ecx, edx;
};

// CPUID.1:EDX feature bits (Intel SDM vol. 2A, table 3-11).
enum : uint32_t {
    CPUID_1_EDX_FPU = 1u << 0, CPUID_1_EDX_VME = 1u << 1, CPUID_1_EDX_DE = 1u << 2,
    CPUID_1_EDX_PSE = 1u << 3, CPUID_1_EDX_TSC = 1u << 4, CPUID_1_EDX_MSR = 1u << 5,
    CPUID_1_EDX_PAE = 1u << 6, CPUID_1_EDX_MCE = 1u << 7, CPUID_1_EDX_CX8 = 1u << 8,
    CPUID_1_EDX_APIC = 1u << 9, CPUID_1_EDX_SEP = 1u << 11, CPUID_1_EDX_MTRR = 1u << 12,
    CPUID_1_EDX_PGE = 1u << 13, CPUID_1_EDX_MCA = 1u << 14, CPUID_1_EDX_CMOV = 1u << 15,
    CPUID_1_EDX_PAT = 1u << 16, CPUID_1_EDX_MMX = 1u << 23, CPUID_1_EDX_FXSR = 1u << 24,
    CPUID_1_EDX_SSE = 1u << 25, CPUID_1_EDX_SSE2 = 1u << 26,
};

// CPUID.80000001h:EDX bits (Intel SDM vol. 2A, CPUID).
enum : uint32_t {
    CPUID_80000001_EDX_SYSCALL = 1u << 11, CPUID_80000001_EDX_NX = 1u << 20,
    CPUID_80000001_EDX_RDTSCP = 1u << 27, CPUID_80000001_EDX_LM = 1u << 29,
};

// Family, model and stepping (CPUID.1:EAX), which EDX also holds after RESET.
uint32_t cpuid_signature();

// Every leaf the CPU answers, ordered by leaf number.
std::span<const CpuidLeaf> cpuid_table();

// CPUID with EAX = leaf (ECX = subleaf; none of our leaves has subleaves). A leaf that is
// not in the table returns the highest basic leaf, as Intel CPUs do.
CpuidLeaf cpuid_query(uint32_t leaf, uint32_t subleaf = 0);

}  // namespace vmm86
