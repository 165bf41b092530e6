// The x64 JIT's loads and stores: the soft-TLB fast path inline, the rest out of line.
#include "jit/backend/x64/x64_block_emitter.h"

#include "jit/backend/x64/x64_thunks.h"

namespace vmm86::x64 {

// The soft-TLB entry for the linear address in r9d, of the block's TLB half: r10.
void BlockEmitter::tlb_entry(bool user) {
    a_.mov(x86::r8d, x86::r9d);
    a_.shr(x86::r8d, 12);
    a_.and_(x86::r8d, SoftTlb::kEntries - 1);
    a_.shl(x86::r8d, 5);
    static_assert(sizeof(TlbEntry) == 32);
    a_.mov(x86::r10, reinterpret_cast<uint64_t>(&cpu_.tlb.entries[user ? 1 : 0][0]));
    a_.add(x86::r10, x86::r8);
}

// The fast path of read_seg_fast/write_seg_fast inline: a segment that needs no
// special checks, the offset within its limit, a TLB hit for this kind of access and
// no page crossing; then r9 = the host address. Anything else jumps to `slow`.
// The offset is in rdx.
void BlockEmitter::fast_address(const ir::Inst& in, uint16_t special, int32_t tag_off, const Label& slow) {
    const int32_t sg = seg_off(in.imm);
    a_.test(x86::word_ptr(x86::r12, sg + int32_t(offsetof(SegmentCache, attributes))), int32_t(special));
    a_.jnz(slow);
    a_.lea(x86::r9, x86::qword_ptr(x86::rdx, int32_t(in.size) - 1));
    a_.mov(x86::r8d, x86::dword_ptr(x86::r12, sg + int32_t(offsetof(SegmentCache, limit))));
    a_.cmp(x86::r9, x86::r8);
    a_.ja(slow);
    a_.mov(x86::r9d, x86::dword_ptr(x86::r12, sg + int32_t(offsetof(SegmentCache, base))));
    a_.add(x86::r9d, x86::edx);  // the linear address wraps at 4 GiB
    tlb_entry(user_mode_);
    a_.mov(x86::r8d, x86::r9d);
    a_.and_(x86::r8d, int32_t(~0xFFFu));
    a_.cmp(x86::r8d, x86::dword_ptr(x86::r10, tag_off));
    a_.jne(slow);
    if (in.size > 1) {
        a_.mov(x86::r8d, x86::r9d);
        a_.and_(x86::r8d, 0xFFF);
        a_.cmp(x86::r8d, 0x1000 - int32_t(in.size));
        a_.ja(slow);
    }
    a_.add(x86::r9, x86::qword_ptr(x86::r10, int32_t(offsetof(TlbEntry, addend))));
}

void BlockEmitter::emit_load(const ir::Inst& in) {
    Label slow = a_.newLabel(), done = a_.newLabel();
    load(x86::rdx, in.a);
    fast_address(in, SEG_ATTR_EXPAND_DOWN | SEG_ATTR_NO_READ, int32_t(offsetof(TlbEntry, tag_read)), slow);
    switch (in.size) {
    case 1: a_.movzx(x86::eax, x86::byte_ptr(x86::r9)); break;
    case 2: a_.movzx(x86::eax, x86::word_ptr(x86::r9)); break;
    case 4: a_.mov(x86::eax, x86::dword_ptr(x86::r9)); break;
    default: a_.mov(x86::rax, x86::qword_ptr(x86::r9)); break;
    }
    store(in.dst, x86::rax);
    a_.bind(done);
    slow_paths_.push_back(SlowPath{slow, done, &in});
}

void BlockEmitter::emit_store(const ir::Inst& in) {
    Label slow = a_.newLabel(), done = a_.newLabel();
    load(x86::rdx, in.a);
    load(x86::rcx, in.b);
    fast_address(in, SEG_ATTR_EXPAND_DOWN | SEG_ATTR_NO_WRITE, int32_t(offsetof(TlbEntry, tag_write)), slow);
    // A write-tag hit is never a page holding translated code (the TLB leaves those
    // pages without a write tag), so the fast path cannot be self-modifying code.
    switch (in.size) {
    case 1: a_.mov(x86::byte_ptr(x86::r9), x86::cl); break;
    case 2: a_.mov(x86::word_ptr(x86::r9), x86::cx); break;
    case 4: a_.mov(x86::dword_ptr(x86::r9), x86::ecx); break;
    default: a_.mov(x86::qword_ptr(x86::r9), x86::rcx); break;
    }
    a_.bind(done);
    slow_paths_.push_back(SlowPath{slow, done, &in});
}

// The calls behind the fast paths, out of line after the block's code.
void BlockEmitter::emit_slow_path(const SlowPath& sp) {
    const ir::Inst& in = *sp.inst;
    a_.bind(sp.entry);
    if (in.op == Op::Load) {
        a_.mov(x86::rdi, x86::rbx);
        a_.mov(x86::esi, uint32_t(in.imm));
        load(x86::rdx, in.a);
        a_.mov(x86::ecx, uint32_t(in.size));
        // A load whose value nobody uses still faults: it lands in a scratch slot.
        a_.lea(x86::r8, in.dst ? slot(in.dst) : x86::qword_ptr(x86::rsp, smc_off_ + 8));
        call(reinterpret_cast<const void*>(&thunk_load));
        a_.test(x86::al, x86::al);
        a_.jz(stub(kExitFault, in.insn));
        a_.jmp(sp.resume);
        return;
    }
    a_.mov(x86::rdi, x86::rbx);
    a_.mov(x86::rsi, reinterpret_cast<uint64_t>(&tb_));
    a_.mov(x86::edx, uint32_t(in.imm));
    load(x86::rcx, in.a);
    a_.mov(x86::r8d, uint32_t(in.size));
    load(x86::r9, in.b);
    call(reinterpret_cast<const void*>(&thunk_store));
    a_.test(x86::eax, x86::eax);
    a_.jz(sp.resume);
    a_.cmp(x86::eax, 1);
    a_.je(stub(kExitFault, in.insn));
    a_.mov(x86::byte_ptr(x86::rsp, smc_off_), 1);
    a_.jmp(sp.resume);
}

}  // namespace vmm86::x64
