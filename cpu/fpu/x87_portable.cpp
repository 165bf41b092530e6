// The portable engine, for hosts without an x87 (or with -DVMM86_X87_PORTABLE): the same
// contract as x87_host.cpp, computed in long double with libm. Stack faults, tags, TOP,
// condition codes and QNaN indefinite follow the SDM; rounding is the host's (precision
// control is applied by rounding through float/double), and of the exception flags only
// IE, ZE and SF are raised. Unmasked responses are not modelled. See README.md.
#include "cpu/fpu/x87_engine.h"

#if !defined(__x86_64__) || defined(VMM86_X87_PORTABLE)

#include <cfenv>
#include <cmath>
#include <cstring>
#include <limits>

namespace vmm86 {
namespace {

using LD = long double;
const Float80 kIndefinite{0xC000000000000000ull, 0xFFFF};

LD to_ld(const Float80& f) {
    if (f.is_nan()) return f.sign() ? -NAN : NAN;
    if (f.is_inf()) return f.sign() ? -INFINITY : INFINITY;
    LD v = std::ldexp(LD(f.mant), int(f.exponent() ? f.exponent() : 1) - 16383 - 63);
    return f.sign() ? -v : v;
}

Float80 from_ld(LD v) {
    Float80 f{0, 0};
    if (std::isnan(v)) return kIndefinite;
    const uint16_t sign = std::signbit(v) ? 0x8000 : 0;
    if (std::isinf(v)) return Float80{1ull << 63, uint16_t(sign | 0x7FFF)};
    if (v == 0) return Float80{0, sign};
    int e;
    LD m = std::frexp(std::fabs(v), &e);  // v = m * 2^e, m in [0.5, 1)
    int be = e - 1 + 16383;
    if (be <= 0) {  // denormal
        f.mant = uint64_t(std::ldexp(m, 64 + be - 1));
        f.se = sign;
        return f;
    }
    f.mant = uint64_t(std::ldexp(m, 64));
    f.se = uint16_t(sign | be);
    return f;
}

struct Machine {
    X87Image& img;
    uint16_t cw, sw, tw;
    Float80 st_[8];  // ST order, as in the image

