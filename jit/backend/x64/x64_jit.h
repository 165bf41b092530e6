// The x64 JIT: compiles each block's IR to host code with asmjit (x86::Assembler, our own
// register use) and runs it. Same interface and semantics as the IR interpreter, which it
// is checked against; see README.md.
#pragma once
#include <memory>

#include "jit/engine.h"

namespace vmm86 {

// True on hosts where the x64 JIT can run (an x86-64 build).
bool x64_jit_available();
// The JIT engine; throws std::runtime_error where it is not available.
std::unique_ptr<Engine> make_x64_jit(Cpu& cpu);

}  // namespace vmm86
