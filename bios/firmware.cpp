#include "bios/firmware.h"

#include <stdexcept>

namespace vmm86 {

void map_bios_image(PhysicalMemory& mem, const std::vector<uint8_t>& image) {
    const size_t size = image.size();
    if (size != (64u << 10) && size != (128u << 10) && size != (256u << 10))
        throw std::invalid_argument("BIOS image must be 64, 128 or 256 KiB");
    const uint32_t top = uint32_t((1ull << 32) - size);
    mem.map_rom(top, image);
    const uint32_t low_size = uint32_t(size < (128u << 10) ? size : (128u << 10));
    mem.map_rom_alias(0x100000 - low_size, uint32_t((1ull << 32) - low_size), low_size);
}

}  // namespace vmm86
