// The portable engine: the same contract as x87_host.cpp (an FSAVE image in, the image
// after one computational instruction out), computed on the 80-bit format itself with
// integer arithmetic (portable/softfloat80.h), independent of the host's floating point.
// Results, rounding under every precision and rounding control, the exception flags, C1,
// the masked and the unmasked responses follow the P6 (and are checked against the host
// x87 by tests/unit/test_x87_portable.cpp); transcendentals are evaluated with MPFR
// (portable/x87_transcendental.cpp) and rounded in portable/x87_transcendental_ops.cpp.
// The engine's state and primitives are portable/x87_machine.h. See README.md.
#include <cstring>

#include "cpu/fpu/portable/x87_machine.h"
#include "cpu/fpu/portable/x87_transcendental_ops.h"

namespace vmm86 {
namespace {

using namespace x87p;

// --- the instructions -----------------------------------------------------------------

// D8/DC/DE register forms and the memory arithmetic: dst = ST(0) op src or src op ST(0).
void arith_st0(Machine& x, unsigned reg, const Fp& src) {
    Float80 out;
    if (!x.one()) {
        if (x.masked(IE)) x.write(0, kIndefinite);
        return;
    }
    if (x.arith(reg, x.op(0), src, out)) x.write(0, out);
}

void fcom(Machine& x, const Fp& src, bool pop, bool unordered_ok = false) {
    if (!x.one()) {
        x.cc(1, 1, 1);
        if (pop && x.masked(IE)) x.pop();
        return;
    }
    x.compare(x.op(0), src, !unordered_ok, nullptr);
    if (pop && !(x.flags & ~x.cw & (IE | DE))) x.pop();
}

template <typename T>
void fist(Machine& x, uint8_t* m, bool pop) {
    constexpr unsigned bits = sizeof(T) * 8;
    uint64_t mag = 0;
    bool inexact = false, up = false, ok = false;
    bool neg = false;
    if (x.one()) {
        const Fp a = x.op(0);
        neg = a.sign;
        if (a.cls == Fp::Finite || a.cls == Fp::Zero) {
            ok = x.to_integer(a, mag, inexact, up);
            if (ok) ok = neg ? mag <= (1ull << (bits - 1)) : mag <= (1ull << (bits - 1)) - 1;
        }
        if (!ok) x.flags |= IE;
    }
    if (!ok) {
        if (!x.masked(IE)) return;
        const T ind = T(1ull << (bits - 1));
        std::memcpy(m, &ind, sizeof ind);
    } else {
        if (inexact) x.flags |= PE;
        x.c1 = up;
        const T v = T(neg ? 0 - mag : mag);
        std::memcpy(m, &v, sizeof v);
    }
    if (pop) x.pop();
}

// FST/FSTP m32/m64.
template <bool Double>
void fst_real(Machine& x, uint8_t* m, bool pop) {
    uint64_t bitsv = 0;
    auto indefinite = [&] { bitsv = Double ? 0xFFF8000000000000ull : 0xFFC00000u; };
    if (!x.one()) {
        if (!x.masked(IE)) return;
        indefinite();
    } else {
        const Fp a = x.op(0);
        switch (a.cls) {
        case Fp::Bad:
            if (x.raise(IE)) return;
            indefinite();
            break;
        case Fp::SNaN:
        case Fp::QNaN: {
            if (a.cls == Fp::SNaN && x.raise(IE)) return;
            const uint64_t q = a.raw.mant | 1ull << 62;
            if (Double) bitsv = uint64_t(a.sign) << 63 | 0x7FF0000000000000ull | ((q >> 11) & 0xFFFFFFFFFFFFFull);
            else bitsv = uint64_t(a.sign) << 31 | 0x7F800000u | ((q >> 40) & 0x7FFFFF);
            break;
        }
        case Fp::Inf:
            bitsv = Double ? uint64_t(a.sign) << 63 | 0x7FF0000000000000ull : uint64_t(a.sign) << 31 | 0x7F800000u;
            break;
        case Fp::Zero:
            bitsv = Double ? uint64_t(a.sign) << 63 : uint64_t(a.sign) << 31;
            break;
        default: {
            Rounder r(x.cw, x.flags, x.c1);
            const Rounded v = r.round(a.sign, a.exp, u128(a.sig) << 64, Double ? kF64 : kF32);
            if (!v.stored) return;
            bitsv = Double ? v.to64() : v.to32();
            break;
        }
        }
    }
    std::memcpy(m, &bitsv, Double ? 8 : 4);
    if (pop) x.pop();
}

// FLD m32/m64/int: push a converted value (DE/IE for the source first).
void fld_value(Machine& x, const Fp& v) {
    if (!x.can_push()) return;
    if (v.cls == Fp::SNaN) {
        if (x.raise(IE)) return;
        x.push(quiet(v));
        return;
    }
    if (v.denormal) x.flags |= DE;  // even unmasked, the load completes
    x.push(v.is_nan() ? v.raw : pack(v));
}

void fbld(Machine& x, const uint8_t* m) {
    if (!x.can_push()) return;
    uint64_t v = 0;
    for (int k = 8; k >= 0; --k) v = v * 100 + (m[k] >> 4) * 10 + (m[k] & 15);
    Fp f = from_int(int64_t(v));
    f.sign = m[9] >> 7;
    x.push(pack(f));
}

void fbstp(Machine& x, uint8_t* m) {
    uint64_t mag = 0;
    bool inexact = false, up = false, ok = false, neg = false;
    if (x.one()) {
        const Fp a = x.op(0);
        neg = a.sign;
        if (a.cls == Fp::Finite || a.cls == Fp::Zero) ok = x.to_integer(a, mag, inexact, up) && mag <= 999999999999999999ull;
        if (!ok) x.flags |= IE;
    }
    if (!ok) {
        if (!x.masked(IE)) return;
        static const uint8_t kInd[10] = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF};
        std::memcpy(m, kInd, 10);
    } else {
        if (inexact) x.flags |= PE;
        x.c1 = up;
        for (unsigned k = 0; k < 9; ++k) {
            const unsigned d = unsigned(mag % 100);
            mag /= 100;
            m[k] = uint8_t((d / 10) << 4 | d % 10);
        }
        m[9] = neg ? 0x80 : 0;
    }
    x.pop();
}

void frndint(Machine& x) {
    if (!x.one()) {
        if (x.masked(IE)) x.write(0, kIndefinite);
        return;
    }
    const Fp a = x.op(0);
    if (a.invalid_operand() || a.is_nan()) {
        if (a.invalid_operand() && x.raise(IE)) return;
        x.write(0, quiet(a));
        return;
    }
    if (a.cls != Fp::Finite) return;
    if (a.denormal && x.raise(DE)) return;
    if (a.exp >= 63) return;
    uint64_t mag;
    bool inexact, up;
    x.to_integer(a, mag, inexact, up);
    if (inexact) x.flags |= PE;
    x.c1 = up;
    x.write(0, mag == 0 ? zero80(a.sign) : pack(finite_fp(a.sign, 63, mag)));
}

// A finite operand returned as it is: the register, a pseudo-denormal with exponent 1.
Float80 as_is(const Fp& a) {
    if (a.raw.exponent() == 0 && (a.raw.mant >> 63)) return make80(a.sign, 1, a.raw.mant);
    return a.raw;
}

void fscale(Machine& x) {
    if (!x.two(1)) {
        if (x.masked(IE)) x.write(0, kIndefinite);
        return;
    }
    const Fp a = x.op(0), b = x.op(1);
    if (a.invalid_operand() || b.invalid_operand() || a.is_nan() || b.is_nan()) {
        if ((a.invalid_operand() || b.invalid_operand()) && x.raise(IE)) return;
        x.write(0, propagate_nan(a, b));
        return;
    }
    if (b.cls == Fp::Inf) {
        if ((a.cls == Fp::Zero && !b.sign) || (a.cls == Fp::Inf && b.sign)) {
            if (x.raise(IE)) return;
            x.write(0, kIndefinite);
            return;
        }
        if (a.denormal && x.raise(DE)) return;
        if (a.cls == Fp::Finite) x.write(0, b.sign ? zero80(a.sign) : inf80(a.sign));
        return;
    }
    if ((a.denormal || b.denormal) && x.raise(DE)) return;
    if (a.cls != Fp::Finite) return;  // zero or infinity: unchanged
    int64_t n = 0;
    if (b.cls == Fp::Finite && b.exp >= 0) n = b.exp > 20 ? (1 << 20) : int64_t(b.sig >> (63 - b.exp));
    if (b.sign) n = -n;
    if (b.cls == Fp::Zero) {  // ST(0) itself (a pseudo-denormal normalised)
        x.write(0, as_is(a));
        return;
    }
    x.write(0, x.round(a.sign, int32_t(a.exp + n), u128(a.sig) << 64, 64));
}

void fxtract(Machine& x) {
    if (!x.one()) {
        if (x.masked(IE)) { x.write(0, kIndefinite); x.push(kIndefinite); }
        return;
    }
    if (!x.empty(7)) {
        x.stack_fault(true);
        if (x.masked(IE)) { x.write(0, kIndefinite); x.push(kIndefinite); }
        return;
    }
    const Fp a = x.op(0);
    Float80 e, s;
    if (a.invalid_operand() || a.is_nan()) {
        if (a.invalid_operand() && x.raise(IE)) return;
        e = s = quiet(a);
    } else if (a.cls == Fp::Zero) {
        if (x.raise(ZE)) return;
        e = inf80(true);
        s = zero80(a.sign);
    } else if (a.cls == Fp::Inf) {
        e = inf80(false);
        s = inf80(a.sign);
    } else {
        if (a.denormal && x.raise(DE)) return;
        e = pack(from_int(a.exp));
        s = make80(a.sign, kBias, a.sig);
    }
    x.write(0, e);
    x.push(s);
}

// FPREM (round = false) and FPREM1.
void fprem(Machine& x, bool nearest) {
    x.sw &= uint16_t(~FSW_C2);
    if (!x.two(1)) {
        if (x.masked(IE)) x.write(0, kIndefinite);
        return;
    }
    const Fp a = x.op(0), b = x.op(1);
    if (a.invalid_operand() || b.invalid_operand() || a.is_nan() || b.is_nan()) {
        if ((a.invalid_operand() || b.invalid_operand()) && x.raise(IE)) return;
        x.write(0, propagate_nan(a, b));
        return;
    }
    if (a.cls == Fp::Inf || b.cls == Fp::Zero) {
        if (x.raise(IE)) return;
        x.write(0, kIndefinite);
        return;
    }
    if ((a.denormal || b.denormal) && x.raise(DE)) return;
    x.cc(0, 0, 0);
    if (a.cls == Fp::Zero) return;
    if (b.cls == Fp::Inf) {  // ST(0) itself (a pseudo-denormal normalised)
        x.write(0, as_is(a));
        return;
    }
    const int32_t d = a.exp - b.exp;
    if (d >= 64) {
        // Partial: reduce by ST(1) * 2^(d - n) with the quotient truncated (both forms).
        const int32_t n = 32 + (d - 32) % 32;
        const int32_t shift = d - n;  // the part of the exponent left
        // a' = a / 2^shift has exponent difference n < 64 with b.
        const u128 num = u128(a.sig) << n;
        const u128 r = num % b.sig;
        x.cc(0, 1, 0);
        if (r == 0) { x.write(0, zero80(a.sign)); return; }
        const Fp res = finite_fp(a.sign, b.exp + shift, uint64_t(r));
        x.write(0, x.round(res.sign, res.exp, u128(res.sig) << 64, 64));
        return;
    }
    uint64_t q = 0;
    bool sign = a.sign;
    u128 r;   // remainder in units of 2^(b.exp - 64)
    if (d < -1 || (d == -1 && !nearest)) {  // ST(0) itself, normalised (UE for a denormal)
        x.write(0, x.round(a.sign, a.exp, u128(a.sig) << 64, 64));
        x.c1 = false;
        return;
    }
    {
        const unsigned sh = unsigned(d + 1);  // 0..64
        const u128 num = sh == 64 ? (u128(a.sig) << 63) << 1 : u128(a.sig) << sh;
        const u128 den = u128(b.sig) << 1;
        const u128 qq = num / den;
        r = num % den;  // units of 2^(b.exp - 64)
        q = uint64_t(qq);
        if (nearest) {
            if (r > b.sig || (r == b.sig && (q & 1))) {
                ++q;
                r = den - r;
                sign = !sign;
            }
        }
    }
    x.cc(q >> 1 & 1, 0, q >> 2 & 1);
    x.c1 = q & 1;
    if (r == 0) {
        x.write(0, zero80(a.sign));
        return;
    }
    const unsigned lz = clz128(r);
    const bool keep = x.c1;
    x.write(0, x.round(sign, b.exp - 64 + 127 - int32_t(lz), r << lz, 64));
    x.c1 = keep;
}

void fxam(Machine& x) {
    const Float80 f = x.st_[0];
    x.c1 = f.sign();
    if (x.empty(0)) return x.cc(1, 0, 1);
    const Fp a = unpack(f);
    switch (a.cls) {
    case Fp::Bad: return x.cc(0, 0, 0);
    case Fp::QNaN: case Fp::SNaN: return x.cc(0, 0, 1);
    case Fp::Inf: return x.cc(0, 1, 1);
    case Fp::Zero: return x.cc(1, 0, 0);
    default: return a.denormal ? x.cc(1, 1, 0) : x.cc(0, 1, 0);
    }
}


void d9_register(Machine& x, uint8_t m) {
    const unsigned i = m & 7;
    if (m < 0xC8) {  // FLD ST(i)
        if (x.empty(i)) {
            x.stack_fault(false);
            if (x.masked(IE)) x.push(kIndefinite);
            return;
        }
        const Float80 v = x.st_[i];
        if (x.can_push()) x.push(v);
        return;
    }
    if (m < 0xD0) {  // FXCH
        if (x.empty(0) || x.empty(i)) {
            x.stack_fault(false);
            if (!x.masked(IE)) return;
            if (x.empty(0)) x.write(0, kIndefinite);
            if (x.empty(i)) x.write(i, kIndefinite);
        }
        std::swap(x.st_[0], x.st_[i]);
        return;
    }
    if (m < 0xD8) return;  // FNOP
    if (m < 0xE0) {  // FSTP1: on the host (as FSTPNCE) without the stack-underflow check
        if (!x.empty(0)) x.write(i, x.st_[0]);
        x.pop();
        return;
    }
    if (m >= 0xE8 && m <= 0xEE) return fld_const(x, m - 0xE8);
    switch (m) {
    case 0xE0: case 0xE1:  // FCHS, FABS
        if (!x.one()) {
            if (x.masked(IE)) x.write(0, kIndefinite);
            return;
        }
        if (m == 0xE0) x.st_[0].se ^= 0x8000;
        else x.st_[0].se &= 0x7FFF;
        return;
    case 0xE4:
        if (!x.one()) return x.cc(1, 1, 1);
        return x.compare(x.op(0), Fp{}, true, nullptr);
    case 0xE5: return fxam(x);
    case 0xF0: return f2xm1(x);
    case 0xF1: return fyl2x(x, false);
    case 0xF2: return ftrig(x, 2);
    case 0xF3: return fpatan(x);
    case 0xF4: return fxtract(x);
    case 0xF5: return fprem(x, true);
    case 0xF6: {
        x.set_top(x.top() - 1);
        const Float80 t = x.st_[7];
        for (unsigned k = 7; k > 0; --k) x.st_[k] = x.st_[k - 1];
        x.st_[0] = t;
        return;
    }
    case 0xF7: {
        const Float80 t = x.st_[0];
        for (unsigned k = 0; k < 7; ++k) x.st_[k] = x.st_[k + 1];
        x.st_[7] = t;
        x.set_top(x.top() + 1);
        return;
    }
    case 0xF8: return fprem(x, false);
    case 0xF9: return fyl2x(x, true);
    case 0xFA: {
        if (!x.one()) {
            if (x.masked(IE)) x.write(0, kIndefinite);
            return;
        }
        Float80 out;
        if (x.fsqrt(x.op(0), out)) x.write(0, out);
        return;
    }
    case 0xFB: return ftrig(x, 3);
    case 0xFC: return frndint(x);
    case 0xFD: return fscale(x);
    case 0xFE: return ftrig(x, 0);
    default: return ftrig(x, 1);
    }
}

bool fcmov_cond(unsigned op, unsigned reg, uint64_t fl) {
    const bool cf = fl & 1, zf = fl & 0x40, pf = fl & 4;
    const bool c = (reg & 3) == 0 ? cf : (reg & 3) == 1 ? zf : (reg & 3) == 2 ? (cf || zf) : pf;
    return op == 2 ? c : !c;
}

Fp mem_operand(unsigned op, const uint8_t* m) {  // the arithmetic forms' sources
    switch (op) {
    case 0: { uint32_t v; std::memcpy(&v, m, 4); return load_f32(v); }
    case 2: { int32_t v; std::memcpy(&v, m, 4); return from_int(v); }
    case 4: { uint64_t v; std::memcpy(&v, m, 8); return load_f64(v); }
    default: { int16_t v; std::memcpy(&v, m, 2); return from_int(v); }
    }
}

}  // namespace

