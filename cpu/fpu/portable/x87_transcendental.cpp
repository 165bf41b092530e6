#include "cpu/fpu/portable/x87_transcendental.h"

#include <cstdint>
#include <gmp.h>
#include <mpfr.h>

namespace vmm86::x87p {
namespace {

constexpr mpfr_prec_t kWork = 256;  // working precision: far beyond the 64 bits kept

struct Mp {
    mpfr_t v;
    explicit Mp(mpfr_prec_t p = kWork) { mpfr_init2(v, p); }
    ~Mp() { mpfr_clear(v); }
    Mp(const Mp&) = delete;
    Mp& operator=(const Mp&) = delete;
    operator mpfr_ptr() { return v; }
};

void set_u64(mpfr_ptr r, uint64_t v, long exp2) {  // r = v * 2^exp2, exactly
    mpfr_set_ui(r, (unsigned long)(v >> 32), MPFR_RNDZ);
    mpfr_mul_2ui(r, r, 32, MPFR_RNDZ);
    mpfr_add_ui(r, r, (unsigned long)(v & 0xFFFFFFFFu), MPFR_RNDZ);
    mpfr_mul_2si(r, r, exp2, MPFR_RNDZ);
}

void set_fp(mpfr_ptr r, const Fp& x) {
    if (x.cls == Fp::Zero) {
        mpfr_set_zero(r, x.sign ? -1 : 1);
    } else if (x.cls == Fp::Inf) {
        mpfr_set_inf(r, x.sign ? -1 : 1);
    } else {
        set_u64(r, x.sig, x.exp - 63);
        if (x.sign) mpfr_neg(r, r, MPFR_RNDZ);
    }
}

// The top 128 bits of v, with the rest (and an inexact evaluation) as the sticky bit.
// Everything is evaluated rounding toward zero, so that an inexact v is below the true
// magnitude and the sticky bit says on which side it lies.
Wide to_wide(mpfr_ptr v, int ternary) {
    Wide w;
    if (mpfr_zero_p(v)) {
        w.sign = mpfr_signbit(v);
        return w;
    }
    w.sign = mpfr_signbit(v);
    mpz_t z;
    mpz_init(z);
    long e = long(mpfr_get_z_2exp(z, v));
    mpz_abs(z, z);
    const size_t bits = mpz_sizeinbase(z, 2);
    bool sticky = ternary != 0;
    if (bits > 128) {
        const size_t cut = bits - 128;
        sticky |= mpz_scan1(z, 0) < cut;
        mpz_tdiv_q_2exp(z, z, cut);
        e += long(cut);
    } else {
        mpz_mul_2exp(z, z, 128 - bits);
        e -= long(128 - bits);
    }
    uint64_t limbs[2] = {0, 0};
    size_t count = 0;
    mpz_export(limbs, &count, -1, 8, 0, 0, z);
    mpz_clear(z);
    w.sig = u128(limbs[1]) << 64 | limbs[0];
    if (sticky) w.sig |= 1;
    w.exp = int32_t(e + 127);
    return w;
}

}  // namespace

Wide tr_f2xm1(const Fp& x) {
    Mp a, r;
    set_fp(a, x);
    mpfr_const_log2(r, MPFR_RNDZ);
    mpfr_mul(a, a, r, MPFR_RNDZ);  // relative error 2^-256: harmless for expm1
    const int t = mpfr_expm1(r, a, MPFR_RNDZ);
    return to_wide(r, t | 1);
}

Wide tr_yl2x(const Fp& y, const Fp& x) {
    Mp a, b, r;
    set_fp(a, x);
    set_fp(b, y);
    int t = mpfr_log2(r, a, MPFR_RNDZ);
    t |= mpfr_mul(r, r, b, MPFR_RNDZ);
    return to_wide(r, t);
}

Wide tr_yl2xp1(const Fp& y, const Fp& x) {
    Mp a, b, r;
    set_fp(a, x);
    set_fp(b, y);
    int t;
    if (x.exp >= -120) {  // 1 + x is exact at kWork bits: log2 of it (exact for powers of 2)
        mpfr_add_ui(r, a, 1, MPFR_RNDZ);
        t = mpfr_log2(r, r, MPFR_RNDZ);
    } else {
        t = mpfr_log1p(r, a, MPFR_RNDZ);
        Mp l2;
        mpfr_const_log2(l2, MPFR_RNDU);
        t |= mpfr_div(r, r, l2, MPFR_RNDZ) | 1;
    }
    t |= mpfr_mul(r, r, b, MPFR_RNDZ);
    return to_wide(r, t);
}

Wide tr_atan2(const Fp& y, const Fp& x) {
    Mp a, b, r;
    set_fp(a, y);
    set_fp(b, x);
    const int t = mpfr_atan2(r, a, b, MPFR_RNDZ);
    return to_wide(r, t);
}

Wide tr_trig(const Fp& x, unsigned which) {
    // The P6 reduces by pi rounded to 66 bits (C90FDAA22168C234C * 2^-66), exactly.
    Mp a(512), half_pi(512), k(512), r(512), v;
    set_fp(a, x);
    set_u64(half_pi, 0xC90FDAA22168C234ull, -63);                 // top 64 bits of pi/2
    Mp low(512);
    set_u64(low, 0x3, -65);                                         // the last two bits (11)
    mpfr_add(half_pi, half_pi, low, MPFR_RNDZ);                     // 66-bit pi / 2, exact
    mpfr_div(k, a, half_pi, MPFR_RNDZ);
    mpfr_rint(k, k, MPFR_RNDZ);
    mpfr_mul(r, k, half_pi, MPFR_RNDZ);  // exact at 512 bits
    mpfr_sub(r, a, r, MPFR_RNDZ);        // exact
    unsigned q = 0;
    {
        Mp four(512);
        mpfr_fmod_ui(four, k, 4, MPFR_RNDZ);
        q = unsigned(mpfr_get_si(four, MPFR_RNDZ)) & 3;
    }
    int t;
    if (which == 2) {
        if (q & 1) {  // tan(r + pi/2) = -cot(r)
            t = mpfr_cot(v, r, MPFR_RNDZ);
            mpfr_neg(v, v, MPFR_RNDZ);
        } else {
            t = mpfr_tan(v, r, MPFR_RNDZ);
        }
    } else {
        const unsigned s = (q + (which == 1 ? 1 : 0)) & 3;  // cos(x) = sin(x + pi/2)
        if (s & 1) t = mpfr_cos(v, r, MPFR_RNDZ);
        else t = mpfr_sin(v, r, MPFR_RNDZ);
        if (s & 2) mpfr_neg(v, v, MPFR_RNDZ);
    }
    if (mpfr_zero_p(v) && !mpfr_zero_p(a)) t = 1;
    return to_wide(v, t);
}

Wide tr_constant(unsigned k) {
    Mp r;
    int t = 0;
    switch (k) {
    case 0: mpfr_set_ui(r, 1, MPFR_RNDZ); break;
    case 1: mpfr_set_ui(r, 10, MPFR_RNDZ); t = mpfr_log2(r, r, MPFR_RNDZ); break;
    case 2: {
        Mp l;
        mpfr_const_log2(l, MPFR_RNDU);
        t = mpfr_ui_div(r, 1, l, MPFR_RNDZ) | 1;
        break;
    }
    case 3: t = mpfr_const_pi(r, MPFR_RNDZ); break;
    case 4: mpfr_set_ui(r, 2, MPFR_RNDZ); t = mpfr_log10(r, r, MPFR_RNDZ); break;
    case 5: t = mpfr_const_log2(r, MPFR_RNDZ); break;
    default: mpfr_set_zero(r, 1); break;
    }
    return to_wide(r, t);
}

}  // namespace vmm86::x87p
