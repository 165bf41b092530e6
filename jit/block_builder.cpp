#include "jit/block_builder.h"

#include <algorithm>

#include "jit/frontend/lower_segment.h"
#include "jit/frontend/translator.h"
#include "jit/ir/opt/passes.h"

namespace vmm86 {

CpuMode current_mode(const CpuState& s) {
    if (!(s.cr0 & CR0_PE) || (s.eflags & FLAG_VM)) return CpuMode::Real16;
    return (s.seg[CS].attributes & SEG_ATTR_DB) ? CpuMode::Protected32 : CpuMode::Protected16;
}

namespace {

// Copies up to `want` code bytes starting at linear address `linear`, stopping at a page
// whose translation fails. Records the physical pages touched.
size_t fetch(Cpu& cpu, uint32_t linear, uint8_t* out, size_t want, std::vector<uint32_t>& pages) {
    size_t got = 0;
    while (got < want) {
        uint32_t lin = linear + uint32_t(got);
        TlbEntry* e;
        if (!cpu.tlb_fill(lin, Access::Exec, e)) {
            cpu.pending_exception = -1;  // only a fault if the instruction really needs it
            break;
        }
        size_t n = std::min<size_t>(want - got, 0x1000 - (lin & 0xFFF));
        cpu.mem->read_bytes(e->phys_page | (lin & 0xFFF), out + got, n);
        if (std::find(pages.begin(), pages.end(), e->phys_page) == pages.end()) pages.push_back(e->phys_page);
        got += n;
    }
    return got;
}

}  // namespace

std::unique_ptr<TranslatedBlock> BlockBuilder::build(Cpu& cpu, const BlockKey& key, CpuMode mode, unsigned max_insns) {
    auto tb = std::make_unique<TranslatedBlock>();
    tb->key = key;
    ir::Block& block = tb->ir;
    block.start_eip = key.eip;
    const bool stack32 = cpu.s.seg[SS].attributes & SEG_ATTR_DB;
    Translator t(block, mode, stack32);
    const SegmentCache& cs = cpu.s.seg[CS];
    const uint64_t code_mask = mode == CpuMode::Protected32 ? 0xFFFFFFFFull : 0xFFFFull;

    uint64_t eip = key.eip;
    DecodedInsn d;
    for (unsigned n = 0;; ++n) {
        uint8_t bytes[15];
        uint32_t linear = cs.base + uint32_t(eip);
        size_t avail = fetch(cpu, linear, bytes, 15, tb->phys_pages);
        // The instruction may not extend past the CS limit.
        uint64_t room = eip <= cs.limit ? uint64_t(cs.limit) - eip + 1 : 0;
        avail = std::min<uint64_t>(avail, room);
        DecodeStatus st = avail ? decoder_.decode(mode, bytes, avail, eip, d) : DecodeStatus::NeedMoreBytes;
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
            if (room < 15) b.effect(ir::Op::RaiseFault, 4, 0, 0, 0, EXC_GP, b.constant(1), 0);
            else b.effect(ir::Op::RaiseFault, 4, 0, 0, 0, EXC_UD);
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
