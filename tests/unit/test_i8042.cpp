// Drives the 8042 through ports 0x60/0x64 as Linux's i8042 and atkbd drivers, Linux's
// boot-time A20 code and SeaBIOS's PS/2 setup do.
#include <gtest/gtest.h>

#include <vector>

#include "devices/i8042.h"
#include "devices/io_bus.h"

#include "fake_irq.h"

namespace vmm86 {
namespace {

using FakeIrq = test::RecordingIrq;

class I8042Test : public ::testing::Test {
protected:
    I8042Test() : kbc(irq1, irq12) {
        bus.map(0x60, 1, kbc.data_port(), "i8042 data");
        bus.map(0x64, 1, kbc.command_port(), "i8042 cmd");
        kbc.on_a20_change = [this](bool on) { a20_events.push_back(on); };
        kbc.on_reset_request = [this] { ++resets; };
    }
    uint8_t status() { return uint8_t(bus.read(0x64, 1)); }
    uint8_t data() { return uint8_t(bus.read(0x60, 1)); }
    void command(uint8_t c) { bus.write(0x64, 1, c); }
    void send(uint8_t d) { bus.write(0x60, 1, d); }
    // Everything waiting in the output buffer, as i8042_flush() drains it (at most 16).
    std::vector<uint8_t> drain() {
        std::vector<uint8_t> out;
        for (int i = 0; i < 16 && (status() & 0x01); ++i) out.push_back(data());
        return out;
    }
    void set_ctr(uint8_t v) {
        command(0x60);
        send(v);
    }
    uint8_t get_ctr() {
        command(0x20);
        return data();
    }
    void press(std::vector<uint8_t> bytes) { kbc.press_key(bytes); }

    FakeIrq irq1, irq12;
    I8042 kbc;
    IoBus bus{"io"};
    std::vector<bool> a20_events;
    int resets = 0;
};

using Bytes = std::vector<uint8_t>;

TEST_F(I8042Test, PowerOnStatus) {
    EXPECT_EQ(status(), 0x10);  // unlocked, nothing to read, SYS clear
    EXPECT_TRUE(kbc.a20_enabled());
}

TEST_F(I8042Test, SelfTestAndInterfaceTests) {
    command(0xAA);
    ASSERT_TRUE(status() & 0x01);
    EXPECT_EQ(status() & 0x20, 0);  // controller replies are not aux data
    EXPECT_EQ(data(), 0x55);
    EXPECT_TRUE(status() & 0x04);  // SYS flag after self-test
    command(0xAB);
    EXPECT_EQ(drain(), Bytes{0x00});
    command(0xA9);
    EXPECT_EQ(drain(), Bytes{0x00});
}

TEST_F(I8042Test, CommandByteReadWriteAndA2Flag) {
    EXPECT_EQ(get_ctr(), 0x03);
    command(0x60);
    EXPECT_TRUE(status() & 0x08);  // last write went to 0x64
    send(0x65);
    EXPECT_FALSE(status() & 0x08);
    EXPECT_EQ(get_ctr(), 0x65);
    EXPECT_TRUE(status() & 0x04);  // SYS mirrors CTR bit 2
    // Controller RAM beyond the command byte.
    command(0x65);
    send(0x9C);
    command(0x25);
    EXPECT_EQ(data(), 0x9C);
}

TEST_F(I8042Test, DisableEnableInterfacesThroughCtr) {
    command(0xAD);
    command(0xA7);
    EXPECT_EQ(get_ctr() & 0x30, 0x30);
    press({0x1C});
    EXPECT_FALSE(status() & 0x01);  // held while the keyboard clock is inhibited
    EXPECT_FALSE(irq1.level);
    command(0xAE);
    EXPECT_TRUE(irq1.level);
    EXPECT_EQ(drain(), Bytes{0x1C});
    command(0xA8);
    EXPECT_EQ(get_ctr() & 0x30, 0x00);
}

TEST_F(I8042Test, LinuxBootA20ThroughOutputPort) {
    // Begin with A20 off, as a BIOS might leave it.
    command(0xD1);
    send(0xDD);
    EXPECT_FALSE(kbc.a20_enabled());
    // arch/x86/boot/a20.c enable_a20_kbc(): D1, DF, then the null command FF.
    command(0xD1);
    send(0xDF);
    command(0xFF);
    EXPECT_TRUE(kbc.a20_enabled());
    EXPECT_EQ(a20_events, (std::vector<bool>{false, true}));
    EXPECT_EQ(resets, 0);  // 0xFF pulses no line
    EXPECT_EQ(status() & 0x02, 0);  // empty_8042() sees the input buffer empty
    command(0xD0);
    EXPECT_EQ(data() & 0x03, 0x03);
}

TEST_F(I8042Test, A20CommandsDdDf) {
    command(0xDD);
    EXPECT_FALSE(kbc.a20_enabled());
    command(0xDF);
    EXPECT_TRUE(kbc.a20_enabled());
    command(0xDF);  // no change, no callback
    EXPECT_EQ(a20_events, (std::vector<bool>{false, true}));
}

TEST_F(I8042Test, ResetThroughPulseAndOutputPort) {
    command(0xFE);
    EXPECT_EQ(resets, 1);
    command(0xFD);  // bit 0 set: pulses another line, no reset
    EXPECT_EQ(resets, 1);
    command(0xD1);
    send(0xFE);  // output port bit 0 low asserts reset
    EXPECT_EQ(resets, 2);
}

TEST_F(I8042Test, KeyboardResetAndIdentify) {
    send(0xFF);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xAA}));
    send(0xF2);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xAB, 0x83}));
    // With translation on, the 8042 turns the ID into AB 41 (atkbd's "translated" test).
    set_ctr(0x47);
    send(0xF2);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xAB, 0x41}));
}

