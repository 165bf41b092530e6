// cpu/lazy_flags: compute_arith_flags for every LazyFlagOp at 8, 16 and 32 bits against
// the host CPU running the same instruction natively (tests/unit/native_flags.h), over
// exhaustive 8-bit operands and edge plus random 16/32-bit ones. A lazy record is built
// exactly as the frontend builds it (lower_alu, lower_shift, lower_muldiv). Only the flags
// the SDM calls undefined for an operation are masked; a second test checks that the
// undefined ones also match this host when it is an Intel CPU, as the project intends.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "cpu/lazy_flags.h"
#include "native_flags.h"

namespace vmm86::test {
namespace {

TEST(LazyFlags, NoneGivesNoArithmeticFlags) {
    LazyFlags lf{};
    lf.op = LF_NONE;
    lf.result = 0;  // would be ZF PF if it were interpreted
    EXPECT_EQ(compute_arith_flags(lf), 0u);
}

TEST(LazyFlags, LazyOpEncodesTheSizeAboveTheOperation) {
    EXPECT_EQ(lazy_op(LF_ADD, 1), uint32_t(LF_ADD));
    EXPECT_EQ(lazy_op(LF_SUB, 2), uint32_t(LF_SUB) | 0x100);
    EXPECT_EQ(lazy_op(LF_LOGIC, 4), uint32_t(LF_LOGIC) | 0x200);
    EXPECT_EQ(lazy_op(LF_INC, 8), uint32_t(LF_INC) | 0x300);
}

// Only the six arithmetic bits come from the lazy record; IF, DF, TF, IOPL and the fixed
// bit stay as eflags holds them, and materialising keeps the value while dropping the record.
TEST(LazyFlags, ReadAndMaterializeMergeArithmeticBitsIntoEflags) {
    CpuState s{};
    const uint32_t system = FLAGS_FIXED1 | FLAG_IF | FLAG_DF | FLAG_TF | FLAG_IOPL;
    s.eflags = system | FLAG_CF | FLAG_ZF;  // stale arithmetic bits, to be ignored
    s.lazy = LazyFlags{0x80, 0x7F, 0x01, lazy_op(LF_ADD, 1), 0};  // 7F+1: SF AF OF
    const uint32_t want = system | FLAG_SF | FLAG_AF | FLAG_OF;
    EXPECT_EQ(read_eflags(s), want);
    EXPECT_FALSE(read_cf(s));
    materialize_flags(s);
    EXPECT_EQ(s.lazy.op, uint32_t(LF_NONE));
    EXPECT_EQ(s.eflags, want);
    EXPECT_EQ(read_eflags(s), want);
    // With LF_NONE, eflags is returned as it is.
    s.eflags = system | FLAG_CF | FLAG_PF;
    EXPECT_EQ(read_eflags(s), system | FLAG_CF | FLAG_PF);
    EXPECT_TRUE(read_cf(s));
}

#ifndef VMM86_NATIVE_FLAGS
TEST(LazyFlags, ComparisonWithTheHost) { GTEST_SKIP() << "needs an x86-64 host to compare flags with"; }
#else

using native::Alu;

struct OpInfo {
    Alu alu;
    LazyFlagOp lf;
    const char* name;
};

const OpInfo kOps[] = {
    {Alu::Add, LF_ADD, "ADD"},   {Alu::Adc, LF_ADC, "ADC"}, {Alu::Sub, LF_SUB, "SUB"},
    {Alu::Sbb, LF_SBB, "SBB"},   {Alu::And, LF_LOGIC, "AND"}, {Alu::Or, LF_LOGIC, "OR"},
    {Alu::Xor, LF_LOGIC, "XOR"}, {Alu::Inc, LF_INC, "INC"}, {Alu::Dec, LF_DEC, "DEC"},
    {Alu::Neg, LF_NEG, "NEG"},   {Alu::Shl, LF_SHL, "SHL"}, {Alu::Shr, LF_SHR, "SHR"},
    {Alu::Sar, LF_SAR, "SAR"},   {Alu::Mul, LF_MUL, "MUL"}, {Alu::Imul, LF_MUL, "IMUL"},
};

uint64_t mask_of(unsigned size) { return native::width_mask(size); }

uint64_t sext(uint64_t v, unsigned size) {
    const unsigned shift = 64 - 8 * size;
    return uint64_t(int64_t(v << shift) >> shift);
}

bool is_shift(Alu op) { return op == Alu::Shl || op == Alu::Shr || op == Alu::Sar; }
bool is_unary(Alu op) { return op == Alu::Inc || op == Alu::Dec || op == Alu::Neg; }

// The flags the SDM leaves undefined for this operation (count: the masked shift count).
uint32_t undefined_flags(Alu op, unsigned size, uint64_t count) {
    switch (op) {
    case Alu::And:
    case Alu::Or:
    case Alu::Xor: return FLAG_AF;
    case Alu::Shl:
    case Alu::Shr:
        // AF for any count; OF unless the count is 1; CF once the count reaches the width.
        return FLAG_AF | (count != 1 ? uint32_t(FLAG_OF) : 0u) | (count >= 8 * size ? uint32_t(FLAG_CF) : 0u);
    case Alu::Sar: return FLAG_AF | (count != 1 ? uint32_t(FLAG_OF) : 0u);
    case Alu::Mul:
    case Alu::Imul: return FLAG_SF | FLAG_ZF | FLAG_AF | FLAG_PF;
    default: return 0;
    }
}

struct Outcome {
    uint64_t result;
    LazyFlags lazy;
};

// The result and the lazy record the frontend makes for this instruction; b is the
// count for shifts; cf is the carry before the instruction.
Outcome emulate(const OpInfo& op, unsigned size, uint64_t a, uint64_t b, bool cf) {
    const uint64_t m = mask_of(size);
    a &= m;
    b &= m;
    uint64_t r = 0, src1 = a, src2 = b, aux = 0;
    switch (op.alu) {
    case Alu::Add: r = a + b; break;
    case Alu::Adc: r = a + b + cf; aux = cf; break;
    case Alu::Sub: r = a - b; break;
    case Alu::Sbb: r = a - b - cf; aux = cf; break;
    case Alu::And: r = a & b; break;
    case Alu::Or: r = a | b; break;
    case Alu::Xor: r = a ^ b; break;
    case Alu::Inc: r = a + 1; src2 = 1; aux = cf; break;
    case Alu::Dec: r = a - 1; src2 = 1; aux = cf; break;
    case Alu::Neg: r = 0 - a; src2 = 0; break;
    case Alu::Shl: src2 = b & 31; r = src2 >= 64 ? 0 : a << src2; break;
    case Alu::Shr: src2 = b & 31; r = a >> src2; break;
    case Alu::Sar: src2 = b & 31; r = uint64_t(int64_t(sext(a, size)) >> src2); break;
    case Alu::Mul: {
        const uint64_t p = a * b;  // fits: at most 32x32 bits
        r = p;
        src2 = ((p >> (8 * size)) & m) != 0;
        break;
    }
    case Alu::Imul: {
        const int64_t p = int64_t(sext(a, size)) * int64_t(sext(b, size));
        r = uint64_t(p);
        src2 = int64_t(sext(uint64_t(p) & m, size)) != p;  // high half is not just sign
        break;
    }
    }
    LazyFlags lf{};
    lf.op = lazy_op(op.lf, size);
    lf.result = r & m;
    lf.src1 = src1;
    lf.src2 = src2;
    lf.aux = uint32_t(aux);
    return Outcome{r & m, lf};
}

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%llx", (unsigned long long)v);
    return buf;
}

std::string flag_names(uint32_t f) {
    std::string s;
    const std::pair<uint32_t, const char*> names[] = {{FLAG_CF, "CF"}, {FLAG_PF, "PF"}, {FLAG_AF, "AF"},
                                                      {FLAG_ZF, "ZF"}, {FLAG_SF, "SF"}, {FLAG_OF, "OF"}};
    for (auto [bit, name] : names)
        if (f & bit) s += std::string(s.empty() ? "" : " ") + name;
    return s.empty() ? "-" : s;
}

// Edge operands for a width: around 0, the nibble carry, the sign bit and the top.
std::vector<uint64_t> edges(unsigned size) {
    const uint64_t m = mask_of(size), sign = 1ull << (8 * size - 1);
    std::vector<uint64_t> v = {0, 1, 2, 0x0F, 0x10, 0x11, 0x7F, 0x80, 0xFF, sign - 1, sign, sign + 1, m - 1, m,
                               m >> 1, m & 0x5555555555555555ull, m & 0xAAAAAAAAAAAAAAAAull};
    if (size >= 2) v.insert(v.end(), {0x100, 0xFFF0 & m, 0x7FF0 & m, 0x8000, 0xFFFF});
    for (uint64_t& x : v) x &= m;
    return v;
}

// Operand pairs for a width: everything at 8 bits, else edges x edges plus random pairs.
std::vector<std::pair<uint64_t, uint64_t>> pairs(unsigned size, bool unary, std::mt19937_64& rng) {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    const uint64_t m = mask_of(size);
    if (size == 1) {
        for (uint64_t a = 0; a < 256; ++a)
            for (uint64_t b = 0; b < (unary ? 1u : 256u); ++b) out.emplace_back(a, b);
        return out;
    }
    const std::vector<uint64_t> e = edges(size);
    for (uint64_t a : e)
        for (uint64_t b : unary ? std::vector<uint64_t>{0} : e) out.emplace_back(a, b);
    for (int i = 0; i < (unary ? 4000 : 40000); ++i) out.emplace_back(rng() & m, rng() & m);
    return out;
}

// Shift operands: values x every count 1..31 (count 0 records no flags at all).
std::vector<std::pair<uint64_t, uint64_t>> shift_pairs(unsigned size, std::mt19937_64& rng) {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    const uint64_t m = mask_of(size);
    std::vector<uint64_t> values = edges(size);
    for (int i = 0; i < (size == 1 ? 0 : 600); ++i) values.push_back(rng() & m);
    if (size == 1)
        for (uint64_t a = 0; a < 256; ++a) values.push_back(a);
    for (uint64_t a : values)
        for (uint64_t c = 1; c < 32; ++c) out.emplace_back(a, c);
    return out;
}

// The flags condition cc (Jcc's low nibble) reads.
uint32_t condition_inputs(unsigned cc) {
    static const uint32_t in[8] = {FLAG_OF, FLAG_CF, FLAG_ZF, FLAG_CF | FLAG_ZF, FLAG_SF, FLAG_PF,
                                   FLAG_SF | FLAG_OF, FLAG_ZF | FLAG_SF | FLAG_OF};
    return in[(cc >> 1) & 7];
}

// Compares every recorded op at every width with the host. `all_flags` also compares
// the flags the SDM leaves undefined. Returns the number of mismatches.
int compare_with_host(bool all_flags) {
    std::mt19937_64 rng(0x1a2b3c4d);
    int bad = 0, reported = 0;
    for (const OpInfo& op : kOps) {
        for (unsigned size : {1u, 2u, 4u}) {
            auto operands = is_shift(op.alu) ? shift_pairs(size, rng) : pairs(size, is_unary(op.alu), rng);
            for (auto [a, b] : operands) {
                for (bool cf : {false, true}) {
                    // The other arithmetic flags on entry are random: nothing may leak.
                    const uint32_t in = (uint32_t(rng()) & native::kArith6 & ~FLAG_CF) | (cf ? uint32_t(FLAG_CF) : 0u);
                    const native::AluResult host = native::alu(op.alu, size, a, b, in);
                    const Outcome emu = emulate(op, size, a, b, cf);
                    const uint32_t care =
                        native::kArith6 & ~(all_flags ? 0 : undefined_flags(op.alu, size, b & 31));
                    const uint32_t got = compute_arith_flags(emu.lazy);
                    const bool same_result = emu.result == host.value;
                    // Conditions read from the record (eval_condition has shortcuts for
                    // some ops) must agree with the host's flags wherever they depend on
                    // compared flags only. The host's flags -> SETcc mapping is checked
                    // exhaustively below, so eval_condition on materialised host flags
                    // stands for the host's SETcc here.
                    CpuState lazy_state{}, host_state{};
                    lazy_state.eflags = host_state.eflags = FLAGS_FIXED1;
                    lazy_state.lazy = emu.lazy;
                    host_state.eflags |= host.flags;
                    uint32_t bad_cc = 0;
                    for (unsigned cc = 0; cc < 16; ++cc)
                        if ((condition_inputs(cc) & ~care) == 0 &&
                            eval_condition(lazy_state, Condition(cc)) != eval_condition(host_state, Condition(cc)))
                            bad_cc |= 1u << cc;
                    if (same_result && (got & care) == (host.flags & care) && !bad_cc) continue;
                    ++bad;
                    if (reported++ < 12)
                        ADD_FAILURE() << op.name << " size " << size << " a=" << hex(a) << " b=" << hex(b)
                                      << " cf=" << cf << ": host result " << hex(host.value) << " flags ["
                                      << flag_names(host.flags & care) << "], lazy result " << hex(emu.result)
                                      << " flags [" << flag_names(got & care) << "] (compared: "
                                      << flag_names(care) << "), conditions differing (bit mask): 0x"
                                      << hex(bad_cc);
                }
            }
        }
    }
    return bad;
}

TEST(LazyFlags, DefinedFlagsOfEveryOpMatchTheHostAt8_16_32Bits) {
    EXPECT_EQ(compare_with_host(false), 0);
}

bool host_is_intel() {
    unsigned eax = 0, ebx, ecx, edx;
    asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
    return ebx == 0x756E6547 && edx == 0x49656E69 && ecx == 0x6C65746E;  // "GenuineIntel"
}

TEST(LazyFlags, UndefinedFlagsFollowIntelHardware) {
    if (!host_is_intel()) GTEST_SKIP() << "the host is not an Intel CPU: its undefined flags are no reference";
    EXPECT_EQ(compare_with_host(true), 0);
}

// eval_condition against the host's SETcc for every combination of the six flags.
TEST(LazyFlags, EveryConditionMatchesTheHostSetccForAllFlagCombinations) {
    const uint32_t bits[6] = {FLAG_CF, FLAG_PF, FLAG_AF, FLAG_ZF, FLAG_SF, FLAG_OF};
    for (unsigned combo = 0; combo < 64; ++combo) {
        uint32_t f = 0;
        for (int i = 0; i < 6; ++i)
            if (combo & (1u << i)) f |= bits[i];
        CpuState s{};
        s.eflags = FLAGS_FIXED1 | f;
        s.lazy.op = LF_NONE;
        for (unsigned cc = 0; cc < 16; ++cc)
            EXPECT_EQ(eval_condition(s, Condition(cc)), native::condition(cc, f))
                << "cc " << cc << " flags [" << flag_names(f) << "]";
    }
}

// The same through a lazy record: conditions after CMP at each width, as the host's
// CMP + SETcc decide them (CMP leaves no flag undefined).
TEST(LazyFlags, ConditionsAfterALazyCompareMatchTheHost) {
    std::mt19937_64 rng(7);
    for (unsigned size : {1u, 2u, 4u}) {
        const std::vector<uint64_t> e = edges(size);
        for (uint64_t a : e) {
            for (uint64_t b : e) {
                const native::AluResult host = native::alu(Alu::Sub, size, a, b, 0);
                CpuState s{};
                s.eflags = FLAGS_FIXED1;
                s.lazy = emulate(kOps[2], size, a, b, false).lazy;
                for (unsigned cc = 0; cc < 16; ++cc)
                    EXPECT_EQ(eval_condition(s, Condition(cc)), native::condition(cc, host.flags))
                        << "cmp size " << size << " a=" << hex(a) << " b=" << hex(b) << " cc " << cc;
            }
        }
    }
}

#endif  // VMM86_NATIVE_FLAGS

}  // namespace
}  // namespace vmm86::test
