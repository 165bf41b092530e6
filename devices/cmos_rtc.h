// The Motorola MC146818 real-time clock and CMOS RAM at 0x70-0x71 (index, data), with an
// extended 128-byte bank at 0x72-0x73 as later chipsets have. Port 0x70 bit 7 is the
// board's NMI mask latch, which sits on the same port.
//
// Time is kept as calendar fields valid at one update cycle, plus the phase of the
// 1 Hz divider chain on the Clock; the registers a guest reads are computed from them,
// so the clock advances without being ticked and reads at any instant are exact.
#pragma once
#include <cstdint>
#include <ctime>
#include <type_traits>

#include "devices/clock.h"
#include "devices/io_device.h"

namespace vmm86 {

struct CmosRtcState {
    static constexpr uint32_t kVersion = 1;
    uint8_t ram[128] = {};       // registers A, B and the NVRAM; time bytes live below
    uint8_t extended[128] = {};  // the bank behind 0x72-0x73
    uint8_t index = 0;
    uint8_t extended_index = 0;
    bool nmi_masked = false;
    uint8_t flags = 0;           // register C: PF, AF, UF (IRQF is derived)
    bool irq_level = false;      // what IRQ8 was last driven to
    // The calendar in binary, whatever register B's data mode, as of update `fields_update`.
    uint8_t second = 0, minute = 0, hour = 0, weekday = 1, day = 1, month = 1, year = 0;
    uint8_t century = 20;
    int64_t fields_update = 0;
    int64_t origin_ns = 0;       // the divider chain completes a second at origin + k s
    uint64_t synced_ns = 0;      // flags account for every event up to here
};
static_assert(std::is_trivially_copyable_v<CmosRtcState>);

class CmosRtc final : public IoDevice, public TimedDevice {
public:
    // start_epoch is the host's wall clock (UTC) at power-on: guest time zero.
    CmosRtc(const Clock& clock, IrqLine& irq8, std::time_t start_epoch);
    CmosRtc(const CmosRtc&) = delete;
    CmosRtc& operator=(const CmosRtc&) = delete;

    // 0x70 (index, NMI mask) and 0x71 (data).
    uint32_t read(uint32_t offset, unsigned size) override;
    void write(uint32_t offset, unsigned size, uint32_t value) override;
    // 0x72 (index) and 0x73 (data) of the extended bank.
    IoDevice& extended_ports() { return extended_ports_; }
    bool nmi_masked() const { return state_.nmi_masked; }

    // The next time IRQ8 would be asserted (periodic, alarm or update-ended).
    uint64_t next_deadline_ns() const override;
    void advance(uint64_t now_ns) override;

    // Board helpers. Indexes 0-127 are the standard bank, 128-255 the extended one;
    // bytes under the 0x10-0x2D checksum get their checksum (0x2E-0x2F) recomputed.
    void set_byte(unsigned index, uint8_t value);
    // Fills the memory-size fields SeaBIOS reads. RAM above below_4g_limit (where the
    // board puts the PCI hole) is reported above 4 GiB.
    void set_memory_size(uint64_t ram_bytes, uint64_t below_4g_limit = 0xE0000000);

    const CmosRtcState& state() const { return state_; }
    void restore(const CmosRtcState& state);

private:
    class ExtendedPorts final : public IoDevice {
    public:
        explicit ExtendedPorts(CmosRtc& rtc) : rtc_(rtc) {}
        uint32_t read(uint32_t offset, unsigned size) override;
        void write(uint32_t offset, unsigned size, uint32_t value) override;

    private:
        CmosRtc& rtc_;
    };

    uint8_t read_register(unsigned index, uint64_t now);
    void write_register(unsigned index, uint8_t value, uint64_t now);
    // Brings register C up to date with every periodic tick and update cycle to now.
    void sync(uint64_t now);
    // Makes the calendar fields current at now, so a field or a mode can change.
    void commit(uint64_t now);
    void update_irq();
    void update_checksum();

    const Clock& clock_;
    IrqLine& irq8_;
    CmosRtcState state_;
    ExtendedPorts extended_ports_{*this};
};

}  // namespace vmm86
