// Accessors for the x87 state kept in CpuState::fxsave_area. The area has FXSAVE's layout
// (FCW at 0, FSW at 2, abridged tag byte at 4, FOP at 6, FIP/FCS at 8/12, FDP/FDS at
// 16/20, MXCSR at 24, registers at 32 + 16*i) with one difference: register slot i holds
// physical register R<i>, not ST(i), so that a push or pop changes only TOP. FXSAVE and
// FXRSTOR rotate by TOP (cpu/fpu/fpu_control.cpp). See README.md.
#pragma once
#include <cstdint>
#include <cstring>

#include "cpu/cpu_state.h"
#include "cpu/fpu/float80.h"

namespace vmm86 {

// FSW bits.
enum : uint16_t {
    FSW_IE = 1u << 0, FSW_DE = 1u << 1, FSW_ZE = 1u << 2, FSW_OE = 1u << 3, FSW_UE = 1u << 4,
    FSW_PE = 1u << 5, FSW_SF = 1u << 6, FSW_ES = 1u << 7, FSW_C0 = 1u << 8, FSW_C1 = 1u << 9,
    FSW_C2 = 1u << 10, FSW_TOP = 7u << 11, FSW_C3 = 1u << 14, FSW_B = 1u << 15,
    FSW_EXCEPTIONS = 0x3F,
};

class FpuState {
public:
    explicit FpuState(CpuState& s) : a_(s.fxsave_area) {}

    uint16_t fcw() const { return get16(0); }
    // The reserved bits are not kept: bit 6 reads as 1, bits 7 and 13-15 as 0 (as FLDCW,
    // FLDENV, FRSTOR and FXRSTOR leave them on Intel CPUs).
    void set_fcw(uint16_t v) { put16(0, uint16_t((v & 0x1F3F) | 0x0040)); }
    uint16_t fsw() const { return get16(2); }
    void set_fsw(uint16_t v) { put16(2, v); }
    unsigned top() const { return (fsw() >> 11) & 7; }
    uint8_t abridged_tag() const { return a_[4]; }  // bit i = 1: R<i> is not empty
    void set_abridged_tag(uint8_t v) { a_[4] = v; }
    uint16_t fop() const { return get16(6); }
    void set_fop(uint16_t v) { put16(6, v & 0x7FF); }
    uint32_t fip() const { return get32(8); }
    uint16_t fcs() const { return get16(12); }
    uint32_t fdp() const { return get32(16); }
    uint16_t fds() const { return get16(20); }
    void set_fip(uint32_t ip, uint16_t cs) { put32(8, ip); put16(12, cs); }
    void set_fdp(uint32_t dp, uint16_t ds) { put32(16, dp); put16(20, ds); }
    uint32_t mxcsr() const { return get32(24); }

    Float80 phys(unsigned i) const { return Float80::load(a_ + 32 + 16 * (i & 7)); }
    void set_phys(unsigned i, const Float80& f) { f.store(a_ + 32 + 16 * (i & 7)); }
    Float80 st(unsigned i) const { return phys(top() + i); }

    // The full 16-bit tag word (two bits per physical register), as FSTENV stores it: the
    // FPU keeps only "empty or not" and classifies the contents when asked.
    uint16_t full_tag() const {
        uint16_t tw = 0;
        for (unsigned i = 0; i < 8; ++i) {
            unsigned t = (abridged_tag() >> i & 1) ? float80_tag(phys(i)) : 3;
            tw |= uint16_t(t << (2 * i));
        }
        return tw;
    }
    void set_full_tag(uint16_t tw) {
        uint8_t ab = 0;
        for (unsigned i = 0; i < 8; ++i)
            if (((tw >> (2 * i)) & 3) != 3) ab |= uint8_t(1u << i);
        set_abridged_tag(ab);
    }

    // Unmasked exceptions whose flags are set: the next waiting instruction reports them.
    bool exception_pending() const { return fsw() & FSW_ES; }

    // FNINIT: FCW 037Fh, FSW 0, all registers empty, pointers and opcode cleared.
    void init() {
        set_fcw(0x037F);
        set_fsw(0);
        set_abridged_tag(0);
        set_fop(0);
        set_fip(0, 0);
        set_fdp(0, 0);
    }

    uint8_t* raw() { return a_; }

private:
    uint16_t get16(unsigned o) const { uint16_t v; std::memcpy(&v, a_ + o, 2); return v; }
    uint32_t get32(unsigned o) const { uint32_t v; std::memcpy(&v, a_ + o, 4); return v; }
    void put16(unsigned o, uint16_t v) { std::memcpy(a_ + o, &v, 2); }
    void put32(unsigned o, uint32_t v) { std::memcpy(a_ + o, &v, 4); }
    uint8_t* a_;
};

// The x87/SSE state after RESET (SDM vol. 3 table 9-1): FCW 0040h, FSW 0, FTW 5555h (all
// registers hold +0.0), MXCSR 1F80h.
void fpu_reset(CpuState& s);

}  // namespace vmm86
