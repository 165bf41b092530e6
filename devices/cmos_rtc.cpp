#include "devices/cmos_rtc.h"

#include <algorithm>

namespace vmm86 {
namespace {

using State = CmosRtcState;

constexpr int64_t kNsPerSecond = 1000000000;
// UIP rises this long before each update (MC146818: 244 us with a 32.768 kHz base).
constexpr int64_t kUipNs = 244000;
constexpr uint64_t kTimeBaseHz = 32768;

enum : unsigned {
    kSeconds = 0x00, kSecondsAlarm = 0x01, kMinutes = 0x02, kMinutesAlarm = 0x03,
    kHours = 0x04, kHoursAlarm = 0x05, kWeekday = 0x06, kDay = 0x07, kMonth = 0x08,
    kYear = 0x09, kRegA = 0x0A, kRegB = 0x0B, kRegC = 0x0C, kRegD = 0x0D, kCentury = 0x32,
};
enum : uint8_t {
    kBSet = 0x80, kBPie = 0x40, kBAie = 0x20, kBUie = 0x10, kBBinary = 0x04, kB24Hour = 0x02,
    kCIrqf = 0x80, kCPf = 0x40, kCAf = 0x20, kCUf = 0x10,
    kAUip = 0x80,
};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }
__int128 floor_div128(__int128 a, __int128 b) { return a / b - ((a % b != 0) && (a < 0)); }

// Howard Hinnant's days-from-civil: proleptic Gregorian, 1970-01-01 is day 0.
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = floor_div(y, 400);
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = yoe + era * 400 + (m <= 2);
}

struct Calendar {
    int64_t year;  // full year
    int64_t month, day, hour, minute, second, weekday;
};

Calendar calendar_of(const State& s) {
    return {int64_t(s.century) * 100 + s.year, s.month, s.day, s.hour, s.minute, s.second, s.weekday};
}

void store(State& s, const Calendar& c) {
    s.century = uint8_t(floor_mod(floor_div(c.year, 100), 100));
    s.year = uint8_t(floor_mod(c.year, 100));
    s.month = uint8_t(c.month);
    s.day = uint8_t(c.day);
    s.hour = uint8_t(c.hour);
    s.minute = uint8_t(c.minute);
    s.second = uint8_t(c.second);
    s.weekday = uint8_t(c.weekday);
}

int64_t seconds_of(const Calendar& c) {
    // Out-of-range values a guest wrote are clamped into what the date arithmetic can
    // take; the chip itself would carry them along just as arbitrarily.
    const int64_t days = days_from_civil(c.year, std::clamp<int64_t>(c.month, 1, 12),
                                         std::clamp<int64_t>(c.day, 1, 31));
    return days * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
}

Calendar calendar_at_seconds(int64_t secs, int64_t weekday) {
    Calendar c;
    const int64_t days = floor_div(secs, 86400), rem = secs - days * 86400;
    civil_from_days(days, c.year, c.month, c.day);
    c.hour = rem / 3600;
    c.minute = rem / 60 % 60;
    c.second = rem % 60;
    c.weekday = weekday;
    return c;
}

// The calendar after n more update cycles. The weekday register is its own counter on
// the chip (1-7, Sunday = 1), so it advances with the days rather than being derived.
Calendar advanced(const Calendar& c, int64_t n) {
    if (n <= 0) return c;
    const int64_t before = seconds_of(c), after = before + n;
    const int64_t days = floor_div(after, 86400) - floor_div(before, 86400);
    return calendar_at_seconds(after, floor_mod(c.weekday - 1 + days, 7) + 1);
}

bool divider_reset(const State& s) { return ((s.ram[kRegA] >> 4) & 7) >= 6; }
bool halted(const State& s) { return divider_reset(s) || (s.ram[kRegB] & kBSet); }

int64_t update_index(const State& s, uint64_t now) {
    return floor_div(int64_t(now) - s.origin_ns, kNsPerSecond);
}

Calendar calendar_now(const State& s, uint64_t now) {
    if (halted(s)) return calendar_of(s);
    return advanced(calendar_of(s), update_index(s, now) - s.fields_update);
}

