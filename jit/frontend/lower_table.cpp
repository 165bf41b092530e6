#include <array>

#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {

struct Table {
    std::array<LowerFn, ZYDIS_MNEMONIC_MAX_VALUE + 1> fns{};
    Table() {
#define LOWER(mnemonic, fn) fns[ZYDIS_MNEMONIC_##mnemonic] = &fn;
#include "jit/frontend/lower_all.inc"
#undef LOWER
    }
};

}  // namespace

LowerFn lowering_for(ZydisMnemonic mnemonic) {
    static const Table table;
    return mnemonic <= ZYDIS_MNEMONIC_MAX_VALUE ? table.fns[mnemonic] : nullptr;
}

}  // namespace vmm86
