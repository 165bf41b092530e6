// Shared by the SYSTEM part's unit tests (test_msr, test_sysenter, test_debug_regs): a
// real-mode CpuHarness whose exception vectors each lead to a HLT at 0:0500h + 16*vector,
// so a test can tell which exception was delivered and read the frame it pushed.
#pragma once
#include <gtest/gtest.h>

#include "cpu/debug_regs.h"
#include "cpu/msr.h"
#include "cpu_harness.h"

namespace vmm86::test {

struct SysHarness : CpuHarness {
    explicit SysHarness(bool with_board = false) : CpuHarness(16ull << 20, with_board) {
        for (unsigned v = 0; v < 32; ++v) {
            set_vector(uint8_t(v), 0, uint16_t(0x500 + 16 * v));
            poke(0x500 + 16 * v, {0xF4});
        }
    }
    // The vector whose handler the CPU halted in, or -1.
    int halted_in_vector() {
        const uint32_t ip = uint32_t(s().eip) - 1;
        if (!s().halted || s().seg[CS].base != 0 || ip < 0x500 || ip >= 0x700 || (ip & 15)) return -1;
        return int((ip - 0x500) / 16);
    }
    // The 16-bit frame the last delivery pushed: IP, CS, FLAGS.
    uint16_t frame_ip() { return peek16(s().seg[SS].base + reg16(ESP)); }
    uint16_t frame_flags() { return peek16(s().seg[SS].base + reg16(ESP) + 4); }
};

}  // namespace vmm86::test
