// What a timer device needs to know about time. The board's virtual clock implements it;
// unit tests use a ManualClock they advance by hand. Devices never read host time
// themselves (except the RTC's wall-clock epoch), so `--clock instructions` can make a run
// reproducible.
#pragma once
#include <cstdint>

namespace vmm86 {

class Clock {
public:
    virtual ~Clock() = default;
    // Nanoseconds of guest time since the machine was powered on.
    virtual uint64_t now_ns() const = 0;
};

// A device whose state changes with time without being touched by the CPU (PIT, RTC,
// UART transmit timing). The run loop calls `advance` at or after each deadline, and
// the CPU runs no longer than the earliest `next_deadline_ns` of all timed devices.
class TimedDevice {
public:
    virtual ~TimedDevice() = default;
    static constexpr uint64_t kNever = ~uint64_t(0);
    virtual uint64_t next_deadline_ns() const = 0;
    virtual void advance(uint64_t now_ns) = 0;
};

class ManualClock final : public Clock {
public:
    uint64_t now_ns() const override { return now_; }
    void set(uint64_t ns) { now_ = ns; }
    void add(uint64_t ns) { now_ += ns; }

private:
    uint64_t now_ = 0;
};

}  // namespace vmm86
