#include "devices/system_control.h"

namespace vmm86 {

namespace {
uint32_t ones(unsigned size) { return size >= 4 ? ~0u : (1u << (8 * size)) - 1; }
}  // namespace

// ---- Port 0x92 ----------------------------------------------------------------------

uint32_t SystemControlPortA::read(uint32_t offset, unsigned size) {
    if (offset != 0) return ones(size);
    return s_.value | (ones(size) & ~0xFFu);  // a byte register: wider reads see 1s above
}

void SystemControlPortA::write(uint32_t offset, unsigned size, uint32_t value) {
    if (offset != 0) return;
    const uint8_t old = s_.value;
    // Bits 2, 4 and 5 are reserved or read-only on PIIX3; bit 3 (lock) and the two
    // activity-light bits 6-7 are plain storage here.
    s_.value = uint8_t(value & 0xCB);
    const bool a20 = s_.value & 0x02;
    if (a20 != bool(old & 0x02) && on_a20_change) on_a20_change(a20);
    // ALT_RST resets on a 0 -> 1 transition only; software clears it before the next one.
    if ((s_.value & 0x01) && !(old & 0x01) && on_reset_request) on_reset_request();
}

// ---- Port 0xCF9 ---------------------------------------------------------------------

uint32_t ResetControl::read(uint32_t offset, unsigned size) {
    if (offset != 0 || size != 1) return ones(size);
    return s_.value;
}

void ResetControl::write(uint32_t offset, unsigned size, uint32_t value) {
    // The register answers byte accesses only (PIIX3 datasheet, RC register).
    if (offset != 0 || size != 1) return;
    // RCPU (bit 2) is self-clearing and reads 0, so every write with it set is a 0 -> 1
    // transition. Linux's "reboot=pci" writes 0x02 then 0x06 (warm) or 0x0E (cold); the
    // ACPI reset writes the FADT's RESET_VALUE (0x06) in one go.
    s_.value = uint8_t(value & 0x0A);
    if (value & 0x04) {
        last_hard_ = value & 0x0A;
        if (on_reset_request) on_reset_request();
    }
}

// ---- POST, debug console, exit ------------------------------------------------------

void PostPort::write(uint32_t offset, unsigned size, uint32_t value) {
    if (offset != 0) return;
    s_.last_code = uint8_t(value);
    if (on_post_code) on_post_code(s_.last_code);
}

uint32_t DebugConsole::read(uint32_t offset, unsigned size) {
    if (offset != 0) return ones(size);
    return kReadback | (ones(size) & ~0xFFu);
}

void DebugConsole::write(uint32_t offset, unsigned size, uint32_t value) {
    if (offset != 0 || !on_output) return;
    // outsb/outb carry one character; a wider out carries its bytes in memory order.
    for (unsigned i = 0; i < size; ++i) on_output(uint8_t(value >> (8 * i)));
}

void ExitPort::write(uint32_t offset, unsigned size, uint32_t value) {
    if (!on_exit) return;
    const uint32_t v = value & ones(size);
    on_exit(int((v << 1) | 1));
}

}  // namespace vmm86
