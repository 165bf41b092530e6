#include "jit/ir/eval.h"
#include "jit/ir/opt/passes.h"

namespace vmm86::ir {

void fold_constants(Block& block) {
    std::vector<Inst> kept;
    kept.reserve(block.insts.size());
    auto value = [&](ValueId v) -> uint64_t { return v == kNoValue ? 0 : block.constants[v]; };
    auto known = [&](ValueId v) { return v == kNoValue || block.is_constant[v]; };
    for (const Inst& in : block.insts) {
        if (op_kind(in.op) == OpKind::Pure && in.dst != kNoValue && known(in.a) && known(in.b) && known(in.c)) {
            if (auto r = eval_pure(in.op, in.size, value(in.a), value(in.b), value(in.c), in.imm)) {
                block.constants[in.dst] = *r;
                block.is_constant[in.dst] = true;
                continue;
            }
        }
        kept.push_back(in);
    }
    block.insts = std::move(kept);
}

}  // namespace vmm86::ir