// Register A RS3-0 with the 32.768 kHz base: 1 and 2 repeat rates 8 and 9 (256 and
// 128 Hz), 3-15 give 8192 Hz down to 2 Hz. The period is in time-base cycles; 0 = none.
uint64_t periodic_cycles(const State& s) {
    const unsigned rs = s.ram[kRegA] & 0x0F;
    if (rs == 0 || divider_reset(s)) return 0;
    return uint64_t(1) << (rs <= 2 ? rs + 6 : rs - 1);
}

int64_t periodic_index(const State& s, uint64_t now, uint64_t cycles) {
    const __int128 elapsed = __int128(int64_t(now) - s.origin_ns) * kTimeBaseHz;
    return int64_t(floor_div128(elapsed, __int128(kNsPerSecond) * cycles));
}

uint64_t periodic_time(const State& s, int64_t k, uint64_t cycles) {
    const __int128 num = __int128(k) * cycles * kNsPerSecond;
    const __int128 ceil = -floor_div128(-num, kTimeBaseHz);
    return uint64_t(s.origin_ns + int64_t(ceil));
}

uint8_t to_register(const State& s, int64_t v) {
    if (s.ram[kRegB] & kBBinary) return uint8_t(v);
    return uint8_t((v / 10 % 10) << 4 | v % 10);
}
int64_t from_register(const State& s, uint8_t v) {
    if (s.ram[kRegB] & kBBinary) return v;
    return (v >> 4) * 10 + (v & 15);
}
// In 12-hour mode the hour is 1-12 with bit 7 meaning PM.
uint8_t hour_register(const State& s, int64_t hour) {
    if (s.ram[kRegB] & kB24Hour) return to_register(s, hour);
    const int64_t h12 = hour % 12 == 0 ? 12 : hour % 12;
    return uint8_t(to_register(s, h12) | (hour >= 12 ? 0x80 : 0));
}
int64_t hour_from_register(const State& s, uint8_t v) {
    if (s.ram[kRegB] & kB24Hour) return from_register(s, v);
    return from_register(s, v & 0x7F) % 12 + ((v & 0x80) ? 12 : 0);
}

// Alarm bytes with both top bits set (0xC0-0xFF) match any value.
bool alarm_matches(const State& s, const Calendar& c) {
    auto match = [](uint8_t alarm, uint8_t now) { return (alarm & 0xC0) == 0xC0 || alarm == now; };
    return match(s.ram[kSecondsAlarm], to_register(s, c.second)) &&
           match(s.ram[kMinutesAlarm], to_register(s, c.minute)) &&
           match(s.ram[kHoursAlarm], hour_register(s, c.hour));
}

// Whether an update in (from, to] left the time equal to the alarm. Only the time of
// day is compared, so the last day of updates is all that needs checking.
bool alarm_in(const State& s, int64_t from, int64_t to) {
    const int64_t first = std::max(from + 1, to - 86399);
    Calendar c = advanced(calendar_of(s), first - s.fields_update);
    for (int64_t u = first; u <= to; ++u) {
        if (alarm_matches(s, c)) return true;
        if (++c.second == 60) {
            c.second = 0;
            if (++c.minute == 60) {
                c.minute = 0;
                c.hour = (c.hour + 1) % 24;
            }
        }
    }
    return false;
}

}  // namespace

CmosRtc::CmosRtc(const Clock& clock, IrqLine& irq8, std::time_t start_epoch)
    : clock_(clock), irq8_(irq8) {
    const int64_t epoch = int64_t(start_epoch);
    // 1970-01-01 was a Thursday: weekday 5 when Sunday is 1.
    store(state_, calendar_at_seconds(epoch, floor_mod(floor_div(epoch, 86400) + 4, 7) + 1));
    state_.ram[kRegA] = 0x26;  // 32.768 kHz time base, 1024 Hz periodic rate
    state_.ram[kRegB] = kB24Hour;
    // Equipment: coprocessor (bit 1) and PS/2 mouse (bit 2), VGA (bits 5-4 = 0), no floppy.
    state_.ram[0x14] = 0x06;
    const uint64_t now = clock_.now_ns();
    state_.synced_ns = now;
    state_.fields_update = update_index(state_, now);
    update_checksum();
}

void CmosRtc::update_irq() {
    // IRQF: a flag whose interrupt is enabled. The line stays asserted until register
    // C is read, which is why a guest that never reads C sees only one interrupt.
    const bool level = (state_.flags & state_.ram[kRegB] & 0x70) != 0;
    if (level != state_.irq_level) {
        state_.irq_level = level;
        irq8_.set_level(level);
    }
}

