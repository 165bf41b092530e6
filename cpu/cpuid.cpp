#include "cpu/cpuid.h"

#include <array>

namespace vmm86 {
namespace {

// Four little-endian bytes of a string as a register value, as CPUID returns text.
constexpr uint32_t text4(const char* s, unsigned at) {
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; ++i) {
        unsigned k = at + i;
        unsigned n = 0;
        while (s[n]) ++n;
        v |= uint32_t(k < n ? uint8_t(s[k]) : 0) << (8 * i);
    }
    return v;
}

constexpr const char kVendor[] = "GenuineIntel";
// 48 bytes over leaves 8000_0002h..8000_0004h, NUL-padded.
constexpr const char kBrand[] = "vmm86 virtual CPU";

// Family 6, model 3, stepping 3: a Pentium II-class i686. SYSENTER needs at least this
// signature: the Pentium Pro (model 1) reported SEP without having it, and Intel (AP-485)
// and Linux (intel_workarounds) ignore SEP below 633h.
constexpr uint32_t kSignature = (6u << 8) | (3u << 4) | 3u;

// Only what is implemented: the x87 (FCMOVcc/FCOMI included) and FXSAVE/FXRSTOR, but no
// MMX or SSE; no APIC (IA32_APIC_BASE reads "globally disabled"). MSR covers
// RDMSR/WRMSR and the table in cpu/msr.cpp; DE is CR4.DE (DR4/DR5 #UD, I/O breakpoints);
// MTRR and PAT are storage with their type checks (memory types do not matter to an
// emulator, which has no caches to control).
constexpr uint32_t kFeaturesEdx = CPUID_1_EDX_FPU | CPUID_1_EDX_FXSR | CPUID_1_EDX_DE | CPUID_1_EDX_TSC |
                                  CPUID_1_EDX_MSR | CPUID_1_EDX_CX8 | CPUID_1_EDX_SEP | CPUID_1_EDX_MTRR |
                                  CPUID_1_EDX_CMOV | CPUID_1_EDX_PAT;
// RDTSCP and its IA32_TSC_AUX; NX (execute-disable under PAE paging: memory/page_walker),
// which brings IA32_EFER with NXE writable (cpu/msr.cpp). No SYSCALL or long mode.
constexpr uint32_t kExtFeaturesEdx = CPUID_80000001_EDX_RDTSCP | CPUID_80000001_EDX_NX;

// The page walker (memory/page_walker.h): PSE (4 MiB pages), PAE (36-bit physical
// addresses, 2 MiB pages), PGE (global pages). Not PSE-36: 4 MiB pages stay below 4 GiB.
constexpr uint32_t kPagingFeaturesEdx = CPUID_1_EDX_PSE | CPUID_1_EDX_PAE | CPUID_1_EDX_PGE;

constexpr CpuidLeaf brand_leaf(uint32_t leaf, unsigned part) {
    return {leaf, text4(kBrand, part * 16), text4(kBrand, part * 16 + 4), text4(kBrand, part * 16 + 8),
            text4(kBrand, part * 16 + 12)};
}

constexpr uint32_t kMaxBasic = 1;

constexpr std::array<CpuidLeaf, 7> kTable{{
    // Max basic leaf; vendor string in EBX, EDX, ECX order.
    {0x00000000, kMaxBasic, text4(kVendor, 0), text4(kVendor, 8), text4(kVendor, 4)},
    // Signature; EBX = 0: its fields (brand index, CLFLUSH size, APIC ID) mean nothing
    // without the features that define them.
    {0x00000001, kSignature, 0, 0, kFeaturesEdx | kPagingFeaturesEdx},
    {0x80000000, 0x80000004, 0, 0, 0},
    {0x80000001, 0, 0, 0, kExtFeaturesEdx},
    brand_leaf(0x80000002, 0),
    brand_leaf(0x80000003, 1),
    brand_leaf(0x80000004, 2),
}};

}  // namespace

std::span<const CpuidLeaf> cpuid_table() { return kTable; }

uint32_t cpuid_signature() { return kSignature; }

CpuidLeaf cpuid_query(uint32_t leaf, uint32_t) {
    const CpuidLeaf* highest_basic = nullptr;
    for (const CpuidLeaf& l : kTable) {
        if (l.leaf == leaf) return l;
        if (l.leaf == kMaxBasic) highest_basic = &l;
    }
    CpuidLeaf r = *highest_basic;
    r.leaf = leaf;
    return r;
}

}  // namespace vmm86
