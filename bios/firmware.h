// Mapping a raw firmware image the way a PC maps its BIOS flash.
#pragma once
#include <cstdint>
#include <vector>

#include "memory/physical_memory.h"

namespace vmm86 {

// The image (64, 128 or 256 KiB) ends at 4 GiB, where the reset vector fetches from; its
// last 128 KiB (all of it if smaller) is also visible ending at 0xFFFFF, where real-mode
// code runs after its first far jump. Throws std::invalid_argument for other sizes.
void map_bios_image(PhysicalMemory& mem, const std::vector<uint8_t>& image);

}  // namespace vmm86
