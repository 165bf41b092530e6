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
// task's stack. Faults before the commit point (the old TSS written) leave the old task
// untouched; faults after it are raised in the new task's context, as on hardware.
bool task_switch(Cpu& cpu, uint16_t sel, Descriptor d, TaskSwitchReason why, uint32_t return_eip,
                 bool has_error = false, uint32_t error = 0, uint32_t ext = 0);

}  // namespace vmm86
