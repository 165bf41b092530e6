// Decodes guest code at CS:EIP into one IR block: instructions up to a branch, a page
// end, an instruction that changes mode, or the instruction limit. Fetching goes through
// the CPU's exec TLB path, so the physical pages read are known for invalidation.
#pragma once
#include <memory>

#include "cpu/cpu.h"
#include "decoder/decoder.h"
#include "jit/translated_block.h"

namespace vmm86 {

class BlockBuilder {
public:
    explicit BlockBuilder(const Decoder& decoder) : decoder_(decoder) {}

    // max_insns = 1 gives the single-instruction blocks used for tracing and exact
    // instruction budgets. Never fails: undecodable bytes become a #UD terminal, and a
    // fetch fault on the first instruction becomes a fault terminal.
    std::unique_ptr<TranslatedBlock> build(Cpu& cpu, const BlockKey& key, CpuMode mode, unsigned max_insns);

    static constexpr unsigned kMaxBlockInsns = 64;

private:
    const Decoder& decoder_;
};

// The mode the decoder and translator work in, from the CPU's state.
CpuMode current_mode(const CpuState& s);

}  // namespace vmm86
