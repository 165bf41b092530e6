// The instruction forms difftest generates, by group. Every form of an opcode that a
// decoder or a lowering might treat differently gets its own row (the AL/eAX short forms,
// 82h, the by-1/by-CL/by-imm8 shifts, the register-in-opcode forms...).
#include "tools/difftest/insn.h"

#include <iterator>

namespace vmm86::difftest {
namespace {

using L = Layout;
using W = Width;

constexpr const char* kCc[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                 "s", "ns", "p", "np", "l", "ge", "le", "g"};

std::vector<InsnDesc> build() {
    std::vector<InsnDesc> t;
    auto add = [&](InsnDesc d) { t.push_back(std::move(d)); };

    // alu: the eight classic operations in all their forms, and TEST.
    static const char* const kAlu[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    for (uint8_t i = 0; i < 8; ++i) {
        const Kind k = (i == 1 || i == 4 || i == 6) ? Kind::Logic : Kind::Plain;
        const uint8_t b = uint8_t(i * 8);
        add({kAlu[i], Group::Alu, {uint8_t(b + 0)}, L::EG, -1, W::B, Imm::None, RmUse::Any, k});
        add({kAlu[i], Group::Alu, {uint8_t(b + 1)}, L::EG, -1, W::V, Imm::None, RmUse::Any, k});
        add({kAlu[i], Group::Alu, {uint8_t(b + 2)}, L::EG, -1, W::B, Imm::None, RmUse::Any, k});
        add({kAlu[i], Group::Alu, {uint8_t(b + 3)}, L::EG, -1, W::V, Imm::None, RmUse::Any, k});
        add({kAlu[i], Group::Alu, {uint8_t(b + 4)}, L::None, -1, W::B, Imm::B, RmUse::Any, k});
        add({kAlu[i], Group::Alu, {uint8_t(b + 5)}, L::None, -1, W::V, Imm::Z, RmUse::Any, k});
        add({kAlu[i], Group::Alu, {0x80}, L::E, int8_t(i), W::B, Imm::B, RmUse::Any, k});
        add({kAlu[i], Group::Alu, {0x81}, L::E, int8_t(i), W::V, Imm::Z, RmUse::Any, k});
        add({kAlu[i], Group::Alu, {0x82}, L::E, int8_t(i), W::B, Imm::B, RmUse::Any, k});
        add({kAlu[i], Group::Alu, {0x83}, L::E, int8_t(i), W::V, Imm::B, RmUse::Any, k});
    }
    add({"test", Group::Alu, {0x84}, L::EG, -1, W::B, Imm::None, RmUse::Any, Kind::Logic});
    add({"test", Group::Alu, {0x85}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::Logic});
    add({"test", Group::Alu, {0xA8}, L::None, -1, W::B, Imm::B, RmUse::Any, Kind::Logic});
    add({"test", Group::Alu, {0xA9}, L::None, -1, W::V, Imm::Z, RmUse::Any, Kind::Logic});
    add({"test", Group::Alu, {0xF6}, L::E, 0, W::B, Imm::B, RmUse::Any, Kind::Logic});
    add({"test", Group::Alu, {0xF7}, L::E, 0, W::V, Imm::Z, RmUse::Any, Kind::Logic});

    // incdec
    add({"inc", Group::IncDec, {0xFE}, L::E, 0, W::B, Imm::None});
    add({"dec", Group::IncDec, {0xFE}, L::E, 1, W::B, Imm::None});
    add({"inc", Group::IncDec, {0xFF}, L::E, 0, W::V, Imm::None});
    add({"dec", Group::IncDec, {0xFF}, L::E, 1, W::V, Imm::None});
    add({"inc", Group::IncDec, {0x40}, L::O, -1, W::V, Imm::None});
    add({"dec", Group::IncDec, {0x48}, L::O, -1, W::V, Imm::None});

    // negnot
    for (uint8_t op : {0xF6, 0xF7}) {
        const W w = op == 0xF6 ? W::B : W::V;
        add({"not", Group::NegNot, {op}, L::E, 2, w, Imm::None});
        add({"neg", Group::NegNot, {op}, L::E, 3, w, Imm::None});
    }

    // shift and rotate: by 1 (D0/D1), by CL (D2/D3), by imm8 (C0/C1). /6 is the SAL alias
    // that Intel CPUs execute as SHL.
    struct Sh {
        const char* name;
        int8_t digit;
        Group group;
        Kind kind;
    };
    const Sh shifts[] = {
        {"rol", 0, Group::Rotate, Kind::Rotate}, {"ror", 1, Group::Rotate, Kind::Rotate},
        {"rcl", 2, Group::Rotate, Kind::RotateC}, {"rcr", 3, Group::Rotate, Kind::RotateC},
        {"shl", 4, Group::Shift, Kind::Shift}, {"shr", 5, Group::Shift, Kind::Shift},
        {"sal", 6, Group::Shift, Kind::Shift}, {"sar", 7, Group::Shift, Kind::Sar},
    };
    for (const Sh& s : shifts) {
        for (int wide = 0; wide < 2; ++wide) {
            const W w = wide ? W::V : W::B;
            const uint8_t o = uint8_t(wide);
            add({s.name, s.group, {uint8_t(0xD0 + o)}, L::E, s.digit, w, Imm::None, RmUse::Any, s.kind, 2});
            add({s.name, s.group, {uint8_t(0xD2 + o)}, L::E, s.digit, w, Imm::None, RmUse::Any, s.kind, 1});
            add({s.name, s.group, {uint8_t(0xC0 + o)}, L::E, s.digit, w, Imm::B, RmUse::Any, s.kind, 0});
        }
    }

    // shiftd
    add({"shld", Group::ShiftD, {0x0F, 0xA4}, L::EG, -1, W::V, Imm::B, RmUse::Any, Kind::ShiftD, 0});
    add({"shld", Group::ShiftD, {0x0F, 0xA5}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::ShiftD, 1});
    add({"shrd", Group::ShiftD, {0x0F, 0xAC}, L::EG, -1, W::V, Imm::B, RmUse::Any, Kind::ShiftD, 0});
    add({"shrd", Group::ShiftD, {0x0F, 0xAD}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::ShiftD, 1});

    // muldiv
    static const char* const kMd[4] = {"mul", "imul", "div", "idiv"};
    for (uint8_t op : {0xF6, 0xF7})
        for (int i = 0; i < 4; ++i)
            add({kMd[i], Group::MulDiv, {op}, L::E, int8_t(4 + i), op == 0xF6 ? W::B : W::V, Imm::None,
                 RmUse::Any, i < 2 ? Kind::Mul : Kind::Div});
    add({"imul", Group::MulDiv, {0x0F, 0xAF}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::Mul});
    add({"imul", Group::MulDiv, {0x69}, L::EG, -1, W::V, Imm::Z, RmUse::Any, Kind::Mul});
    add({"imul", Group::MulDiv, {0x6B}, L::EG, -1, W::V, Imm::B, RmUse::Any, Kind::Mul});

    // bcd
    add({"daa", Group::Bcd, {0x27}, L::None, -1, W::None, Imm::None, RmUse::Any, Kind::DaaDas});
    add({"das", Group::Bcd, {0x2F}, L::None, -1, W::None, Imm::None, RmUse::Any, Kind::DaaDas});
    add({"aaa", Group::Bcd, {0x37}, L::None, -1, W::None, Imm::None, RmUse::Any, Kind::AaaAas});
    add({"aas", Group::Bcd, {0x3F}, L::None, -1, W::None, Imm::None, RmUse::Any, Kind::AaaAas});
    add({"aam", Group::Bcd, {0xD4}, L::None, -1, W::None, Imm::B, RmUse::Any, Kind::AamAad});
    add({"aad", Group::Bcd, {0xD5}, L::None, -1, W::None, Imm::B, RmUse::Any, Kind::AamAad});

    // bit
    static const char* const kBt[4] = {"bt", "bts", "btr", "btc"};
    for (int i = 0; i < 4; ++i) {
        add({kBt[i], Group::Bit, {0x0F, uint8_t(0xA3 + 8 * i)}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::Bt});
        add({kBt[i], Group::Bit, {0x0F, 0xBA}, L::E, int8_t(4 + i), W::V, Imm::B, RmUse::Any, Kind::Bt});
    }

    // bitscan
    add({"bsf", Group::BitScan, {0x0F, 0xBC}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::BitScan});
    add({"bsr", Group::BitScan, {0x0F, 0xBD}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::BitScan});

    // setcc: the reg field is ignored by the CPU; the generator varies it.
    static std::string set_names[16], cmov_names[16];
    for (uint8_t cc = 0; cc < 16; ++cc) {
        set_names[cc] = std::string("set") + kCc[cc];
        cmov_names[cc] = std::string("cmov") + kCc[cc];
        add({set_names[cc].c_str(), Group::SetCC, {0x0F, uint8_t(0x90 + cc)}, L::E, 0, W::B, Imm::None});
        add({cmov_names[cc].c_str(), Group::Cmov, {0x0F, uint8_t(0x40 + cc)}, L::EG, -1, W::V, Imm::None});
    }

    // xchg
    add({"xchg", Group::Xchg, {0x86}, L::EG, -1, W::B, Imm::None});
    add({"xchg", Group::Xchg, {0x87}, L::EG, -1, W::V, Imm::None});
    add({"xchg", Group::Xchg, {0x90}, L::O, -1, W::V, Imm::None});  // with eAX (r = 0 is NOP)
    add({"xadd", Group::Xchg, {0x0F, 0xC0}, L::EG, -1, W::B, Imm::None});
    add({"xadd", Group::Xchg, {0x0F, 0xC1}, L::EG, -1, W::V, Imm::None});
    add({"cmpxchg", Group::Xchg, {0x0F, 0xB0}, L::EG, -1, W::B, Imm::None});
    add({"cmpxchg", Group::Xchg, {0x0F, 0xB1}, L::EG, -1, W::V, Imm::None});
    add({"bswap", Group::Xchg, {0x0F, 0xC8}, L::O, -1, W::D, Imm::None});
    add({"cmpxchg8b", Group::Xchg, {0x0F, 0xC7}, L::E, 1, W::None, Imm::None, RmUse::MemOnly, Kind::Cmpxchg8b, 0, 8});

    // movx
    add({"movzx", Group::Movx, {0x0F, 0xB6}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::Plain, 0, 1});
    add({"movzx", Group::Movx, {0x0F, 0xB7}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::Plain, 0, 2});
    add({"movsx", Group::Movx, {0x0F, 0xBE}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::Plain, 0, 1});
    add({"movsx", Group::Movx, {0x0F, 0xBF}, L::EG, -1, W::V, Imm::None, RmUse::Any, Kind::Plain, 0, 2});
    add({"cbw", Group::Movx, {0x98}, L::None, -1, W::V, Imm::None});
    add({"cwd", Group::Movx, {0x99}, L::None, -1, W::V, Imm::None});

    // flags
    struct Simple {
        const char* name;
        uint8_t op;
    };
    for (const Simple& f : {Simple{"clc", 0xF8}, Simple{"stc", 0xF9}, Simple{"cmc", 0xF5}, Simple{"cld", 0xFC},
                            Simple{"std", 0xFD}, Simple{"lahf", 0x9F}, Simple{"sahf", 0x9E}})
        add({f.name, Group::Flags, {f.op}, L::None, -1, W::None, Imm::None});
    add({"pushf", Group::Flags, {0x9C}, L::None, -1, W::V, Imm::None, RmUse::Any, Kind::Stack, 0, 0, 0, 0xFF});
    add({"popf", Group::Flags, {0x9D}, L::None, -1, W::V, Imm::None, RmUse::Any, Kind::Popf, 0, 0, 0, 0xFF});

    // string (single, non-REP)
    struct Str {
        const char* name;
        uint8_t op, use;
    };
    for (const Str& s : {Str{"movs", 0xA4, kStrSrc | kStrDst}, Str{"cmps", 0xA6, kStrSrc | kStrDst},
                         Str{"stos", 0xAA, kStrDst}, Str{"lods", 0xAC, kStrSrc}, Str{"scas", 0xAE, kStrDst}}) {
        add({s.name, Group::String, {s.op}, L::None, -1, W::B, Imm::None, RmUse::Any, Kind::String, 0, 0, s.use});
        add({s.name, Group::String, {uint8_t(s.op + 1)}, L::None, -1, W::V, Imm::None, RmUse::Any, Kind::String, 0, 0,
             s.use});
    }
    add({"xlat", Group::String, {0xD7}, L::None, -1, W::None, Imm::None, RmUse::Any, Kind::Xlat});

    // stack
    add({"push", Group::Stack, {0x50}, L::O, -1, W::V, Imm::None, RmUse::Any, Kind::Stack, 0, 0, 0, 0xFF});
    add({"pop", Group::Stack, {0x58}, L::O, -1, W::V, Imm::None, RmUse::Any, Kind::Stack, 0, 0, 0, 0xFF});
    add({"push", Group::Stack, {0x68}, L::None, -1, W::V, Imm::Z, RmUse::Any, Kind::Stack, 0, 0, 0, 0xFF});
    add({"push", Group::Stack, {0x6A}, L::None, -1, W::V, Imm::B, RmUse::Any, Kind::Stack, 0, 0, 0, 0xFF});
    add({"push", Group::Stack, {0xFF}, L::E, 6, W::V, Imm::None, RmUse::Any, Kind::Stack, 0, 0, 0, 0xFF});
    add({"pop", Group::Stack, {0x8F}, L::E, 0, W::V, Imm::None, RmUse::Any, Kind::Stack, 0, 0, 0, 0xFF});
    add({"pusha", Group::Stack, {0x60}, L::None, -1, W::V, Imm::None, RmUse::Any, Kind::Stack, 0, 0, 0, 32});
    add({"popa", Group::Stack, {0x61}, L::None, -1, W::V, Imm::None, RmUse::Any, Kind::Stack, 0, 0, 0, 32});

    // trap: instructions whose point is their exception
    add({"bound", Group::Trap, {0x62}, L::EG, -1, W::V, Imm::None, RmUse::MemOnly, Kind::Bound});
    add({"into", Group::Trap, {0xCE}, L::None, -1, W::None, Imm::None});

    // x87: every form of the P6's x87 (register, memory, fixed ModRM), FWAIT, FXSAVE/FXRSTOR,
    // and some encodings a P6 rejects with #UD.
    using F = X87Fmt;
    using X = X87Class;
    auto xm = [&](const char* name, std::vector<uint8_t> op, int8_t digit, F fmt, bool store,
                  X cls = X::Compute, W w = W::None) {
        add({name, Group::X87, std::move(op), L::E, digit, w, Imm::None, RmUse::MemOnly, Kind::X87, 0, 0, 0, 0, fmt,
             cls, store});
    };
    auto xr = [&](const char* name, uint8_t op, int8_t digit, X cls = X::Compute) {  // ST(i) forms
        add({name, Group::X87, {op}, L::E, digit, W::None, Imm::None, RmUse::RegOnly, Kind::X87, 0, 0, 0, 0, F::None,
             cls});
    };
    auto xf = [&](const char* name, std::vector<uint8_t> bytes, X cls = X::Compute) {  // fixed ModRM
        add({name, Group::X87, std::move(bytes), L::None, -1, W::None, Imm::None, RmUse::Any, Kind::X87, 0, 0, 0, 0,
             F::None, cls});
    };
    static const char* const kArith[8] = {"fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"};
    static const char* const kIArith[8] = {"fiadd", "fimul", "ficom", "ficomp", "fisub", "fisubr", "fidiv", "fidivr"};
    for (int8_t d = 0; d < 8; ++d) {
        xm(kArith[d], {0xD8}, d, F::F32, false);
        xm(kArith[d], {0xDC}, d, F::F64, false);
        xm(kIArith[d], {0xDA}, d, F::I32, false);
        xm(kIArith[d], {0xDE}, d, F::I16, false);
        xr(kArith[d], 0xD8, d);  // ST(0), ST(i)
    }
    // DC/DE register forms: ST(i), ST(0) and the popping forms; /2 and /3 are the FCOM2,
    // FCOMP3 and FCOMP5 aliases.
    static const char* const kArithR[8] = {"fadd", "fmul", "fcom2", "fcomp3", "fsubr", "fsub", "fdivr", "fdiv"};
    static const char* const kArithP[8] = {"faddp", "fmulp", "fcomp5", nullptr, "fsubrp", "fsubp", "fdivrp", "fdivp"};
    for (int8_t d = 0; d < 8; ++d) {
        xr(kArithR[d], 0xDC, d);
        if (kArithP[d]) xr(kArithP[d], 0xDE, d);
    }
    xf("fcompp", {0xDE, 0xD9});
    // Loads and stores.
    xm("fld", {0xD9}, 0, F::F32, false);
    xm("fst", {0xD9}, 2, F::F32, true);
    xm("fstp", {0xD9}, 3, F::F32, true);
    xm("fld", {0xDD}, 0, F::F64, false);
    xm("fst", {0xDD}, 2, F::F64, true);
    xm("fstp", {0xDD}, 3, F::F64, true);
    xm("fld", {0xDB}, 5, F::F80, false);
    xm("fstp", {0xDB}, 7, F::F80, true);
    xm("fild", {0xDF}, 0, F::I16, false);
    xm("fist", {0xDF}, 2, F::I16, true);
    xm("fistp", {0xDF}, 3, F::I16, true);
    xm("fild", {0xDB}, 0, F::I32, false);
    xm("fist", {0xDB}, 2, F::I32, true);
    xm("fistp", {0xDB}, 3, F::I32, true);
    xm("fild", {0xDF}, 5, F::I64, false);
    xm("fistp", {0xDF}, 7, F::I64, true);
    xm("fbld", {0xDF}, 4, F::Bcd, false);
    xm("fbstp", {0xDF}, 6, F::Bcd, true);
    // Control and state (the environment layouts depend on the operand size).
    xm("fldenv", {0xD9}, 4, F::Env, false, X::LoadEnv, W::V);
    xm("fldcw", {0xD9}, 5, F::Word, false, X::Control);
    xm("fnstenv", {0xD9}, 6, F::Env, true, X::StoreEnv, W::V);
    xm("fnstcw", {0xD9}, 7, F::Word, true, X::Control);
    xm("frstor", {0xDD}, 4, F::Save, false, X::LoadEnv, W::V);
    xm("fnsave", {0xDD}, 6, F::Save, true, X::StoreSave, W::V);
    xm("fnstsw", {0xDD}, 7, F::Word, true, X::Control);
    xm("fxsave", {0x0F, 0xAE}, 0, F::FxSave, true, X::StoreEnv);
    xm("fxrstor", {0x0F, 0xAE}, 1, F::FxSave, false, X::LoadEnv);
    xf("fnstsw ax", {0xDF, 0xE0}, X::Control);
    xf("fnclex", {0xDB, 0xE2}, X::Control);
    xf("fninit", {0xDB, 0xE3}, X::Init);
    xf("feni", {0xDB, 0xE0}, X::Control);  // 8087/287 controls: no-ops since the 387
    xf("fdisi", {0xDB, 0xE1}, X::Control);
    xf("fsetpm", {0xDB, 0xE4}, X::Control);
    add({"fwait", Group::X87, {0x9B}, L::None, -1, W::None, Imm::None, RmUse::Any, Kind::X87, 0, 0, 0, 0, F::None,
         X::Control});
    // Register forms: moves, exchanges, compares, conditional moves, and the aliases a P6
    // executes (FSTP1/8/9, FXCH4/7, FFREEP).
    xr("fld", 0xD9, 0);
    xr("fxch", 0xD9, 1);
    xr("fstp1", 0xD9, 3);
    xr("ffree", 0xDD, 0);
    xr("fxch4", 0xDD, 1);
    xr("fst", 0xDD, 2);
    xr("fstp", 0xDD, 3);
    xr("fucom", 0xDD, 4);
    xr("fucomp", 0xDD, 5);
    xf("fucompp", {0xDA, 0xE9});
    static const char* const kFcmov[8] = {"fcmovb", "fcmove", "fcmovbe", "fcmovu",
                                          "fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"};
    for (int8_t d = 0; d < 4; ++d) {
        xr(kFcmov[d], 0xDA, d);
        xr(kFcmov[4 + d], 0xDB, d);
    }
    xr("fucomi", 0xDB, 5);
    xr("fcomi", 0xDB, 6);
    xr("ffreep", 0xDF, 0);
    xr("fxch7", 0xDF, 1);
    xr("fstp8", 0xDF, 2);
    xr("fstp9", 0xDF, 3);
    xr("fucomip", 0xDF, 5);
    xr("fcomip", 0xDF, 6);
    // D9 with a fixed ModRM: FNOP, sign and classification, constants, the rest.
    static const char* const kD9[32] = {
        "fchs",  "fabs",   nullptr,  nullptr, "ftst",    "fxam",  nullptr,  nullptr,
        "fld1",  "fldl2t", "fldl2e", "fldpi", "fldlg2",  "fldln2", "fldz",  nullptr,
        "f2xm1", "fyl2x",  "fptan",  "fpatan", "fxtract", "fprem1", "fdecstp", "fincstp",
        "fprem", "fyl2xp1", "fsqrt", "fsincos", "frndint", "fscale", "fsin", "fcos"};
    xf("fnop", {0xD9, 0xD0});
    for (int k = 0; k < 32; ++k)
        if (kD9[k]) xf(kD9[k], {0xD9, uint8_t(0xE0 + k)});
    // Encodings a P6 (and the host) rejects: a sample of each reserved range.
    for (std::vector<uint8_t> b : {std::vector<uint8_t>{0xD9, 0xD1}, {0xD9, 0xD7}, {0xD9, 0xE3}, {0xD9, 0xEF},
                                   {0xDA, 0xE0}, {0xDA, 0xFB}, {0xDB, 0xE6}, {0xDB, 0xFC}, {0xDD, 0xF3},
                                   {0xDE, 0xDD}, {0xDF, 0xE4}, {0xDF, 0xFA}})
        xf("(reserved)", std::move(b), X::Reserved);
    xm("(reserved)", {0xD9}, 1, F::Word, false, X::Reserved);
    xm("(reserved)", {0xDB}, 4, F::Word, false, X::Reserved);
    xm("(reserved)", {0xDB}, 6, F::Word, false, X::Reserved);
    xm("(reserved)", {0xDD}, 5, F::Word, false, X::Reserved);
    return t;
}

}  // namespace

const char* group_name(Group g) {
    static const char* const kNames[] = {"alu",    "incdec", "negnot", "shift", "rotate", "shiftd",
                                         "muldiv", "bcd",    "bit",    "bitscan", "setcc", "cmov",
                                         "xchg",   "movx",   "flags",  "string", "stack",  "trap", "x87"};
    static_assert(std::size(kNames) == size_t(Group::kCount));
    return kNames[size_t(g)];
}

const std::vector<InsnDesc>& insn_table() {
    static const std::vector<InsnDesc> table = build();
    return table;
}

}  // namespace vmm86::difftest
