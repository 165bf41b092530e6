#include "jit/code_cache.h"

namespace vmm86 {

CodeCache::CodeCache(PhysicalMemory& mem) : mem_(mem) {}

TranslatedBlock* CodeCache::find(const BlockKey& key) {
    auto it = blocks_.find(key);
    return it == blocks_.end() ? nullptr : it->second.get();
}

TranslatedBlock* CodeCache::insert(std::unique_ptr<TranslatedBlock> block) {
    TranslatedBlock* b = block.get();
    for (uint32_t page : b->phys_pages) {
        by_page_[page].push_back(b);
        mem_.mark_code_page(page);
    }
    auto [it, inserted] = blocks_.try_emplace(b->key, nullptr);
    if (!inserted) {
        // The same key translated again (a single-step retranslation): keep the newest.
        it->second->valid = false;
        forget_pages(it->second.get(), ~0u);
        graveyard_.push_back(std::move(it->second));
    }
    it->second = std::move(block);
    jump_cache_store(b);
    return b;
}

void CodeCache::forget_pages(TranslatedBlock* b, uint32_t except_page) {
    for (uint32_t page : b->phys_pages) {
        if (page == except_page) continue;
        auto list = by_page_.find(page);
        if (list != by_page_.end()) std::erase(list->second, b);
    }
}

void CodeCache::invalidate_page(uint32_t phys_page) {
    auto it = by_page_.find(phys_page);
    mem_.clear_code_page(phys_page);
    if (it == by_page_.end()) return;
    std::vector<TranslatedBlock*> victims = std::move(it->second);
    by_page_.erase(it);
    for (TranslatedBlock* b : victims) {
        if (!b->valid) continue;
        b->valid = false;
        ++invalidations_;
        auto node = blocks_.find(b->key);
        if (node != blocks_.end() && node->second.get() == b) {
            graveyard_.push_back(std::move(node->second));
            blocks_.erase(node);
        }
        // A block spanning two pages is also listed under its other page.
        forget_pages(b, phys_page);
    }
    clear_jump_cache();
}

void CodeCache::flush() {
    for (auto& [key, b] : blocks_) {
        b->valid = false;
        for (uint32_t page : b->phys_pages) mem_.clear_code_page(page);
    }
    blocks_.clear();
    by_page_.clear();
    graveyard_.clear();
    clear_jump_cache();
}

}  // namespace vmm86
