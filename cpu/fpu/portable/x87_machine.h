// The portable x87 engine's working state (internal to cpu/fpu): an FSAVE image unpacked
// into the registers, the control/status/tag words, the exception flags and C1 an
// instruction raises, with the stack, rounding and arithmetic primitives every instruction
// uses; and the operand helpers (integer and m32/m64 loads, NaN choice, comparisons).
// x87_portable.cpp holds the instructions and the dispatch, x87_transcendental_ops.cpp
// the transcendental instructions.
#pragma once
#include <cstring>
#include <utility>

#include "cpu/fpu/portable/softfloat80.h"
#include "cpu/fpu/portable/x87_transcendental.h"
#include "cpu/fpu/x87_engine.h"

namespace vmm86::x87p {

enum : uint16_t { IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, SF = 64 };

// Two's-complement integers to an operand (exact).
inline Fp from_int(int64_t v) {
    if (v == 0) return Fp{};
    const bool neg = v < 0;
    const uint64_t mag = neg ? 0 - uint64_t(v) : uint64_t(v);
    return finite_fp(neg, 63, mag);
}

// A finite operand's exact 80-bit encoding (its exponent is in range).
inline Float80 pack(const Fp& x) {
    if (x.cls == Fp::Zero) return zero80(x.sign);
    if (x.cls == Fp::Inf) return inf80(x.sign);
    if (x.cls != Fp::Finite) return x.raw;
    return make80(x.sign, unsigned(x.exp + kBias), x.sig);
}

// An IEEE binary value with EB exponent and FB fraction bits (m32: 8/23, m64: 11/52) as
// an operand: exact, denormals flagged, NaNs and infinities kept with their payload.
template <unsigned EB, unsigned FB>
Fp load_binary(uint64_t v) {
    constexpr unsigned kMaxExp = (1u << EB) - 1;
    constexpr int32_t kBinaryBias = int32_t(kMaxExp >> 1);
    // finite_fp(sign, e, mag) is mag * 2^(e - 63); the fraction's unit is 2^(exp - bias - FB).
    constexpr int32_t kUnit = 63 - kBinaryBias - int32_t(FB);
    Fp r;
    r.sign = (v >> (EB + FB)) & 1;
    const unsigned e = unsigned(v >> FB) & kMaxExp;
    const uint64_t f = v & ((1ull << FB) - 1);
    if (e == kMaxExp) {
        r.cls = f == 0 ? Fp::Inf : (f >> (FB - 1)) ? Fp::QNaN : Fp::SNaN;
        r.sig = 1ull << 63 | f << (63 - FB);
        r.raw = make80(r.sign, 0x7FFF, r.sig);
        return r;
    }
    if (e == 0) {
        if (f == 0) return r;
        Fp d = finite_fp(r.sign, 1 + kUnit, f);
        d.denormal = true;
        return d;
    }
    return finite_fp(r.sign, int32_t(e) + kUnit, (1ull << FB) | f);
}
inline Fp load_f32(uint32_t v) { return load_binary<8, 23>(v); }
inline Fp load_f64(uint64_t v) { return load_binary<11, 52>(v); }

// The x87's choice between NaN operands (at least one is a NaN or unsupported).
inline Float80 propagate_nan(const Fp& a, const Fp& b) {
    if (a.cls == Fp::Bad || b.cls == Fp::Bad) return kIndefinite;
    const Fp* pick;
    if (a.is_nan() && b.is_nan()) {
        if (a.cls != b.cls) pick = a.cls == Fp::QNaN ? &a : &b;
        else if (a.sig != b.sig) pick = a.sig > b.sig ? &a : &b;
        else pick = a.sign ? &b : &a;
    } else {
        pick = a.is_nan() ? &a : &b;
    }
    Float80 r = pick->raw;
    r.mant |= 1ull << 62;
    return r;
}
inline Float80 quiet(const Fp& a) {
    if (a.cls == Fp::Bad) return kIndefinite;
    Float80 r = a.raw;
    r.mant |= 1ull << 62;
    return r;
}

// Magnitude order of two non-NaN operands: -1, 0, 1.
inline int cmp_mag(const Fp& a, const Fp& b) {
    auto rank = [](const Fp& x) { return x.cls == Fp::Zero ? 0 : x.cls == Fp::Finite ? 1 : 2; };
    if (rank(a) != rank(b)) return rank(a) < rank(b) ? -1 : 1;
    if (a.cls != Fp::Finite) return 0;
    if (a.exp != b.exp) return a.exp < b.exp ? -1 : 1;
    if (a.sig != b.sig) return a.sig < b.sig ? -1 : 1;
    return 0;
}
inline int cmp_values(const Fp& a, const Fp& b) {  // ordered operands: -1 less, 0 equal, 1 greater
    const bool az = a.cls == Fp::Zero, bz = b.cls == Fp::Zero;
    if (az && bz) return 0;
    if (a.sign != b.sign) return a.sign ? -1 : 1;
    const int m = cmp_mag(a, b);
    return a.sign ? -m : m;
}

struct Machine {
    X87Image& img;
    uint16_t cw, sw, tw;
    Float80 st_[8];  // ST order, as in the image
    uint16_t flags = 0;
    bool c1 = false;

