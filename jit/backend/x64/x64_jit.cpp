// The x64 JIT engine: blocks come from the same Dispatch as the interpreter's; each is
// compiled to host code the first time it runs. The host code returns to this loop at
// every block end, which follows (and caches) direct links, counts retired instructions
// and delivers faults exactly as the interpreter does.
#include "jit/backend/x64/x64_jit.h"

#include <stdexcept>
#include <string>

#include "cpu/interrupts.h"
#include "jit/backend/x64/x64_emitter.h"
#include "jit/block_engine.h"

namespace vmm86 {

#if defined(__x86_64__)

namespace {

using namespace x64;

class X64Jit final : public BlockEngine {
public:
    explicit X64Jit(Cpu& cpu) : BlockEngine(cpu) {}
    // The blocks own generated code that the runtime must release: they go first.
    ~X64Jit() override {
        dispatch_.flush();
        dispatch_.cache().collect_garbage();
    }

private:
    void compile(Cpu& cpu, TranslatedBlock& tb) {
        asmjit::CodeHolder code;
        code.init(runtime_.environment());
        x64::emit_block(code, cpu, tb, ctx_);
        TranslatedBlock::NativeFn fn = nullptr;
        if (asmjit::Error err = runtime_.add(&fn, &code))
            throw std::runtime_error(std::string("x64 JIT: cannot place generated code: ") +
                                     asmjit::DebugUtils::errorAsString(err));
        tb.native = fn;
        asmjit::JitRuntime* rt = &runtime_;
        tb.native_code = std::shared_ptr<void>(reinterpret_cast<void*>(fn), [rt](void* p) { rt->release(p); });
        ++compiled_;
    }

    std::string more_statistics() const override { return " blocks_compiled=" + std::to_string(compiled_); }

    // Runs blocks from tb on, following links, until the run loop is needed or the budget
    // is used; adds the instructions retired to done.
    ExitReason run_from(Cpu& cpu, TranslatedBlock* tb, uint64_t budget, uint64_t& done) override {
        CpuState& s = cpu.s;
        // Generated code retires the blocks it chains to into ctx_.executed itself.
        ctx_.executed = 0;
        ctx_.budget = budget;
        uint64_t& executed = ctx_.executed;
        auto retire = [&](uint64_t n) {
            executed += n;
            s.tsc += n;
        };
        ExitReason why = ExitReason::Budget;
        for (;;) {
            if (tb->insn_count > budget - executed) break;  // the run loop asks for smaller blocks
            if (!tb->native) compile(cpu, *tb);
            const uint64_t code = tb->native(&cpu, &s);
            tb = ctx_.current;  // the block that returned (it may have chained on)
            const unsigned insn = unsigned(code >> 8);
            switch (ExitKind(code & 0xFF)) {
            case kExitLinkTaken:
            case kExitLinkNotTaken: {
                retire(tb->insn_count);
                if (cpu.exit_request != 0) { why = ExitReason::Request; goto leave; }
                s.interrupt_shadow = 0;
                const int slot = (code & 0xFF) == kExitLinkTaken ? 0 : 1;
                TranslatedBlock* next = tb->native_link[slot];
                if (!next || !next->valid) {
                    next = dispatch_.lookup(cpu, false);
                    if (may_link(cpu, *tb, *next)) tb->native_link[slot] = next;
                }
                tb = next;
                continue;
            }
            case kExitSmcStop:
                s.eip = tb->ir.guest[insn].eip;
                retire(insn);
                goto indirect;
            case kExitIndirect:
                retire(tb->insn_count);
            indirect:
                if (cpu.exit_request != 0) { why = ExitReason::Request; goto leave; }
                s.interrupt_shadow = 0;
                tb = dispatch_.lookup(cpu, false);
                continue;
            case kExitHalt:
                retire(tb->insn_count);
                why = ExitReason::Halted;
                goto leave;
            case kExitFault:
                // The faulting instruction has not happened: deliver at it. The delivery
                // counts as one step of the budget, as in the interpreter.
                retire(insn + 1);
                if (!deliver_pending_exception(cpu, tb->ir.guest[insn].eip)) {
                    why = ExitReason::Shutdown;
                    goto leave;
                }
                if (executed >= budget) goto leave;
                tb = dispatch_.lookup(cpu, budget - executed < BlockBuilder::kMaxBlockInsns);
                continue;
            case kExitShutdown:
                retire(insn);
                why = ExitReason::Shutdown;
                goto leave;
            case kExitUnimplemented:
                s.eip = tb->ir.guest[insn].eip;
                cpu.unimplemented_eip = s.eip;
                retire(insn);
                why = ExitReason::Unimplemented;
                goto leave;
            }
        }
    leave:
        done += executed;
        return why;
    }

    asmjit::JitRuntime runtime_;
    x64::JitContext ctx_;
    uint64_t compiled_ = 0;
};

}  // namespace

bool x64_jit_available() { return true; }
std::unique_ptr<Engine> make_x64_jit(Cpu& cpu) { return std::make_unique<X64Jit>(cpu); }

#else

bool x64_jit_available() { return false; }
std::unique_ptr<Engine> make_x64_jit(Cpu&) { throw std::runtime_error("the x64 JIT needs an x86-64 host"); }

#endif

}  // namespace vmm86
