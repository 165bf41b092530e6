#include "devices/parallel_port.h"

namespace vmm86 {

uint32_t ParallelPort::read(uint32_t offset, unsigned size) {
    uint32_t high = size == 1 ? 0 : (size >= 4 ? ~0u : (1u << (8 * size)) - 1) & ~0xFFu;
    switch (offset) {
    case 0:
        return s_.data | high;
    case 1:
        // A ready printer; bits 0-2 are not driven on an SPP port and read as 1.
        return kNotBusy | kNotAck | kSelected | kNotError | 0x07 | high;
    case 2:
        // Bits 5-7 are not implemented on an SPP port and read as 1.
        return (s_.control & 0x1F) | 0xE0 | high;
    default:
        return 0xFF | high;
    }
}

void ParallelPort::write(uint32_t offset, unsigned size, uint32_t value) {
    // A wider access reaches the following registers byte by byte, as on the ISA bus.
    for (unsigned i = 0; i < size && offset + i < kPorts; ++i) {
        const uint8_t byte = uint8_t(value >> (8 * i));
        switch (offset + i) {
        case 0:
            s_.data = byte;
            break;
        case 2: {
            const bool strobe_rises = (byte & kStrobe) && !(s_.control & kStrobe);
            s_.control = byte & 0x1F;
            if (strobe_rises && (byte & kSelectIn) && (byte & kInit)) {
                host_.write(s_.data);
                if (byte & kIrqEnable) irq_.pulse();  // the printer's ACK# pulse
            }
            break;
        }
        default:
            break;  // the status register is read only
        }
    }
}

}  // namespace vmm86
