// What every engine over translated blocks shares: the dispatcher, the outer run loop
// (look up the block at CS:EIP, let the engine run from it, repeat until the budget is
// used or the run loop is needed), and the translation counters. An engine supplies
// run_from(): run blocks from `tb` on, following links, adding what retired to `done`.
#pragma once
#include <string>

#include "jit/block_builder.h"
#include "jit/dispatch.h"
#include "jit/engine.h"

namespace vmm86 {

class BlockEngine : public Engine {
public:
    explicit BlockEngine(Cpu& cpu) : dispatch_(cpu) {}

    ExitReason run(Cpu& cpu, uint64_t max_insns, uint64_t& executed) override {
        uint64_t done = 0;
        ExitReason why = ExitReason::Budget;
        while (done < max_insns) {
            dispatch_.collect_garbage_if_needed();
            TranslatedBlock* tb = dispatch_.lookup(cpu, max_insns - done < BlockBuilder::kMaxBlockInsns);
            why = run_from(cpu, tb, max_insns - done, done);
            if (why != ExitReason::Budget) break;
        }
        executed += done;
        return why;
    }

    void flush() override { dispatch_.flush(); }
    std::string describe_block(Cpu& cpu) override { return dispatch_.lookup(cpu, false)->ir.dump(); }
    std::string statistics() const override {
        return "blocks_translated=" + std::to_string(dispatch_.translations()) +
               " blocks_invalidated=" + std::to_string(dispatch_.invalidations()) + more_statistics();
    }

protected:
    virtual ExitReason run_from(Cpu& cpu, TranslatedBlock* tb, uint64_t budget, uint64_t& done) = 0;
    // Engine-specific counters for --stats, each as " name=value".
    virtual std::string more_statistics() const { return {}; }

    Dispatch dispatch_;
};

}  // namespace vmm86
