// The architectural state of one x86 CPU, as one plain struct. Generated code reaches it
// through one pinned host register, so its layout is part of the JIT's ABI: the
// static_asserts at the bottom keep it honest. A CPU snapshot is a copy of this struct
// plus kVersion.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace vmm86 {

enum Gpr : uint8_t { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, kGprCount = 16 };
enum SegReg : uint8_t { ES, CS, SS, DS, FS, GS, kSegCount = 6, LDTR = 6, TR = 7 };

// EFLAGS bits.
enum : uint32_t {
    FLAG_CF = 1u << 0, FLAG_PF = 1u << 2, FLAG_AF = 1u << 4, FLAG_ZF = 1u << 6,
    FLAG_SF = 1u << 7, FLAG_TF = 1u << 8, FLAG_IF = 1u << 9, FLAG_DF = 1u << 10,
    FLAG_OF = 1u << 11, FLAG_IOPL = 3u << 12, FLAG_NT = 1u << 14, FLAG_RF = 1u << 16,
    FLAG_VM = 1u << 17, FLAG_AC = 1u << 18, FLAG_VIF = 1u << 19, FLAG_VIP = 1u << 20,
    FLAG_ID = 1u << 21,
    FLAGS_ARITH = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF,
    FLAGS_FIXED1 = 1u << 1,  // bit 1 always reads as 1
};

// A segment register with its hidden descriptor cache. In real mode base = selector*16
// and the limit and attributes keep whatever was last loaded (which is how "unreal mode"
// works on real hardware).
struct SegmentCache {
    uint32_t base;
    uint32_t limit;       // byte granular, already expanded
    uint16_t selector;
    uint16_t attributes;  // descriptor bits 40-47 and 52-55 (type, S, DPL, P, AVL, L, D/B, G)
};

struct DescriptorTableReg {
    uint32_t base;
    uint32_t limit;
};

// Lazy arithmetic flags: the last flag-setting operation is recorded, and CF..OF are
// computed from it only when someone reads them (see cpu/lazy_flags.h).
struct LazyFlags {
    uint64_t result;
    uint64_t src1;
    uint64_t src2;
    uint32_t op;     // LazyFlagOp | (size_log2 << 8); 0 = flags are materialised in eflags
    uint32_t aux;    // carry-in for ADC/SBB, previous CF for INC/DEC, ...
};

// The MSRs that are plain storage (cpu/msr.cpp owns their meaning; EFER is CpuState::efer).
struct MsrState {
    uint64_t tsc_offset;  // the guest TSC is CpuState::tsc (instructions retired) + tsc_offset
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t apic_base;
    uint64_t misc_enable;
    uint64_t pat;
    uint64_t mtrr_def_type;
    uint64_t mtrr_fixed[11];  // 250h, 258h, 259h, 268h-26Fh
    uint64_t mtrr_var[16];    // 200h-20Fh: PHYSBASE0, PHYSMASK0, ...
    uint64_t tsc_aux;
};

struct alignas(64) CpuState {
    static constexpr uint32_t kVersion = 1;

    uint64_t gpr[kGprCount];
    uint64_t eip;
    uint32_t eflags;  // arithmetic bits valid only when lazy.op == 0
    uint32_t pad0;
    LazyFlags lazy;

    SegmentCache seg[kSegCount];
    SegmentCache ldtr;
    SegmentCache tr;
    DescriptorTableReg gdtr;
    DescriptorTableReg idtr;

    uint64_t cr0, cr2, cr3, cr4;
    uint64_t dr[8];
    uint64_t efer;
    uint64_t tsc;  // instructions retired (the guest's TSC derives from the clock: Cpu::tsc_base)

    // Event state, read at instruction boundaries.
    uint32_t interrupt_shadow;  // 1: an STI or MOV SS just executed; block interrupts once
    uint32_t halted;
    uint32_t a20_mask;          // 0xFFFFFFFF or 0xFFEFFFFF
    uint32_t pad1;

    // x87/SSE register file in FXSAVE layout (filled in by the FPU work of CPU core II).
    alignas(16) uint8_t fxsave_area[512];

    // Model-specific registers and debug/NMI event state (cpu/msr.cpp, cpu/debug_regs.cpp).
    MsrState msr;
    uint32_t nmi_pending;    // an NMI was requested and not yet delivered
    uint32_t nmi_blocked;    // an NMI handler runs: further NMIs wait for the next IRET
    uint32_t debug_pending;  // #DB causes of the current instruction (cpu/debug_regs.h)
    uint32_t pad2;
};

static_assert(std::is_standard_layout_v<CpuState>);
static_assert(std::is_trivially_copyable_v<CpuState>);
static_assert(offsetof(CpuState, gpr) == 0, "generated code addresses GPRs at offset 0");
static_assert(offsetof(CpuState, eip) == 128);
static_assert(offsetof(CpuState, eflags) == 136);
static_assert(offsetof(CpuState, lazy) == 144);
static_assert(sizeof(SegmentCache) == 12);
static_assert(offsetof(CpuState, fxsave_area) % 16 == 0, "FXSAVE needs 16-byte alignment");

// Segment attribute bits, as stored in SegmentCache::attributes.
enum : uint16_t {
    SEG_ATTR_ACCESSED = 1u << 0, SEG_ATTR_WRITABLE = 1u << 1, SEG_ATTR_EXPAND_DOWN = 1u << 2,
    SEG_ATTR_CODE = 1u << 3, SEG_ATTR_S = 1u << 4, SEG_ATTR_PRESENT = 1u << 7,
    SEG_ATTR_DB = 1u << 14, SEG_ATTR_G = 1u << 15,
    // Not descriptor bits: derived when a protected-mode load fills the cache (bits 8-11
    // are free in this packing), so that the memory fast path tests one bit. A null
    // selector sets both; real-mode and V86 loads clear them.
    SEG_ATTR_NO_READ = 1u << 8, SEG_ATTR_NO_WRITE = 1u << 9,
    SEG_ATTR_DERIVED = SEG_ATTR_NO_READ | SEG_ATTR_NO_WRITE,
};

// CR0 bits.
enum : uint64_t {
    CR0_PE = 1u << 0, CR0_MP = 1u << 1, CR0_EM = 1u << 2, CR0_TS = 1u << 3, CR0_ET = 1u << 4,
    CR0_NE = 1u << 5, CR0_WP = 1u << 16, CR0_AM = 1u << 18, CR0_NW = 1u << 29,
    CR0_CD = 1u << 30, CR0_PG = 1u << 31,
};

// CR4 bits of the SYSTEM part (debug extensions, TSC and performance-counter access).
enum : uint64_t { CR4_TSD = 1u << 2, CR4_DE = 1u << 3, CR4_PCE = 1u << 8, CR4_OSFXSR = 1u << 9 };

// The state after RESET (Intel SDM vol. 3, table 9-1).
void reset_cpu_state(CpuState& s);

}  // namespace vmm86