TEST_F(I8042Test, KeyboardCommandsAreAcked) {
    send(0xED);
    send(0x07);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xFA}));
    EXPECT_EQ(kbc.state().kbd_leds, 0x07);
    send(0xF3);
    send(0x20);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xFA}));
    send(0xF0);
    send(0x02);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xFA}));
    send(0xF0);
    send(0x00);  // atkbd's GSCANSET: ACK the command, ACK the argument, then the set
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xFA, 0x02}));
    send(0xEE);
    EXPECT_EQ(drain(), Bytes{0xEE});
    send(0x55);  // not a command
    EXPECT_EQ(drain(), Bytes{0xFE});
}

TEST_F(I8042Test, ScanningDisableEnable) {
    send(0xF5);
    EXPECT_EQ(drain(), Bytes{0xFA});
    press({0x1C});
    EXPECT_TRUE(drain().empty());
    send(0xF4);
    EXPECT_EQ(drain(), Bytes{0xFA});
    press({0x1C, 0xF0, 0x1C});
    EXPECT_EQ(drain(), (Bytes{0x1C, 0xF0, 0x1C}));  // no translation: raw set 2
}

TEST_F(I8042Test, TranslationSet2ToSet1) {
    set_ctr(0x41);  // XLATE | KBDINT
    press({0x1C});                    // A make
    press({0xF0, 0x1C});              // A break
    press({0xE0, 0x75});              // Up make
    press({0xE0, 0xF0, 0x75});        // Up break
    press({0x76, 0x5A, 0x29, 0x14});  // Esc, Enter, Space, LCtrl
    EXPECT_EQ(drain(), (Bytes{0x1E, 0x9E, 0xE0, 0x48, 0xE0, 0xC8, 0x01, 0x1C, 0x39, 0x1D}));
    press({0xE0, 0x1F, 0x83, 0x0A});  // LWin, F7, F8
    EXPECT_EQ(drain(), (Bytes{0xE0, 0x5B, 0x41, 0x42}));
}

TEST_F(I8042Test, Irq1PerByteOnlyWhenEnabled) {
    press({0x1C, 0xF0, 0x1C});
    EXPECT_TRUE(irq1.level);
    EXPECT_EQ(irq1.rising_edges, 1);
    data();
    EXPECT_EQ(irq1.rising_edges, 2);  // next byte loaded: a new edge for the PIC
    data();
    data();
    EXPECT_FALSE(irq1.level);
    EXPECT_EQ(irq1.rising_edges, 3);
    EXPECT_FALSE(irq12.level);
    set_ctr(0x00);
    press({0x1C});
    EXPECT_TRUE(status() & 0x01);
    EXPECT_FALSE(irq1.level);
}

TEST_F(I8042Test, EmptyBufferRereadsLastByte) {
    press({0x2A});
    EXPECT_EQ(data(), 0x2A);
    EXPECT_EQ(data(), 0x2A);
    EXPECT_FALSE(status() & 0x01);
}

TEST_F(I8042Test, KeyboardRepliesGoAheadOfQueuedScancodes) {
    command(0xAD);
    press({0x1C, 0x32});
    send(0xF2);  // writing to the keyboard re-enables its interface
    EXPECT_EQ(kbc.state().ram[0] & 0x10, 0x00);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xAB, 0x83, 0x1C, 0x32}));
}

