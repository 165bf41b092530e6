#include "tools/difftest/flags.h"

#include <cstring>

#include "cpu/cpu_state.h"

namespace vmm86::difftest {
namespace {

constexpr uint32_t CF = FLAG_CF, PF = FLAG_PF, AF = FLAG_AF, ZF = FLAG_ZF, SF = FLAG_SF, OF = FLAG_OF;
constexpr uint32_t ALL = FLAGS_ARITH;

bool is(const Insn& i, const char* name) { return std::strcmp(i.desc->name, name) == 0; }

unsigned shift_count(const Insn& i, const Regs& before) {
    if (i.desc->count_cl == 2) return 1;
    const uint32_t raw = i.desc->count_cl == 1 ? (before.gpr[1] & 0xFF) : i.imm;
    return raw & 0x1F;  // the CPU masks every shift count to five bits (no 64-bit forms here)
}

}  // namespace

FlagEffect flag_effect(const Insn& i, const Regs& before) {
    const InsnDesc& d = *i.desc;
    const unsigned width = i.opsize;
    switch (d.kind) {
        case Kind::Logic: return {ALL, AF};
        case Kind::Shift:
        case Kind::Sar: {
            // SDM SAL/SAR/SHL/SHR: count 0 affects nothing; AF undefined for any other
            // count; OF defined only for 1-bit shifts; for SHL/SHR a count >= the operand
            // width leaves CF undefined.
            const unsigned n = shift_count(i, before);
            if (n == 0) return {};
            uint32_t u = AF;
            if (n != 1) u |= OF;
            if (d.kind == Kind::Shift && n >= width) u |= CF;
            return {ALL, u};
        }
        case Kind::Rotate:
        case Kind::RotateC: {
            // SDM RCL/RCR/ROL/ROR: only CF and OF; a masked count of 0 affects nothing and
            // OF is defined only for 1-bit rotates.
            const unsigned n = shift_count(i, before);
            if (n == 0) return {};
            return {CF | OF, n == 1 ? 0u : OF};
        }
        case Kind::ShiftD: {
            // SDM SHLD/SHRD: count 0 affects nothing; AF undefined after a shift; OF
            // undefined beyond 1 bit; everything undefined for counts above the width.
            const unsigned n = shift_count(i, before);
            if (n == 0) return {};
            if (n > width) return {ALL, ALL};
            return {ALL, n == 1 ? AF : (AF | OF)};
        }
        case Kind::Mul: return {ALL, SF | ZF | AF | PF};
        case Kind::Div: return {ALL, ALL};
        case Kind::DaaDas: return {ALL, OF};
        case Kind::AaaAas: return {ALL, OF | SF | ZF | PF};
        case Kind::AamAad: return {ALL, OF | AF | CF};
        case Kind::Bt: return {CF | OF | SF | AF | PF, OF | SF | AF | PF};  // ZF unaffected
        case Kind::BitScan: return {ALL, CF | OF | SF | AF | PF};
        case Kind::Popf: return {ALL, 0};
        case Kind::Cmpxchg8b: return {ZF, 0};
        case Kind::String:
            return (is(i, "cmps") || is(i, "scas")) ? FlagEffect{ALL, 0} : FlagEffect{};
        case Kind::X87:
            // FCOMI/FUCOMI(P): ZF PF CF from the compare, OF SF AF cleared (SDM FCOMI).
            return std::strncmp(d.name, "fcomi", 5) == 0 || std::strncmp(d.name, "fucomi", 6) == 0
                       ? FlagEffect{ALL, 0}
                       : FlagEffect{};
        default: break;
    }
    switch (d.group) {
        case Group::Alu:
        case Group::NegNot:
            return is(i, "not") ? FlagEffect{} : FlagEffect{ALL, 0};
        case Group::IncDec: return {ALL & ~CF, 0};
        case Group::Xchg:
            return (is(i, "xadd") || is(i, "cmpxchg")) ? FlagEffect{ALL, 0} : FlagEffect{};
        case Group::Flags:
            if (is(i, "clc") || is(i, "stc") || is(i, "cmc")) return {CF, 0};
            if (is(i, "sahf")) return {SF | ZF | AF | PF | CF, 0};
            return {};
        default: return {};
    }
}

uint32_t flags_read(const Insn& i) {
    const InsnDesc& d = *i.desc;
    if (d.group == Group::SetCC || d.group == Group::Cmov) {
        static const uint32_t kCond[8] = {OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF};
        return kCond[(d.opcode.back() & 0xF) >> 1];
    }
    if (d.kind == Kind::X87 && std::strncmp(d.name, "fcmov", 5) == 0) {
        // /0../3: B E BE U (DAh), NB NE NBE NU (DBh).
        static const uint32_t kFcmov[4] = {CF, ZF, CF | ZF, PF};
        return kFcmov[d.digit & 3];
    }
    if (is(i, "adc") || is(i, "sbb") || d.kind == Kind::RotateC || is(i, "cmc")) return CF;
    if (d.kind == Kind::DaaDas || d.kind == Kind::AaaAas) return CF | AF;
    if (is(i, "lahf")) return SF | ZF | AF | PF | CF;
    if (is(i, "pushf")) return ALL;
    if (is(i, "into")) return OF;
    return 0;
}

}  // namespace vmm86::difftest
