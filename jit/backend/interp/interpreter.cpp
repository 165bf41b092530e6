// The IR interpreter: the portable engine, and the reference the native backends are
// checked against. Each block's ops are compiled once into InterpOps whose `handler` is
// the address of a computed-goto label below (threaded code), and each block owns its
// value slots with constants preset, so running an op is one indirect jump plus its work.
#include <cstring>

#include "cpu/interrupts.h"
#include "cpu/lazy_flags.h"
#include "jit/block_engine.h"
#include "jit/frontend/lower_segment.h"

namespace vmm86 {
namespace {

using ir::Op;

constexpr uint64_t kMask[9] = {0, 0xFF, 0xFFFF, 0, 0xFFFFFFFFull, 0, 0, 0, ~0ull};

inline uint64_t sign_extend(uint64_t v, unsigned bytes) {
    unsigned shift = 64 - 8 * bytes;
    return uint64_t(int64_t(v << shift) >> shift);
}

class Interpreter final : public BlockEngine {
public:
    explicit Interpreter(Cpu& cpu) : BlockEngine(cpu) { execute(nullptr, nullptr, 0, nullptr); }

protected:
    ExitReason run_from(Cpu& cpu, TranslatedBlock* tb, uint64_t budget, uint64_t& done) override {
        if (tb->ops.empty()) compile(*tb);
        return execute(&cpu, tb, budget, &done);
    }

private:
    void compile(TranslatedBlock& tb) {
        const ir::Block& b = tb.ir;
        tb.values = b.constants;
        tb.ops.reserve(b.insts.size());
        // insn_first_op[k]: the first op belonging to instruction k or a later one
        // (instructions such as NOP have no ops at all).
        const uint16_t none = uint16_t(b.insts.size());
        tb.insn_first_op.assign(b.guest.size() + 1, none);
        for (size_t i = b.insts.size(); i-- > 0;) {
            const ir::Inst& in = b.insts[i];
            if (in.insn < b.guest.size()) tb.insn_first_op[in.insn] = uint16_t(i);
        }
        for (size_t k = b.guest.size(); k-- > 0;)
            if (tb.insn_first_op[k] == none) tb.insn_first_op[k] = tb.insn_first_op[k + 1];
        for (const ir::Inst& in : b.insts)
            tb.ops.push_back(InterpOp{labels_[size_t(in.op)], in.dst, in.a, in.b, in.c, in.d, in.size,
                                      uint8_t(in.op), in.insn, in.imm, in.imm2, {nullptr, nullptr}});
    }

    // Runs blocks starting at tb, following links, until a terminal needs the run loop or
    // the budget is used. With cpu == nullptr it only publishes its label table.
    ExitReason execute(Cpu* cpup, TranslatedBlock* tb, uint64_t budget, uint64_t* done);

