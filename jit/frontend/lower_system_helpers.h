// C++ helpers behind the system instructions (lower_system.cpp): the rare or faulting
// parts, which need the whole CPU (interrupt delivery, the stack, CPUID, the TSC).
// Each has the CallHelper signature; those that raise leave guest registers untouched.
#pragma once
#include "cpu/cpu.h"

namespace vmm86 {

// INT n, INT3 (a = vector, b = next EIP, c = EventKind). Sets CS:EIP to the handler.
uint64_t helper_interrupt(Cpu& cpu, uint64_t vector, uint64_t next_eip, uint64_t kind);
// INTO: INT 4 when OF = 1, else continues at b = next EIP.
uint64_t helper_into(Cpu& cpu, uint64_t, uint64_t next_eip, uint64_t);
// Real-mode IRET/IRETD (a = operand size in bytes).
uint64_t helper_iret_real(Cpu& cpu, uint64_t op_bytes, uint64_t, uint64_t);
// BOUND: #BR unless lower <= index <= upper (all three sign-extended to 64 bits).
uint64_t helper_bound(Cpu& cpu, uint64_t index, uint64_t lower, uint64_t upper);
// STI: IF = 1, and interrupts stay blocked for one more instruction if IF was 0.
uint64_t helper_sti(Cpu& cpu, uint64_t, uint64_t, uint64_t);
// CPUID (a = EAX, b = ECX): returns EAX | EBX << 32, and ECX | EDX << 32.
uint64_t helper_cpuid_ab(Cpu& cpu, uint64_t leaf, uint64_t subleaf, uint64_t);
uint64_t helper_cpuid_cd(Cpu& cpu, uint64_t leaf, uint64_t subleaf, uint64_t);
// POPF/POPFD (a = popped value, b = operand bytes): the bits the mode, CPL and IOPL
// allow; #GP(0) in V86 mode with IOPL < 3.
uint64_t helper_popf(Cpu& cpu, uint64_t value, uint64_t op_bytes, uint64_t);
// PUSHF in V86 mode with IOPL < 3: #GP(0).
uint64_t helper_pushf_check(Cpu& cpu, uint64_t, uint64_t, uint64_t);
// IRET in any mode: real mode here, protected/V86/task return in cpu/segmentation_far.cpp.
uint64_t helper_iret_any(Cpu& cpu, uint64_t op_bytes, uint64_t, uint64_t);
// Flag for helper_interrupt's kind: INT n, which V86 mode with IOPL < 3 refuses (#GP(0)).
constexpr uint64_t kIoplSensitiveInt = 0x100;
// RDTSC: the time-stamp counter.
uint64_t helper_rdtsc(Cpu& cpu, uint64_t, uint64_t, uint64_t);

}  // namespace vmm86