void x87_execute_portable(uint8_t opcode, uint8_t modrm, X87Image& img, uint8_t* mem, uint64_t& rflags) {
    Machine x(img);
    const unsigned op = opcode & 7, reg = (modrm >> 3) & 7, i = modrm & 7;
    const bool memory = (modrm >> 6) != 3;
    const bool keeps_c1 = !memory && ((op == 1 && modrm == 0xD0) || ((op == 2 || op == 3) && modrm < 0xE0) ||
                                      ((op == 3 || op == 7) && modrm >= 0xE8));
    if (!keeps_c1) x.c1 = false;
    if (memory && (op % 2 == 0)) {  // arithmetic and compares with m32fp, m32int, m64fp, m16int
        const Fp src = mem_operand(op, mem);
        if (reg == 2 || reg == 3) fcom(x, src, reg == 3);
        else arith_st0(x, reg, src);
    } else if (memory) {
        switch (op * 8 + reg) {
        case 1 * 8 + 0: { uint32_t v; std::memcpy(&v, mem, 4); fld_value(x, load_f32(v)); break; }
        case 1 * 8 + 2: fst_real<false>(x, mem, false); break;
        case 1 * 8 + 3: fst_real<false>(x, mem, true); break;
        case 3 * 8 + 0: { int32_t v; std::memcpy(&v, mem, 4); fld_value(x, from_int(v)); break; }
        case 3 * 8 + 2: fist<int32_t>(x, mem, false); break;
        case 3 * 8 + 3: fist<int32_t>(x, mem, true); break;
        case 3 * 8 + 5: if (x.can_push()) x.push(Float80::load(mem)); break;
        case 3 * 8 + 7:
            if (!x.one()) {
                if (!x.masked(IE)) break;
                kIndefinite.store(mem);
            } else {
                x.st_[0].store(mem);
            }
            x.pop();
            break;
        case 5 * 8 + 0: { uint64_t v; std::memcpy(&v, mem, 8); fld_value(x, load_f64(v)); break; }
        case 5 * 8 + 2: fst_real<true>(x, mem, false); break;
        case 5 * 8 + 3: fst_real<true>(x, mem, true); break;
        case 7 * 8 + 0: { int16_t v; std::memcpy(&v, mem, 2); fld_value(x, from_int(v)); break; }
        case 7 * 8 + 2: fist<int16_t>(x, mem, false); break;
        case 7 * 8 + 3: fist<int16_t>(x, mem, true); break;
        case 7 * 8 + 4: fbld(x, mem); break;
        case 7 * 8 + 5: { int64_t v; std::memcpy(&v, mem, 8); fld_value(x, from_int(v)); break; }
        case 7 * 8 + 6: fbstp(x, mem); break;
        case 7 * 8 + 7: fist<int64_t>(x, mem, true); break;
        default: break;
        }
    } else if (op == 1) {
        d9_register(x, modrm);
    } else if ((op == 2 || op == 3) && modrm < 0xE0) {  // FCMOVcc
        if (!x.two(i)) {
            if (x.masked(IE)) x.write(0, kIndefinite);
        } else if (fcmov_cond(op, reg, rflags)) {
            x.write(0, x.st_[i]);
        }
    } else if (op == 2) {  // FUCOMPP
        if (!x.two(1)) {
            x.cc(1, 1, 1);
            if (x.masked(IE)) { x.pop(); x.pop(); }
        } else {
            x.compare(x.op(0), x.op(1), false, nullptr);
            if (!(x.flags & ~x.cw & (IE | DE))) { x.pop(); x.pop(); }
        }
    } else if ((op == 3 || op == 7) && modrm >= 0xE8) {  // FUCOMI(P), FCOMI(P)
        if (!x.two(i)) {
            rflags = (rflags & ~0x8D5ull) | 0x45;
            if (op == 7 && x.masked(IE)) x.pop();
        } else {
            x.compare(x.op(0), x.op(i), reg == 6, &rflags);
            if (op == 7 && !(x.flags & ~x.cw & (IE | DE))) x.pop();
        }
    } else if (op == 5 || (op == 7 && modrm < 0xE0)) {
        if (reg == 0) {  // FFREE, FFREEP
            x.set_tag(i, true);
            if (op == 7) x.pop();
        } else if (reg == 1) {  // FXCH4/7
            d9_register(x, uint8_t(0xC8 | i));
        } else if (reg == 2 || reg == 3) {  // FST(P), FSTP8/9
            if (!x.one()) {
                if (!x.masked(IE)) return x.save();
                x.write(i, kIndefinite);
            } else {
                x.write(i, x.st_[0]);
            }
            if (reg == 3 || op == 7) x.pop();
        } else {  // FUCOM(P)
            if (!x.two(i)) {
                x.cc(1, 1, 1);
                if (reg == 5 && x.masked(IE)) x.pop();
            } else {
                x.compare(x.op(0), x.op(i), false, nullptr);
                if (reg == 5 && !(x.flags & ~x.cw & (IE | DE))) x.pop();
            }
        }
    } else {  // D8, DC, DE register arithmetic and compares
        if (reg == 2 || reg == 3 || (op == 6 && modrm == 0xD9)) {
            const unsigned j = op == 6 && modrm == 0xD9 ? 1 : i;
            const bool pops = reg == 3 || op == 6;
            const bool twice = op == 6 && modrm == 0xD9;
            if (!x.two(j)) {
                x.cc(1, 1, 1);
                if (pops && x.masked(IE)) { x.pop(); if (twice) x.pop(); }
            } else {
                x.compare(x.op(0), x.op(j), true, nullptr);
                if (pops && !(x.flags & ~x.cw & (IE | DE))) { x.pop(); if (twice) x.pop(); }
            }
        } else if (op == 0) {
            if (!x.two(i)) {
                if (x.masked(IE)) x.write(0, kIndefinite);
            } else {
                Float80 out;
                if (x.arith(reg, x.op(0), x.op(i), out)) x.write(0, out);
            }
        } else {
            const unsigned r = reg >= 4 ? reg ^ 1 : reg;
            if (!x.two(i)) {
                if (x.masked(IE)) { x.write(i, kIndefinite); if (op == 6) x.pop(); }
            } else {
                Float80 out;
                if (x.arith(r, x.op(i), x.op(0), out)) {
                    x.write(i, out);
                    if (op == 6) x.pop();
                }
            }
        }
    }
    x.save();
}

#if !defined(__x86_64__) || defined(VMM86_X87_PORTABLE)
void x87_execute(uint8_t opcode, uint8_t modrm, X87Image& img, uint8_t* mem, uint64_t& rflags) {
    x87_execute_portable(opcode, modrm, img, mem, rflags);
}

bool x87_engine_is_host() { return false; }
#endif

}  // namespace vmm86
