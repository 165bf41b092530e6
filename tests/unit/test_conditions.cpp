// eval_condition's shortcuts (straight from a CMP's operands) must agree with the
// conditions computed from the full flags, for every condition, size and operation.
#include <gtest/gtest.h>

#include <random>

#include "cpu/lazy_flags.h"

namespace vmm86 {
namespace {

bool from_flags(uint32_t f, Condition cc) {
    const bool cf = f & FLAG_CF, zf = f & FLAG_ZF, sf = f & FLAG_SF, of = f & FLAG_OF, pf = f & FLAG_PF;
    bool r = false;
    switch (cc >> 1) {
    case 0: r = of; break;
    case 1: r = cf; break;
    case 2: r = zf; break;
    case 3: r = cf || zf; break;
    case 4: r = sf; break;
    case 5: r = pf; break;
    case 6: r = sf != of; break;
    case 7: r = zf || (sf != of); break;
    }
    return (cc & 1) ? !r : r;
}

TEST(Conditions, ShortcutsAgreeWithTheFullFlags) {
    std::mt19937_64 rng(7);
    const uint64_t edges[] = {0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF};
    for (LazyFlagOp op : {LF_SUB, LF_LOGIC, LF_INC, LF_DEC, LF_ADD}) {
        for (unsigned size : {1u, 2u, 4u}) {
            const uint64_t mask = size == 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
            for (int i = 0; i < 4000; ++i) {
                uint64_t a = i < 121 ? edges[i % 11] : rng(), b = i < 121 ? edges[i / 11] : rng();
                a &= mask;
                b &= mask;
                CpuState s{};
                s.eflags = FLAGS_FIXED1;
                uint64_t r = op == LF_SUB ? a - b : op == LF_ADD ? a + b : op == LF_INC ? a + 1 : op == LF_DEC ? a - 1 : a & b;
                s.lazy = LazyFlags{r & mask, a, op == LF_INC || op == LF_DEC ? 1 : b, lazy_op(op, size), 0};
                const uint32_t f = read_eflags(s);
                for (int cc = 0; cc < 16; ++cc)
                    ASSERT_EQ(eval_condition(s, Condition(cc)), from_flags(f, Condition(cc)))
                        << "op " << op << " size " << size << " a=" << a << " b=" << b << " cc=" << cc;
            }
        }
    }
}

}  // namespace
}  // namespace vmm86
