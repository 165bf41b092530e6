// The machine's one time source. Every timed device (PIT, RTC, ACPI PM timer) reads it,
// so a kernel calibrating one against another gets consistent numbers.
//   Host mode:         guest time follows the host's monotonic clock.
//   Instructions mode: guest time is derived from instructions retired (a fixed number of
//                      nanoseconds each), so runs are reproducible (--clock instructions).
// While the CPU is halted, the run loop moves time to the next timer deadline: by sleeping
// (host mode) or by skipping ahead (instructions mode).
#pragma once
#include <chrono>
#include <cstdint>

#include "devices/clock.h"

namespace vmm86 {

class VirtualClock final : public Clock {
public:
    enum class Mode { Host, Instructions };
    // Instructions mode counts this many ns per instruction: 100 MIPS, about what the
    // interpreter does, so timer rates look plausible to the guest.
    static constexpr uint64_t kNsPerInstruction = 10;

    VirtualClock(Mode mode, const uint64_t& instructions_retired)
        : mode_(mode), retired_(instructions_retired), start_(std::chrono::steady_clock::now()) {}

    Mode mode() const { return mode_; }
    uint64_t now_ns() const override {
        if (mode_ == Mode::Instructions) return retired_ * kNsPerInstruction + skipped_ns_;
        return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_)
                            .count());
    }
    // How many instructions fit before `deadline_ns` (at least 1), for sizing run slices.
    uint64_t instructions_until(uint64_t deadline_ns) const {
        uint64_t now = now_ns();
        if (deadline_ns <= now) return 1;
        uint64_t n = (deadline_ns - now) / kNsPerInstruction;
        return n ? n : 1;
    }
    // The instruction counter went back to 0 (a CPU reset): keep guest time monotonic.
    void counter_reset(uint64_t old_count) {
        if (mode_ == Mode::Instructions) skipped_ns_ += old_count * kNsPerInstruction;
    }
    // Lets guest time reach `deadline_ns` while nothing runs (a halted CPU).
    void idle_until(uint64_t deadline_ns);

private:
    Mode mode_;
    const uint64_t& retired_;
    std::chrono::steady_clock::time_point start_;
    uint64_t skipped_ns_ = 0;
};

}  // namespace vmm86
