// The portable x87 engine's transcendental instructions (F2XM1, FYL2X, FYL2XP1, FPATAN,
// FSIN, FCOS, FSINCOS, FPTAN) and the constants FLD1...FLDZ: special operands and
// flags here, values from MPFR (x87_transcendental.cpp) rounded to the x87's format.
#include "cpu/fpu/portable/x87_transcendental_ops.h"

namespace vmm86::x87p {
namespace {

bool nan_in(Machine& x, const Fp& a, const Fp& b, unsigned dst) {
    if (a.invalid_operand() || b.invalid_operand() || a.is_nan() || b.is_nan()) {
        if ((a.invalid_operand() || b.invalid_operand()) && x.raise(IE)) return true;
        x.write(dst, propagate_nan(a, b));
        return true;
    }
    return false;
}

}  // namespace

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

}  // namespace vmm86::x87p
