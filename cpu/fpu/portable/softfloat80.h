// The 80-bit extended format as arithmetic, for the portable x87 engine: operands are
// unpacked into sign, exponent and a normalised 64-bit significand, results are exact
// 128-bit significands (unsigned __int128) rounded once by `Rounder` to 24, 53 or 64 bits
// under the four rounding controls, with the P6's tininess rule (after rounding, with an
// unbounded exponent), masked responses (denormals, infinity or the largest finite value)
// and unmasked ones (the exponent biased by 24576 for register destinations, nothing for
// memory ones). Nothing here depends on the host's floating point.
#pragma once
#include <cstdint>

#include "cpu/fpu/float80.h"

#if !defined(__SIZEOF_INT128__)
#error "the portable x87 engine needs unsigned __int128 (GCC or Clang on a 64-bit host)"
#endif

namespace vmm86::x87p {

using u128 = unsigned __int128;

inline unsigned clz64(uint64_t v) { return v ? unsigned(__builtin_clzll(v)) : 64; }
inline unsigned clz128(u128 v) {
    const uint64_t hi = uint64_t(v >> 64);
    return hi ? clz64(hi) : 64 + clz64(uint64_t(v));
}
// Shift right with the bits shifted out ORed into bit 0 ("sticky").
inline u128 shr_sticky(u128 v, unsigned n) {
    if (n == 0) return v;
    if (n >= 128) return v != 0;
    return (v >> n) | u128((v & ((u128(1) << n) - 1)) != 0);
}

constexpr int kBias = 16383;
constexpr int kEmin = 1 - kBias;       // unbiased exponent of the smallest normal
constexpr int kEmax = 0x7FFE - kBias;  // of the largest finite value
constexpr int kBiasAdjust = 24576;     // the unmasked OE/UE response (0x6000)

// An operand, classified the P6 way: unnormals, pseudo-NaNs and pseudo-infinities are
// unsupported (invalid operands); denormals and pseudo-denormals are finite values that
// raise DE, normalised here.
struct Fp {
    enum Cls : uint8_t { Zero, Finite, Inf, QNaN, SNaN, Bad } cls = Zero;
    bool sign = false;
    bool denormal = false;
    int32_t exp = 0;   // Finite: value = sig * 2^(exp - 63)
    uint64_t sig = 0;  // Finite: bit 63 set; NaN: the raw significand
    Float80 raw{0, 0};

    bool is_nan() const { return cls == QNaN || cls == SNaN; }
    bool invalid_operand() const { return cls == SNaN || cls == Bad; }
};

inline Fp unpack(const Float80& f) {
    Fp r;
    r.raw = f;
    r.sign = f.sign();
    const unsigned e = f.exponent();
    const uint64_t m = f.mant;
    if (e == 0x7FFF) {
        if (!(m >> 63)) r.cls = Fp::Bad;
        else if ((m << 1) == 0) r.cls = Fp::Inf;
        else r.cls = (m >> 62 & 1) ? Fp::QNaN : Fp::SNaN;
        r.sig = m;
    } else if (e == 0) {
        if (m == 0) return r;
        const unsigned lz = clz64(m);
        r.cls = Fp::Finite;
        r.denormal = true;
        r.sig = m << lz;
        r.exp = kEmin - int32_t(lz);
    } else if (!(m >> 63)) {
        r.cls = Fp::Bad;
    } else {
        r.cls = Fp::Finite;
        r.sig = m;
        r.exp = int32_t(e) - kBias;
    }
    return r;
}

inline Fp finite_fp(bool sign, int32_t exp, uint64_t sig) {  // sig != 0, any position
    Fp r;
    r.cls = Fp::Finite;
    r.sign = sign;
    const unsigned lz = clz64(sig);
    r.sig = sig << lz;
    r.exp = exp - int32_t(lz);
    return r;
}

inline Float80 make80(bool sign, unsigned biased, uint64_t mant) {
    return Float80{mant, uint16_t((sign ? 0x8000 : 0) | biased)};
}
inline Float80 inf80(bool sign) { return make80(sign, 0x7FFF, 1ull << 63); }
inline Float80 zero80(bool sign) { return make80(sign, 0, 0); }
const Float80 kIndefinite{0xC000000000000000ull, 0xFFFF};

// A destination format: precision and exponent range (the register format with precision
// control, or m32/m64 for stores).
struct Format {
    unsigned prec;
    int emin, emax;
    bool reg;  // register destination: unmasked OE/UE give biased results
};
constexpr Format kF32{24, -126, 127, false};
constexpr Format kF64{53, -1022, 1023, false};
inline Format reg_format(unsigned prec) { return Format{prec, kEmin, kEmax, true}; }

// A rounded result: sig with the J bit at 63 (clear for a denormal or zero, whose exp is
// then fmt.emin), or an infinity.
struct Rounded {
    bool sign = false;
    bool inf = false;
    bool stored = true;  // false: an unmasked exception suppresses a memory store
    int32_t exp = 0;
    uint64_t sig = 0;

