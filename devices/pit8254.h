// The Intel 8254 programmable interval timer (three counters at 0x40-0x43) and the part
// of system control port B (0x61) that belongs to it: counter 2's gate, the speaker
// enable, OUT2 and the refresh toggle.
//
// Counting is not simulated clock by clock. Each counter remembers the input-clock tick
// at which its counting element was loaded, and its value and OUT level at any instant
// are computed from the clock, so a read at any time is exact and costs the same.
#pragma once
#include <cstdint>
#include <type_traits>

#include "devices/clock.h"
#include "devices/io_device.h"

namespace vmm86 {

struct PitChannelState {
    // How the counting element stands. Idle: no count since the control word (or, in
    // modes 1 and 5, no gate trigger yet). Running: elapsed = tick - start_tick.
    // Paused: the gate stopped counting at frozen_elapsed.
    enum Phase : uint8_t { kIdle, kRunning, kPaused };

    uint8_t control = 0x36;     // control word bits 5-0 (RW, mode, BCD), as status shows
    uint8_t phase = kIdle;
    bool gate = true;
    bool idle_out = true;       // OUT while idle: low after a mode 0 control word
    uint16_t idle_value = 0;    // counter value shown while idle (binary)
    bool write_msb_next = false;
    uint8_t written_lsb = 0;
    bool read_msb_next = false;
    bool count_latched = false;
    bool status_latched = false;
    uint8_t latched_status = 0;
    uint16_t latched_count = 0;  // as the guest reads it (BCD encoded in BCD mode)
    uint16_t count_register = 0;  // CR: the count last written, raw
    bool has_count = false;       // a count was written since the control word
    uint32_t count = 0x10000;     // N the counting element was loaded with, 1..65536
    int64_t start_tick = 0;
    int64_t frozen_elapsed = 0;
    // Modes 2 and 3 take a new count at the end of the current cycle, not at once.
    bool reload_pending = false;
    uint32_t pending_count = 0;
    int64_t reload_tick = 0;
    // Status NULL COUNT: set by writing CR, cleared when CR reaches the counting element.
    int64_t null_count_until = 0;
};

struct PitState {
    static constexpr uint32_t kVersion = 1;
    PitChannelState channel[3];
    uint8_t port61 = 0;          // bits 3-0 as last written
    int64_t advanced_tick = 0;   // OUT0 edges up to this tick have been delivered
    bool out0_level = true;      // what the IRQ0 line was last driven to
};
static_assert(std::is_trivially_copyable_v<PitState>);

class Pit8254 final : public IoDevice, public TimedDevice {
public:
    static constexpr uint64_t kInputHz = 1193182;

    // OUT0 drives irq0 (the board connects it to IRQ0); time comes only from clock.
    Pit8254(const Clock& clock, IrqLine& irq0);
    Pit8254(const Pit8254&) = delete;
    Pit8254& operator=(const Pit8254&) = delete;

    // 0x40-0x43.
    uint32_t read(uint32_t offset, unsigned size) override;
    void write(uint32_t offset, unsigned size, uint32_t value) override;
    // Port 0x61, one byte wide.
    IoDevice& port61() { return port61_; }

    // The next rising edge of OUT0, which is what the PIC latches as IRQ0.
    uint64_t next_deadline_ns() const override;
    void advance(uint64_t now_ns) override;

    // For a speaker model: OUT2 gated by port 0x61 bit 1.
    bool speaker_output() const;

    const PitState& state() const { return state_; }
    void restore(const PitState& state);

    // Input-clock ticks since power-on, and the first nanosecond of a tick.
    static int64_t tick_at(uint64_t ns);
    static uint64_t ns_at_tick(int64_t tick);

private:
    class Port61 final : public IoDevice {
    public:
        explicit Port61(Pit8254& pit) : pit_(pit) {}
        uint32_t read(uint32_t offset, unsigned size) override;
        void write(uint32_t offset, unsigned size, uint32_t value) override;

    private:
        Pit8254& pit_;
    };

    int64_t now_tick() const { return tick_at(clock_.now_ns()); }
    uint8_t read_counter(unsigned n, int64_t t);
    void write_counter(unsigned n, uint8_t value, int64_t t);
    void write_control(uint8_t value, int64_t t);
    void set_gate(unsigned n, bool level, int64_t t);
    // Delivers OUT0 edges up to tick t, then drives the line to OUT0's level at t.
    void update_out0(int64_t t);

    const Clock& clock_;
    IrqLine& irq0_;
    PitState state_;
    Port61 port61_{*this};
};

}  // namespace vmm86
