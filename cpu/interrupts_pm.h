// Protected-mode and V86 event delivery through the IDT; deliver_event (interrupts.cpp)
// calls it whenever CR0.PE is set.
#pragma once
#include "cpu/interrupts.h"
#include "cpu/segmentation.h"

namespace vmm86 {

// Delivers `vector` through its IDT gate. On a fault, raises it (cpu.pending_exception)
// with the CPU state unchanged and returns false.
bool deliver_protected(Cpu& cpu, uint8_t vector, uint64_t return_eip, EventKind kind, bool has_error,
                       uint32_t error);

}  // namespace vmm86
