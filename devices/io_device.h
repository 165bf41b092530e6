// The one interface every device model implements. A device sees offsets into its own
// range, never absolute port numbers or addresses: where it sits is the board's business.
#pragma once
#include <cstdint>

namespace vmm86 {

class IoDevice {
public:
    virtual ~IoDevice() = default;
    // size is 1, 2 or 4 bytes. Reads of bits a device does not drive return 1s, as an
    // undriven ISA bus does.
    virtual uint32_t read(uint32_t offset, unsigned size) = 0;
    virtual void write(uint32_t offset, unsigned size, uint32_t value) = 0;
};

// An interrupt request line as a device sees it. The device never knows whether a PIC or
// an APIC is on the other end.
class IrqLine {
public:
    virtual ~IrqLine() = default;
    virtual void set_level(bool high) = 0;
    void raise() { set_level(true); }
    void lower() { set_level(false); }
    // An edge-triggered pulse, for devices that signal an event rather than a level.
    void pulse() { set_level(true); set_level(false); }
};

}  // namespace vmm86
