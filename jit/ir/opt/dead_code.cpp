#include "jit/ir/opt/passes.h"

namespace vmm86::ir {

namespace {
bool removable_if_unused(Op op) {
    switch (op) {
    case Op::GetReg:
    case Op::GetReg8H:
    case Op::GetSegSel:
    case Op::GetSegBase:
    case Op::GetCF:
    case Op::EvalCond:
    case Op::GetFlags:
        return true;  // reads without side effects
    default:
        return op_kind(op) == OpKind::Pure;
    }
}
}  // namespace

void eliminate_dead_code(Block& block) {
    std::vector<uint32_t> uses(block.value_count, 0);
    for (const Inst& in : block.insts)
        for (ValueId v : {in.a, in.b, in.c, in.d}) ++uses[v];
    std::vector<bool> drop(block.insts.size(), false);
    // Backwards, so that removing a use can make its producer dead too.
    for (size_t i = block.insts.size(); i-- > 0;) {
        const Inst& in = block.insts[i];
        if (in.dst == kNoValue || uses[in.dst] != 0 || !removable_if_unused(in.op)) continue;
        drop[i] = true;
        for (ValueId v : {in.a, in.b, in.c, in.d}) --uses[v];
    }
    std::vector<Inst> kept;
    kept.reserve(block.insts.size());
    for (size_t i = 0; i < block.insts.size(); ++i)
        if (!drop[i]) kept.push_back(block.insts[i]);
    block.insts = std::move(kept);
}

}  // namespace vmm86::ir
