// The lowering functions, one per instruction form family, and the table that picks one
// by mnemonic. Families live in lower_<family>.cpp with their table rows in
// lower_<family>.inc, so each family can be read (and written) on its own.
#pragma once
#include "jit/frontend/translator.h"

namespace vmm86 {

// Returns the lowering for a mnemonic, or nullptr.
LowerFn lowering_for(ZydisMnemonic mnemonic);

#define LOWER(mnemonic, fn) Flow fn(Translator&, const DecodedInsn&);
#include "jit/frontend/lower_all.inc"
#undef LOWER

}  // namespace vmm86
