// Generates difftest cases from a seed. Even-numbered cases are systematic: they walk every
// form of the selected groups in turn (each operand size, register and memory operand),
// with boundary values (0, 1, 7Fh, 80h, FFFFh, 80000000h...), each walk with the next
// address size and addressing mode (mod, r/m, then SIB fields).
// Odd-numbered cases are random: a random form (sometimes preceded by one or two others
// from the same groups, so that flags flow between instructions inside one translated
// block) with random registers, EFLAGS and memory.
// A case with an x87 instruction also gets a random x87 state: control word (precision,
// rounding, mostly masked exceptions), TOP, condition codes, pending flags, empty and full
// registers with values of every class (zeros, denormals, pseudo-denormals, unnormals,
// infinities, pseudo-infinities, QNaN/SNaN, pseudo-NaN, values near the formats' limits),
// pointers; x87 memory operands get values of every class of their format.
// With ModeChoice::Both each case runs in real mode or in 32-bit protected mode at random.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "tools/difftest/test_case.h"

namespace vmm86::difftest {

enum class ModeChoice : uint8_t { Real, Pm32, Both };

class Generator {
public:
    Generator(uint64_t seed, const std::vector<Group>& groups, unsigned max_insns,
              ModeChoice modes = ModeChoice::Real);
    TestCase next();

private:
    struct Slot {
        const InsnDesc* desc;
        unsigned opsize;
        bool mem;
    };

    uint32_t rnd() { return uint32_t(rng_()); }
    uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }
    bool chance(unsigned percent) { return below(100) < percent; }
    uint32_t value(unsigned bits, bool boundary);
    uint8_t count(unsigned bits, bool boundary);
    const InsnDesc* random_row();

    // pass >= 0: a systematic case on its pass-th walk over the slots (boundary values,
    // addressing mode and address size from the pass); -1: random.
    Insn make_insn(const InsnDesc& d, unsigned opsize, bool mem, int pass, TestCase& c);
    Address make_address(unsigned size, uint32_t forbidden, int mode);
    void place_address(Insn& insn, TestCase& c, int mode);
    void place_string(Insn& insn, TestCase& c);
    void shape(Insn& insn, TestCase& c, bool boundary);
    void shape_memory(Insn& insn, TestCase& c, bool boundary);
    void fill_memory(TestCase& c);
    const InsnDesc* sequence_row(const InsnDesc& last, bool first);

    // x87 values and state.
    void random_f80(uint8_t* p, bool boundary);
    uint32_t random_f32(bool boundary);
    uint64_t random_f64(bool boundary);
    uint64_t random_int(unsigned bits, bool boundary);
    void random_bcd(uint8_t* p, bool boundary);
    uint16_t random_fcw(bool canonical);
    uint16_t random_fsw(uint16_t fcw);
    void random_fpu(TestCase& c, bool boundary);
    void shape_x87(Insn& insn, TestCase& c, bool boundary);

    std::mt19937_64 rng_;
    ModeChoice modes_;
    std::vector<std::vector<const InsnDesc*>> by_group_;  // the table keeps groups together
    std::vector<Slot> slots_;
    unsigned max_insns_;
    uint64_t number_ = 0, systematic_ = 0;
};

// Operand helpers shared with the minimiser: register `r` of `bits` width in the ModRM
// numbering (8-bit: AL CL DL BL AH CH DH BH).
uint32_t get_reg(const Regs& regs, unsigned r, unsigned bits);
void set_reg(Regs& regs, unsigned r, unsigned bits, uint32_t v);

}  // namespace vmm86::difftest
