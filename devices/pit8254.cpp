#include "devices/pit8254.h"

#include <algorithm>
#include <limits>

namespace vmm86 {
namespace {

using Channel = PitChannelState;
constexpr int64_t kNoTick = std::numeric_limits<int64_t>::max();

// Control word modes 6 and 7 are modes 2 and 3 (the datasheet's "X" bit).
unsigned mode_of(const Channel& c) {
    const unsigned m = (c.control >> 1) & 7;
    return m >= 6 ? m - 4 : m;
}
unsigned access_of(const Channel& c) { return (c.control >> 4) & 3; }
bool bcd_of(const Channel& c) { return c.control & 1; }
int64_t modulus_of(const Channel& c) { return bcd_of(c) ? 10000 : 65536; }

// A count of 0 is the largest count: 2^16 in binary, 10^4 in BCD.
uint32_t decode_count(const Channel& c, uint16_t raw) {
    if (!bcd_of(c)) return raw ? raw : 0x10000;
    const uint32_t v = (raw >> 12) * 1000 + ((raw >> 8) & 15) * 100 + ((raw >> 4) & 15) * 10 + (raw & 15);
    return v ? v : 10000;
}
uint16_t encode_value(const Channel& c, uint32_t v) {
    if (!bcd_of(c)) return uint16_t(v);
    return uint16_t((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

struct Segment {
    int64_t start;
    uint32_t count;
};

// The segment in force at tick t: a reload scheduled by a mode 2/3 count write takes
// over at its tick, without anyone having to be called at that moment.
Segment segment_at(const Channel& c, int64_t t) {
    if (c.reload_pending && t >= c.reload_tick) return {c.reload_tick, c.pending_count};
    return {c.start_tick, c.count};
}

// Modes 2 and 3 with a count of 1 are illegal (datasheet); treat them as 2 so that the
// output still has a period.
int64_t period_of(uint32_t count) { return std::max<int64_t>(count, 2); }

int64_t mode3_high_length(int64_t n) { return (n + 1) / 2; }  // odd counts: high one longer

bool out_while_counting(unsigned mode, int64_t e, uint32_t count) {
    const int64_t n = count;
    switch (mode) {
    case 0: return e >= n;             // high at terminal count, stays high
    case 1: return e < 0 || e >= n;    // low from the trigger until terminal count
    case 2: return e < 0 || e % period_of(count) != period_of(count) - 1;  // low one clock
    case 3: return e < 0 || e % period_of(count) < mode3_high_length(period_of(count));
    default: return e != n;            // modes 4, 5: one-clock strobe at terminal count
    }
}

bool out_at(const Channel& c, int64_t t) {
    switch (c.phase) {
    case Channel::kIdle: return c.idle_out;
    case Channel::kPaused:
        // Gate low in modes 2 and 3 forces OUT high; in 0 and 4 OUT just holds.
        if (mode_of(c) == 2 || mode_of(c) == 3) return true;
        return out_while_counting(mode_of(c), c.frozen_elapsed, c.count);
    default: {
        const Segment s = segment_at(c, t);
        return out_while_counting(mode_of(c), t - s.start, s.count);
    }
    }
}

uint32_t value_at(const Channel& c, int64_t t) {
    if (c.phase == Channel::kIdle) return c.idle_value;
    Segment s = segment_at(c, t);
    int64_t e = c.phase == Channel::kPaused ? c.frozen_elapsed : t - s.start;
    if (c.phase == Channel::kPaused) s.count = c.count;
    const int64_t mod = modulus_of(c);
    const int64_t n = s.count;
    int64_t v;
    if (e < 0) {
        v = n;  // written, not yet loaded by the next clock
    } else if (mode_of(c) == 2) {
        v = period_of(s.count) - e % period_of(s.count);  // N .. 1, reload after 1
    } else if (mode_of(c) == 3) {
        // Counts down by two each clock; an odd count loads N-1 and spends one extra
        // clock in the high half (datasheet, mode 3).
        const int64_t p = e % period_of(s.count), np = period_of(s.count);
        const int64_t h = mode3_high_length(np);
        if (p < h)
            v = (np & 1) ? (p == 0 ? np - 1 : np + 1 - 2 * p) : np - 2 * p;
        else
            v = (np & ~int64_t(1)) - 2 * (p - h);
    } else {
        v = n - e;  // modes 0, 1, 4, 5 keep counting down through zero and wrap
    }
    return uint32_t(((v % mod) + mod) % mod);
}

// The first tick after t at which OUT changes, or kNoTick.
int64_t next_change(const Channel& c, int64_t t) {
    if (c.phase != Channel::kRunning) return kNoTick;
    const Segment s = segment_at(c, t);
    const int64_t e = t - s.start, n = s.count, np = period_of(s.count);
    switch (mode_of(c)) {
    case 0: return e < n ? s.start + n : kNoTick;
    case 1: return e < 0 ? s.start : e < n ? s.start + n : kNoTick;
    case 2:
        if (e < 0) return s.start + np - 1;
        return e % np < np - 1 ? t + (np - 1 - e % np) : t + 1;
    case 3: {
        const int64_t h = mode3_high_length(np);
        if (e < 0) return s.start + h;
        return e % np < h ? t + (h - e % np) : t + (np - e % np);
    }
    default: return e < n ? s.start + n : e == n ? t + 1 : kNoTick;
    }
}

int64_t next_rising(const Channel& c, int64_t t) {
    const int64_t first = next_change(c, t);
    if (first == kNoTick || out_at(c, first)) return first;
    return next_change(c, first);
}

uint8_t status_at(const Channel& c, int64_t t) {
    return uint8_t((out_at(c, t) ? 0x80 : 0) | (t < c.null_count_until ? 0x40 : 0) | c.control);
}

// Makes a reload that has taken effect by tick t the current segment.
void commit(Channel& c, int64_t t) {
    if (c.reload_pending && t >= c.reload_tick) {
        c.start_tick = c.reload_tick;
        c.count = c.pending_count;
        c.reload_pending = false;
    }
}

// CR reaches the counting element on the clock after the write.
void start_counting(Channel& c, uint32_t count, int64_t t) {
    c.count = count;
    c.reload_pending = false;
    c.null_count_until = t + 1;
    if (c.gate) {
        c.phase = Channel::kRunning;
        c.start_tick = t + 1;
    } else {
        c.phase = Channel::kPaused;
        c.frozen_elapsed = 0;
    }
}

void load_count(Channel& c, uint32_t count, int64_t t) {
    switch (mode_of(c)) {
    case 0:
    case 4: start_counting(c, count, t); break;  // new count takes over at once
    case 2:
    case 3: {
        // A new count waits for the end of the current cycle (for mode 3 this model
        // uses the end of the full period rather than of the half-cycle).
        const int64_t e = t - c.start_tick;
        if (c.phase == Channel::kRunning && e >= 0) {
            const int64_t np = period_of(c.count);
            c.reload_tick = c.start_tick + (e / np + 1) * np;
            c.pending_count = count;
            c.reload_pending = true;
            c.null_count_until = c.reload_tick;
        } else if (c.phase == Channel::kRunning) {
            c.count = count;  // not loaded yet: the pending load takes the new value
        } else {
            start_counting(c, count, t);
        }
        break;
    }
    default:
        // Modes 1 and 5 load CR only on a gate trigger; a count written meanwhile
        // waits for the next one.
        c.null_count_until = kNoTick;
        break;
    }
}

}  // namespace

int64_t Pit8254::tick_at(uint64_t ns) {
    return int64_t((unsigned __int128)ns * kInputHz / 1000000000u);
}

uint64_t Pit8254::ns_at_tick(int64_t tick) {
    if (tick <= 0) return 0;
    return uint64_t(((unsigned __int128)tick * 1000000000u + kInputHz - 1) / kInputHz);
}

Pit8254::Pit8254(const Clock& clock, IrqLine& irq0) : clock_(clock), irq0_(irq0) {
    // Counter 2's gate comes from port 0x61 bit 0, which is 0 at reset; 0 and 1 are tied high.
    state_.channel[2].gate = false;
    state_.advanced_tick = now_tick();
}

void Pit8254::update_out0(int64_t t) {
    const Channel& c = state_.channel[0];
    const int64_t from = state_.advanced_tick;
    bool rose = false;
    if (t > from) {
        const int64_t first = next_change(c, from);
        if (first <= t) rose = out_at(c, first) || next_change(c, first) <= t;
    }
    const bool level = out_at(c, t);
    if (rose) {
        // The low part of the pulse happened between two calls: the PIC must still see
        // a rising edge.
        if (state_.out0_level) irq0_.set_level(false);
        irq0_.set_level(true);
        state_.out0_level = true;
    }
    if (level != state_.out0_level) {
        irq0_.set_level(level);
        state_.out0_level = level;
    }
    state_.advanced_tick = std::max(from, t);
}

uint64_t Pit8254::next_deadline_ns() const {
    const int64_t t = next_rising(state_.channel[0], state_.advanced_tick);
    return t == kNoTick ? kNever : ns_at_tick(t);
}

void Pit8254::advance(uint64_t now_ns) {
    const int64_t t = tick_at(now_ns);
    update_out0(t);  // before commit: edge detection needs the reload still pending
    commit(state_.channel[0], t);
}

uint8_t Pit8254::read_counter(unsigned n, int64_t t) {
    Channel& c = state_.channel[n];
    if (c.status_latched) {
        c.status_latched = false;
        return c.latched_status;
    }
    const uint16_t v = c.count_latched ? c.latched_count : encode_value(c, value_at(c, t));
    bool msb;
    switch (access_of(c)) {
    case 1: msb = false; break;
    case 2: msb = true; break;
    default:
        msb = c.read_msb_next;
        c.read_msb_next = !c.read_msb_next;
        break;
    }
    // A latched count is held until it has been read in full (both bytes in LSB/MSB).
    if (access_of(c) != 3 || msb) c.count_latched = false;
    return uint8_t(msb ? v >> 8 : v);
}

void Pit8254::write_counter(unsigned n, uint8_t value, int64_t t) {
    Channel& c = state_.channel[n];
    commit(c, t);
    uint16_t raw;
    switch (access_of(c)) {
    case 1: raw = value; break;
    case 2: raw = uint16_t(value << 8); break;
    default:
        if (!c.write_msb_next) {
            c.written_lsb = value;
            c.write_msb_next = true;
            if (mode_of(c) == 0) {
                // Mode 0: writing the first byte stops counting and sets OUT low; the
                // second byte loads the new count.
                c.idle_value = uint16_t(value_at(c, t));
                c.idle_out = false;
                c.phase = Channel::kIdle;
                c.reload_pending = false;
            }
            return;
        }
        raw = uint16_t(c.written_lsb | value << 8);
        c.write_msb_next = false;
        break;
    }
    c.count_register = raw;
    c.has_count = true;
    load_count(c, decode_count(c, raw), t);
}

void Pit8254::write_control(uint8_t value, int64_t t) {
    if ((value >> 6) == 3) {
        // Read-back: bit 5 low latches the counts, bit 4 low the status, of the counters
        // selected by bits 3-1. A latch already held is not overwritten.
        for (unsigned n = 0; n < 3; ++n) {
            if (!(value & (2u << n))) continue;
            Channel& c = state_.channel[n];
            if (!(value & 0x20) && !c.count_latched) {
                c.latched_count = encode_value(c, value_at(c, t));
                c.count_latched = true;
            }
            if (!(value & 0x10) && !c.status_latched) {
                c.latched_status = status_at(c, t);
                c.status_latched = true;
            }
        }
        return;
    }
    Channel& c = state_.channel[value >> 6];
    commit(c, t);
    if ((value & 0x30) == 0) {  // counter latch command
        if (!c.count_latched) {
            c.latched_count = encode_value(c, value_at(c, t));
            c.count_latched = true;
        }
        return;
    }
    // A control word resets the counter's logic: OUT to its initial level (low only in
    // mode 0), no count until one is written, byte order restarted.
    c.idle_value = uint16_t(value_at(c, t));
    c.control = value & 0x3F;
    c.phase = Channel::kIdle;
    c.idle_out = mode_of(c) != 0;
    c.write_msb_next = c.read_msb_next = false;
    c.count_latched = c.status_latched = false;
    c.reload_pending = false;
    c.has_count = false;
    c.null_count_until = kNoTick;
}

void Pit8254::set_gate(unsigned n, bool level, int64_t t) {
    Channel& c = state_.channel[n];
    commit(c, t);
    if (level == c.gate) return;
    c.gate = level;
    switch (mode_of(c)) {
    case 0:
    case 4:
        // The gate only enables counting: low suspends, high resumes where it stopped.
        if (!level && c.phase == Channel::kRunning) {
            c.frozen_elapsed = t - c.start_tick;
            c.phase = Channel::kPaused;
        } else if (level && c.phase == Channel::kPaused) {
            c.start_tick = t - c.frozen_elapsed;
            c.phase = Channel::kRunning;
        }
        break;
    case 2:
    case 3:
        // Gate low stops counting and forces OUT high; the rising edge reloads the
        // counter, which is how software synchronises the output.
        if (!level && c.phase == Channel::kRunning) {
            const Segment s = segment_at(c, t);
            c.frozen_elapsed = t - s.start;
            c.count = s.count;
            c.reload_pending = false;
            c.phase = Channel::kPaused;
        } else if (level && c.phase == Channel::kPaused) {
            if (c.reload_pending) c.count = c.pending_count;
            start_counting(c, c.count, t);
        }
        break;
    default:
        // Modes 1 and 5: the rising edge is the trigger (and retriggers).
        if (level && c.has_count) start_counting(c, decode_count(c, c.count_register), t);
        break;
    }
}

uint32_t Pit8254::read(uint32_t offset, unsigned size) {
    const int64_t t = now_tick();
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) {
        const unsigned o = offset + i;
        // The control register cannot be read: the bus floats.
        const uint8_t b = o < 3 ? read_counter(o, t) : 0xFF;
        value |= uint32_t(b) << (8 * i);
    }
    return value;
}

void Pit8254::write(uint32_t offset, unsigned size, uint32_t value) {
    const int64_t t = now_tick();
    update_out0(t);
    for (unsigned i = 0; i < size; ++i) {
        const unsigned o = offset + i;
        const uint8_t b = uint8_t(value >> (8 * i));
        if (o < 3)
            write_counter(o, b, t);
        else if (o == 3)
            write_control(b, t);
    }
    update_out0(t);
}

bool Pit8254::speaker_output() const {
    return (state_.port61 & 0x02) && out_at(state_.channel[2], now_tick());
}

void Pit8254::restore(const PitState& state) { state_ = state; }

uint32_t Pit8254::Port61::read(uint32_t offset, unsigned size) {
    const int64_t t = pit_.now_tick();
    // Bit 4 toggles with each DRAM refresh request, every 18 input clocks (15.09 us), as
    // the BIOS programs counter 1 on an AT; software uses it as a fixed delay source.
    const uint8_t refresh = (t / 18) & 1 ? 0x10 : 0;
    const uint8_t out2 = out_at(pit_.state_.channel[2], t) ? 0x20 : 0;
    const uint8_t b = uint8_t((pit_.state_.port61 & 0x0F) | refresh | out2);
    uint32_t value = b;
    for (unsigned i = 1; i < size; ++i) value |= 0xFFu << (8 * i);
    return value;
}

void Pit8254::Port61::write(uint32_t offset, unsigned size, uint32_t value) {
    // Bits 7-4 are read-only status; bits 3-2 enable parity/IOCHK NMIs and are only kept.
    pit_.state_.port61 = uint8_t(value & 0x0F);
    pit_.set_gate(2, value & 0x01, pit_.now_tick());
}

}  // namespace vmm86
