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

// Marks the key of a block that only raises a code-fetch #PF: lookups never ask for it,
// so it is never reused for code that later becomes fetchable at that address.
constexpr uint32_t kFetchFaultKeyFlag = 0x80000000u;

// A block whose last instruction straddles into a second page was built from that page's
// bytes under one mapping: true if the next linear page still maps to the same physical
// page. (The first page is in the block's key.)
bool block_pages_match(Cpu& cpu, const TranslatedBlock& b);

// A direct link from one block's terminal to the next skips the lookup, so it must stay
// right whatever the mapping becomes. Without paging it does (A20 and mode changes end
// blocks); with paging only a link within the same linear page, to a single-page block,
// does: both then translate through the same page-table entry.
inline bool may_link(const Cpu& cpu, const TranslatedBlock& from, const TranslatedBlock& to) {
    if (!(cpu.s.cr0 & CR0_PG)) return true;
    return (((from.key.cs_base + uint32_t(from.key.eip)) ^ (to.key.cs_base + uint32_t(to.key.eip))) >> 12) == 0 &&
           to.phys_pages.size() <= 1;
}

// The mode the decoder and translator work in, from the CPU's state.
CpuMode current_mode(const CpuState& s);

}  // namespace vmm86