    explicit Machine(X87Image& i) : img(i) {
        std::memcpy(&cw, img.b, 2);
        std::memcpy(&sw, img.b + 4, 2);
        std::memcpy(&tw, img.b + 8, 2);
        for (unsigned k = 0; k < 8; ++k) st_[k] = Float80::load(img.b + 28 + 10 * k);
        c1 = sw & FSW_C1;
    }
    void save() {
        sw = uint16_t((sw & ~FSW_C1) | flags | (c1 ? FSW_C1 : 0));
        sw &= uint16_t(~(FSW_ES | FSW_B));
        if (sw & ~cw & FSW_EXCEPTIONS) sw |= FSW_ES | FSW_B;
        uint16_t t = 0;
        for (unsigned k = 0; k < 8; ++k) {
            const unsigned phys = (top() + k) & 7;
            const unsigned old = (tw >> (2 * phys)) & 3;
            t |= uint16_t((old == 3 ? 3 : float80_tag(st_[k])) << (2 * phys));
        }
        std::memcpy(img.b, &cw, 2);
        std::memcpy(img.b + 4, &sw, 2);
        std::memcpy(img.b + 8, &t, 2);
        for (unsigned k = 0; k < 8; ++k) st_[k].store(img.b + 28 + 10 * k);
    }

    // --- the stack -------------------------------------------------------------------
    unsigned top() const { return (sw >> 11) & 7; }
    bool empty(unsigned i) const { return ((tw >> (2 * ((top() + i) & 7))) & 3) == 3; }
    void set_tag(unsigned i, bool is_empty) {
        const unsigned p = 2 * ((top() + i) & 7);
        tw = uint16_t((tw & ~(3u << p)) | (is_empty ? 3u << p : 0));
    }
    void set_top(unsigned t) { sw = uint16_t((sw & ~FSW_TOP) | (t & 7) << 11); }
    void write(unsigned i, const Float80& v) {
        st_[i] = v;
        set_tag(i, false);
    }
    void push(const Float80& v) {
        for (unsigned k = 7; k > 0; --k) st_[k] = st_[k - 1];
        set_top(top() - 1);
        write(0, v);
    }
    void pop() {
        set_tag(0, true);
        const Float80 t = st_[0];
        for (unsigned k = 0; k < 7; ++k) st_[k] = st_[k + 1];
        st_[7] = t;
        set_top(top() + 1);
    }
    void stack_fault(bool overflow) {
        flags |= IE | SF;
        c1 = overflow;
    }
    bool masked(uint16_t f) const { return cw & f; }
    // For a push: true when ST(7) is free. Otherwise a stack overflow, with the masked
    // response (QNaN indefinite pushed) done.
    bool can_push() {
        if (empty(7)) return true;
        stack_fault(true);
        if (masked(IE)) push(kIndefinite);
        return false;
    }
    // Raises `f`; true if it is unmasked (the instruction then leaves its operands alone).
    bool raise(uint16_t f) {
        flags |= f;
        return !masked(f);
    }
    void cc(unsigned c3, unsigned c2, unsigned c0) {
        sw = uint16_t((sw & ~(FSW_C0 | FSW_C2 | FSW_C3)) | c0 << 8 | c2 << 10 | c3 << 14);
    }