TEST_F(I8042Test, LinuxAuxLoopAndMuxProbe) {
    // i8042_check_aux(): AUX_LOOP 0x5A must come back as aux data.
    command(0xD3);
    send(0x5A);
    ASSERT_TRUE(status() & 0x01);
    EXPECT_TRUE(status() & 0x20);
    EXPECT_TRUE(irq12.level);
    EXPECT_FALSE(irq1.level);
    EXPECT_EQ(data(), 0x5A);
    EXPECT_FALSE(irq12.level);
    // i8042_set_mux_mode(): F0, 56, A4 all echo, so this is not an active multiplexer.
    for (uint8_t b : {0xF0, 0x56, 0xA4}) {
        command(0xD3);
        send(b);
        EXPECT_EQ(status() & 0x21, 0x21);
        EXPECT_EQ(data(), b);
    }
}

TEST_F(I8042Test, MouseCommandsThroughD4) {
    command(0xD4);
    send(0xFF);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xAA, 0x00}));
    command(0xD4);
    send(0xF2);
    EXPECT_EQ(status() & 0x21, 0x21);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0x00}));
    command(0xD4);
    send(0xF3);
    command(0xD4);
    send(200);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xFA}));
    command(0xD4);
    send(0xE9);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0x00, 0x02, 200}));
    command(0xD4);
    send(0xF4);
    EXPECT_EQ(drain(), Bytes{0xFA});
    kbc.move_mouse(5, -3, 0x01);
    EXPECT_TRUE(irq12.level);
    EXPECT_EQ(drain(), (Bytes{0x29, 0x05, 0xFD}));
}

TEST_F(I8042Test, AuxDisabledHoldsMouseData) {
    command(0xA7);
    command(0xD4);  // D4 itself re-enables the aux clock, as on real controllers
    send(0xF2);
    EXPECT_EQ(kbc.state().ram[0] & 0x20, 0);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0x00}));
    command(0xA7);
    command(0xD3);
    send(0x11);  // the loop byte is the controller's own, delivered regardless
    EXPECT_EQ(drain(), Bytes{0x11});
}

TEST_F(I8042Test, LinuxControllerInitSequence) {
    // i8042_controller_check/selftest/init as Linux runs them at boot.
    EXPECT_TRUE(drain().empty());
    command(0xAA);
    EXPECT_EQ(data(), 0x55);
    uint8_t ctr = get_ctr();
    ctr |= 0x10;   // KBDDIS
    ctr &= ~0x01;  // ~KBDINT
    set_ctr(ctr);
    EXPECT_EQ(get_ctr(), ctr);
    // Enable keyboard port and interrupt, then atkbd probes.
    ctr = (ctr & ~0x10) | 0x01;
    set_ctr(ctr);
    send(0xF2);
    EXPECT_TRUE(irq1.level);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xAB, 0x83}));
    send(0xF0);
    send(0x02);
    send(0xF4);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xFA, 0xFA}));
}

TEST_F(I8042Test, ScancodeSet1WithoutTranslation) {
    send(0xF0);
    send(0x01);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0xFA}));
    press({0x1C, 0xF0, 0x1C});
    EXPECT_EQ(drain(), (Bytes{0x1E, 0x9E}));
}

TEST_F(I8042Test, SnapshotRoundTrip) {
    set_ctr(0x45);
    command(0xAD);
    press({0x1C, 0x32});
    command(0xDD);
    I8042State saved = kbc.state();

    FakeIrq a, b;
    I8042 other(a, b);
    other.restore(saved);
    EXPECT_FALSE(other.a20_enabled());
    other.write(I8042::kCommandOffset, 1, 0xAE);
    EXPECT_TRUE(a.level);
    EXPECT_EQ(other.read(I8042::kDataOffset, 1), 0x1Eu);
    EXPECT_EQ(other.read(I8042::kDataOffset, 1), 0x30u);
}

TEST_F(I8042Test, FiveByteMappingLeavesGapUndriven) {
    FakeIrq a, b;
    I8042 other(a, b);
    IoBus bus2("io2");
    bus2.map(0x60, 5, other, "i8042");
    EXPECT_EQ(bus2.read(0x61, 1), 0xFFu);
    EXPECT_EQ(bus2.read(0x64, 1), 0x10u);
}

}  // namespace
}  // namespace vmm86
