// Debug registers and the debug/NMI events around instructions (Intel SDM vol. 3, ch. 17).
//
// How breakpoints reach the CPU without slowing normal code:
// - While any breakpoint is enabled in DR7 (or EFLAGS.RF is set), the run loop
//   (vm/machine.cpp) runs one instruction per engine call. Before each one,
//   debug_before_instruction() checks the instruction breakpoints (a fault: #DB before
//   the instruction, suppressed by RF); after each one, debug_after_instruction()
//   delivers the trap-class #DB (data and I/O breakpoints, TF single-step, task-switch
//   T flag) and clears RF.
// - Data breakpoints: the soft TLB never grants read/write tags for a page that holds an
//   enabled data breakpoint (debug_tlb_fill), so every access to it takes the slow path
//   in cpu/memory_access.cpp, which calls debug_check_data(). I/O breakpoints are checked
//   where port I/O happens (debug_check_io).
// Hits of the current instruction collect in CpuState::debug_pending until it completes;
// a hit also asks the engine to stop (exit_request), so a REP string instruction stops
// after the iteration that hit, as on hardware.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace vmm86 {

enum : uint32_t {
    DR6_B0 = 1u << 0, DR6_BMASK = 0xFu, DR6_BD = 1u << 13, DR6_BS = 1u << 14, DR6_BT = 1u << 15,
    DR7_GD = 1u << 13,
    // CpuState::debug_pending: the last instruction loaded RF from an IRET image (or a task
    // switch), so RF stays set for the next instruction instead of being cleared.
    kDebugRfLoaded = 1u << 31,
};

// DR7 fields of breakpoint n.
inline bool dr7_enabled(uint64_t dr7, unsigned n) { return (dr7 >> (2 * n)) & 3; }
inline unsigned dr7_rw(uint64_t dr7, unsigned n) { return (dr7 >> (16 + 4 * n)) & 3; }   // 0 exec, 1 write, 2 I/O, 3 r/w
inline unsigned dr7_len(uint64_t dr7, unsigned n) {
    static constexpr unsigned kLen[4] = {1, 2, 8, 4};  // LEN 10b: 8 bytes (undefined on a P6 before)
    return kLen[(dr7 >> (18 + 4 * n)) & 3];
}

// MOV from/to DRn (n = 0..7): CPL 0 (#GP(0)), general detect (#DB with DR6.BD, DR7.GD
// cleared), DR4/DR5 #UD with CR4.DE or aliases of DR6/DR7 without it. On a fault they
// raise and return false.
bool debug_mov_from_dr(Cpu& cpu, unsigned n, uint64_t& value);
bool debug_mov_to_dr(Cpu& cpu, unsigned n, uint64_t value);

// --- run-loop side --------------------------------------------------------------------
// Whether instructions must run one at a time for the debug checks.
bool debug_needs_single_step(const Cpu& cpu);
// Before an instruction: an instruction breakpoint matched (and RF was clear), so #DB has
// been delivered (DR6.Bn set) instead. Returns true if it did.
bool debug_before_instruction(Cpu& cpu);
// After one instruction ran. `completed`: it finished without raising or taking an
// event; `single_step`: TF was set before it. Delivers one #DB for everything pending.
void debug_after_instruction(Cpu& cpu, bool completed, bool single_step);

// --- memory and I/O side ----------------------------------------------------------------
// Cpu::tlb_fill calls this first while DR7 enables anything: it fills through the normal
// path and then withholds read/write tags from a page holding a data breakpoint. Returns
// true when it did the fill (with the fill's result in `ok`).
bool debug_tlb_fill(Cpu& cpu, uint32_t linear, Access kind, TlbEntry*& entry, bool& ok);
void debug_check_data(Cpu& cpu, uint32_t linear, unsigned size, bool write);
void debug_check_io(Cpu& cpu, uint32_t port, unsigned size);
// A task switch has loaded the new task (cpu/task_switch.cpp). `trap`: its TSS has the T
// flag, so #DB with DR6.BT follows before the new task's first instruction (SDM vol. 3,
// 17.3.1.5). An RF loaded from the TSS lasts for that first instruction, as after IRETD.
void debug_task_switched(Cpu& cpu, bool trap);
// The run loop's check before it runs instructions: a T-flag trap still pending (the
// switch was made by an interrupt or NMI through a task gate, outside any instruction) is
// delivered now. True if it was.
bool debug_take_task_trap(Cpu& cpu);

// --- IRET and NMI ---------------------------------------------------------------------------
// Every IRET calls this once it has loaded EFLAGS: it ends NMI blocking and makes an RF
// loaded from the image last for one instruction.
void on_iret(Cpu& cpu);
// The run loop's NMI entry: delivers a requested NMI (vector 2) unless one is being
// handled (blocked until the next IRET) or an interrupt shadow is active. True if delivered.
bool take_nmi(Cpu& cpu);

}  // namespace vmm86
