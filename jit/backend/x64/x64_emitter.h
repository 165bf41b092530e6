// Compiles one block's IR to x86-64 host code (see README.md for the conventions).
#pragma once
#include <asmjit/x86.h>

#include "cpu/cpu.h"
#include "jit/translated_block.h"

namespace vmm86::x64 {

// What a compiled block returns: the exit kind in bits 0-7, the index of the guest
// instruction it concerns (faults, stops) in bits 8-31.
enum ExitKind : uint8_t {
    kExitLinkTaken,     // Jump, or Branch taken: EIP stored; follow link slot 0
    kExitLinkNotTaken,  // Branch not taken: link slot 1
    kExitIndirect,      // EIP stored (JumpIndirect) or set by a helper (ExitBlock)
    kExitHalt,          // HLT: EIP and halted stored
    kExitFault,         // Cpu::pending_exception set by the instruction
    kExitShutdown,      // a helper escalated to shutdown
    kExitUnimplemented, // the instruction has no lowering
    kExitSmcStop,       // the block wrote into its own code: stop before the instruction
};

constexpr uint64_t exit_code(ExitKind kind, unsigned insn) { return uint64_t(kind) | (uint64_t(insn) << 8); }

// Shared by the engine loop and the generated code, which chains from block to block
// on its own while the budget allows (see README.md): instructions retired so far in this
// run, the run's budget, and the block that returned last.
struct JitContext {
    uint64_t executed = 0;
    uint64_t budget = 0;
    TranslatedBlock* current = nullptr;
};

// Emits the host code of `tb` into `code` (initialised for the host): a function
// `uint64_t (Cpu*, CpuState*)` returning an exit_code().
void emit_block(asmjit::CodeHolder& code, Cpu& cpu, TranslatedBlock& tb, JitContext& context);

}  // namespace vmm86::x64
