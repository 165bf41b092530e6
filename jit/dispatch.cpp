#include "jit/dispatch.h"

namespace vmm86 {

Dispatch::Dispatch(Cpu& cpu) : cpu_(cpu), cache_(*cpu.mem) {
    cpu.mem->on_code_write = [this](uint32_t page) { cache_.invalidate_page(page); };
    cpu.mem->on_code_page_marked = [this](uint32_t page) { cpu_.tlb.drop_write_access(page); };
}

Dispatch::~Dispatch() {
    cpu_.mem->on_code_write = nullptr;
    cpu_.mem->on_code_page_marked = nullptr;
}

TranslatedBlock* Dispatch::lookup(Cpu& cpu, bool single) {
    const CpuState& s = cpu.s;
    const CpuMode mode = current_mode(s);
    const uint32_t flags = key_flags(s, mode, single, cpu.cpl());
    const uint32_t cs_base = s.seg[CS].base;
    if (cpu.tlb_epoch != seen_tlb_epoch_) {
        cache_.clear_jump_cache();
        seen_tlb_epoch_ = cpu.tlb_epoch;
    }
    if (TranslatedBlock* b = cache_.jump_cache_lookup(cs_base, s.eip, flags)) return b;

    TlbEntry* e;
    const uint32_t linear = cs_base + uint32_t(s.eip);
    uint32_t phys = 0;
    BlockKey key{phys, cs_base, s.eip, flags};
    const uint64_t cr2 = s.cr2;
    if (cpu.tlb_fill(linear, Access::Exec, e)) {
        key.phys_pc = e->phys_page | (linear & 0xFFF);
    } else {
        // The builder turns the fetch fault into a terminal that faults when it runs.
        cpu.pending_exception = -1;
        cpu.s.cr2 = cr2;
        key.flags |= kFetchFaultKeyFlag;
    }
    if (TranslatedBlock* b = cache_.find(key); b && block_pages_match(cpu, *b)) {
        cache_.jump_cache_store(b);
        return b;
    }
    ++translations_;
    return cache_.insert(builder_.build(cpu, key, mode, single ? 1 : BlockBuilder::kMaxBlockInsns));
}

}  // namespace vmm86
