// The portable x87 engine against the host x87 (x86-64 hosts only): the same FSAVE image,
// instruction and memory operand go through x87_execute_portable and through the host CPU
// (x87_native.h, FRSTOR/insn/FNSAVE in a page of its own), and FCW, FSW, the tag word,
// the eight registers, the stored memory operand and the EFLAGS of FCOMI must be equal bit
// for bit. Transcendentals (F2XM1 FYL2X FPTAN FPATAN FYL2XP1 FSINCOS FSIN FCOS) may differ
// by 1 ulp in a register (FSIN/FCOS/FSINCOS/FPTAN: see within_tolerance) and then in PE/UE;
// their C1 ("rounded up") is relative to each engine's own exact value and is only counted;
// everything else is exact. Results for arguments outside the SDM's domain (F2XM1 |x| > 1,
// FYL2XP1 |x| >= 1 - 1/sqrt 2) are undefined and not compared (the stack effects are).
//
// Two parts: a systematic table (every computational encoding x special values x the four
// rounding controls x the three precision controls, masked, plus unmasked exceptions) and
// random cases (VMM86_X87_CASES, default 200000; VMM86_X87_SEED). Deep run by hand:
//   VMM86_X87_CASES=10000000 build/tests/unit_test_x87_portable
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "cpu/fpu/x87_engine.h"
#include "cpu/fpu/x87_forms.h"
#include "x87_native.h"
#include "x87_values.h"

