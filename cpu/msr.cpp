// The MSR table. Each row says which indices it covers, whether CPUID must report a
// feature for the MSR to exist (so that CPUID and RDMSR never disagree), and how reads
// and writes behave. Everything not here is #GP(0).
//
// Not modelled (reads and writes #GP, which Linux probes for with the _safe accessors):
// the P6 performance counters and event selects (C1h, C2h, 186h, 187h; RDPMC reads 0
// instead, see lower_msr.cpp), machine check banks (CPUID has no MCE/MCA), DEBUGCTL and
// the last-branch records, the microcode update trigger (79h).
#include "cpu/msr.h"

#include <iterator>

#include "cpu/cpuid.h"

namespace vmm86 {
namespace {

constexpr uint64_t kPhysMask = ((1ull << kPhysAddrBits) - 1) & ~0xFFFull;  // bits 35:12

// Memory types (SDM vol. 3, 11.11): 0 UC, 1 WC, 4 WT, 5 WP, 6 WB; PAT adds 7 (UC-).
bool mtrr_type_ok(uint64_t t) { return t == 0 || t == 1 || t == 4 || t == 5 || t == 6; }
bool pat_type_ok(uint64_t t) { return mtrr_type_ok(t) || t == 7; }

// Eight one-byte memory types packed in a register (fixed MTRRs, PAT).
template <bool (*ok)(uint64_t)>
bool all_bytes_ok(uint64_t v) {
    for (unsigned i = 0; i < 8; ++i)
        if (!ok((v >> (8 * i)) & 0xFF)) return false;
    return true;
}

unsigned fixed_mtrr_slot(uint32_t index) {
    if (index == MSR_MTRR_FIX64K_00000) return 0;
    if (index == MSR_MTRR_FIX16K_80000) return 1;
    if (index == MSR_MTRR_FIX16K_A0000) return 2;
    return 3 + (index - MSR_MTRR_FIX4K_C0000);
}

bool fixed_read(Cpu& c, uint32_t i, uint64_t& v) {
    v = c.s.msr.mtrr_fixed[fixed_mtrr_slot(i)];
    return true;
}

bool fixed_write(Cpu& c, uint32_t i, uint64_t v) {
    if (!all_bytes_ok<mtrr_type_ok>(v)) return false;
    c.s.msr.mtrr_fixed[fixed_mtrr_slot(i)] = v;
    c.flush_tlb();
    return true;
}

bool feature1(uint32_t edx_bit) { return cpuid_query(1).edx & edx_bit; }
bool feature_ext(uint32_t edx_bits) { return cpuid_query(0x80000001).edx & edx_bits; }

// EFER exists when CPUID reports something that lives in it (NX, SYSCALL or long mode);
// only those bits are writable.
uint64_t efer_writable() {
    const uint32_t ext = cpuid_query(0x80000001).edx;
    uint64_t bits = 0;
    if (ext & CPUID_80000001_EDX_NX) bits |= EFER_NXE;
    if (ext & CPUID_80000001_EDX_SYSCALL) bits |= EFER_SCE;
    if (ext & CPUID_80000001_EDX_LM) bits |= EFER_LME;
    return bits;
}

using ReadFn = bool (*)(Cpu&, uint32_t, uint64_t&);
using WriteFn = bool (*)(Cpu&, uint32_t, uint64_t);

struct MsrDef {
    uint32_t first, last;
    const char* name;
    bool (*present)();  // nullptr: always there
    ReadFn read;
    WriteFn write;      // nullptr: read-only (a write is #GP)
};

bool has_sep() { return feature1(CPUID_1_EDX_SEP); }
bool has_mtrr() { return feature1(CPUID_1_EDX_MTRR); }
bool has_pat() { return feature1(CPUID_1_EDX_PAT); }
bool has_efer() { return efer_writable() != 0; }
bool has_rdtscp() { return feature_ext(CPUID_80000001_EDX_RDTSCP); }

const MsrDef kMsrs[] = {
    {MSR_TSC, MSR_TSC, "IA32_TIME_STAMP_COUNTER", nullptr,
     [](Cpu& c, uint32_t, uint64_t& v) { v = tsc_value(c); return true; },
     // P6 family: a write sets the low 32 bits and clears the high ones (SDM vol. 3, 17.17).
     [](Cpu& c, uint32_t, uint64_t v) { c.s.msr.tsc_offset = (v & 0xFFFFFFFFull) - c.tsc_base(); return true; }},
    // Platform ID bits 52:50 = 0; read-only.
    {MSR_PLATFORM_ID, MSR_PLATFORM_ID, "IA32_PLATFORM_ID", nullptr,
     [](Cpu&, uint32_t, uint64_t& v) { v = 0; return true; }, nullptr},
    // No local APIC: the base register reads "globally disabled" (EN = 0), the state in
    // which CPUID.1:EDX.APIC reads 0. A P6 cannot re-enable an APIC disabled this way
    // until reset (SDM vol. 3, 10.4.3), so EN stays 0; BSP is read-only.
    {MSR_APIC_BASE, MSR_APIC_BASE, "IA32_APIC_BASE", nullptr,
     [](Cpu& c, uint32_t, uint64_t& v) { v = c.s.msr.apic_base; return true; },
     [](Cpu& c, uint32_t, uint64_t v) {
         if (v & ~(kPhysMask | (1u << 11) | (1u << 8))) return false;
         c.s.msr.apic_base = (v & kPhysMask) | (c.s.msr.apic_base & (1u << 8));
         return true;
     }},
    // The microcode signature: software writes 0, runs CPUID and reads the revision from
    // the upper half. vmm86 reports its revision whatever was written.
    {MSR_BIOS_SIGN_ID, MSR_BIOS_SIGN_ID, "IA32_BIOS_SIGN_ID", nullptr,
     [](Cpu&, uint32_t, uint64_t& v) { v = uint64_t(kMicrocodeRevision) << 32; return true; },
     [](Cpu&, uint32_t, uint64_t) { return true; }},
    // 8 variable ranges, fixed ranges, write combining; no SMRR.
    {MSR_MTRRCAP, MSR_MTRRCAP, "IA32_MTRRCAP", has_mtrr,
     [](Cpu&, uint32_t, uint64_t& v) { v = kMtrrVariableCount | (1u << 8) | (1u << 10); return true; }, nullptr},
    // 32-bit CPU: the SYSENTER MSRs hold 32 bits; EDX is ignored.
    {MSR_SYSENTER_CS, MSR_SYSENTER_EIP, "IA32_SYSENTER_CS/ESP/EIP", has_sep,
     [](Cpu& c, uint32_t i, uint64_t& v) {
         v = i == MSR_SYSENTER_CS ? c.s.msr.sysenter_cs : i == MSR_SYSENTER_ESP ? c.s.msr.sysenter_esp
                                                                                 : c.s.msr.sysenter_eip;
         return true;
     },
     [](Cpu& c, uint32_t i, uint64_t v) {
         uint64_t& r = i == MSR_SYSENTER_CS ? c.s.msr.sysenter_cs : i == MSR_SYSENTER_ESP ? c.s.msr.sysenter_esp
                                                                                           : c.s.msr.sysenter_eip;
         r = v & 0xFFFFFFFFull;
         return true;
     }},
    // Fast strings (0), automatic thermal control (3) and the CPUID limit (22) are
    // writable; "BTS unavailable" (11) and "PEBS unavailable" (12) are read-only ones.
    {MSR_MISC_ENABLE, MSR_MISC_ENABLE, "IA32_MISC_ENABLE", nullptr,
     [](Cpu& c, uint32_t, uint64_t& v) { v = c.s.msr.misc_enable; return true; },
     [](Cpu& c, uint32_t, uint64_t v) {
         constexpr uint64_t kWritable = (1u << 0) | (1u << 3) | (1u << 22), kFixed = (1u << 11) | (1u << 12);
         if (v & ~(kWritable | kFixed)) return false;
         c.s.msr.misc_enable = (v & kWritable) | (c.s.msr.misc_enable & kFixed);
         return true;
     }},
    // PHYSBASEn: type in 7:0, base in 35:12. PHYSMASKn: valid bit 11, mask in 35:12.
    {MSR_MTRR_PHYSBASE0, MSR_MTRR_PHYSBASE0 + 2 * kMtrrVariableCount - 1, "IA32_MTRR_PHYSBASE/PHYSMASK", has_mtrr,
     [](Cpu& c, uint32_t i, uint64_t& v) { v = c.s.msr.mtrr_var[i - MSR_MTRR_PHYSBASE0]; return true; },
     [](Cpu& c, uint32_t i, uint64_t v) {
         const bool mask = (i - MSR_MTRR_PHYSBASE0) & 1;
         if (mask ? (v & ~(kPhysMask | (1u << 11))) : (v & ~(kPhysMask | 0xFF)) || !mtrr_type_ok(v & 0xFF))
             return false;
         c.s.msr.mtrr_var[i - MSR_MTRR_PHYSBASE0] = v;
         c.flush_tlb();  // WRMSR to an MTRR invalidates the TLBs, global entries too
         return true;
     }},
    {MSR_MTRR_FIX64K_00000, MSR_MTRR_FIX64K_00000, "IA32_MTRR_FIX64K_00000", has_mtrr, fixed_read, fixed_write},
    {MSR_MTRR_FIX16K_80000, MSR_MTRR_FIX16K_A0000, "IA32_MTRR_FIX16K", has_mtrr, fixed_read, fixed_write},
    {MSR_MTRR_FIX4K_C0000, MSR_MTRR_FIX4K_C0000 + 7, "IA32_MTRR_FIX4K", has_mtrr, fixed_read, fixed_write},
    {MSR_PAT, MSR_PAT, "IA32_PAT", has_pat,
     [](Cpu& c, uint32_t, uint64_t& v) { v = c.s.msr.pat; return true; },
     [](Cpu& c, uint32_t, uint64_t v) {
         if (!all_bytes_ok<pat_type_ok>(v)) return false;
         c.s.msr.pat = v;
         c.flush_tlb();
         return true;
     }},
    // Default type in 7:0, FE (fixed enable) bit 10, E (enable) bit 11.
    {MSR_MTRR_DEF_TYPE, MSR_MTRR_DEF_TYPE, "IA32_MTRR_DEF_TYPE", has_mtrr,
     [](Cpu& c, uint32_t, uint64_t& v) { v = c.s.msr.mtrr_def_type; return true; },
     [](Cpu& c, uint32_t, uint64_t v) {
         if ((v & ~0xCFFull) || !mtrr_type_ok(v & 0xFF)) return false;
         c.s.msr.mtrr_def_type = v;
         c.flush_tlb();
         return true;
     }},
    // LMA is read-only (set by the CPU when long mode becomes active).
    {MSR_EFER, MSR_EFER, "IA32_EFER", has_efer,
     [](Cpu& c, uint32_t, uint64_t& v) { v = c.s.efer; return true; },
     [](Cpu& c, uint32_t, uint64_t v) {
         if (v & ~(efer_writable() | EFER_LMA)) return false;
         const uint64_t old = c.s.efer;
         c.s.efer = (v & efer_writable()) | (old & EFER_LMA);
         if ((old ^ c.s.efer) & EFER_NXE) c.flush_tlb();  // NX changes what the TLB grants
         return true;
     }},
    {MSR_TSC_AUX, MSR_TSC_AUX, "IA32_TSC_AUX", has_rdtscp,
     [](Cpu& c, uint32_t, uint64_t& v) { v = c.s.msr.tsc_aux; return true; },
     [](Cpu& c, uint32_t, uint64_t v) {
         if (v >> 32) return false;
         c.s.msr.tsc_aux = v;
         return true;
     }},
};

const MsrDef* find(uint32_t index) {
    for (const MsrDef& d : kMsrs)
        if (index >= d.first && index <= d.last) return (!d.present || d.present()) ? &d : nullptr;
    return nullptr;
}

}  // namespace

bool msr_known(uint32_t index) { return find(index) != nullptr; }

const char* msr_name(uint32_t index) {
    const MsrDef* d = find(index);
    return d ? d->name : nullptr;
}

bool msr_read(Cpu& cpu, uint32_t index, uint64_t& value) {
    const MsrDef* d = find(index);
    if (!d) return false;
    return d->read(cpu, index, value);
}

bool msr_write(Cpu& cpu, uint32_t index, uint64_t value) {
    const MsrDef* d = find(index);
    if (!d) return false;
    return d->write ? d->write(cpu, index, value) : false;
}

void reset_msrs(CpuState& s) {
    s.msr = MsrState{};
    s.msr.apic_base = 0xFEE00000u | (1u << 8);  // default base, BSP, globally disabled
    s.msr.misc_enable = (1u << 0) | (1u << 11) | (1u << 12);
    s.msr.pat = 0x0007040600070406ull;  // WB, WT, UC-, UC, repeated (SDM vol. 3, 11.12.4)
}

bool msr_access_allowed(Cpu& cpu) {
    if (cpu.cpl() == 0) return true;
    cpu.raise(EXC_GP, 0);
    return false;
}

bool rdtsc_allowed(Cpu& cpu) {
    if (!(cpu.s.cr4 & CR4_TSD) || cpu.cpl() == 0) return true;
    cpu.raise(EXC_GP, 0);
    return false;
}

bool rdpmc_allowed(Cpu& cpu, uint32_t counter) {
    if (((cpu.s.cr4 & CR4_PCE) || cpu.cpl() == 0) && counter <= 1) return true;
    cpu.raise(EXC_GP, 0);
    return false;
}

}  // namespace vmm86
