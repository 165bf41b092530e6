// Interrupt and exception delivery. Real mode goes through the IVT; protected-mode gates
// arrive with CPU core II behind the same entry points.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace vmm86 {

enum class EventKind : uint8_t {
    Exception,     // a fault or trap raised by an instruction (may carry an error code)
    Software,      // INT n, INT3, INTO, BOUND's #BR is an Exception
    External,      // INTR from the PIC, NMI
};

// Delivers `vector`. `return_eip` is what the handler's IRET returns to: the faulting
// instruction for faults, the next instruction for traps and INT n. Returns false when
// delivery itself failed in a way that escalated to a triple fault (cpu.shutdown_reason
// is then ExitReason::Shutdown).
bool deliver_event(Cpu& cpu, uint8_t vector, uint64_t return_eip, EventKind kind,
                   bool has_error_code = false, uint32_t error_code = 0);

// Delivers the exception recorded in cpu.pending_exception, with EIP rewound to
// `faulting_eip`, and clears it. Handles #DF escalation.
bool deliver_pending_exception(Cpu& cpu, uint64_t faulting_eip);

}  // namespace vmm86
