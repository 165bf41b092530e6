// A standard (SPP) PC parallel port with a printer on it: three registers at base+0..2.
//   +0 data     the byte on the data lines (read back as written)
//   +1 status   BUSY# ACK# PE SLCT ERROR# from the printer (read only)
//   +2 control  STROBE AUTOFD INIT# SLCTIN, bit 4 enables the ACK interrupt
// The printer takes a byte when the guest raises STROBE (control bit 0, inverted on the
// cable) with SLCTIN set, as BIOS INT 17h, DOS and Linux's lp driver drive it; a write to
// the data register alone prints nothing (probes such as 0xAA/0x55 read-back tests are
// not print jobs). The printer is infinitely fast: never busy, always selected, no paper
// out, and it acknowledges each byte at once (an IRQ pulse when bit 4 is set).
#pragma once
#include <cstdint>

#include "devices/io_device.h"
#include "devices/uart16550.h"  // CharBackend: the host end

namespace vmm86 {

struct ParallelPortState {
    static constexpr uint32_t kVersion = 1;
    uint8_t data = 0;
    uint8_t control = 0x0C;  // INIT# high (not resetting) and SLCTIN set: a BIOS leaves it so
};

class ParallelPort final : public IoDevice {
public:
    static constexpr unsigned kPorts = 3;
    enum Control : uint8_t { kStrobe = 0x01, kAutoFeed = 0x02, kInit = 0x04, kSelectIn = 0x08, kIrqEnable = 0x10 };
    enum Status : uint8_t { kNotError = 0x08, kSelected = 0x10, kPaperOut = 0x20, kNotAck = 0x40, kNotBusy = 0x80 };

    // host: where printed bytes go (never null: an unplugged port is simply not mapped).
    ParallelPort(IrqLine& irq, CharBackend& host) : irq_(irq), host_(host) {}

    uint32_t read(uint32_t offset, unsigned size) override;
    void write(uint32_t offset, unsigned size, uint32_t value) override;

    void reset() { s_ = {}; }
    const ParallelPortState& state() const { return s_; }
    void restore(const ParallelPortState& state) { s_ = state; }

private:
    IrqLine& irq_;
    CharBackend& host_;
    ParallelPortState s_;
};

}  // namespace vmm86
