// The x87's 80-bit extended-precision value as the FPU stores it: a 64-bit significand
// with an explicit integer bit and a 16-bit sign/exponent word. This is the register and
// memory format (m80), so it is copied, never converted, between registers and memory.
#pragma once
#include <cstdint>
#include <cstring>

namespace vmm86 {

struct Float80 {
    uint64_t mant;
    uint16_t se;  // sign << 15 | biased exponent (bias 16383)

    bool sign() const { return se >> 15; }
    unsigned exponent() const { return se & 0x7FFF; }
    bool is_zero() const { return exponent() == 0 && mant == 0; }
    bool is_nan() const { return exponent() == 0x7FFF && (mant << 1) != 0; }
    bool is_inf() const { return exponent() == 0x7FFF && (mant << 1) == 0; }
    // "Special" in the FPU's tag sense: NaN, infinity, denormal, or an unsupported format
    // (unnormal, pseudo-NaN, pseudo-infinity, pseudo-denormal).
    bool is_special() const {
        if (exponent() == 0x7FFF) return true;
        if (exponent() == 0) return mant != 0;
        return !(mant >> 63);
    }
    static Float80 load(const uint8_t* p) {
        Float80 f;
        std::memcpy(&f.mant, p, 8);
        std::memcpy(&f.se, p + 8, 2);
        return f;
    }
    void store(uint8_t* p) const {
        std::memcpy(p, &mant, 8);
        std::memcpy(p + 8, &se, 2);
    }
    bool operator==(const Float80& o) const { return mant == o.mant && se == o.se; }
};

// The full (two-bit) tag of a non-empty register: 00 valid, 01 zero, 10 special.
inline unsigned float80_tag(const Float80& f) { return f.is_zero() ? 1 : f.is_special() ? 2 : 0; }

}  // namespace vmm86
