// An execution engine runs guest code on a Cpu until something needs the run loop. The
// IR interpreter is the portable engine and the reference; the x64 JIT (x86-64 hosts)
// implements the same interface.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "cpu/cpu.h"

namespace vmm86 {

class Engine {
public:
    virtual ~Engine() = default;
    // Runs at most `max_insns` instructions (exactly that many, unless the CPU stops
    // earlier). Adds the instructions executed to `executed` and to cpu.s.tsc.
    virtual ExitReason run(Cpu& cpu, uint64_t max_insns, uint64_t& executed) = 0;
    // Forgets every translation (the guest's code or the memory map changed wholesale).
    virtual void flush() = 0;
    // A readable listing of the IR of the block at CS:EIP, for --dump-blocks.
    virtual std::string describe_block(Cpu& cpu) = 0;
    // Counters for --stats: blocks translated, invalidated, cache flushes.
    virtual std::string statistics() const = 0;
};

enum class EngineKind { Interp, Jit };

std::unique_ptr<Engine> make_interpreter(Cpu& cpu);
std::unique_ptr<Engine> make_engine(EngineKind kind, Cpu& cpu);
// The engine a machine gets unless told otherwise: VMM86_ACCEL=jit|interp in the
// environment (so a whole test suite can run on either), else the JIT where the host
// has one, else the interpreter.
EngineKind default_engine_kind();

}  // namespace vmm86
