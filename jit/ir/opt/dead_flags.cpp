#include "jit/ir/opt/passes.h"

namespace vmm86::ir {

namespace {
// Ops after which the architectural flags must be exact: they read flags, or may fault
// (the exception handler sees EFLAGS), or leave the block.
bool observes_flags(Op op) {
    switch (op) {
    case Op::GetCF:
    case Op::EvalCond:
    case Op::GetFlags:
    case Op::SetFlagBits:  // keeps the bits outside its mask
        return true;
    default:
        return op_kind(op) == OpKind::Fault || op_kind(op) == OpKind::Terminal;
    }
}
}  // namespace

void eliminate_dead_flags(Block& block) {
    std::vector<bool> drop(block.insts.size(), false);
    bool live = true;  // the next block may read them
    for (size_t i = block.insts.size(); i-- > 0;) {
        const Inst& in = block.insts[i];
        if (in.op == Op::SetFlags) {
            if (!live) drop[i] = true;
            live = false;  // every lazy flag op defines all six arithmetic flags
        } else if (observes_flags(in.op)) {
            live = true;
        }
    }
    std::vector<Inst> kept;
    kept.reserve(block.insts.size());
    for (size_t i = 0; i < block.insts.size(); ++i)
        if (!drop[i]) kept.push_back(block.insts[i]);
    block.insts = std::move(kept);
}

}  // namespace vmm86::ir
