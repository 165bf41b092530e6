// The portable engine: the same contract as x87_host.cpp (an FSAVE image in, the image
// after one computational instruction out), computed on the 80-bit format itself with
// integer arithmetic (portable/softfloat80.h), independent of the host's floating point.
// Results, rounding under every precision and rounding control, the exception flags, C1,
// the masked and the unmasked responses follow the P6 (and are checked against the host
// x87 by tests/unit/test_x87_portable.cpp); transcendentals are evaluated with MPFR
// (portable/x87_transcendental.cpp) and rounded here. See README.md.
#include <cstring>
#include <utility>

#include "cpu/fpu/portable/softfloat80.h"
#include "cpu/fpu/portable/x87_transcendental.h"
#include "cpu/fpu/x87_engine.h"

namespace vmm86 {
namespace {

using namespace x87p;

enum : uint16_t { IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, SF = 64 };

// Two's-complement integers to an operand (exact).
Fp from_int(int64_t v) {
    if (v == 0) return Fp{};
    const bool neg = v < 0;
    const uint64_t mag = neg ? 0 - uint64_t(v) : uint64_t(v);
    return finite_fp(neg, 63, mag);
}

// A finite operand's exact 80-bit encoding (its exponent is in range).
Float80 pack(const Fp& x) {
    if (x.cls == Fp::Zero) return zero80(x.sign);
    if (x.cls == Fp::Inf) return inf80(x.sign);
    if (x.cls != Fp::Finite) return x.raw;
    return make80(x.sign, unsigned(x.exp + kBias), x.sig);
}

Fp load_f32(uint32_t v) {
    Fp r;
    r.sign = v >> 31;
    const unsigned e = (v >> 23) & 0xFF;
    const uint32_t f = v & 0x7FFFFF;
    if (e == 0xFF) {
        r.cls = f == 0 ? Fp::Inf : (f >> 22) ? Fp::QNaN : Fp::SNaN;
        r.sig = 1ull << 63 | uint64_t(f) << 40;
        r.raw = make80(r.sign, 0x7FFF, r.sig);
        return r;
    }
    if (e == 0) {
        if (f == 0) return r;
        Fp d = finite_fp(r.sign, -86, f);
        d.denormal = true;
        return d;
    }
    return finite_fp(r.sign, int32_t(e) - 87, (1u << 23) | f);
}

Fp load_f64(uint64_t v) {
    Fp r;
    r.sign = v >> 63;
    const unsigned e = unsigned(v >> 52) & 0x7FF;
    const uint64_t f = v & 0xFFFFFFFFFFFFFull;
    if (e == 0x7FF) {
        r.cls = f == 0 ? Fp::Inf : (f >> 51) ? Fp::QNaN : Fp::SNaN;
        r.sig = 1ull << 63 | f << 11;
        r.raw = make80(r.sign, 0x7FFF, r.sig);
        return r;
    }
    if (e == 0) {
        if (f == 0) return r;
        Fp d = finite_fp(r.sign, -1011, f);
        d.denormal = true;
        return d;
    }
    return finite_fp(r.sign, int32_t(e) - 1012, (1ull << 52) | f);
}

// The x87's choice between NaN operands (at least one is a NaN or unsupported).
Float80 propagate_nan(const Fp& a, const Fp& b) {
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
Float80 quiet(const Fp& a) {
    if (a.cls == Fp::Bad) return kIndefinite;
    Float80 r = a.raw;
    r.mant |= 1ull << 62;
    return r;
}

// Magnitude order of two non-NaN operands: -1, 0, 1.
int cmp_mag(const Fp& a, const Fp& b) {
    auto rank = [](const Fp& x) { return x.cls == Fp::Zero ? 0 : x.cls == Fp::Finite ? 1 : 2; };
    if (rank(a) != rank(b)) return rank(a) < rank(b) ? -1 : 1;
    if (a.cls != Fp::Finite) return 0;
    if (a.exp != b.exp) return a.exp < b.exp ? -1 : 1;
    if (a.sig != b.sig) return a.sig < b.sig ? -1 : 1;
    return 0;
}
int cmp_values(const Fp& a, const Fp& b) {  // ordered operands: -1 less, 0 equal, 1 greater
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

// --- transcendentals --------------------------------------------------------------------

bool nan_in(Machine& x, const Fp& a, const Fp& b, unsigned dst) {
    if (a.invalid_operand() || b.invalid_operand() || a.is_nan() || b.is_nan()) {
        if ((a.invalid_operand() || b.invalid_operand()) && x.raise(IE)) return true;
        x.write(dst, propagate_nan(a, b));
        return true;
    }
    return false;
}

void f2xm1(Machine& x) {
    if (!x.one()) {
        if (x.masked(IE)) x.write(0, kIndefinite);
        return;
    }
    const Fp a = x.op(0);
    if (nan_in(x, a, a, 0)) return;
    if (a.cls == Fp::Zero) return;
    if (a.cls == Fp::Inf) {
        if (a.sign) x.write(0, make80(true, kBias, 1ull << 63));
        return;
    }
    if (a.denormal && x.raise(DE)) return;
    if (a.exp >= 0) {
        if (a.sig == 1ull << 63 && a.exp == 0) {  // 2^1 - 1 = 1, 2^-1 - 1 = -0.5 (PE all the same)
            x.write(0, make80(a.sign, a.sign ? kBias - 1 : kBias, 1ull << 63));
            x.flags |= PE;
            return;
        }
        x.flags |= PE;  // |x| > 1: as the hardware, x itself
        return;
    }
    x.write(0, x.round(tr_f2xm1(a), 64));
}

// FYL2X (p1 = false) and FYL2XP1: ST(1) = ST(1) * log2(ST(0) [+ 1]), pop.
void fyl2x(Machine& x, bool p1) {
    if (!x.two(1)) {
        if (x.masked(IE)) { x.write(1, kIndefinite); x.pop(); }
        return;
    }
    const Fp a = x.op(0), y = x.op(1);
    if (nan_in(x, a, y, 1)) { if (!(x.flags & ~x.cw & IE)) x.pop(); return; }
    auto invalid = [&] {
        if (x.raise(IE)) return;
        x.write(1, kIndefinite);
        x.pop();
    };
    auto done = [&](const Float80& v) { x.write(1, v); x.pop(); };
    const bool az = a.cls == Fp::Zero, ai = a.cls == Fp::Inf, yz = y.cls == Fp::Zero, yi = y.cls == Fp::Inf;
    if (!p1) {
        if (a.sign && !az) return invalid();
        if (az) {
            if (yz) return invalid();
            if (!yi && x.raise(ZE)) return;
            return done(inf80(!y.sign));
        }
        const bool one = a.cls == Fp::Finite && a.exp == 0 && a.sig == 1ull << 63;
        if (ai) {
            if (yz) return invalid();
            if (y.denormal && x.raise(DE)) return;
            return done(inf80(y.sign));
        }
        if (one && yi) return invalid();
        if ((a.denormal || y.denormal) && x.raise(DE)) return;
        const bool below = a.exp < 0;  // log2 negative
        if (yi) return done(inf80(y.sign != below));
        if (one) return done(zero80(y.sign));
        if (yz) return done(zero80(y.sign != below));
        return done(x.inexact(x.round(tr_yl2x(y, a), 64)));
    }
    // FYL2XP1
    if (ai) {
        if (a.sign || yz) return invalid();
        if (y.denormal && x.raise(DE)) return;
        return done(inf80(y.sign));
    }
    if (a.sign && a.cls == Fp::Finite && a.exp >= 0) {  // x <= -1: as the hardware, x itself
        if ((a.denormal || y.denormal) && x.raise(DE)) return;
        if (yz) return done(zero80(a.sign != y.sign));
        if (yi) return done(inf80(a.sign != y.sign));
        x.flags |= PE;
        return done(x.st_[0]);
    }
    if (az) {
        if (yi) return invalid();
        if (y.denormal && x.raise(DE)) return;
        return done(zero80(a.sign != y.sign));
    }
    if ((a.denormal || y.denormal) && x.raise(DE)) return;
    if (yi) return done(inf80(y.sign != a.sign));
    if (yz) return done(zero80(y.sign != a.sign));
    done(x.inexact(x.round(tr_yl2xp1(y, a), 64)));
}

void fpatan(Machine& x) {
    if (!x.two(1)) {
        if (x.masked(IE)) { x.write(1, kIndefinite); x.pop(); }
        return;
    }
    const Fp a = x.op(0), y = x.op(1);
    if (nan_in(x, a, y, 1)) { if (!(x.flags & ~x.cw & IE)) x.pop(); return; }
    if ((a.denormal || y.denormal) && x.raise(DE)) return;
    x.write(1, x.round(tr_atan2(y, a), 64));
    x.pop();
}

// FSIN (0), FCOS (1), FPTAN (2), FSINCOS (3).
void ftrig(Machine& x, unsigned which) {
    const bool pushes = which >= 2;
    x.sw &= uint16_t(~FSW_C2);
    if (!x.one()) {
        if (x.masked(IE)) {
            x.write(0, kIndefinite);
            if (pushes) x.push(kIndefinite);
        }
        return;
    }
    if (pushes && !x.empty(7)) {
        x.stack_fault(true);
        if (x.masked(IE)) { x.write(0, kIndefinite); x.push(kIndefinite); }
        return;
    }
    const Fp a = x.op(0);
    if (a.invalid_operand() || a.is_nan() || a.cls == Fp::Inf) {
        if ((a.invalid_operand() || a.cls == Fp::Inf) && x.raise(IE)) return;
        const Float80 v = a.cls == Fp::Inf ? kIndefinite : quiet(a);
        x.write(0, v);
        if (pushes) x.push(v);
        return;
    }
    if (a.cls == Fp::Finite && a.exp >= 63) {
        x.sw |= FSW_C2;
        return;
    }
    if (a.denormal && x.raise(DE)) return;
    const Float80 one80 = make80(false, kBias, 1ull << 63);
    if (a.cls == Fp::Zero) {
        if (which == 1) x.write(0, one80);
        else if (which == 2) x.push(one80);
        else if (which == 3) x.push(one80);
        return;
    }
    switch (which) {
    case 0: x.write(0, x.round(tr_trig(a, 0), 64)); break;
    case 1: x.write(0, x.round(tr_trig(a, 1), 64)); break;
    case 2: x.write(0, x.round(tr_trig(a, 2), 64)); x.push(one80); break;
    default: {
        const Float80 s = x.round(tr_trig(a, 0), 64);
        const Float80 c = x.round(tr_trig(a, 1), 64);
        x.write(0, s);
        x.push(c);
        break;
    }
    }
}

void fld_const(Machine& x, unsigned k) {
    if (!x.can_push()) return;
    if (k == 6) { x.push(zero80(false)); return; }
    uint16_t fl = 0;
    bool c1 = false;
    Rounder r(x.cw | 0x3F, fl, c1);
    const Wide w = tr_constant(k);
    x.push(r.round(false, w.exp, w.sig, reg_format(64)).to80());
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
