// ACPI fixed-hardware power management registers laid out as the PIIX4 power management
// function presents them at its PMBA (the board picks the base, e.g. 0x600):
//   +0x00 PM1a_STS (2)  +0x02 PM1a_EN (2)  +0x04 PM1a_CNT (2)  +0x08 PM_TMR (4)
//   +0x0C GPE0_STS (2)  +0x0E GPE0_EN (2)
// The FADT built by bios/acpi_tables.h points at exactly these offsets.
//
// No RESET_REG lives here: the FADT's reset register is the PIIX3 Reset Control port
// 0xCF9 (ResetControl in system_control.h) with value 0x06, which already resets.
#pragma once
#include <cstdint>
#include <functional>

#include "devices/clock.h"
#include "devices/io_device.h"

namespace vmm86 {

struct AcpiPmConfig {
    // SLP_TYP value the DSDT's \_S5 package declares. PIIX4 encodes soft-off as 0.
    uint8_t s5_sleep_type = 0;
    // PIIX4's timer is 24 bits; a 32-bit one needs FADT TMR_VAL_EXT.
    bool timer_32bit = false;
    // With no SMM firmware (FADT SMI_CMD = 0) the OS expects the chipset to be in ACPI
    // mode already, so SCI_EN starts set.
    bool sci_enabled_at_reset = true;
};

struct AcpiPmState {
    static constexpr uint32_t kVersion = 1;
    uint16_t pm1_status = 0;
    uint16_t pm1_enable = 0;
    uint16_t pm1_control = 0;
    uint16_t gpe0_status = 0;
    uint16_t gpe0_enable = 0;
    uint64_t timer_msb_epoch = 0;  // timer ticks >> (23 or 31) when TMR_STS was last updated
    bool sci_level = false;
};

class AcpiPm final : public IoDevice, public TimedDevice {
public:
    static constexpr uint32_t kIoSize = 0x40;  // PIIX4 decodes 64 bytes at PMBA
    static constexpr uint32_t kPm1EventOffset = 0x00, kPm1EventLength = 4;
    static constexpr uint32_t kPm1ControlOffset = 0x04, kPm1ControlLength = 2;
    static constexpr uint32_t kPmTimerOffset = 0x08, kPmTimerLength = 4;
    static constexpr uint32_t kGpe0Offset = 0x0C, kGpe0Length = 4;
    static constexpr uint64_t kTimerHz = 3'579'545;

    // PM1 status / enable bits (ACPI 6.x, 4.8.3.1).
    static constexpr uint16_t kTmr = 0x0001, kBusMaster = 0x0010, kGlobal = 0x0020,
                              kPowerButton = 0x0100, kSleepButton = 0x0200, kRtc = 0x0400,
                              kWake = 0x8000;
    // PM1 control bits.
    static constexpr uint16_t kSciEnable = 0x0001, kBusMasterReload = 0x0002,
                              kGlobalRelease = 0x0004, kSleepEnable = 0x2000;
    static constexpr unsigned kSleepTypeShift = 10;

    AcpiPm(IrqLine& sci, const Clock& clock, AcpiPmConfig config = {});

    uint32_t read(uint32_t offset, unsigned size) override;
    void write(uint32_t offset, unsigned size, uint32_t value) override;

    // TMR_STS can raise the SCI without any guest access when TMR_EN is set: the run loop
    // must call advance() by the next carry of the timer's top bit.
    uint64_t next_deadline_ns() const override;
    void advance(uint64_t now_ns) override;

    uint32_t timer_value() const;
    // The fixed-feature power button (FADT PWR_BUTTON flag clear): Linux turns it into
    // KEY_POWER, and a desktop then shuts down cleanly.
    void press_power_button();
    void raise_gpe(unsigned bit);

    // SLP_EN written with the S5 type: the guest has finished shutting down.
    std::function<void()> on_power_off;
    // SLP_EN written with any other sleep type (S1-S4); ignored if unset.
    std::function<void(uint8_t sleep_type)> on_sleep;

    void reset();
    const AcpiPmState& state() const { return s_; }
    void restore(const AcpiPmState& state);

private:
    uint8_t read_byte(uint32_t offset);
    void write_byte(uint32_t offset, uint8_t value);
    uint64_t ticks() const;
    unsigned msb_shift() const { return config_.timer_32bit ? 31 : 23; }
    void update_timer_status();
    void update_sci(bool force = false);

    IrqLine& sci_;
    const Clock& clock_;
    AcpiPmConfig config_;
    AcpiPmState s_;
};

}  // namespace vmm86
