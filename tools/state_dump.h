// Human-readable CPU state, for --dump-state and the instruction trace.
#pragma once
#include <string>

#include "cpu/cpu_state.h"

namespace vmm86 {

// Several lines: GPRs, EIP and EFLAGS (with flag letters), segments with their caches,
// control registers.
std::string format_cpu_state(const CpuState& s);

// " eax=00001234 ZF=1 …" listing only what differs between two states.
std::string format_state_changes(const CpuState& before, const CpuState& after);

}  // namespace vmm86
