#include "vm/virtual_clock.h"

#include <thread>

namespace vmm86 {

void VirtualClock::idle_until(uint64_t deadline_ns) {
    uint64_t now = now_ns();
    if (deadline_ns <= now) return;
    if (mode_ == Mode::Instructions) {
        skipped_ns_ += deadline_ns - now;
        return;
    }
    std::this_thread::sleep_for(std::chrono::nanoseconds(deadline_ns - now));
}

}  // namespace vmm86