void CmosRtc::sync(uint64_t now) {
    if (now <= state_.synced_ns) return;
    const uint64_t from = state_.synced_ns;
    // PF is set at each periodic tick whether or not PIE lets it interrupt.
    if (const uint64_t cycles = periodic_cycles(state_))
        if (periodic_index(state_, now, cycles) > periodic_index(state_, from, cycles))
            state_.flags |= kCPf;
    if (!halted(state_)) {
        const int64_t u_from = update_index(state_, from), u_to = update_index(state_, now);
        if (u_to > u_from) {
            state_.flags |= kCUf;
            if (!(state_.flags & kCAf) && alarm_in(state_, u_from, u_to)) state_.flags |= kCAf;
        }
    }
    state_.synced_ns = now;
    update_irq();
}

void CmosRtc::commit(uint64_t now) {
    store(state_, calendar_now(state_, now));
    state_.fields_update = update_index(state_, now);
}

uint64_t CmosRtc::next_deadline_ns() const {
    const State& s = state_;
    if (s.flags & s.ram[kRegB] & 0x70) return kNever;  // IRQ8 already asserted
    uint64_t best = kNever;
    const uint64_t cycles = periodic_cycles(s);
    if ((s.ram[kRegB] & kBPie) && cycles)
        best = std::min(best, periodic_time(s, periodic_index(s, s.synced_ns, cycles) + 1, cycles));
    // Alarm matches are found at update cycles, so an enabled alarm wakes at each one.
    if ((s.ram[kRegB] & (kBUie | kBAie)) && !halted(s))
        best = std::min(best, uint64_t(s.origin_ns + (update_index(s, s.synced_ns) + 1) * kNsPerSecond));
    return best;
}

void CmosRtc::advance(uint64_t now_ns) { sync(now_ns); }

uint8_t CmosRtc::read_register(unsigned index, uint64_t now) {
    const State& s = state_;
    switch (index) {
    case kSeconds: return to_register(s, calendar_now(s, now).second);
    case kMinutes: return to_register(s, calendar_now(s, now).minute);
    case kHours: return hour_register(s, calendar_now(s, now).hour);
    case kWeekday: return to_register(s, calendar_now(s, now).weekday);
    case kDay: return to_register(s, calendar_now(s, now).day);
    case kMonth: return to_register(s, calendar_now(s, now).month);
    case kYear: return to_register(s, floor_mod(calendar_now(s, now).year, 100));
    case kCentury: return to_register(s, floor_mod(floor_div(calendar_now(s, now).year, 100), 100));
    case kRegA: {
        const bool uip = !halted(s) &&
                         floor_mod(int64_t(now) - s.origin_ns, kNsPerSecond) >= kNsPerSecond - kUipNs;
        return uint8_t(s.ram[kRegA] | (uip ? kAUip : 0));
    }
    case kRegC: {
        // Reading C returns the flags and clears them all, deasserting IRQ8.
        sync(now);
        const uint8_t flags = state_.flags;
        const uint8_t value = uint8_t(flags | ((flags & s.ram[kRegB] & 0x70) ? kCIrqf : 0));
        state_.flags = 0;
        update_irq();
        return value;
    }
    case kRegD: return 0x80;  // VRT: the battery is fine
    default: return s.ram[index & 0x7F];
    }
}

void CmosRtc::write_register(unsigned index, uint8_t value, uint64_t now) {
    State& s = state_;
    sync(now);
    switch (index) {
    case kSeconds: case kMinutes: case kHours: case kWeekday: case kDay: case kMonth:
    case kYear: case kCentury: {
        commit(now);
        Calendar c = calendar_of(s);
        const int64_t v = from_register(s, value);
        switch (index) {
        case kSeconds: c.second = v; break;
        case kMinutes: c.minute = v; break;
        case kHours: c.hour = hour_from_register(s, value); break;
        case kWeekday: c.weekday = v; break;
        case kDay: c.day = v; break;
        case kMonth: c.month = v; break;
        case kYear: c.year = floor_div(c.year, 100) * 100 + v % 100; break;
        default: c.year = v * 100 + floor_mod(c.year, 100); break;
        }
        // Stored as written: with SET held, a date is built field by field and may pass
        // through impossible ones (31 February) on the way.
        store(s, c);
        break;
    }
    case kRegA: {
        commit(now);
        const bool was_reset = divider_reset(s);
        s.ram[kRegA] = value & 0x7F;  // UIP is read-only
        // Leaving divider reset starts the chain half-way: the first update comes
        // 500 ms later (datasheet), which is what lets software set the time exactly.
        if (was_reset && !divider_reset(s)) s.origin_ns = int64_t(now) - kNsPerSecond / 2;
        s.fields_update = update_index(s, now);
        break;
    }
    case kRegB:
        commit(now);
        // Setting SET aborts update cycles and clears UIE (datasheet, register B).
        if (value & kBSet) value &= uint8_t(~kBUie);
        s.ram[kRegB] = value;
        s.fields_update = update_index(s, now);
        update_irq();
        break;
    case kRegC:
    case kRegD: break;  // read-only
    default: s.ram[index & 0x7F] = value; break;
    }
}

