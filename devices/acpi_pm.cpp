#include "devices/acpi_pm.h"

namespace vmm86 {

namespace {
// Write-1-to-clear status bits we implement (TMR, BM, GBL, PWRBTN, SLPBTN, RTC, WAK).
constexpr uint16_t kPm1StatusClearable = 0x8731;
// Enable bits that exist: TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN.
constexpr uint16_t kPm1EnableWritable = 0x0721;
// Stored control bits: SCI_EN, BM_RLD, SLP_TYP. GBL_RLS and SLP_EN are write-only and
// read as 0 (ACPI 6.x table 4.16).
constexpr uint16_t kPm1ControlStored = 0x1C03;
// Events that can raise the SCI through their enable bit.
constexpr uint16_t kSciSources = AcpiPm::kTmr | AcpiPm::kGlobal | AcpiPm::kPowerButton |
                                 AcpiPm::kSleepButton | AcpiPm::kRtc;
}  // namespace

AcpiPm::AcpiPm(IrqLine& sci, const Clock& clock, AcpiPmConfig config)
    : sci_(sci), clock_(clock), config_(config) {
    reset();
}

void AcpiPm::reset() {
    s_ = AcpiPmState{};
    if (config_.sci_enabled_at_reset) s_.pm1_control = kSciEnable;
    s_.timer_msb_epoch = ticks() >> msb_shift();
    update_sci(true);
}

void AcpiPm::restore(const AcpiPmState& state) {
    s_ = state;
    update_sci(true);
}

uint64_t AcpiPm::ticks() const {
    // 3.579545 MHz is the NTSC colour-burst crystal the PM timer has always run from.
    return uint64_t((unsigned __int128)clock_.now_ns() * kTimerHz / 1'000'000'000u);
}

uint32_t AcpiPm::timer_value() const {
    const uint64_t t = ticks();
    return config_.timer_32bit ? uint32_t(t) : uint32_t(t & 0xFFFFFF);
}

// TMR_STS is set whenever the timer's top bit (23 or 31) changes, i.e. once per half
// wrap. Computed lazily from the clock so nothing runs while nobody looks.
void AcpiPm::update_timer_status() {
    const uint64_t epoch = ticks() >> msb_shift();
    if (epoch != s_.timer_msb_epoch) {
        s_.timer_msb_epoch = epoch;
        s_.pm1_status |= kTmr;
    }
}

uint64_t AcpiPm::next_deadline_ns() const {
    if (!(s_.pm1_control & kSciEnable) || !(s_.pm1_enable & kTmr) || (s_.pm1_status & kTmr))
        return kNever;
    const unsigned __int128 next_tick = (unsigned __int128)(s_.timer_msb_epoch + 1) << msb_shift();
    // Round up so that the timer has really reached next_tick at the deadline.
    return uint64_t((next_tick * 1'000'000'000u + kTimerHz - 1) / kTimerHz);
}

void AcpiPm::advance(uint64_t) {
    update_timer_status();
    update_sci();
}

void AcpiPm::press_power_button() {
    s_.pm1_status |= kPowerButton;
    update_sci();
}

void AcpiPm::raise_gpe(unsigned bit) {
    s_.gpe0_status |= uint16_t(1u << (bit & 15));
    update_sci();
}

void AcpiPm::update_sci(bool force) {
    // With SCI_EN clear the events would go to SMI, which this board does not have.
    const bool level = (s_.pm1_control & kSciEnable) &&
                       ((s_.pm1_status & s_.pm1_enable & kSciSources) ||
                        (s_.gpe0_status & s_.gpe0_enable));
    if (force || level != s_.sci_level) {
        s_.sci_level = level;
        sci_.set_level(level);
    }
}

// Registers are composed of byte accesses: ACPICA uses 16-bit accesses for PM1 and
// 32-bit for PM_TMR, but other OSes use bytes, and a split write of PM1_CNT still carries
// SLP_TYP and SLP_EN together in its high byte.
uint32_t AcpiPm::read(uint32_t offset, unsigned size) {
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) value |= uint32_t(read_byte(offset + i)) << (8 * i);
    return value;
}

void AcpiPm::write(uint32_t offset, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size; ++i) write_byte(offset + i, uint8_t(value >> (8 * i)));
}

uint8_t AcpiPm::read_byte(uint32_t offset) {
    const unsigned shift = (offset & 1) * 8;
    switch (offset & ~1u) {
    case 0x00:
        update_timer_status();
        update_sci();
        return uint8_t(s_.pm1_status >> shift);
    case 0x02: return uint8_t(s_.pm1_enable >> shift);
    case 0x04: return uint8_t(s_.pm1_control >> shift);
    case 0x08:
    case 0x0A: return uint8_t(timer_value() >> (8 * (offset - kPmTimerOffset)));
    case 0x0C: return uint8_t(s_.gpe0_status >> shift);
    case 0x0E: return uint8_t(s_.gpe0_enable >> shift);
    default: return 0xFF;  // reserved and unimplemented PIIX4 registers
    }
}

void AcpiPm::write_byte(uint32_t offset, uint8_t value) {
    const unsigned shift = (offset & 1) * 8;
    const uint16_t bits = uint16_t(value << shift);
    const uint16_t lane = uint16_t(0xFF << shift);
    switch (offset & ~1u) {
    case 0x00:
        update_timer_status();  // a carry that already happened must not survive the clear
        s_.pm1_status &= uint16_t(~(bits & kPm1StatusClearable));
        break;
    case 0x02:
        s_.pm1_enable = uint16_t((s_.pm1_enable & ~(lane & kPm1EnableWritable)) |
                                 (bits & kPm1EnableWritable));
        break;
    case 0x04: {
        s_.pm1_control = uint16_t((s_.pm1_control & ~(lane & kPm1ControlStored)) |
                                  (bits & kPm1ControlStored));
        if (bits & kSleepEnable) {
            update_sci();
            const uint8_t type = (s_.pm1_control >> kSleepTypeShift) & 0x7;
            // Last thing we do: the board may tear the machine down in the callback.
            if (type == config_.s5_sleep_type) {
                if (on_power_off) on_power_off();
            } else if (on_sleep) {
                on_sleep(type);
            }
            return;
        }
        break;
    }
    case 0x0C: s_.gpe0_status &= uint16_t(~bits); break;
    case 0x0E: s_.gpe0_enable = uint16_t((s_.gpe0_enable & ~lane) | bits); break;
    default: break;  // PM_TMR is read-only; the rest is reserved
    }
    update_sci();
}

}  // namespace vmm86
