#include "jit/block_builder.h"

#include <algorithm>
#include <cstring>

#include "jit/frontend/lower_segment.h"
#include "jit/frontend/translator.h"
#include "jit/ir/opt/passes.h"

namespace vmm86 {

CpuMode current_mode(const CpuState& s) {
    if (!(s.cr0 & CR0_PE) || (s.eflags & FLAG_VM)) return CpuMode::Real16;
    return (s.seg[CS].attributes & SEG_ATTR_DB) ? CpuMode::Protected32 : CpuMode::Protected16;
}

namespace {

// Translates a code address for fetching without raising anything: the builder fetches
// ahead of execution, and a fetch fault belongs to the instruction only if it really
// needs those bytes. CR2 is kept, since the walk sets it on a fault.
TlbEntry* probe_exec(Cpu& cpu, uint32_t linear) {
    const uint64_t cr2 = cpu.s.cr2;
    TlbEntry* e;
    if (cpu.tlb_fill(linear, Access::Exec, e)) return e;
    cpu.s.cr2 = cr2;
    cpu.pending_exception = -1;
    return nullptr;
}

// Copies up to `want` code bytes starting at linear address `linear`, without crossing
// into the next page: the caller asks for that page only when the instruction needs it,
// so that a fetch never touches (sets A bits in, or depends on the mapping of) a page
// the block does not use. Records the physical page; returns 0 when it cannot translate.
size_t fetch(Cpu& cpu, uint32_t linear, uint8_t* out, size_t want, std::vector<uint32_t>& pages) {
    TlbEntry* e = probe_exec(cpu, linear);
    if (!e) return 0;
    size_t n = std::min<size_t>(want, 0x1000 - (linear & 0xFFF));
    if (e->flags & kTlbHighPhys) std::memset(out, 0xFF, n);  // PAE above 4 GiB: nothing there
    else cpu.mem->read_bytes(e->phys_page | (linear & 0xFFF), out, n);
    if (std::find(pages.begin(), pages.end(), e->phys_page) == pages.end()) pages.push_back(e->phys_page);
    return n;
}

// The #PF of a code fetch, raised when the instruction runs: the walk is done again then,
// so CR2 and the error code are those of the fault as it happens. If the page has become
// fetchable meanwhile, nothing is raised and the block ends (the caller jumps back to the
// same EIP, which translates afresh).
uint64_t helper_fetch_fault(Cpu& cpu, uint64_t linear, uint64_t, uint64_t) {
    TlbEntry* e;
    cpu.tlb_fill(uint32_t(linear), Access::Exec, e);
    return 0;
}

}  // namespace

bool block_pages_match(Cpu& cpu, const TranslatedBlock& b) {
    if (b.phys_pages.size() < 2) return true;
    // Blocks stay within one page but for one instruction straddling into the next.
    const uint32_t next = ((b.key.cs_base + uint32_t(b.key.eip)) & ~0xFFFu) + 0x1000;
    TlbEntry* e = probe_exec(cpu, next);
    return e && e->phys_page == b.phys_pages[1];
}

std::unique_ptr<TranslatedBlock> BlockBuilder::build(Cpu& cpu, const BlockKey& key, CpuMode mode, unsigned max_insns) {
    auto tb = std::make_unique<TranslatedBlock>();
    tb->key = key;
    ir::Block& block = tb->ir;
    block.start_eip = key.eip;
    const bool stack32 = cpu.s.seg[SS].attributes & SEG_ATTR_DB;
    Translator t(block, mode, stack32);
    t.set_undefined_flags(cpu.undefined_flags);
    const SegmentCache& cs = cpu.s.seg[CS];
    const uint64_t code_mask = mode == CpuMode::Protected32 ? 0xFFFFFFFFull : 0xFFFFull;

    uint64_t eip = key.eip;
    DecodedInsn d;
    for (unsigned n = 0;; ++n) {
        uint8_t bytes[15];
        uint32_t linear = cs.base + uint32_t(eip);
        // The instruction may not extend past the CS limit.
        uint64_t room = eip <= cs.limit ? uint64_t(cs.limit) - eip + 1 : 0;
        size_t fetched = fetch(cpu, linear, bytes, 15, tb->phys_pages);
        size_t avail = std::min<uint64_t>(fetched, room);
        DecodeStatus st = avail ? decoder_.decode(mode, bytes, avail, eip, d) : DecodeStatus::NeedMoreBytes;
        // Out of bytes at the end of the page: the instruction goes on in the next one.
        bool fetch_fault = fetched == 0;
        if (st == DecodeStatus::NeedMoreBytes && fetched && fetched < 15 && room > fetched) {
            size_t more = fetch(cpu, linear + uint32_t(fetched), bytes + fetched, 15 - fetched, tb->phys_pages);
            fetch_fault = more == 0;
            fetched += more;
            avail = std::min<uint64_t>(fetched, room);
            st = decoder_.decode(mode, bytes, avail, eip, d);
        }
        Flow flow = Flow::End;
        ir::Builder& b = t.b();
        b.set_insn(uint16_t(block.guest.size()));
        if (st == DecodeStatus::NeedMoreBytes) {
            // Ran into the CS limit or an unmapped/faulting page mid-instruction. If this is
            // not the first instruction, end the block before it: the fault belongs to it.
            if (n > 0) {
                b.effect(ir::Op::Jump, 4, 0, 0, 0, eip);
                break;
            }
            block.guest.push_back(ir::GuestInsn{eip, 1});
            if (room <= fetched) {
                // The CS limit comes first: segmentation is checked before paging.
                b.effect(ir::Op::RaiseFault, 4, 0, 0, 0, EXC_GP, b.constant(1), 0);
            } else if (fetch_fault) {
                // #PF at the first byte that could not be fetched: the instruction's start,
                // or the first byte of the page it straddles into. The block must never be
                // found again by its normal key (the page may become present, or another
                // address space may map code there), so its key is marked.
                t.call(&helper_fetch_fault, t.c(linear + uint32_t(fetched)));
                t.b().effect(ir::Op::JumpIndirect, 4, t.b().constant(eip));
                tb->key.flags |= kFetchFaultKeyFlag;
                break;
            } else {
                b.effect(ir::Op::RaiseFault, 4, 0, 0, 0, EXC_UD);
            }
        } else if (st == DecodeStatus::TooLong) {
            block.guest.push_back(ir::GuestInsn{eip, 15});
            b.effect(ir::Op::RaiseFault, 4, 0, 0, 0, EXC_GP, b.constant(1), 0);
        } else if (st == DecodeStatus::Invalid) {
            block.guest.push_back(ir::GuestInsn{eip, 1});
            b.effect(ir::Op::RaiseFault, 4, 0, 0, 0, EXC_UD);
        } else if (!t.lower(d, flow)) {
            block.guest.push_back(ir::GuestInsn{eip, uint8_t(d.length())});
            b.effect(ir::Op::RaiseFault, 4, 0, 0, 0, kUnimplementedVector);
            flow = Flow::End;
        }
        if (flow == Flow::End) break;
        eip = d.next_eip() & code_mask;
        // The exits below are no instruction's branch (see the interpreter's limit check).
        t.b().set_insn(uint16_t(block.guest.size()));
        if (t.block_end_requested()) {
            t.b().effect(ir::Op::JumpIndirect, 4, t.b().constant(eip));
            break;
        }
        // Stop at the instruction limit, or when the next instruction starts on another
        // page (blocks stay within one page, except for one straddling instruction).
        if (n + 1 >= max_insns || ((cs.base + eip) >> 12) != (linear >> 12)) {
            t.b().effect(ir::Op::Jump, 4, 0, 0, 0, eip);
            break;
        }
    }
    block.end_eip = eip;
    ir::optimize(block);
    tb->insn_count = uint32_t(block.guest.size());
    return tb;
}

}  // namespace vmm86
