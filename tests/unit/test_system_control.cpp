// Ports 0x92, 0xCF9, 0x80, 0xE9 and the exit port, driven as Linux's boot code and
// reboot paths, SeaBIOS and test programs use them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "devices/io_bus.h"
#include "devices/system_control.h"

namespace vmm86 {
namespace {

TEST(SystemControlPortA, LinuxFastA20) {
    SystemControlPortA port;
    IoBus bus("io");
    bus.map(0x92, 1, port, "port92");
    std::vector<bool> a20;
    int resets = 0;
    port.on_a20_change = [&](bool on) { a20.push_back(on); };
    port.on_reset_request = [&] { ++resets; };

    // arch/x86/boot/a20.c enable_a20_fast(): set bit 1, clear bit 0 (never reset).
    uint8_t v = uint8_t(bus.read(0x92, 1));
    EXPECT_EQ(v, 0x00);
    v = (v | 0x02) & ~0x01;
    bus.write(0x92, 1, v);
    EXPECT_TRUE(port.a20_enabled());
    EXPECT_EQ(bus.read(0x92, 1), 0x02u);
    EXPECT_EQ(a20, std::vector<bool>{true});
    EXPECT_EQ(resets, 0);
    bus.write(0x92, 1, 0x02);  // no change, no callback
    EXPECT_EQ(a20.size(), 1u);
    bus.write(0x92, 1, 0x00);
    EXPECT_EQ(a20, (std::vector<bool>{true, false}));
}

TEST(SystemControlPortA, FastResetOnRisingBit0) {
    SystemControlPortA port;
    int resets = 0;
    port.on_reset_request = [&] { ++resets; };
    port.write(0, 1, 0x01);
    EXPECT_EQ(resets, 1);
    port.write(0, 1, 0x03);  // bit 0 still 1: no new transition
    EXPECT_EQ(resets, 1);
    port.write(0, 1, 0x02);
    port.write(0, 1, 0x03);
    EXPECT_EQ(resets, 2);
    port.reset();
    EXPECT_EQ(port.read(0, 1), 0u);
}

TEST(SystemControlPortA, SnapshotKeepsA20) {
    SystemControlPortA port;
    port.write(0, 1, 0x42);
    SystemControlPortA other;
    other.restore(port.state());
    EXPECT_TRUE(other.a20_enabled());
    EXPECT_EQ(other.read(0, 1), 0x42u);
}

TEST(ResetControl, LinuxRebootPciWarmAndCold) {
    ResetControl rc;
    int resets = 0;
    bool hard = false;
    rc.on_reset_request = [&] {
        ++resets;
        hard = rc.last_request_was_hard();
    };
    // native_machine_emergency_restart(), BOOT_CF9: read, request hard reset, then do it.
    uint8_t cf9 = uint8_t(rc.read(0, 1)) & ~0x06;
    rc.write(0, 1, cf9 | 0x02);
    EXPECT_EQ(resets, 0);
    EXPECT_EQ(rc.read(0, 1), 0x02u);
    rc.write(0, 1, cf9 | 0x06);
    EXPECT_EQ(resets, 1);
    EXPECT_TRUE(hard);
    EXPECT_EQ(rc.read(0, 1), 0x02u);  // RCPU reads back 0
    rc.write(0, 1, 0x0E);              // cold
    EXPECT_EQ(resets, 2);
    EXPECT_TRUE(hard);
}

TEST(ResetControl, SoftResetWithoutSrst) {
    ResetControl rc;
    int resets = 0;
    rc.on_reset_request = [&] { ++resets; };
    rc.write(0, 1, 0x04);
    EXPECT_EQ(resets, 1);
    EXPECT_FALSE(rc.last_request_was_hard());
    rc.write(0, 2, 0x0006);  // only byte accesses reach the register
    EXPECT_EQ(resets, 1);
}

TEST(PostPort, ReportsEveryCode) {
    PostPort post;
    IoBus bus("io");
    bus.map(0x80, 1, post, "post");
    std::vector<uint8_t> codes;
    post.on_post_code = [&](uint8_t c) { codes.push_back(c); };
    bus.write(0x80, 1, 0x12);
    bus.write(0x80, 1, 0x12);
    bus.write(0x80, 1, 0x34);
    EXPECT_EQ(codes, (std::vector<uint8_t>{0x12, 0x12, 0x34}));
    EXPECT_EQ(post.last_code(), 0x34);
    EXPECT_EQ(bus.read(0x80, 1), 0xFFu);
}

TEST(DebugConsole, BytesGoOutAndReadIsE9) {
    DebugConsole con;
    IoBus bus("io");
    bus.map(0xE9, 1, con, "debugcon");
    std::string out;
    con.on_output = [&](uint8_t c) { out.push_back(char(c)); };
    for (char c : std::string("ok\n")) bus.write(0xE9, 1, uint8_t(c));
    EXPECT_EQ(out, "ok\n");
    EXPECT_EQ(bus.read(0xE9, 1), 0xE9u);  // how SeaBIOS/Bochs-aware guests detect it
}

TEST(ExitPort, StatusIsValueShiftedOrOne) {
    ExitPort port;
    IoBus bus("io");
    bus.map(0x501, 2, port, "debug-exit");
    std::vector<int> statuses;
    port.on_exit = [&](int s) { statuses.push_back(s); };
    bus.write(0x501, 1, 0x00);
    bus.write(0x501, 1, 0x10);
    bus.write(0x501, 2, 0x0102);
    bus.write(0x501, 1, 0x1FF);  // a byte write carries 8 bits only
    EXPECT_EQ(statuses, (std::vector<int>{1, 0x21, 0x205, 0x1FF}));
}

}  // namespace
}  // namespace vmm86
