// Finding the translation for the CPU's current CS:EIP: the jump cache first, then the
// code cache, else decode and translate. Shared by every engine.
#pragma once
#include "cpu/cpu.h"
#include "decoder/decoder.h"
#include "jit/block_builder.h"
#include "jit/code_cache.h"

namespace vmm86 {

class Dispatch {
public:
    explicit Dispatch(Cpu& cpu);
    ~Dispatch();

    // single = true asks for a one-instruction block (exact budgets, tracing).
    TranslatedBlock* lookup(Cpu& cpu, bool single);
    void flush() { cache_.flush(); }
    void collect_garbage_if_needed() {
        if (cache_.over_budget()) {
            if (cache_.size() > 60000) cache_.flush();
            else cache_.collect_garbage();
        }
    }
    CodeCache& cache() { return cache_; }
    uint64_t translations() const { return translations_; }
    uint64_t invalidations() const { return cache_.invalidations(); }
    const Decoder& decoder() const { return decoder_; }

private:
    // Everything a translation may depend on besides its bytes and CS base: the decode
    // mode, the stack size, single-step blocks, the privilege level, V86 mode and paging
    // (links between blocks are trusted differently with it: see may_link).
    static uint32_t key_flags(const CpuState& s, CpuMode mode, bool single, unsigned cpl) {
        return uint32_t(mode) | ((s.seg[SS].attributes & SEG_ATTR_DB) ? 4u : 0u) | (single ? 8u : 0u) |
               (cpl << 4) | ((s.eflags & FLAG_VM) ? 64u : 0u) | ((s.cr0 & CR0_PG) ? 128u : 0u);
    }

    Cpu& cpu_;
    Decoder decoder_;
    BlockBuilder builder_{decoder_};
    CodeCache cache_;
    uint32_t seen_tlb_epoch_ = 0;
    uint64_t translations_ = 0;
};

}  // namespace vmm86