    unsigned prec() const {
        const unsigned pc = (cw >> 8) & 3;
        return pc == 0 ? 24 : pc == 2 ? 53 : 64;
    }
    unsigned rc() const { return (cw >> 10) & 3; }
    Float80 round(bool sign, int32_t exp, u128 sig, unsigned p) {
        Rounder r(cw, flags, c1);
        return r.round(sign, exp, sig, reg_format(p)).to80();
    }
    // FYL2X and FYL2XP1 report a computed result as inexact even when it is exact.
    Float80 inexact(const Float80& v) {
        if (!(flags & PE)) {
            flags |= PE;
            if (v.exponent() == 0 && masked(UE)) flags |= UE;
        }
        return v;
    }
    Float80 round(const Wide& w, unsigned p) {
        if (w.sig == 0) return zero80(w.sign);
        return round(w.sign, w.exp, w.sig, p);
    }

    // --- arithmetic ------------------------------------------------------------------
    // d = x OP y (OP by the ModRM reg field: 0 add, 1 mul, 4 x-y, 5 y-x, 6 x/y, 7 y/x).
    // False when an unmasked exception leaves the destination as it was.
    bool arith(unsigned reg, Fp x, Fp y, Float80& out) {
        if (reg == 5 || reg == 7) std::swap(x, y);
        if (x.invalid_operand() || y.invalid_operand() || x.is_nan() || y.is_nan()) {
            if ((x.invalid_operand() || y.invalid_operand()) && raise(IE)) return false;
            out = propagate_nan(x, y);
            return true;
        }
        const bool xi = x.cls == Fp::Inf, yi = y.cls == Fp::Inf;
        const bool xz = x.cls == Fp::Zero, yz = y.cls == Fp::Zero;
        if (reg == 4 || reg == 5) y.sign = !y.sign;
        const unsigned kind = reg >= 6 ? 3 : reg >= 4 ? 0 : reg;  // 0 add, 1 mul, 3 div
        // Invalid operations.
        if ((kind == 0 && xi && yi && x.sign != y.sign) || (kind == 1 && ((xi && yz) || (xz && yi))) ||
            (kind == 3 && ((xi && yi) || (xz && yz)))) {
            if (raise(IE)) return false;
            out = kIndefinite;
            return true;
        }
        const bool sign = x.sign != y.sign;
        if (kind == 3 && yz && !xz && !xi) {  // division by zero: ZE, and no DE
            if (raise(ZE)) return false;
            out = inf80(sign);
            return true;
        }
        if ((x.denormal || y.denormal) && raise(DE)) return false;
        switch (kind) {
        case 0:
            if (xi || yi) { out = inf80(xi ? x.sign : y.sign); return true; }
            out = add(x, y);
            return true;
        case 1:
            if (xi || yi) { out = inf80(sign); return true; }
            if (xz || yz) { out = zero80(sign); return true; }
            {
                u128 p = u128(x.sig) * y.sig;
                int32_t e = x.exp + y.exp + 1;
                if (!(p >> 127)) { p <<= 1; --e; }
                out = round(sign, e, p, prec());
            }
            return true;
        default:
            if (xi) { out = inf80(sign); return true; }
            if (yi) { out = zero80(sign); return true; }
            if (xz) { out = zero80(sign); return true; }
            {
                const u128 n = u128(x.sig) << 64;
                const u128 q = n / y.sig, r = n % y.sig;
                const u128 n2 = r << 64;
                const uint64_t q2 = uint64_t(n2 / y.sig);
                const bool r2 = (n2 % y.sig) != 0;
                u128 s;
                int32_t e;
                if (q >> 64) {
                    s = (q << 63) | (q2 >> 1) | ((q2 & 1) | r2);
                    e = x.exp - y.exp;
                } else {
                    s = (q << 64) | q2 | r2;
                    e = x.exp - y.exp - 1;
                }
                out = round(sign, e, s, prec());
            }
            return true;
        }
    }
    Float80 add(const Fp& x, const Fp& y) {
        const bool xz = x.cls == Fp::Zero, yz = y.cls == Fp::Zero;
        if (xz && yz) return zero80(x.sign == y.sign ? x.sign : rc() == 1);
        if (xz) return round(y.sign, y.exp, u128(y.sig) << 64, prec());
        if (yz) return round(x.sign, x.exp, u128(x.sig) << 64, prec());
        const Fp* a = &x;
        const Fp* b = &y;
        if (b->exp > a->exp || (b->exp == a->exp && b->sig > a->sig)) std::swap(a, b);
        const u128 A = u128(a->sig) << 64;
        const u128 B = shr_sticky(u128(b->sig) << 64, unsigned(a->exp - b->exp) > 130 ? 130 : unsigned(a->exp - b->exp));
        int32_t e = a->exp;
        u128 s;
        if (a->sign == b->sign) {
            s = A + B;
            if (s < A) {
                s = (s >> 1) | (s & 1) | (u128(1) << 127);
                ++e;
            }
        } else {
            s = A - B;
            if (s == 0) return zero80(rc() == 1);
            const unsigned lz = clz128(s);
            s <<= lz;
            e -= int32_t(lz);
        }
        return round(a->sign, e, s, prec());
    }

