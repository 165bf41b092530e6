// Translated blocks, looked up by what they depend on (BlockKey) and invalidated by the
// physical pages they were read from. A direct-mapped jump cache in front of the hash
// map serves the common lookup (indirect jumps, returns, dispatcher entry).
//
// Invalidated blocks are not freed at once: an engine may be executing one (a block that
// writes into itself). They move to a graveyard that is emptied by flush(), which the run
// loop calls only between blocks.
#pragma once
#include <array>
#include <memory>
#include <unordered_map>
#include <vector>

#include "cpu/cpu.h"
#include "jit/translated_block.h"

namespace vmm86 {

struct BlockKeyHash {
    size_t operator()(const BlockKey& k) const {
        return std::hash<uint64_t>()((uint64_t(k.phys_pc) << 20) ^ k.eip ^ (uint64_t(k.cs_base) << 7) ^ k.flags);
    }
};

class CodeCache {
public:
    explicit CodeCache(PhysicalMemory& mem);

    TranslatedBlock* find(const BlockKey& key);
    TranslatedBlock* insert(std::unique_ptr<TranslatedBlock> block);

    // Drops every block that was read from this physical page.
    void invalidate_page(uint32_t phys_page);
    void flush();
    size_t size() const { return blocks_.size(); }
    uint64_t invalidations() const { return invalidations_; }
    bool over_budget() const { return blocks_.size() > kMaxBlocks || !graveyard_.empty(); }
    void collect_garbage() { graveyard_.clear(); }

    // The jump cache, keyed by (cs_base, eip, flags) only: the physical address is
    // implied while the linear->physical mapping stays the same, so the run loop clears
    // it whenever the TLB is flushed.
    TranslatedBlock* jump_cache_lookup(uint32_t cs_base, uint64_t eip, uint32_t flags) {
        TranslatedBlock* b = jump_cache_[jc_index(cs_base, eip)];
        if (b && b->key.eip == eip && b->key.cs_base == cs_base && b->key.flags == flags) return b;
        return nullptr;
    }
    void jump_cache_store(TranslatedBlock* b) { jump_cache_[jc_index(b->key.cs_base, b->key.eip)] = b; }
    void clear_jump_cache() { jump_cache_.fill(nullptr); }

private:
    static constexpr size_t kMaxBlocks = 1 << 16;
    void forget_pages(TranslatedBlock* b, uint32_t except_page);
    static size_t jc_index(uint32_t cs_base, uint64_t eip) { return (eip ^ (cs_base >> 4) ^ (eip >> 12)) & 4095; }

    PhysicalMemory& mem_;
    std::unordered_map<BlockKey, std::unique_ptr<TranslatedBlock>, BlockKeyHash> blocks_;
    std::unordered_map<uint32_t, std::vector<TranslatedBlock*>> by_page_;
    std::vector<std::unique_ptr<TranslatedBlock>> graveyard_;
    std::array<TranslatedBlock*, 4096> jump_cache_{};
    uint64_t invalidations_ = 0;
};

}  // namespace vmm86
