// Decimal adjusts: DAA DAS AAA AAS AAM AAD. Rare, so one helper computes the new AX and
// all six arithmetic flags, and the IR writes them (the helper itself changes nothing).
//
// The flags the SDM leaves undefined are set as Intel CPUs set them (all checked
// exhaustively against the host by tests/unit/test_bcd.cpp, in compatibility mode since
// these opcodes are invalid in 64-bit mode):
// - DAA, DAS: OF = 0.
// - AAA, AAS: SF ZF PF from the final AL (after AND 0Fh, so SF = 0); OF = 0.
// - AAM: CF = AF = OF = 0.
// - AAD: CF AF OF as the byte ADD of AL and AH*imm8 that forms the result.
// AAA adds 106h to AX and AAS subtracts 6 from AX then 1 from AH (Pentium and later: a
// carry or borrow out of AL reaches AH), as the SDM's pseudo-code says.
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {

using ir::Op;

enum BcdKind : uint8_t { BCD_DAA, BCD_DAS, BCD_AAA, BCD_AAS, BCD_AAM, BCD_AAD };

inline uint32_t szp8(uint8_t v) {
    uint32_t f = (__builtin_popcount(v) & 1) ? 0u : uint32_t(FLAG_PF);
    if (v == 0) f |= FLAG_ZF;
    if (v & 0x80) f |= FLAG_SF;
    return f;
}

// Returns the new AX | flags << 16.
uint64_t helper_bcd(Cpu& cpu, uint64_t ax_in, uint64_t base, uint64_t kind) {
    uint16_t ax = uint16_t(ax_in);
    uint8_t al = uint8_t(ax), ah = uint8_t(ax >> 8);
    const uint32_t in = read_eflags(cpu.s);
    const bool cf = in & FLAG_CF, af = in & FLAG_AF;
    uint32_t f = 0;
    switch (BcdKind(kind)) {
    case BCD_DAA:
    case BCD_DAS: {
        const bool add = kind == BCD_DAA;
        const uint8_t old_al = al;
        bool new_cf = false;
        if ((al & 0x0F) > 9 || af) {
            new_cf = cf || (add ? al > 0xF9 : al < 6);  // carry/borrow out of AL +/- 6
            al = uint8_t(add ? al + 6 : al - 6);
            f |= FLAG_AF;
        }
        if (old_al > 0x99 || cf) {
            al = uint8_t(add ? al + 0x60 : al - 0x60);
            new_cf = true;
        } else if (add) {
            new_cf = false;  // DAA clears CF here; DAS keeps the borrow of the first step
        }
        f |= szp8(al) | (new_cf ? uint32_t(FLAG_CF) : 0u);
        ax = uint16_t((ax & 0xFF00) | al);
        break;
    }
    case BCD_AAA:
    case BCD_AAS:
        if ((al & 0x0F) > 9 || af) {
            ax = uint16_t(kind == BCD_AAA ? ax + 0x106 : ax - 0x106);
            f |= FLAG_AF | FLAG_CF;
        }
        ax &= 0xFF0F;
        f |= szp8(uint8_t(ax));
        break;
    case BCD_AAM: {
        const uint8_t b = uint8_t(base);  // nonzero: AAM 0 is a #DE raised by the lowering
        ax = uint16_t((al / b) << 8 | (al % b));
        f = szp8(uint8_t(ax));
        break;
    }
    case BCD_AAD: {
        const uint8_t p = uint8_t(ah * uint8_t(base));
        const uint8_t r = uint8_t(al + p);
        f = szp8(r);
        if (unsigned(al) + p > 0xFF) f |= FLAG_CF;
        if ((al ^ p ^ r) & 0x10) f |= FLAG_AF;
        if ((al ^ r) & (p ^ r) & 0x80) f |= FLAG_OF;
        ax = r;  // AH = 0
        break;
    }
    }
    return ax | uint64_t(f) << 16;
}

Flow adjust(Translator& t, BcdKind kind, uint8_t base) {
    ir::Builder& b = t.b();
    ValueId r = t.call(&helper_bcd, t.read_gpr(EAX, 2), t.c(base), t.c(kind));
    t.write_gpr(EAX, 2, b.zext(2, r));
    b.effect(Op::SetFlagBits, 4, b.binop(Op::Shr, 8, r, t.c(16)), 0, 0, FLAGS_ARITH);
    return Flow::Next;
}

// AAM and AAD carry their base as an imm8 (0Ah in the documented forms; any value works).
uint8_t base_of(const DecodedInsn& d) {
    return d.operand_count() >= 1 && d.op(0).type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? uint8_t(d.op(0).imm.value.u) : 10;
}

}  // namespace

Flow lower_daa(Translator& t, const DecodedInsn&) { return adjust(t, BCD_DAA, 0); }
Flow lower_das(Translator& t, const DecodedInsn&) { return adjust(t, BCD_DAS, 0); }
Flow lower_aaa(Translator& t, const DecodedInsn&) { return adjust(t, BCD_AAA, 0); }
Flow lower_aas(Translator& t, const DecodedInsn&) { return adjust(t, BCD_AAS, 0); }
Flow lower_aad(Translator& t, const DecodedInsn& d) { return adjust(t, BCD_AAD, base_of(d)); }

Flow lower_aam(Translator& t, const DecodedInsn& d) {
    const uint8_t base = base_of(d);
    if (base == 0) return t.fault(EXC_DE);  // the base is known at translation time
    return adjust(t, BCD_AAM, base);
}

}  // namespace vmm86