namespace vmm86::test {
namespace {

struct Case {
    uint8_t img[108];
    uint8_t mem[16];
    uint64_t flags;
};

struct Encoding {
    uint8_t op, modrm;
};

// One ModRM per memory form, every register form (all eight ST(i) for the few that the
// tables use with ST(1) only).
std::vector<Encoding> encodings() {
    std::vector<Encoding> v;
    for (unsigned op = 0xD8; op <= 0xDF; ++op)
        for (unsigned m = 0; m < 256; ++m) {
            if ((m >> 6) != 3 && (m & 0xC7) != 0x06) continue;
            if (x87_form(uint8_t(op), uint8_t(m)).kind != X87Kind::Compute) continue;
            v.push_back({uint8_t(op), uint8_t(m)});
        }
    return v;
}

bool is_transcendental(uint8_t op, uint8_t m) {
    return op == 0xD9 && (m == 0xF0 || m == 0xF1 || m == 0xF2 || m == 0xF3 || m == 0xF9 || m == 0xFB ||
                          m == 0xFE || m == 0xFF);
}

std::string name(uint8_t op, uint8_t m) {
    static const char* kArith[8] = {"FADD", "FMUL", "FCOM", "FCOMP", "FSUB", "FSUBR", "FDIV", "FDIVR"};
    static const char* kArithR[8] = {"FADD", "FMUL", "FCOM2", "FCOMP3", "FSUBR", "FSUB", "FDIVR", "FDIV"};
    const unsigned reg = (m >> 3) & 7;
    char b[48];
    if ((m >> 6) != 3) {
        static const char* kMem[8][8] = {
            {"FADD m32", "FMUL m32", "FCOM m32", "FCOMP m32", "FSUB m32", "FSUBR m32", "FDIV m32", "FDIVR m32"},
            {"FLD m32", "", "FST m32", "FSTP m32", "", "", "", ""},
            {"FIADD m32", "FIMUL m32", "FICOM m32", "FICOMP m32", "FISUB m32", "FISUBR m32", "FIDIV m32", "FIDIVR m32"},
            {"FILD m32", "", "FIST m32", "FISTP m32", "", "FLD m80", "", "FSTP m80"},
            {"FADD m64", "FMUL m64", "FCOM m64", "FCOMP m64", "FSUB m64", "FSUBR m64", "FDIV m64", "FDIVR m64"},
            {"FLD m64", "", "FST m64", "FSTP m64", "", "", "", ""},
            {"FIADD m16", "FIMUL m16", "FICOM m16", "FICOMP m16", "FISUB m16", "FISUBR m16", "FIDIV m16", "FIDIVR m16"},
            {"FILD m16", "", "FIST m16", "FISTP m16", "FBLD", "FILD m64", "FBSTP", "FISTP m64"}};
        return kMem[op - 0xD8][reg];
    }
    switch (op) {
    case 0xD8: snprintf(b, sizeof b, "%s ST,STi", kArith[reg]); return b;
    case 0xDC: snprintf(b, sizeof b, "%s STi,ST", kArithR[reg]); return b;
    case 0xDE:
        if (m == 0xD9) return "FCOMPP";
        snprintf(b, sizeof b, "%sP STi,ST", reg == 2 ? "FCOMP5" : kArithR[reg]);
        return b;
    case 0xD9: {
        if (m < 0xC8) return "FLD STi";
        if (m < 0xD0) return "FXCH";
        if (m == 0xD0) return "FNOP";
        if (m < 0xE0) return "FSTP1";
        static const char* k[32] = {"FCHS", "FABS", "", "", "FTST", "FXAM", "", "", "FLD1", "FLDL2T", "FLDL2E",
                                    "FLDPI", "FLDLG2", "FLDLN2", "FLDZ", "", "F2XM1", "FYL2X", "FPTAN", "FPATAN",
                                    "FXTRACT", "FPREM1", "FDECSTP", "FINCSTP", "FPREM", "FYL2XP1", "FSQRT",
                                    "FSINCOS", "FRNDINT", "FSCALE", "FSIN", "FCOS"};
        return k[m - 0xE0];
    }
    case 0xDA:
        if (m == 0xE9) return "FUCOMPP";
        { static const char* k[4] = {"FCMOVB", "FCMOVE", "FCMOVBE", "FCMOVU"}; return k[reg & 3]; }
    case 0xDB:
        if (m >= 0xF0) return "FCOMI";
        if (m >= 0xE8) return "FUCOMI";
        { static const char* k[4] = {"FCMOVNB", "FCMOVNE", "FCMOVNBE", "FCMOVNU"}; return k[reg & 3]; }
    case 0xDD: { static const char* k[6] = {"FFREE", "FXCH4", "FST STi", "FSTP STi", "FUCOM", "FUCOMP"}; return k[reg]; }
    default:
        if (m >= 0xF0) return "FCOMIP";
        if (m >= 0xE8) return "FUCOMIP";
        { static const char* k[4] = {"FFREEP", "FXCH7", "FSTP8", "FSTP9"}; return k[reg & 3]; }
    }
}

void set_env(Case& c, uint16_t cw, uint16_t sw, uint16_t tw) {
    std::memcpy(c.img + 0, &cw, 2);
    std::memcpy(c.img + 4, &sw, 2);
    std::memcpy(c.img + 8, &tw, 2);
}

Case random_case(std::mt19937_64& rng) {
    Case c{};
    const bool unmasked = rng() % 3 == 0;
    const uint16_t pc = uint16_t(rng() % 4), rc = uint16_t(rng() % 4);
    const uint16_t masks = unmasked ? uint16_t(rng() & 0x3F) : 0x3F;
    const uint16_t cw = uint16_t(0x0040 | rc << 10 | pc << 8 | masks);
    const uint16_t sw = uint16_t((rng() % 8) << 11 | (rng() & 0x4700));
    uint16_t tw = 0;
    const unsigned empties = unsigned(rng() % 4);  // how often a register is empty
    for (unsigned i = 0; i < 8; ++i) tw |= uint16_t((empties && rng() % (2 + 4 * empties) == 0 ? 3 : 0) << (2 * i));
    set_env(c, cw, sw, tw);
    for (unsigned i = 0; i < 8; ++i) random_f80(rng, c.img + 28 + 10 * i);
    for (auto& b : c.mem) b = uint8_t(rng());
    switch (rng() % 6) {
    case 0: case 1: random_f80(rng, c.mem); break;  // an extended value's top bytes for m32/m64
    case 2: {
        int64_t v = int64_t(rng() % 2001) - 1000;
        std::memcpy(c.mem, &v, 8);
        break;
    }
    case 3: {  // a valid BCD number
        for (unsigned k = 0; k < 9; ++k) c.mem[k] = uint8_t((rng() % 10) << 4 | rng() % 10);
        c.mem[9] &= 0x80;
        break;
    }
    default: break;
    }
    c.flags = rng() & 0x45;
    return c;
}

// ulp distance between two finite, normal-or-denormal values of the same sign (or huge).
uint64_t ulp_distance(const uint8_t* a, const uint8_t* b) {
    uint64_t ma, mb;
    uint16_t ea, eb;
    std::memcpy(&ma, a, 8); std::memcpy(&ea, a + 8, 2);
    std::memcpy(&mb, b, 8); std::memcpy(&eb, b + 8, 2);
    if ((ea ^ eb) & 0x8000) return ~0ull;
    if ((ea & 0x7FFF) == 0x7FFF || (eb & 0x7FFF) == 0x7FFF) return ~0ull;
    auto key = [](uint16_t e, uint64_t m) -> __int128 {
        e &= 0x7FFF;
        if (e == 0) return __int128(m);
        return (__int128(e - 1) << 63) + __int128(m);
    };
    __int128 d = key(ea, ma) - key(eb, mb);
    if (d < 0) d = -d;
    return d > 1000 ? ~0ull : uint64_t(d);
}

// The documented tolerance of a transcendental result: 1 ulp; for FSIN/FCOS/FSINCOS also
// 2^-64 absolute and for FPTAN 2^-64 in the argument (|d tan| <= 2^-64 (1 + tan^2)): near
// a zero of the function the host's result is good to 2^-64 absolute, not to 1 ulp.
bool within_tolerance(uint8_t m, const uint8_t* a, const uint8_t* b, bool& beyond_ulp) {
    const uint64_t d = ulp_distance(a, b);
    if (d <= 1) return true;
    beyond_ulp = true;
    if (d == ~0ull || !(m == 0xF2 || m == 0xFB || m == 0xFE || m == 0xFF)) return false;
    uint64_t mant;
    uint16_t se;
    std::memcpy(&mant, b, 8);
    std::memcpy(&se, b + 8, 2);
    const int e = (se & 0x7FFF) - 16383;
    const long double abs_diff = std::ldexp((long double)d, e - 63);
    if (m != 0xF2) return abs_diff <= std::ldexp(1.0L, -64);
    const long double t = std::ldexp((long double)mant, e - 63);
    return abs_diff <= std::ldexp(1.0L, -64) * (1 + t * t) * 1.0001L;
}

std::string hex(const uint8_t* p, unsigned n) {
    std::string s;
    char b[4];
    for (unsigned i = 0; i < n; ++i) { snprintf(b, sizeof b, "%02x", p[i]); s += b; }
    return s;
}

// Whether the argument is inside the SDM's domain for F2XM1 / FYL2XP1.
bool in_domain(uint8_t m, const uint8_t* st0) {
    uint64_t mant;
    uint16_t se;
    std::memcpy(&mant, st0, 8);
    std::memcpy(&se, st0 + 8, 2);
    const unsigned e = se & 0x7FFF;
    if (m == 0xF0) return e < 0x3FFF || (e == 0x3FFF && mant == 1ull << 63) || e == 0x7FFF;
    if (m == 0xF9) return e < 0x3FFD || (e == 0x3FFD && mant < 0x95F619980C4336F7ull) || e == 0x7FFF;  // 0.2928932
    return true;
}

struct Stats {
    uint64_t cases = 0, mismatches = 0, ulp1 = 0, beyond_ulp = 0, c1_only = 0;
    std::map<std::string, uint64_t> by_op, tolerated;
    std::vector<std::string> examples;
};

// Runs one case through both engines; false (and a note) on a mismatch.
void check(Stats& st, test::NativeX87& native, uint8_t op, uint8_t m, const Case& in) {
    Case p = in, w = in;
    X87Image img;
    std::memcpy(img.b, p.img, 108);
    x87_execute_portable(op, m, img, p.mem, p.flags);
    std::memcpy(p.img, img.b, 108);
    native.run(op, m, w.img, w.mem, w.flags);
    ++st.cases;

    const X87Form form = x87_form(op, m);
    const bool trans = is_transcendental(op, m);
    uint16_t pw, ww;
    std::string why;
    bool within_ulp = false, beyond = false;
    // Registers: exact, or within 1 ulp for transcendentals (then C1/PE may differ).
    bool regs_ok = true;
    for (unsigned i = 0; i < 8; ++i) {
        if (std::memcmp(p.img + 28 + 10 * i, w.img + 28 + 10 * i, 10) == 0) continue;
        if (trans && !in_domain(m, in.img + 28)) continue;
        if (trans && within_tolerance(m, p.img + 28 + 10 * i, w.img + 28 + 10 * i, beyond)) { within_ulp = true; continue; }
        regs_ok = false;
        why += "ST" + std::to_string(i) + " ";
    }
    std::memcpy(&pw, p.img + 4, 2);
    std::memcpy(&ww, w.img + 4, 2);
    uint16_t fsw_mask = 0xFFFF;
    // C1 of a transcendental is "rounded up" relative to each engine's own exact value.
    if (trans) fsw_mask &= uint16_t(~FSW_C1);
    if (trans && ((pw ^ ww) & FSW_C1)) ++st.c1_only;
    if (within_ulp) fsw_mask &= uint16_t(~(FSW_C1 | FSW_PE | FSW_UE));
    if (trans && !in_domain(m, in.img + 28)) fsw_mask &= uint16_t(~(FSW_C1 | FSW_PE | FSW_UE | FSW_OE | FSW_ES | FSW_B));
    if ((pw & fsw_mask) != (ww & fsw_mask)) why += "FSW ";
    for (unsigned off : {0u, 8u}) {
        std::memcpy(&pw, p.img + off, 2);
        std::memcpy(&ww, w.img + off, 2);
        // A result 1 ulp apart may be a denormal against the smallest normal: tags too.
        if (off == 8 && within_ulp) {
            uint16_t pe = 0, we = 0;
            for (unsigned k = 0; k < 8; ++k) {
                pe |= uint16_t(((pw >> (2 * k) & 3) == 3) << k);
                we |= uint16_t(((ww >> (2 * k) & 3) == 3) << k);
            }
            if (pe != we) why += "TW ";
            continue;
        }
        if (pw != ww) why += off ? "TW " : "FCW ";
    }
    if (form.mem == X87Mem::Store && std::memcmp(p.mem, w.mem, form.size) != 0) why += "memory ";
    if (form.sets_eflags && (p.flags & 0x45) != (w.flags & 0x45)) why += "EFLAGS ";
    (void)regs_ok;
    if (within_ulp) {
        ++st.ulp1;
        ++st.tolerated[name(op, m)];
        if (beyond) ++st.beyond_ulp;
    }
    if (why.empty()) return;
    ++st.mismatches;
    const std::string n = name(op, m);
    if (st.by_op[n]++ < 3 && st.examples.size() < 60) {
        char b[64];
        snprintf(b, sizeof b, "%02x %02x ", op, m);
        st.examples.push_back(n + " (" + b + "): " + why + "\n    in  " + hex(in.img, 12) + " st " + hex(in.img + 28, 20) +
                              " mem " + hex(in.mem, 10) + " fl " + std::to_string(in.flags) + "\n    got " +
                              hex(p.img, 12) + " st " + hex(p.img + 28, 30) + " mem " + hex(p.mem, 10) + "\n    want" +
                              hex(w.img, 12) + " st " + hex(w.img + 28, 30) + " mem " + hex(w.mem, 10));
    }
}

void report(const Stats& st, const char* what) {
    printf("%s: %llu cases, %llu mismatches; transcendental results apart within the tolerance: %llu (%llu of them "
           "more than 1 ulp, near a zero), C1 differences: %llu\n", what, (unsigned long long)st.cases,
           (unsigned long long)st.mismatches, (unsigned long long)st.ulp1, (unsigned long long)st.beyond_ulp,
           (unsigned long long)st.c1_only);
    for (const auto& [n, k] : st.tolerated) printf("  within tolerance %-8s %llu\n", n.c_str(), (unsigned long long)k);
    for (const auto& [n, k] : st.by_op) printf("  %-14s %llu\n", n.c_str(), (unsigned long long)k);
    for (const auto& e : st.examples) printf("  %s\n", e.c_str());
    fflush(stdout);
}

uint64_t env_u64(const char* n, uint64_t dflt) {
    const char* v = getenv(n);
    return v && *v ? strtoull(v, nullptr, 0) : dflt;
}

bool host_is_x86_64() {
#if defined(__x86_64__)
    return true;
#else
    return false;
#endif
}

// The special values of the systematic table (sign/exponent, significand).
struct Value {
    uint16_t se;
    uint64_t mant;
};
std::vector<Value> specials() {
    std::vector<Value> v;
    const Value pos[] = {
        {0x0000, 0}, {0x0000, 1}, {0x0000, 0x7FFFFFFFFFFFFFFFull}, {0x0000, 0x8000000000000001ull},  // zero, denormals, pseudo-denormal
        {0x0001, 0x8000000000000000ull}, {0x0001, 0xFFFFFFFFFFFFFFFFull},
        {0x3FFF, 0x8000000000000000ull}, {0x3FFF, 0xC000000000000000ull}, {0x3FFF, 0xFFFFFFFFFFFFFFFFull},
        {0x3FFE, 0x8000000000000001ull}, {0x4000, 0xC90FDAA22168C235ull}, {0x3FFD, 0x9000000000000400ull},
        {0x403E, 0xFFFFFFFFFFFFFFFFull}, {0x403D, 0xFFFFFFFFFFFFFC00ull}, {0x401D, 0x8000000100000000ull},
        {0x400D, 0xFFFF800000000000ull}, {0x407E, 0xFFFFFF8000000000ull}, {0x3F80, 0x8000010000000000ull},
        {0x3F6A, 0xC000000000000000ull}, {0x43FE, 0xFFFFFFFFFFFFF800ull}, {0x3C00, 0x8000000000000800ull},
        {0x3BCD, 0xA000000000000000ull}, {0x7FFE, 0xFFFFFFFFFFFFFFFFull}, {0x4003, 0xA000000000000000ull},
        {0x7FFF, 0x8000000000000000ull}, {0x7FFF, 0xC000000000000000ull}, {0x7FFF, 0xC000000000000001ull},
        {0x7FFF, 0x8000000000000001ull}, {0x7FFF, 0xA000000000000000ull},                               // inf, QNaN, SNaN
        {0x3FFF, 0x4000000000000000ull}, {0x7FFF, 0x0000000000000000ull}, {0x7FFF, 0x4000000000000000ull}, // unsupported
        {0x3FFE, 0xB504F333F9DE6484ull}, {0x3FFC, 0x95F619980C4336F7ull},
    };
    for (const Value& p : pos) {
        v.push_back(p);
        v.push_back({uint16_t(p.se | 0x8000), p.mant});
    }
    return v;
}

// Memory operands for the load forms, in each format.
std::vector<std::vector<uint8_t>> mem_specials(unsigned op, unsigned reg) {
    std::vector<std::vector<uint8_t>> out;
    auto bytes = [&](uint64_t lo, uint16_t hi = 0) {
        std::vector<uint8_t> b(16, 0);
        std::memcpy(b.data(), &lo, 8);
        std::memcpy(b.data() + 8, &hi, 2);
        out.push_back(b);
    };
    const bool m32 = op == 0xD8 || (op == 0xD9 && reg == 0), m64 = op == 0xDC || (op == 0xDD && reg == 0);
    if (m32) {
        for (uint32_t v : {0u, 1u, 0x7FFFFFu, 0x800000u, 0x3F800000u, 0x3FC00000u, 0x7F7FFFFFu, 0x7F800000u,
                           0x7FC00000u, 0x7FC00001u, 0x7F800001u, 0x7FA00000u, 0x4B000001u, 0x33800000u})
            for (uint32_t s : {0u, 0x80000000u}) bytes(v | s);
    } else if (m64) {
        for (uint64_t v : {0ull, 1ull, 0xFFFFFFFFFFFFFull, 0x10000000000000ull, 0x3FF0000000000000ull,
                           0x3FF8000000000000ull, 0x7FEFFFFFFFFFFFFFull, 0x7FF0000000000000ull, 0x7FF8000000000000ull,
                           0x7FF0000000000001ull, 0x7FF4000000000000ull, 0x4330000000000001ull, 0x3CA0000000000000ull})
            for (uint64_t s : {0ull, 1ull << 63}) bytes(v | s);
    } else if (op == 0xDF && reg == 4) {  // BCD
        bytes(0, 0); bytes(0, 0x8000); bytes(0x0000000000000001ull, 0); bytes(0x9999999999999999ull, 0x0099);
        bytes(0x9999999999999999ull, 0x8099); bytes(0x1234567890123456ull, 0x0078); bytes(0xABCDEFABCDEFABCDull, 0x00EF);
    } else if (op == 0xDB && reg == 5) {
        for (const Value& v : specials()) bytes(v.mant, v.se);
    } else {  // integers
        for (int64_t v : {0ll, 1ll, -1ll, 32767ll, -32768ll, 2147483647ll, -2147483647ll - 1, 0x7FFFFFFFFFFFFFFFll,
                          -0x7FFFFFFFFFFFFFFFll - 1, 12345678901ll, 3ll, -7ll})
            bytes(uint64_t(v));
    }
    return out;
}

void run_table(Stats& st, test::NativeX87& native) {
    const std::vector<Value> vals = specials();
    const Value one{0x3FFF, 0x8000000000000000ull};
    for (const Encoding& e : encodings()) {
        const X87Form form = x87_form(e.op, e.modrm);
        const bool memory = (e.modrm >> 6) != 3;
        const unsigned reg = (e.modrm >> 3) & 7;
        if (!memory && (e.modrm & 7) != 1 && !(e.op == 0xD9 && e.modrm >= 0xE0)) continue;  // ST(1) forms
        // Which operand sets: ST0 x ST1 pairs (binary register forms), ST0 x memory, or ST0 alone.
        const bool binary = !memory && !(e.op == 0xD9 && e.modrm >= 0xE0 &&
                                         !(e.modrm == 0xF1 || e.modrm == 0xF3 || e.modrm == 0xF5 || e.modrm == 0xF8 ||
                                           e.modrm == 0xF9 || e.modrm == 0xFD));
        std::vector<std::vector<uint8_t>> mems;
        if (memory && form.mem == X87Mem::Load) mems = mem_specials(e.op, reg);
        else mems.push_back(std::vector<uint8_t>(16, 0xA5));
        const bool trans = is_transcendental(e.op, e.modrm);
        const bool uses_pc = !trans && ((memory && !(e.op & 1)) || (!memory && (e.op == 0xD8 || e.op == 0xDC || e.op == 0xDE)) ||
                                        (e.op == 0xD9 && (e.modrm == 0xFA || e.modrm == 0xFD || e.modrm == 0xF5 || e.modrm == 0xF8)));
        const bool moves = !memory && (e.op == 0xDA || e.op == 0xDB || e.op == 0xDD || e.op == 0xDF ||
                                       (e.op == 0xD9 && e.modrm < 0xE0)) && !form.sets_eflags && e.modrm != 0xE9 &&
                           !(e.op == 0xDD && reg >= 4);
        for (size_t a = 0; a < vals.size(); ++a) {
            const size_t nb = binary ? vals.size() : 1;
            for (size_t b = 0; b < nb; ++b)
                for (const auto& mem : mems)
                    for (unsigned ctl = 0; ctl < 13; ++ctl) {
                        // ctl < 12: masked, RC x PC (24, 53, 64); 12: all unmasked, RN, PC 64.
                        uint16_t cw = ctl < 12 ? uint16_t(0x007F | (ctl & 3) << 10 | (ctl / 4 == 0 ? 0 : ctl / 4 == 1 ? 2 : 3) << 8)
                                               : uint16_t(0x0340);
                        // PC matters only to the arithmetic; nothing but masks to data movement.
                        if (!uses_pc && ctl >= 4 && ctl < 12) continue;
                        if (moves && ctl > 0 && ctl < 12) continue;
                        Case c{};
                        // TOP = 6; ST0 = R6, ST1 = R7 valid, the rest empty.
                        set_env(c, cw, 6 << 11, uint16_t(0xFFFF & ~(0xF << 12)));
                        put80(c.img + 28, vals[a].se, vals[a].mant);
                        const Value& vb = binary ? vals[b] : one;
                        put80(c.img + 38, vb.se, vb.mant);
                        std::memcpy(c.mem, mem.data(), 16);
                        c.flags = (ctl & 1) ? 0x41 : 0x04;
                        check(st, native, e.op, e.modrm, c);
                    }
        }
    }
}

TEST(X87Portable, SystematicTableMatchesHost) {
    if (!host_is_x86_64()) GTEST_SKIP() << "the host x87 oracle needs an x86-64 host";
    test::NativeX87 native;
    Stats st;
    run_table(st, native);
    report(st, "systematic table");
    EXPECT_EQ(st.mismatches, 0u);
}

TEST(X87Portable, RandomCasesMatchHost) {
    if (!host_is_x86_64()) GTEST_SKIP() << "the host x87 oracle needs an x86-64 host";
    test::NativeX87 native;
    const std::vector<Encoding> enc = encodings();
    const uint64_t n = env_u64("VMM86_X87_CASES", 200000);
    std::mt19937_64 rng(env_u64("VMM86_X87_SEED", 87));
    Stats st;
    for (uint64_t k = 0; k < n; ++k) {
        const Encoding& e = enc[rng() % enc.size()];
        check(st, native, e.op, e.modrm, random_case(rng));
    }
    report(st, "random");
    EXPECT_EQ(st.mismatches, 0u);
}

}  // namespace
}  // namespace vmm86::test
