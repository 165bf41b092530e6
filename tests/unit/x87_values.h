// Random 80-bit values for the x87 unit tests (test_x87, test_x87_portable): every class
// the P6 distinguishes, weighted towards the edges where rounding, denormals and the
// narrower formats' limits matter.
#pragma once
#include <cstdint>
#include <cstring>
#include <random>

namespace vmm86::test {

inline void put80(uint8_t* p, uint16_t se, uint64_t mant) {
    std::memcpy(p, &mant, 8);
    std::memcpy(p + 8, &se, 2);
}

// Values of every class: zeros, denormals, unnormals, pseudo-NaN/inf, NaNs, infinities,
// integers, numbers near the m32/m64/integer ranges' edges, small arguments.
inline void random_f80(std::mt19937_64& rng, uint8_t* p) {
    uint64_t mant = rng();
    uint16_t exp;
    switch (rng() % 16) {
    case 0: exp = 0; mant = rng() % 3 ? 0 : mant & ~(1ull << 63); break;
    case 1: exp = 0x7FFF; mant = (rng() % 2) ? 1ull << 63 : mant | 1ull << 63; break;
    case 2: exp = 0x7FFF; mant &= ~(1ull << 62); mant |= 1ull << 63; break;  // SNaN
    case 3: exp = uint16_t(rng() % 0x7FFF); mant &= ~(1ull << 63); break;   // unnormal
    case 4: exp = uint16_t(0x3FFF + rng() % 64); mant = (mant | 1ull << 63) & ~((1ull << (63 - rng() % 63)) - 1); break;
    case 5: exp = uint16_t(0x3FFF - 126 - 24 + rng() % 40); mant |= 1ull << 63; break;   // m32 edges
    case 6: exp = uint16_t(0x3FFF + 120 + rng() % 16); mant |= 1ull << 63; break;
    case 7: exp = uint16_t(0x3FFF - 1022 - 53 + rng() % 60); mant |= 1ull << 63; break;  // m64 edges
    case 8: exp = uint16_t(0x3FFF + 1020 + rng() % 8); mant |= 1ull << 63; break;
    case 9: exp = uint16_t(0x3FFF - 4 + rng() % 10); mant |= 1ull << 63; break;
    case 10: exp = uint16_t(0x3FFF - 1 - rng() % 70); mant |= 1ull << 63; break;       // (0, 1)
    case 11: exp = uint16_t(1 + rng() % 80); mant |= 1ull << 63; break;                // near underflow
    case 12: exp = uint16_t(0x7FFE - rng() % 80); mant |= 1ull << 63; break;           // near overflow
    case 13: exp = uint16_t(0x3FFF + rng() % 70); mant |= 1ull << 63; if (rng() % 2) mant &= ~0xFFFFull; break;
    default: exp = uint16_t(rng() % 0x7FFF); mant |= 1ull << 63; break;
    }
    exp |= uint16_t(rng() % 2) << 15;
    put80(p, exp, mant);
}

}  // namespace vmm86::test
