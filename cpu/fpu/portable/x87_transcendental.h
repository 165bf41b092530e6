// The transcendental functions and constants of the portable x87 engine, evaluated with
// MPFR well beyond 64 bits and handed back unrounded (a 128-bit significand whose bit 0
// is sticky when the value is inexact), so that the engine rounds them like any other
// result. FSIN/FCOS/FSINCOS/FPTAN reduce their argument by the P6's 66-bit pi, as the
// hardware does. See cpu/fpu/README.md.
#pragma once
#include "cpu/fpu/portable/softfloat80.h"

namespace vmm86::x87p {

// sign * sig * 2^(exp - 127); sig == 0 for an exact zero.
struct Wide {
    bool sign = false;
    int32_t exp = 0;
    u128 sig = 0;
};

// Finite arguments (non-zero where the instruction's special cases need that).
Wide tr_f2xm1(const Fp& x);                 // 2^x - 1
Wide tr_yl2x(const Fp& y, const Fp& x);     // y * log2(x), x > 0
Wide tr_yl2xp1(const Fp& y, const Fp& x);   // y * log2(x + 1), x > -1
Wide tr_atan2(const Fp& y, const Fp& x);    // atan2(y, x), any non-NaN operands
// sin, cos or tan of x, |x| < 2^63 (which = 0 sin, 1 cos, 2 tan).
Wide tr_trig(const Fp& x, unsigned which);

// The seven constants: 1, log2(10), log2(e), pi, log10(2), ln(2), 0 (FLD1 .. FLDZ).
Wide tr_constant(unsigned k);

}  // namespace vmm86::x87p
