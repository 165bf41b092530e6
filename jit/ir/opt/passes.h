// IR optimisation passes, one file each. Each keeps the block's meaning, including the
// exact guest state at every op that can fault.
#pragma once
#include "jit/ir/ir.h"

namespace vmm86::ir {

// Folds pure ops whose inputs are all constants into constants.
void fold_constants(Block& block);
// Rewrites flag reads that follow a SetFlags in the same block as pure comparisons.
void forward_flags(Block& block);
// Removes SetFlags ops whose flags are overwritten before anything can observe them.
// A later fault, helper call or terminal counts as an observer.
void eliminate_dead_flags(Block& block);
// Removes pure ops and register reads whose results are never used.
void eliminate_dead_code(Block& block);

// The pipeline the engines run on every new block.
inline void optimize(Block& block) {
    fold_constants(block);
    forward_flags(block);
    eliminate_dead_flags(block);
    eliminate_dead_code(block);
}

}  // namespace vmm86::ir
