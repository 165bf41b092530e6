// What each x87 encoding (ESC opcode D8..DF + ModRM) is, as far as the dispatch needs to
// know: invalid (#UD on a P6), a control instruction done in C++ (fpu_control.cpp), or a
// computational one run by the engine, with the size and direction of its memory operand.
#pragma once
#include <cstdint>

namespace vmm86 {

enum class X87Kind : uint8_t {
    Invalid,
    Compute,   // the engine runs it (x87_engine.h)
    // Control instructions (they neither update FIP/FOP nor, the FN ones, wait).
    Fldenv, Fldcw, Fnstenv, Fnstcw, Frstor, Fnsave, Fnstsw, FnstswAx, Fnclex, Fninit,
    Fnop287,   // FENI, FDISI, FSETPM: 287 controls that a 387 and later ignore
};

enum class X87Mem : uint8_t { None, Load, Store };

struct X87Form {
    X87Kind kind;
    X87Mem mem;
    uint8_t size;      // memory operand bytes (compute forms)
    bool sets_eflags;  // FCOMI, FCOMIP, FUCOMI, FUCOMIP
    bool reads_eflags; // FCMOVcc
};

inline X87Form x87_form(uint8_t opcode, uint8_t modrm) {
    const unsigned op = opcode & 7, reg = (modrm >> 3) & 7, rm = modrm & 7;
    constexpr X87Form kInvalid{X87Kind::Invalid, X87Mem::None, 0, false, false};
    auto load = [](uint8_t n) { return X87Form{X87Kind::Compute, X87Mem::Load, n, false, false}; };
    auto store = [](uint8_t n) { return X87Form{X87Kind::Compute, X87Mem::Store, n, false, false}; };
    auto ctrl = [](X87Kind k) { return X87Form{k, X87Mem::None, 0, false, false}; };
    constexpr X87Form kReg{X87Kind::Compute, X87Mem::None, 0, false, false};
    if ((modrm >> 6) != 3) {
        switch (op) {
        case 0: return load(4);   // m32 real arithmetic and compares
        case 2: return load(4);   // m32 integer
        case 4: return load(8);   // m64 real
        case 6: return load(2);   // m16 integer
        case 1: {
            static constexpr X87Kind k[8] = {X87Kind::Compute, X87Kind::Invalid, X87Kind::Compute, X87Kind::Compute,
                                             X87Kind::Fldenv, X87Kind::Fldcw, X87Kind::Fnstenv, X87Kind::Fnstcw};
            if (reg == 0) return load(4);
            if (reg == 2 || reg == 3) return store(4);
            return k[reg] == X87Kind::Invalid ? kInvalid : ctrl(k[reg]);
        }
        case 3:  // FILD/FIST/FISTP m32, FLD/FSTP m80 (/1 is SSE3 FISTTP: not on a P6)
            if (reg == 0) return load(4);
            if (reg == 2 || reg == 3) return store(4);
            if (reg == 5) return load(10);
            if (reg == 7) return store(10);
            return kInvalid;
        case 5:  // FLD/FST/FSTP m64, FRSTOR, FNSAVE, FNSTSW m16
            if (reg == 0) return load(8);
            if (reg == 2 || reg == 3) return store(8);
            if (reg == 4) return ctrl(X87Kind::Frstor);
            if (reg == 6) return ctrl(X87Kind::Fnsave);
            if (reg == 7) return ctrl(X87Kind::Fnstsw);
            return kInvalid;
        default:  // 7: FILD/FIST/FISTP m16, FBLD, FILD m64, FBSTP, FISTP m64
            if (reg == 0) return load(2);
            if (reg == 2 || reg == 3) return store(2);
            if (reg == 4) return load(10);
            if (reg == 5) return load(8);
            if (reg == 6) return store(10);
            if (reg == 7) return store(8);
            return kInvalid;
        }
    }
    // Register forms, including the aliases a P6 executes (FCOM2, FCOMP3/5, FXCH4/7,
    // FSTP1/8/9, FFREEP).
    const uint8_t m = modrm;
    switch (op) {
    case 0: case 4: return kReg;
    case 1:
        if (m < 0xD0) return kReg;                       // FLD, FXCH
        if (m == 0xD0) return kReg;                      // FNOP
        if (m < 0xD8) return kInvalid;
        if (m < 0xE0) return kReg;                       // FSTP1 alias
        if (m == 0xE0 || m == 0xE1 || m == 0xE4 || m == 0xE5) return kReg;  // FCHS FABS FTST FXAM
        if (m >= 0xE8 && m <= 0xEE) return kReg;         // constants
        if (m >= 0xF0) return kReg;                      // F2XM1 .. FCOS
        return kInvalid;
    case 2:
        if (m < 0xE0) return X87Form{X87Kind::Compute, X87Mem::None, 0, false, true};  // FCMOVB/E/BE/U
        return m == 0xE9 ? kReg : kInvalid;              // FUCOMPP
    case 3:
        if (m < 0xE0) return X87Form{X87Kind::Compute, X87Mem::None, 0, false, true};  // FCMOVNB/NE/NBE/NU
        if (m == 0xE0 || m == 0xE1 || m == 0xE4) return ctrl(X87Kind::Fnop287);
        if (m == 0xE2) return ctrl(X87Kind::Fnclex);
        if (m == 0xE3) return ctrl(X87Kind::Fninit);
        if (m >= 0xE8 && m < 0xF8) return X87Form{X87Kind::Compute, X87Mem::None, 0, true, false};
        return kInvalid;
    case 5:
        return m < 0xF0 ? kReg : kInvalid;               // FFREE FXCH4 FST FSTP FUCOM FUCOMP
    case 6:
        return (m >= 0xD8 && m != 0xD9 && m < 0xE0) ? kInvalid : kReg;
    default:  // 7
        if (m < 0xE0) return kReg;                       // FFREEP, FXCH7, FSTP8, FSTP9
        if (m == 0xE0) return ctrl(X87Kind::FnstswAx);
        if (m >= 0xE8 && m < 0xF8) return X87Form{X87Kind::Compute, X87Mem::None, 0, true, false};
        return kInvalid;
    }
    (void)rm;
}

}  // namespace vmm86