uint32_t CmosRtc::read(uint32_t offset, unsigned size) {
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) {
        // The index port is write-only: reading it floats the bus.
        const uint8_t b = offset + i == 1 ? read_register(state_.index, clock_.now_ns()) : 0xFF;
        value |= uint32_t(b) << (8 * i);
    }
    return value;
}

void CmosRtc::write(uint32_t offset, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size; ++i) {
        const uint8_t b = uint8_t(value >> (8 * i));
        if (offset + i == 0) {
            state_.index = b & 0x7F;
            state_.nmi_masked = b & 0x80;
        } else if (offset + i == 1) {
            write_register(state_.index, b, clock_.now_ns());
        }
    }
}

uint32_t CmosRtc::ExtendedPorts::read(uint32_t offset, unsigned size) {
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) {
        const uint8_t b = offset + i == 1 ? rtc_.state_.extended[rtc_.state_.extended_index] : 0xFF;
        value |= uint32_t(b) << (8 * i);
    }
    return value;
}

void CmosRtc::ExtendedPorts::write(uint32_t offset, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size; ++i) {
        const uint8_t b = uint8_t(value >> (8 * i));
        if (offset + i == 0)
            rtc_.state_.extended_index = b & 0x7F;
        else if (offset + i == 1)
            rtc_.state_.extended[rtc_.state_.extended_index] = b;
    }
}

void CmosRtc::update_checksum() {
    // The AT BIOS checksum: a 16-bit sum of 0x10-0x2D, high byte first.
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; ++i) sum += state_.ram[i];
    state_.ram[0x2E] = uint8_t(sum >> 8);
    state_.ram[0x2F] = uint8_t(sum);
}

void CmosRtc::set_byte(unsigned index, uint8_t value) {
    if (index >= 256) return;
    if (index >= 128) {
        state_.extended[index - 128] = value;
        return;
    }
    write_register(index, value, clock_.now_ns());
    if (index >= 0x10 && index <= 0x2D) update_checksum();
}

void CmosRtc::set_memory_size(uint64_t ram_bytes, uint64_t below_4g_limit) {
    constexpr uint64_t kMiB = 1 << 20;
    auto put16 = [this](unsigned index, uint64_t v) {
        state_.ram[index] = uint8_t(v);
        state_.ram[index + 1] = uint8_t(v >> 8);
    };
    const uint64_t below = std::min(ram_bytes, below_4g_limit);
    const uint64_t above = ram_bytes - below;
    put16(0x15, 640);  // base memory in KiB: the rest of the first MiB is the ISA hole
    // Extended memory in KiB above 1 MiB, as INT 15h AH=88h reports it; 16 bits cap it.
    const uint64_t extended_kib = below > kMiB ? std::min<uint64_t>((below - kMiB) / 1024, 0xFFFF) : 0;
    put16(0x17, extended_kib);
    put16(0x30, extended_kib);
    // SeaBIOS sizes RAM from these: 64 KiB units above 16 MiB, and above 4 GiB (24 bits).
    put16(0x34, below > 16 * kMiB ? std::min<uint64_t>((below - 16 * kMiB) >> 16, 0xFFFF) : 0);
    const uint64_t high = std::min<uint64_t>(above >> 16, 0xFFFFFF);
    state_.ram[0x5B] = uint8_t(high);
    state_.ram[0x5C] = uint8_t(high >> 8);
    state_.ram[0x5D] = uint8_t(high >> 16);
    update_checksum();
}

void CmosRtc::restore(const CmosRtcState& state) { state_ = state; }

}  // namespace vmm86
