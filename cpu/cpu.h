// One virtual CPU: its architectural state, its soft TLB, and the narrow interface it
// has to the rest of the machine (physical memory and the port-I/O bus). Engines (the IR
// interpreter, later the x64 JIT) run guest code against this struct.
#pragma once
#include <cstdint>

#include "cpu/cpu_state.h"
#include "devices/clock.h"
#include "devices/io_bus.h"
#include "memory/physical_memory.h"
#include "memory/soft_tlb.h"

namespace vmm86 {

enum class Access : uint8_t { Read, Write, Exec };

// Exception vectors.
enum : uint8_t {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14,
    EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
};

// What the CPU does with the flags the SDM leaves undefined, where CPU generations are
// known to differ. Intel: as current Intel CPUs (the host checks in tests/unit). I386: as
// the 80386, which sets OF after a rotate by more than one bit by the rule for one bit
// (from the result: ROL/RCL MSB XOR CF, ROR/RCR the top two bits XORed), where current
// Intel CPUs keep OF (ROL/ROR by imm8) or take it from the first 1-bit step.
enum class UndefinedFlags : uint8_t { Intel, I386 };

// Why an engine returned to the run loop.
enum class ExitReason : uint8_t {
    None,
    Budget,         // ran the instructions it was given
    Halted,         // HLT
    Exception,      // a fault was raised and has been delivered (or escalated)
    Request,        // exit_request was set (interrupt line, device, host signal)
    Shutdown,       // triple fault
    Unimplemented,  // an instruction the engine cannot execute (reported, not guessed)
};

struct Cpu {
    CpuState s;
    SoftTlb tlb;

    PhysicalMemory* mem = nullptr;
    IoBus* io = nullptr;

    // Set by a helper or a memory access that faults; consumed by the engine, which then
    // rewinds EIP to the faulting instruction and delivers it.
    int32_t pending_exception = -1;
    uint32_t pending_error_code = 0;
    bool pending_has_error = false;

    // The machine's time source. The TSC is derived from it, so that it advances with the
    // PIT, the RTC and the PM timer (and while the CPU is halted) and a kernel calibrating
    // one against another gets consistent numbers. Without one, the TSC counts retired
    // instructions.
    const Clock* clock = nullptr;
    static constexpr uint64_t kNsPerTscTick = 10;  // a 100 MHz TSC
    uint64_t tsc_base() const { return clock ? clock->now_ns() / kNsPerTscTick : s.tsc; }

    // Anything outside the CPU that wants it back at an instruction boundary sets this
    // (an interrupt line rising, a device, a signal handler). Engines poll it at block ends.
    volatile uint32_t exit_request = 0;
    // Set by the slow store path when a write hit a page holding translated code.
    uint32_t code_modified = 0;
    // Counts interrupts and exceptions delivered: the run loop's single-step logic uses it
    // to tell an instruction that completed from one that raised or took an event.
    uint64_t events_delivered = 0;
    // An instruction the engine could not run; the run loop reports it.
    uint64_t unimplemented_eip = 0;
    ExitReason shutdown_reason = ExitReason::None;
    // The x87's FERR# output (unmasked exceptions with CR0.NE = 0): the board routes it
    // to IRQ13. Null when nothing is connected.
    void (*ferr_changed)(void* ctx, bool asserted) = nullptr;
    void* ferr_ctx = nullptr;
    // Fixed for a run (translated blocks depend on it): set before the first instruction.
    UndefinedFlags undefined_flags = UndefinedFlags::Intel;

    // --- memory access (cpu/memory_access.cpp) -------------------------------------------
    // Segmented access: checks the segment limit and type, then translates. On a fault,
    // records it in pending_exception and returns false.
    bool read_seg(unsigned seg, uint32_t offset, unsigned size, uint64_t& value);
    bool write_seg(unsigned seg, uint32_t offset, unsigned size, uint64_t value);
    // Linear access (descriptor tables, IVT, page tables): no segment checks.
    bool read_linear(uint32_t linear, unsigned size, uint64_t& value, Access kind = Access::Read);
    bool write_linear(uint32_t linear, unsigned size, uint64_t value);
    // Fills the TLB for `linear`; false (with pending_exception set) on a page fault.
    bool tlb_fill(uint32_t linear, Access kind, TlbEntry*& entry);
    // With CR0.PG: walks the page tables (memory/page_walker.h); a fault sets CR2 and
    // raises #PF with its error code.
    bool tlb_fill_paged(uint32_t linear, Access kind, unsigned mode, TlbEntry*& entry);

