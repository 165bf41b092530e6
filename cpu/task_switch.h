// Hardware task switching (SDM vol. 3, 7.3): JMP/CALL to a TSS or task gate, INT or an
// exception through a task gate, and IRET with NT = 1.
#pragma once
#include <cstdint>

#include "cpu/segmentation.h"

namespace vmm86 {

enum class TaskSwitchReason : uint8_t { Jmp, Call, Iret, Interrupt };

// Switches to the task whose TSS descriptor `d` is selected by `sel` (in the GDT; the
// caller has done the gate and privilege checks). `return_eip` is the EIP saved in the
// old task. For an exception through a task gate, `has_error` pushes `error` on the new
// task's stack; `fault`: that exception is fault-class, so the old task's EFLAGS image
// gets RF. Faults before the commit point (the old TSS written) leave the old task
// untouched; faults after it are raised in the new task's context, as on hardware. A
// completed switch into a TSS with the T flag leaves a #DB (DR6.BT) pending for the
// run loop (cpu/debug_regs.h), raised before the new task's first instruction.
bool task_switch(Cpu& cpu, uint16_t sel, Descriptor d, TaskSwitchReason why, uint32_t return_eip,
                 bool has_error = false, uint32_t error = 0, uint32_t ext = 0, bool fault = false);

}  // namespace vmm86