    bool fsqrt(const Fp& x, Float80& out) {
        if (x.invalid_operand() || x.is_nan()) {
            if (x.invalid_operand() && raise(IE)) return false;
            out = quiet(x);
            return true;
        }
        if (x.cls == Fp::Zero) { out = zero80(x.sign); return true; }
        if (x.sign) {
            if (raise(IE)) return false;
            out = kIndefinite;
            return true;
        }
        if (x.cls == Fp::Inf) { out = inf80(false); return true; }
        if (x.denormal && raise(DE)) return false;
        const bool odd = x.exp & 1;
        const u128 n = odd ? u128(x.sig) << 64 : u128(x.sig) << 63;
        const int32_t h = odd ? (x.exp - 127) / 2 : (x.exp - 126) / 2;
        u128 rem;
        const uint64_t r = isqrt128(n, rem);
        u128 s = u128(r) << 64;
        if (rem > r) s |= (u128(1) << 63) | 1;
        else if (rem != 0) s |= 1;
        out = round(false, h + 63, s, prec());
        return true;
    }

    // Rounds a finite value to an integer under RC: the magnitude (false if >= 2^64).
    bool to_integer(const Fp& x, uint64_t& mag, bool& inexact, bool& up) {
        inexact = up = false;
        if (x.cls == Fp::Zero) { mag = 0; return true; }
        if (x.exp > 63) return false;
        const unsigned s = unsigned(63 - x.exp);  // fraction bits
        uint64_t ip;
        bool above_half, half, nonzero;
        if (s == 0) {
            ip = x.sig;
            above_half = half = nonzero = false;
        } else if (s < 64) {
            ip = x.sig >> s;
            const uint64_t frac = x.sig << (64 - s);
            nonzero = frac != 0;
            half = frac == 1ull << 63;
            above_half = frac > 1ull << 63;
        } else {
            ip = 0;
            nonzero = true;
            half = s == 64 && x.sig == 1ull << 63;
            above_half = s == 64 && x.sig > 1ull << 63;
        }
        inexact = nonzero;
        if (nonzero) {
            switch (rc()) {
            case 0: up = above_half || (half && (ip & 1)); break;
            case 1: up = x.sign; break;
            case 2: up = !x.sign; break;
            default: break;
            }
        }
        if (up) {
            if (ip == ~0ull) return false;
            ++ip;
        }
        mag = ip;
        return true;
    }

    // --- compares --------------------------------------------------------------------
    // Sets C3/C2/C0 (or ZF/PF/CF in *fl); `ordered`: QNaNs are invalid too (FCOM).
    void compare(const Fp& a, const Fp& b, bool ordered, uint64_t* fl) {
        auto set = [&](unsigned c3, unsigned c2, unsigned c0) {
            if (fl) *fl = (*fl & ~0x8D5ull) | c3 << 6 | c2 << 2 | c0;
            else cc(c3, c2, c0);
        };
        if (a.invalid_operand() || b.invalid_operand() || a.is_nan() || b.is_nan()) {
            if (a.invalid_operand() || b.invalid_operand() || ordered) flags |= IE;
            set(1, 1, 1);
            return;
        }
        if (a.denormal || b.denormal) flags |= DE;
        const int c = cmp_values(a, b);
        set(c == 0, 0, c < 0);
    }

    // The operands of an instruction on ST(0) and ST(i): false (stack fault) if empty.
    bool two(unsigned i) {
        if (empty(0) || empty(i)) {
            stack_fault(false);
            return false;
        }
        return true;
    }
    bool one() {
        if (empty(0)) {
            stack_fault(false);
            return false;
        }
        return true;
    }
    Fp op(unsigned i) const { return unpack(st_[i]); }
};

}  // namespace vmm86::x87p