    const void* labels_[size_t(Op::Count)];
};

ExitReason Interpreter::execute(Cpu* cpup, TranslatedBlock* tb, uint64_t budget, uint64_t* done) {
    if (!cpup) {
#define IR_OP(name, kind) labels_[size_t(Op::name)] = &&L_##name;
#include "jit/ir/ir_ops.inc"
#undef IR_OP
        return ExitReason::None;
    }
    Cpu& cpu = *cpup;
    CpuState& s = cpu.s;
    uint64_t* v;
    const InterpOp* op;
    uint64_t executed = 0;
    ExitReason why = ExitReason::Budget;
    int link_slot = 0;  // which of a terminal's two cached successors (taken, not taken)

#define V(x) v[op->x]
#define NEXT do { ++op; goto *op->handler; } while (0)
#define MASK kMask[op->size]
// Instructions retire in whole blocks (or up to a fault); the TSC counts them as they do,
// so RDTSC inside a run sees time pass.
#define RETIRE(n) do { uint64_t n_ = (n); executed += n_; s.tsc += n_; } while (0)

enter:
    if (tb->insn_count > budget - executed) {
        // Not enough budget for the whole block: leave it to the run loop, which asks for
        // single-instruction blocks.
        *done += executed;
        return ExitReason::Budget;
    }
    v = tb->values.data();
    op = tb->ops.data();
    goto *op->handler;

L_GetReg: V(dst) = s.gpr[op->imm] & MASK; NEXT;
L_GetReg8H: V(dst) = (s.gpr[op->imm] >> 8) & 0xFF; NEXT;
L_SetReg: {
    uint64_t& r = s.gpr[op->imm];
    if (op->size >= 4) r = V(a) & MASK;  // 32-bit writes zero the upper half (x86-64 rule)
    else r = (r & ~MASK) | (V(a) & MASK);
    NEXT;
}
L_SetReg8H: s.gpr[op->imm] = (s.gpr[op->imm] & ~0xFF00ull) | ((V(a) & 0xFF) << 8); NEXT;
L_GetSegSel: V(dst) = s.seg[op->imm].selector; NEXT;
L_GetSegBase: V(dst) = s.seg[op->imm].base; NEXT;
L_SetSegReal: {
    SegmentCache& sc = s.seg[op->imm];
    sc.selector = uint16_t(V(a));
    sc.base = uint32_t(uint16_t(V(a))) << 4;
    sc.attributes &= uint16_t(~SEG_ATTR_DERIVED);  // real-mode/V86 loads check no type
    NEXT;
}
L_Add: V(dst) = (V(a) + V(b)) & MASK; NEXT;
L_Sub: V(dst) = (V(a) - V(b)) & MASK; NEXT;
L_And: V(dst) = V(a) & V(b) & MASK; NEXT;
L_Or: V(dst) = (V(a) | V(b)) & MASK; NEXT;
L_Xor: V(dst) = (V(a) ^ V(b)) & MASK; NEXT;
L_Shl: V(dst) = V(b) >= 64 ? 0 : (V(a) << V(b)) & MASK; NEXT;
L_Shr: V(dst) = V(b) >= 64 ? 0 : ((V(a) & MASK) >> V(b)); NEXT;
L_Sar: {
    int64_t x = int64_t(sign_extend(V(a), op->size));
    V(dst) = uint64_t(x >> (V(b) >= 64 ? 63 : V(b))) & MASK;
    NEXT;
}
L_Mul: V(dst) = (V(a) * V(b)) & MASK; NEXT;
L_MulHighU: {
    unsigned __int128 p = (unsigned __int128)(V(a) & MASK) * (V(b) & MASK);
    V(dst) = uint64_t(p >> (8 * op->size)) & MASK;
    NEXT;
}
L_MulHighS: {
    __int128 p = (__int128)int64_t(sign_extend(V(a), op->size)) * int64_t(sign_extend(V(b), op->size));
    V(dst) = uint64_t(p >> (8 * op->size)) & MASK;
    NEXT;
}
L_Not: V(dst) = ~V(a) & MASK; NEXT;
L_Neg: V(dst) = (0 - V(a)) & MASK; NEXT;
L_SExt: V(dst) = sign_extend(V(a), unsigned(op->imm)) & MASK; NEXT;
L_ZExt: V(dst) = V(a) & MASK; NEXT;
L_Select: V(dst) = V(a) ? V(b) : V(c); NEXT;
L_CmpEq: V(dst) = (V(a) & MASK) == (V(b) & MASK); NEXT;
L_CmpNe: V(dst) = (V(a) & MASK) != (V(b) & MASK); NEXT;
L_CmpLtU: V(dst) = (V(a) & MASK) < (V(b) & MASK); NEXT;
L_CmpLeU: V(dst) = (V(a) & MASK) <= (V(b) & MASK); NEXT;
L_CmpLtS: V(dst) = int64_t(sign_extend(V(a), op->size)) < int64_t(sign_extend(V(b), op->size)); NEXT;
L_CmpLeS: V(dst) = int64_t(sign_extend(V(a), op->size)) <= int64_t(sign_extend(V(b), op->size)); NEXT;
L_SetFlags:
    s.lazy.op = uint32_t(op->imm);
    s.lazy.result = V(a);
    s.lazy.src1 = V(b);
    s.lazy.src2 = V(c);
    s.lazy.aux = uint32_t(V(d));
    NEXT;
L_GetCF: V(dst) = read_cf(s); NEXT;
L_EvalCond: V(dst) = eval_condition(s, Condition(op->imm)); NEXT;
L_GetFlags: V(dst) = read_eflags(s); NEXT;
L_SetFlagBits:
    materialize_flags(s);
    s.eflags = (s.eflags & ~uint32_t(op->imm)) | (uint32_t(V(a)) & uint32_t(op->imm));
    // TF now set: the run loop single-steps from the next instruction on.
    if (s.eflags & FLAG_TF) cpu.exit_request = 1;
    NEXT;
L_Load: {
    uint64_t value;
    if (__builtin_expect(!read_seg_fast(cpu, unsigned(op->imm), uint32_t(V(a)), op->size, value), 0)) goto fault;
    V(dst) = value;
    NEXT;
}
L_Store:
    if (__builtin_expect(!write_seg_fast(cpu, unsigned(op->imm), uint32_t(V(a)), op->size, V(b)), 0)) goto fault;
    if (__builtin_expect(cpu.code_modified, 0)) goto code_modified;
    NEXT;
L_CallHelper: {
    auto fn = reinterpret_cast<uint64_t (*)(Cpu&, uint64_t, uint64_t, uint64_t)>(op->imm);
    V(dst) = fn(cpu, V(a), V(b), V(c));
    if (__builtin_expect(cpu.pending_exception >= 0, 0)) goto fault;
    if (__builtin_expect(cpu.shutdown_reason == ExitReason::Shutdown, 0)) {
        RETIRE(op->insn);
        why = ExitReason::Shutdown;
        goto leave;
    }
    if (__builtin_expect(cpu.code_modified, 0)) goto code_modified;
    NEXT;
}

L_CheckCodeLimit:
    if (__builtin_expect(V(a) > s.seg[CS].limit, 0)) goto branch_limit_fault;
    NEXT;

    // --- terminals -----------------------------------------------------------------
L_Jump:
    if (__builtin_expect(op->imm > s.seg[CS].limit, 0) && op->insn < tb->ir.guest.size()) goto branch_limit_fault;
    s.eip = op->imm;
    link_slot = 0;
    goto follow_link;
L_Branch:
    // Only a taken branch can fault: falling through past the limit is the next
    // instruction's fetch fault.
    if (__builtin_expect(V(a) && op->imm > s.seg[CS].limit, 0) && op->insn < tb->ir.guest.size())
        goto branch_limit_fault;
    link_slot = V(a) ? 0 : 1;
    s.eip = link_slot == 0 ? op->imm : op->imm2;
    goto follow_link;
follow_link:
    // A static successor: through the cached link when it is still valid, else a lookup
    // whose result is cached in this op's slot (when linking is safe, see may_link).
    RETIRE(tb->insn_count);
    {
        if (__builtin_expect(cpu.exit_request != 0, 0)) { why = ExitReason::Request; goto leave; }
        s.interrupt_shadow = 0;
        TranslatedBlock* next = op->link[link_slot];
        if (!next || !next->valid) {
            next = dispatch_.lookup(cpu, false);
            if (may_link(cpu, *tb, *next)) const_cast<InterpOp*>(op)->link[link_slot] = next;
        }
        tb = next;
        if (tb->ops.empty()) compile(*tb);
        goto enter;
    }
L_JumpIndirect:
    if (__builtin_expect(V(a) > s.seg[CS].limit, 0) && op->insn < tb->ir.guest.size()) goto branch_limit_fault;
    s.eip = V(a);
    RETIRE(tb->insn_count);
    goto indirect;
L_ExitBlock:
    RETIRE(tb->insn_count);
    goto indirect;
indirect:
    if (__builtin_expect(cpu.exit_request != 0, 0)) { why = ExitReason::Request; goto leave; }
    s.interrupt_shadow = 0;
    tb = dispatch_.lookup(cpu, false);
    if (tb->ops.empty()) compile(*tb);
    goto enter;
L_Halt:
    s.eip = op->imm;
    s.halted = 1;
    RETIRE(tb->insn_count);
    why = ExitReason::Halted;
    goto leave;
L_RaiseFault:
    if (op->imm == kUnimplementedVector) {
        s.eip = tb->ir.guest[op->insn].eip;
        cpu.unimplemented_eip = s.eip;
        RETIRE(op->insn);
        why = ExitReason::Unimplemented;
        goto leave;
    }
    if (op->d) cpu.raise(uint8_t(op->imm), uint32_t(op->imm2));
    else cpu.raise(uint8_t(op->imm));
    goto fault;

branch_limit_fault:
    // Terminals belonging to an instruction (not the block builder's fall-through exits,
    // whose insn is past the last instruction) are that instruction's branch.
    cpu.raise(EXC_GP, 0);
    goto fault;

fault:
    // The instruction that faulted has not happened: rewind to it and deliver. Delivery
    // counts as one step of the budget, so single-stepping a fault stops at the handler.
    RETIRE(op->insn + 1);
    if (!deliver_pending_exception(cpu, tb->ir.guest[op->insn].eip)) {
        why = ExitReason::Shutdown;
        goto leave;
    }
    if (executed >= budget) goto leave;
    tb = dispatch_.lookup(cpu, budget - executed < BlockBuilder::kMaxBlockInsns);
    if (tb->ops.empty()) compile(*tb);
    goto enter;

code_modified:
    // A store hit a page holding translated code. If it was this block's own page, the
    // rest of the block may be stale: finish this instruction, then leave through a
    // fresh lookup. The block is already dead (out of the cache), so patching it is safe.
    cpu.code_modified = 0;
    if (!tb->valid && op->insn + 1u < tb->insn_first_op.size()) {
        uint16_t next_op = tb->insn_first_op[op->insn + 1];
        if (next_op < tb->ops.size() && tb->ops[next_op].insn < tb->ir.guest.size()) {
            InterpOp& patch = tb->ops[next_op];
            patch.handler = &&L_SmcExit;
            patch.imm = tb->ir.guest[patch.insn].eip;
        }
    }
    NEXT;
L_SmcExit:
    s.eip = op->imm;
    RETIRE(op->insn);
    goto indirect;

leave:
    *done += executed;
    return why;
#undef V
#undef NEXT
#undef MASK
#undef RETIRE
}

}  // namespace

std::unique_ptr<Engine> make_interpreter(Cpu& cpu) { return std::make_unique<Interpreter>(cpu); }

}  // namespace vmm86
