// Protected-mode segmentation: descriptor fetch, segment register loads with their
// checks and error codes, far transfers (JMP/CALL/RET/IRET, call gates, privilege
// changes) and the I/O permission checks. Everything here follows one rule: every check
// and every access that can fault happens before any guest register changes, so a
// raise() leaves the CPU as it was before the instruction (memory written by a stack
// push may remain, as on hardware).
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace vmm86 {

// System descriptor types (S = 0).
enum : unsigned {
    SYS_TSS16_AVAIL = 1, SYS_LDT = 2, SYS_TSS16_BUSY = 3, SYS_CALL16 = 4, SYS_TASK_GATE = 5,
    SYS_INT16 = 6, SYS_TRAP16 = 7, SYS_TSS32_AVAIL = 9, SYS_TSS32_BUSY = 11, SYS_CALL32 = 12,
    SYS_INT32 = 14, SYS_TRAP32 = 15,
};

// An 8-byte descriptor as it sits in the GDT, LDT or IDT.
struct Descriptor {
    uint32_t lo = 0, hi = 0;

    uint32_t base() const { return (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u); }
    uint32_t limit() const {
        uint32_t raw = (lo & 0xFFFF) | (hi & 0xF0000);
        return (hi & (1u << 23)) ? (raw << 12) | 0xFFF : raw;
    }
    uint16_t attributes() const { return uint16_t((hi >> 8) & 0xF0FF); }
    unsigned type() const { return (hi >> 8) & 0xF; }
    bool system() const { return !(hi & (1u << 12)); }
    unsigned dpl() const { return (hi >> 13) & 3; }
    bool present() const { return hi & (1u << 15); }
    bool code() const { return !system() && (hi & (1u << 11)); }
    bool data() const { return !system() && !(hi & (1u << 11)); }
    bool conforming() const { return code() && (hi & (1u << 10)); }
    bool readable() const { return code() && (hi & (1u << 9)); }   // code segments
    bool writable() const { return data() && (hi & (1u << 9)); }   // data segments
    bool big() const { return hi & (1u << 22); }
    // Gates.
    uint16_t gate_selector() const { return uint16_t(lo >> 16); }
    uint32_t gate_offset() const { return (lo & 0xFFFF) | (hi & 0xFFFF0000u); }
    unsigned gate_params() const { return hi & 0x1F; }
};

// Error code of a selector: its index and TI, with EXT (bit 0) for events external to
// the program. Bit 1 (IDT) is set by the interrupt paths themselves.
inline uint32_t selector_error(uint16_t sel, uint32_t ext) { return (sel & 0xFFFCu) | (ext & 1); }

// Reads the descriptor `sel` selects in the GDT or LDT. A selector past the table's limit
// (or into an LDT when LDTR is null) raises `vector` with selector_error(sel, ext).
bool read_descriptor(Cpu& cpu, uint16_t sel, Descriptor& d, uint8_t vector = EXC_GP, uint32_t ext = 0);
// Linear address of the descriptor (after read_descriptor succeeded).
uint32_t descriptor_address(const Cpu& cpu, uint16_t sel);
// Sets the accessed bit in the descriptor in memory (and in `d`) if it is clear.
bool mark_accessed(Cpu& cpu, uint16_t sel, Descriptor& d);
// The hidden cache for a loaded descriptor, with NO_READ/NO_WRITE derived from its type.
SegmentCache make_cache(uint16_t sel, const Descriptor& d);
// The cache of a null selector in DS/ES/FS/GS: any access through it is #GP(0).
SegmentCache null_cache(uint16_t sel);
// A real-mode style segment (V86): base sel << 4, limit FFFFh, DPL 3 read/write data.
SegmentCache v86_cache(uint16_t sel);

// Checks loading `sel` into data segment register `seg` (DS/ES/FS/GS or SS) at privilege
// `cpl`, as MOV/POP/LxS do (gp = EXC_GP) or a task switch does (gp = EXC_TS). On success
// fills `out` (not yet committed) and sets the descriptor's accessed bit.
bool check_data_segment(Cpu& cpu, unsigned seg, uint16_t sel, unsigned cpl, SegmentCache& out,
                        uint8_t gp = EXC_GP, uint32_t ext = 0);
// After a return to an outer level: DS/ES/FS/GS whose DPL is below the new CPL (data or
// non-conforming code) become null, so the outer level cannot use the inner segments.
void nullify_inner_segments(Cpu& cpu, unsigned new_cpl);

// The inner stack for privilege level `dpl` from the current TSS (SS:ESP at 4+8*dpl in
// a 32-bit TSS, SS:SP at 2+4*dpl in a 16-bit one), checked as a stack for that level:
// #TS(TR) when the TSS is too short, #TS(SS) for a bad SS, #SS(SS) when not present.
bool inner_stack(Cpu& cpu, unsigned dpl, SegmentCache& ss, uint32_t& esp, uint32_t ext);
// The cache of a code segment loaded into CS at privilege `cpl` (the RPL becomes CPL).
inline SegmentCache code_cache(uint16_t sel, unsigned cpl, const Descriptor& d) {
    return make_cache(uint16_t((sel & 0xFFFC) | cpl), d);
}

// --- helpers called from generated code (Translator::call signature) ----------------------
// MOV/POP Sreg, LDS..LSS in protected mode: a = segment register, b = selector.
uint64_t helper_load_segment(Cpu& cpu, uint64_t seg, uint64_t sel, uint64_t);
// Far JMP/CALL in protected mode: a = selector, b = offset, c = next EIP | operand bytes << 32.
uint64_t helper_far_jmp(Cpu& cpu, uint64_t sel, uint64_t offset, uint64_t packed);
uint64_t helper_far_call(Cpu& cpu, uint64_t sel, uint64_t offset, uint64_t packed);
// Far RET [imm16] in protected mode: a = operand bytes, b = imm16.
uint64_t helper_far_ret(Cpu& cpu, uint64_t op_bytes, uint64_t imm, uint64_t);
// IRET/IRETD in any mode (real, V86, protected, task return): a = operand bytes.
uint64_t helper_iret(Cpu& cpu, uint64_t op_bytes, uint64_t, uint64_t);

// Privilege checks. Each raises #GP(0) and returns 0 when the check fails.
// CPL 0 only (HLT, LGDT, MOV CRn, ...). Real mode passes.
uint64_t helper_require_cpl0(Cpu& cpu, uint64_t, uint64_t, uint64_t);
// CPL <= IOPL (CLI, STI in protected mode; in V86 this means IOPL = 3).
uint64_t helper_require_iopl(Cpu& cpu, uint64_t, uint64_t, uint64_t);
// Instructions that exist only in protected mode (LAR, LSL, LLDT, ...): #UD otherwise.
uint64_t helper_require_protected(Cpu& cpu, uint64_t, uint64_t, uint64_t);
// Port access of `size` bytes at `port`: IOPL, then the TSS I/O permission bitmap.
bool io_permitted(Cpu& cpu, uint16_t port, unsigned size);

// RAII: the CPU's own accesses (descriptor tables, TSS, inner stacks) are supervisor ones.
struct SupervisorAccess {
    Cpu& cpu;
    bool saved;
    explicit SupervisorAccess(Cpu& c) : cpu(c), saved(c.implicit_supervisor) { c.implicit_supervisor = true; }
    ~SupervisorAccess() { cpu.implicit_supervisor = saved; }
};

// Stack writes through a staged (not yet loaded) SS, checked against its limit; used by
// far calls, interrupt delivery and task switches before anything is committed.
struct StagedStack {
    Cpu& cpu;
    SegmentCache ss;
    uint32_t sp;
    uint32_t fault_error;  // #SS error code: 0, or the new SS selector on a stack switch

    uint32_t mask() const { return (ss.attributes & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu; }
    bool push(unsigned size, uint32_t value);
    // Offsets of the next pushes must stay within the limit: checked per push.
};

// Stack reads through the current SS at ESP + offset (far RET and IRET pops).
bool stack_read(Cpu& cpu, uint32_t offset_from_sp, unsigned size, uint32_t& value);

}  // namespace vmm86