    void raise(uint8_t vector) { pending_exception = vector; pending_has_error = false; }
    void raise(uint8_t vector, uint32_t error_code) {
        pending_exception = vector;
        pending_error_code = error_code;
        pending_has_error = true;
    }
    // An NMI from the board or the monitor: taken at the next instruction boundary
    // (cpu/debug_regs.h take_nmi), held back while an NMI handler runs (until IRET).
    void raise_nmi() {
        s.nmi_pending = 1;
        exit_request = 1;
    }
    bool real_mode() const { return !(s.cr0 & CR0_PE); }
    bool v86_mode() const { return (s.cr0 & CR0_PE) && (s.eflags & FLAG_VM); }
    // The current privilege level: 0 in real mode, 3 in virtual-8086 mode, otherwise the
    // RPL of CS (which a CS load makes equal to the privilege the code runs at).
    unsigned cpl() const { return real_mode() ? 0 : v86_mode() ? 3 : (s.seg[CS].selector & 3); }
    // Which half of the soft TLB serves accesses now: 1 for CPL 3 (user), else 0.
    unsigned tlb_mode() const { return cpl() == 3 && !implicit_supervisor ? 1 : 0; }
    // Set while the CPU makes supervisor accesses on its own at CPL 3 (descriptor tables,
    // the TSS, the inner stack of a privilege change): they use the supervisor half.
    bool implicit_supervisor = false;

    void set_a20(bool enabled);
    void flush_tlb() {
        tlb.flush();
        ++tlb_epoch;
    }
    // MOV CR3: global pages (G with CR4.PGE) stay.
    void flush_tlb_non_global() {
        tlb.flush_non_global();
        ++tlb_epoch;
    }
    // Bumped on every TLB flush: caches keyed by linear address (the jump cache) watch it.
    uint32_t tlb_epoch = 0;
};

// Inline fast paths used by the interpreter for the common case.
inline bool fast_read(Cpu& cpu, uint32_t linear, unsigned size, uint64_t& value) {
    const TlbEntry& e = cpu.tlb.entries[cpu.tlb_mode()][SoftTlb::index(linear)];
    if (e.tag_read == (linear & ~0xFFFu) && (linear & 0xFFF) <= 0x1000 - size) {
        const uint8_t* p = reinterpret_cast<const uint8_t*>(linear + e.addend);
        switch (size) {
        case 1: value = *p; return true;
        case 2: value = *reinterpret_cast<const uint16_t*>(p); return true;
        case 4: value = *reinterpret_cast<const uint32_t*>(p); return true;
        default: value = *reinterpret_cast<const uint64_t*>(p); return true;
        }
    }
    return cpu.read_linear(linear, size, value);
}

inline bool fast_write(Cpu& cpu, uint32_t linear, unsigned size, uint64_t value) {
    const TlbEntry& e = cpu.tlb.entries[cpu.tlb_mode()][SoftTlb::index(linear)];
    if (e.tag_write == (linear & ~0xFFFu) && (linear & 0xFFF) <= 0x1000 - size) {
        uint8_t* p = reinterpret_cast<uint8_t*>(linear + e.addend);
        switch (size) {
        case 1: *p = uint8_t(value); return true;
        case 2: *reinterpret_cast<uint16_t*>(p) = uint16_t(value); return true;
        case 4: *reinterpret_cast<uint32_t*>(p) = uint32_t(value); return true;
        default: *reinterpret_cast<uint64_t*>(p) = value; return true;
        }
    }
    return cpu.write_linear(linear, size, value);
}

// Segment limit check for an access of `size` bytes at `offset`. Real mode uses the
// cached limit too (normally FFFFh): a word at offset FFFFh faults on 286 and later CPUs.
inline bool segment_ok(const SegmentCache& sc, uint32_t offset, unsigned size) {
    if (sc.attributes & SEG_ATTR_EXPAND_DOWN && !(sc.attributes & SEG_ATTR_CODE)) {
        uint32_t upper = (sc.attributes & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
        return offset > sc.limit && uint64_t(offset) + size - 1 <= upper;
    }
    return uint64_t(offset) + size - 1 <= sc.limit;
}

inline bool read_seg_fast(Cpu& cpu, unsigned seg, uint32_t offset, unsigned size, uint64_t& value) {
    const SegmentCache& sc = cpu.s.seg[seg];
    if (!segment_ok(sc, offset, size) || (sc.attributes & SEG_ATTR_NO_READ))
        return cpu.read_seg(seg, offset, size, value);
    return fast_read(cpu, sc.base + offset, size, value);
}

inline bool write_seg_fast(Cpu& cpu, unsigned seg, uint32_t offset, unsigned size, uint64_t value) {
    const SegmentCache& sc = cpu.s.seg[seg];
    if (!segment_ok(sc, offset, size) || (sc.attributes & SEG_ATTR_NO_WRITE))
        return cpu.write_seg(seg, offset, size, value);
    return fast_write(cpu, sc.base + offset, size, value);
}

}  // namespace vmm86