    Float80 to80() const {
        if (inf) return inf80(sign);
        if (sig == 0) return zero80(sign);
        const int32_t b = (sig >> 63) ? exp + kBias : 0;
        return make80(sign, unsigned(b) & 0x7FFF, sig);
    }
    uint32_t to32() const {
        const uint32_t s = sign ? 0x80000000u : 0;
        if (inf) return s | 0x7F800000u;
        const uint32_t b = (sig >> 63) ? uint32_t(exp + 127) : 0;
        return s | b << 23 | (uint32_t(sig >> 40) & 0x7FFFFF);
    }
    uint64_t to64() const {
        const uint64_t s = sign ? 1ull << 63 : 0;
        if (inf) return s | 0x7FF0000000000000ull;
        const uint64_t b = (sig >> 63) ? uint64_t(exp + 1023) : 0;
        return s | b << 52 | ((sig >> 11) & 0xFFFFFFFFFFFFFull);
    }
};

// Rounds and reports flags. cw is the control word (RC, masks); flags collects the
// exception flags; c1 is set to "rounded up" (magnitude increased).
class Rounder {
public:
    Rounder(uint16_t cw, uint16_t& flags, bool& c1) : cw_(cw), flags_(flags), c1_(c1) {}
    unsigned rc() const { return (cw_ >> 10) & 3; }

    // sign * sig * 2^(exp - 127), sig normalised (bit 127 set) or zero (an exact zero:
    // returned as is).
    Rounded round(bool sign, int32_t exp, u128 sig, const Format& f) {
        Rounded r;
        r.sign = sign;
        if (sig == 0) { r.exp = f.emin; return r; }
        const unsigned drop = 128 - f.prec;
        // Tiny after rounding with an unbounded exponent.
        bool tiny = exp < f.emin;
        u128 n = sig;
        int32_t ne = exp;
        bool n_inexact, n_up;
        round_bits(sign, n, ne, drop, n_inexact, n_up);
        if (tiny && ne >= f.emin) tiny = false;
        if (tiny) {
            if (!(cw_ & FSW_UE_MASK)) {  // unmasked: UE, biased result or no store
                flags_ |= FLAG_UE;
                if (!f.reg) { r.stored = false; return r; }
                // (FSCALE can go beyond what the bias brings back.)
                if (ne + kBiasAdjust >= f.emin) return finish(r, n, ne + kBiasAdjust, n_inexact, n_up);
                flags_ |= FLAG_PE;  // beyond what the bias brings back (FSCALE): a zero
                c1_ = false;
                r.exp = f.emin;
                return r;
            }
            u128 d = shr_sticky(sig, unsigned(f.emin - exp) > 200 ? 200 : unsigned(f.emin - exp));
            int32_t de = f.emin;
            bool inexact, up;
            round_bits(sign, d, de, drop, inexact, up);
            // A carry into the J bit makes the smallest normal, which round_bits reports
            // as de = emin + 1 with bit 127: undo its renormalisation.
            if (de > f.emin) { d = u128(1) << 127; de = f.emin; }
            if (inexact) flags_ |= FLAG_UE;
            return finish(r, d, de, inexact, up);
        }
        if (ne > f.emax) {
            if (!(cw_ & FSW_OE_MASK)) {
                flags_ |= FLAG_OE;
                if (!f.reg) { r.stored = false; return r; }
                if (ne - kBiasAdjust <= f.emax) return finish(r, n, ne - kBiasAdjust, n_inexact, n_up);
                flags_ |= FLAG_PE;  // beyond what the bias brings back (FSCALE): an infinity
                c1_ = true;
                r.inf = true;
                return r;
            }
            flags_ |= FLAG_OE | FLAG_PE;
            const unsigned mode = rc();
            const bool to_inf = mode == 0 || (mode == 2 && !sign) || (mode == 1 && sign);
            if (to_inf) { r.inf = true; c1_ = true; return r; }
            r.exp = f.emax;
            r.sig = ~0ull << (64 - f.prec);
            c1_ = false;
            return r;
        }
        return finish(r, n, ne, n_inexact, n_up);
    }

    // Rounds sig (bit 127 = J, or less for a denormalised value) at `drop` low bits;
    // a carry out renormalises (exp + 1).
    void round_bits(bool sign, u128& sig, int32_t& exp, unsigned drop, bool& inexact, bool& up) const {
        const u128 mask = (u128(1) << drop) - 1;
        const u128 rem = sig & mask;
        inexact = rem != 0;
        up = false;
        if (!inexact) return;
        const u128 half = u128(1) << (drop - 1);
        switch (rc()) {
        case 0: up = rem > half || (rem == half && ((sig >> drop) & 1)); break;
        case 1: up = sign; break;
        case 2: up = !sign; break;
        default: break;
        }
        sig &= ~mask;
        if (up) {
            const bool top = sig >> 127;
            sig += u128(1) << drop;
            if (top && !(sig >> 127)) {  // carried out of bit 127
                sig = u128(1) << 127;
                ++exp;
            }
        }
    }

    enum : uint16_t { FLAG_IE = 1, FLAG_DE = 2, FLAG_ZE = 4, FLAG_OE = 8, FLAG_UE = 16, FLAG_PE = 32 };
    enum : uint16_t { FSW_OE_MASK = 8, FSW_UE_MASK = 16 };

private:
    Rounded finish(Rounded& r, u128 sig, int32_t exp, bool inexact, bool up) {
        r.exp = exp;
        r.sig = uint64_t(sig >> 64);
        if (inexact) flags_ |= FLAG_PE;
        c1_ = up;
        return r;
    }
    uint16_t cw_;
    uint16_t& flags_;
    bool& c1_;
};

// Unsigned square root of a 128-bit number: root and remainder (n - root^2).
inline uint64_t isqrt128(u128 n, u128& rem) {
    u128 r = 0, root = 0;
    for (int i = 0; i < 64; ++i) {
        r = (r << 2) | (n >> 126);
        n <<= 2;
        root <<= 1;
        const u128 t = (root << 1) | 1;
        if (r >= t) {
            r -= t;
            root |= 1;
        }
    }
    rem = r;
    return uint64_t(root);
}

}  // namespace vmm86::x87p