    explicit Machine(X87Image& i) : img(i) {
        std::memcpy(&cw, img.b, 2);
        std::memcpy(&sw, img.b + 4, 2);
        std::memcpy(&tw, img.b + 8, 2);
        for (unsigned k = 0; k < 8; ++k) st_[k] = Float80::load(img.b + 28 + 10 * k);
    }
    void save() {
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
    unsigned top() const { return (sw >> 11) & 7; }
    bool empty(unsigned i) const { return ((tw >> (2 * ((top() + i) & 7))) & 3) == 3; }
    void set_empty(unsigned i, bool e) {
        const unsigned p = 2 * ((top() + i) & 7);
        tw = uint16_t((tw & ~(3u << p)) | (e ? 3u << p : 0));
    }
    void set_top(unsigned t) { sw = uint16_t((sw & ~FSW_TOP) | (t & 7) << 11); }
    void cc(unsigned c3, unsigned c2, unsigned c1, unsigned c0) {
        sw = uint16_t((sw & ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)) | c0 << 8 | c1 << 9 | c2 << 10 | c3 << 14);
    }
    void flag(uint16_t f) { sw |= f; }
    void stack_fault(bool overflow) {
        flag(FSW_IE | FSW_SF);
        sw = uint16_t((sw & ~FSW_C1) | (overflow ? FSW_C1 : 0));
    }
    LD round_pc(LD v) const {
        switch ((cw >> 8) & 3) {
        case 0: return LD(float(v));
        case 2: return LD(double(v));
        default: return v;
        }
    }
    void push(const Float80& v) {
        if (!empty(7)) {
            stack_fault(true);
            if (!(cw & FSW_IE)) return;
        }
        for (unsigned k = 7; k > 0; --k) st_[k] = st_[k - 1];
        set_top(top() - 1);
        st_[0] = empty(0) ? v : kIndefinite;
        set_empty(0, false);
    }
    void pop() {
        set_empty(0, true);
        Float80 t = st_[0];
        for (unsigned k = 0; k < 7; ++k) st_[k] = st_[k + 1];
        st_[7] = t;
        set_top(top() + 1);
    }
    // Reads ST(i) for an operation; false (with the masked response's result) when empty.
    bool get(unsigned i, LD& v) {
        if (empty(i)) {
            stack_fault(false);
            return false;
        }
        v = to_ld(st_[i]);
        return true;
    }
    void put(unsigned i, LD v) {
        if (std::isnan(v)) flag(FSW_IE);
        st_[i] = from_ld(round_pc(v));
        set_empty(i, false);
    }
    void compare(LD a, LD b, bool ordered_only, uint64_t* fl) {
        unsigned c3 = 0, c2 = 0, c0 = 0;
        if (std::isnan(a) || std::isnan(b)) {
            c3 = c2 = c0 = 1;
            if (ordered_only) flag(FSW_IE);
        } else if (a < b) c0 = 1;
        else if (a == b) c3 = 1;
        if (fl) *fl = (*fl & ~0x8D5ull) | c3 << 6 | c2 << 2 | c0;
        else cc(c3, c2, 0, c0);
    }
    LD arith(unsigned reg, LD a, LD b) {  // a = destination, b = source; reg from ModRM
        switch (reg) {
        case 0: return a + b;
        case 1: return a * b;
        case 4: return a - b;
        case 5: return b - a;
        case 6: if (b == 0 && a == a && !std::isinf(a)) flag(FSW_ZE); return a / b;
        default: if (a == 0 && b == b && !std::isinf(b)) flag(FSW_ZE); return b / a;
        }
    }
};

LD load_mem(const uint8_t* m, unsigned kind) {  // 0 m32fp 1 m32int 2 m64fp 3 m16int 4 m64int 5 m80
    switch (kind) {
    case 0: { float f; std::memcpy(&f, m, 4); return f; }
    case 1: { int32_t v; std::memcpy(&v, m, 4); return v; }
    case 2: { double d; std::memcpy(&d, m, 8); return d; }
    case 3: { int16_t v; std::memcpy(&v, m, 2); return v; }
    case 4: { int64_t v; std::memcpy(&v, m, 8); return LD(v); }
    default: return to_ld(Float80::load(m));
    }
}

// FIST: out-of-range and NaN store the integer indefinite (the most negative value).
template <typename T>
void store_int(Machine& x, LD v, uint8_t* m) {
    LD r = std::nearbyint(v);
    T out;
    if (std::isnan(r) || r < LD(std::numeric_limits<T>::min()) || r > LD(std::numeric_limits<T>::max())) {
        x.flag(FSW_IE);
        out = std::numeric_limits<T>::min();
    } else out = T(r);
    std::memcpy(m, &out, sizeof out);
}

void fxam(Machine& x) {
    const Float80 f = x.st_[0];
    const unsigned c1 = f.sign();
    if (x.empty(0)) return x.cc(1, 0, c1, 1);
    if (f.is_nan()) return x.cc(0, 0, c1, 1);
    if (f.is_inf()) return x.cc(0, 1, c1, 1);
    if (f.is_zero()) return x.cc(1, 0, c1, 0);
    if (f.exponent() == 0) return x.cc(1, 1, c1, 0);
    if (!(f.mant >> 63)) return x.cc(0, 0, c1, 0);
    x.cc(0, 1, c1, 0);
}

void d9_register(Machine& x, uint8_t m) {
    const unsigned i = m & 7;
    LD a, b;
    if (m < 0xC8) { Float80 v = x.empty(i) ? kIndefinite : x.st_[i]; if (x.empty(i)) x.stack_fault(false); x.push(v); return; }
    if (m < 0xD0) {  // FXCH
        if (x.empty(0) || x.empty(i)) { x.stack_fault(false); x.set_empty(0, false); x.set_empty(i, false); }
        std::swap(x.st_[0], x.st_[i]);
        return;
    }
    if (m < 0xD8) return;  // FNOP
    if (m < 0xE0) { if (x.get(0, a)) x.st_[i] = x.st_[0], x.set_empty(i, false); x.pop(); return; }  // FSTP1
    static const LD kConst[7] = {1.0L, 3.32192809488736234787L, 1.44269504088896340736L, 3.14159265358979323846L,
                                 0.301029995663981195214L, 0.693147180559945309417L, 0.0L};
    if (m >= 0xE8 && m <= 0xEE) { x.push(from_ld(kConst[m - 0xE8])); return; }
    switch (m) {
    case 0xE0: if (x.get(0, a)) x.st_[0].se ^= 0x8000; return;
    case 0xE1: if (x.get(0, a)) x.st_[0].se &= 0x7FFF; return;
    case 0xE4: if (x.get(0, a)) x.compare(a, 0, true, nullptr); else x.cc(1, 1, 0, 1); return;
    case 0xE5: fxam(x); return;
    case 0xF0: if (x.get(0, a)) x.put(0, std::exp2(a) - 1); return;
    case 0xF1: if (x.get(0, a) && x.get(1, b)) { x.put(1, b * std::log2(a)); } x.pop(); return;
    case 0xF2: if (x.get(0, a)) { x.put(0, std::tan(a)); x.push(from_ld(1.0L)); } return;
    case 0xF3: if (x.get(0, a) && x.get(1, b)) x.put(1, std::atan2(b, a)); x.pop(); return;
    case 0xF4: if (x.get(0, a)) { int e; LD s = std::frexp(a, &e); x.put(0, LD(e - 1)); x.push(from_ld(s * 2)); } return;
    case 0xF5: case 0xF8:
        if (x.get(0, a) && x.get(1, b)) {
            LD q = m == 0xF8 ? std::trunc(a / b) : std::nearbyint(a / b);
            x.put(0, m == 0xF8 ? std::fmod(a, b) : std::remainder(a, b));
            const uint64_t qi = uint64_t(std::fabs(q));
            x.cc(qi >> 1 & 1, 0, qi & 1, qi >> 2 & 1);
        }
        return;
    case 0xF6: x.set_top(x.top() - 1); { Float80 t = x.st_[7]; for (unsigned k = 7; k > 0; --k) x.st_[k] = x.st_[k - 1]; x.st_[0] = t; } return;
    case 0xF7: { Float80 t = x.st_[0]; for (unsigned k = 0; k < 7; ++k) x.st_[k] = x.st_[k + 1]; x.st_[7] = t; x.set_top(x.top() + 1); } return;
    case 0xF9: if (x.get(0, a) && x.get(1, b)) x.put(1, b * std::log1p(a) / std::log(2.0L)); x.pop(); return;
    case 0xFA: if (x.get(0, a)) x.put(0, std::sqrt(a)); return;
    case 0xFB: if (x.get(0, a)) { x.put(0, std::sin(a)); x.push(from_ld(std::cos(a))); } return;
    case 0xFC: if (x.get(0, a)) x.put(0, std::nearbyint(a)); return;
    case 0xFD: if (x.get(0, a) && x.get(1, b)) x.put(0, std::ldexp(a, int(std::trunc(b)))); return;
    case 0xFE: if (x.get(0, a)) x.put(0, std::sin(a)); return;
    default: if (x.get(0, a)) x.put(0, std::cos(a)); return;
    }
}

bool fcmov_cond(unsigned op, unsigned reg, uint64_t fl) {
    const bool cf = fl & 1, zf = fl & 0x40, pf = fl & 4;
    const bool c = (reg & 3) == 0 ? cf : (reg & 3) == 1 ? zf : (reg & 3) == 2 ? (cf || zf) : pf;
    return op == 2 ? c : !c;
}

}  // namespace

void x87_execute(uint8_t opcode, uint8_t modrm, X87Image& img, uint8_t* mem, uint64_t& rflags) {
    std::fesetround(FE_TONEAREST);
    static const int kRound[4] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    Machine x(img);
    std::fesetround(kRound[(x.cw >> 10) & 3]);
    const unsigned op = opcode & 7, reg = (modrm >> 3) & 7, i = modrm & 7;
    const bool memory = (modrm >> 6) != 3;
    LD a, b;
    x.cc(0, 0, 0, 0);
    if (memory && (op % 2 == 0)) {  // arithmetic with m32fp, m32int, m64fp, m16int
        static const unsigned kKind[4] = {0, 1, 2, 3};
        b = load_mem(mem, kKind[op / 2]);
        if (x.get(0, a)) {
            if (reg == 2 || reg == 3) x.compare(a, b, true, nullptr);
            else x.put(0, x.arith(reg, a, b));
        } else if (reg == 2 || reg == 3) x.cc(1, 1, 0, 1);
        else x.st_[0] = kIndefinite;
        if (reg == 3) x.pop();
    } else if (memory) {
        if (reg == 0) x.push(from_ld(load_mem(mem, op == 1 ? 0 : op == 3 ? 1 : op == 5 ? 2 : 3)));
        else if (op == 3 && reg == 5) x.push(Float80::load(mem));
        else if (op == 7 && reg == 5) x.push(from_ld(load_mem(mem, 4)));
        else if (op == 7 && reg == 4) {  // FBLD
            LD v = 0;
            for (int k = 8; k >= 0; --k) v = v * 100 + (mem[k] >> 4) * 10 + (mem[k] & 15);
            x.push(from_ld(mem[9] & 0x80 ? -v : v));
        } else {
            const bool ok = x.get(0, a);
            if (!ok) a = NAN;
            if (op == 1) { float f = float(a); std::memcpy(mem, &f, 4); }
            else if (op == 5) { double d = double(a); std::memcpy(mem, &d, 8); }
            else if (op == 3 && reg == 7) (ok ? x.st_[0] : kIndefinite).store(mem);
            else if (op == 3) store_int<int32_t>(x, a, mem);
            else if (reg == 7) store_int<int64_t>(x, a, mem);
            else if (reg == 6) {  // FBSTP
                LD v = std::nearbyint(std::fabs(a));
                std::memset(mem, 0, 10);
                for (unsigned k = 0; k < 9; ++k) { unsigned d = unsigned(std::fmod(v, 100)); v = std::floor(v / 100); mem[k] = uint8_t((d / 10) << 4 | d % 10); }
                if (std::signbit(a)) mem[9] = 0x80;
            } else store_int<int16_t>(x, a, mem);
            if (reg == 3 || reg >= 6 || (op == 3 && reg == 7)) x.pop();
        }
    } else if (op == 1) {
        d9_register(x, modrm);
    } else if ((op == 2 || op == 3) && modrm < 0xE0) {  // FCMOVcc
        if (x.get(0, a) && x.get(i, b)) { if (fcmov_cond(op, reg, rflags)) x.st_[0] = x.st_[i]; }
    } else if (op == 2) {  // FUCOMPP
        if (x.get(0, a) && x.get(1, b)) x.compare(a, b, false, nullptr); else x.cc(1, 1, 0, 1);
        x.pop(); x.pop();
    } else if ((op == 3 || op == 7) && modrm >= 0xE8) {  // FUCOMI(P), FCOMI(P)
        if (x.get(0, a) && x.get(i, b)) x.compare(a, b, reg == 6, &rflags); else rflags = (rflags & ~0x8D5ull) | 0x45;
        if (op == 7) x.pop();
    } else if (op == 5 || (op == 7 && modrm < 0xE0)) {
        if (reg == 0) { x.set_empty(i, true); if (op == 7) x.pop(); }          // FFREE, FFREEP
        else if (reg == 1) { d9_register(x, uint8_t(0xC8 | i)); }              // FXCH4/7
        else if (reg == 2 || reg == 3) {                                      // FST(P), FSTP8/9
            if (x.get(0, a)) { x.st_[i] = x.st_[0]; x.set_empty(i, false); }
            if (reg == 3 || op == 7) x.pop();
        } else {                                                              // FUCOM(P)
            if (x.get(0, a) && x.get(i, b)) x.compare(a, b, false, nullptr); else x.cc(1, 1, 0, 1);
            if (reg == 5) x.pop();
        }
    } else {  // D8, DC, DE register arithmetic and compares
        if (reg == 2 || reg == 3 || (op == 6 && modrm == 0xD9)) {
            if (x.get(0, a) && x.get(i, b)) x.compare(a, b, true, nullptr); else x.cc(1, 1, 0, 1);
            if (reg == 3 || op == 6) x.pop();
            if (op == 6 && modrm == 0xD9) x.pop();
        } else if (x.get(0, a) && x.get(i, b)) {
            if (op == 0) x.put(0, x.arith(reg, a, b));
            else x.put(i, x.arith(reg ^ (reg >= 4 ? 1 : 0), b, a));
            if (op == 6) x.pop();
        }
    }
    x.save();
    std::fesetround(FE_TONEAREST);
}

bool x87_engine_is_host() { return false; }

}  // namespace vmm86

#endif
