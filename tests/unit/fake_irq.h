// An interrupt line for device unit tests: remembers its level and counts rising edges
// (with their guest times, when given a clock).
#pragma once
#include <cstdint>
#include <vector>

#include "devices/clock.h"
#include "devices/io_device.h"

namespace vmm86::test {

class RecordingIrq : public IrqLine {
public:
    RecordingIrq() = default;
    explicit RecordingIrq(const Clock& clock, bool initial_level = false) : level(initial_level), clock_(&clock) {}
    void set_level(bool high) override {
        if (high && !level) {
            ++rising_edges;
            if (clock_) rising_ns.push_back(clock_->now_ns());
        }
        level = high;
    }
    bool level = false;
    int rising_edges = 0;
    std::vector<uint64_t> rising_ns;

private:
    const Clock* clock_ = nullptr;
};

}  // namespace vmm86::test
