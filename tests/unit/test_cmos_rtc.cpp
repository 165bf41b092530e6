// The MC146818 RTC and CMOS RAM driven through 0x70-0x73 as Linux and SeaBIOS drive
// them, with time from a ManualClock.
#include "devices/cmos_rtc.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "devices/io_bus.h"

#include "fake_irq.h"

namespace vmm86 {
namespace {

constexpr std::time_t kLeapDayEvening = 1709251198;  // 2024-02-29 23:59:58 UTC, Thursday
constexpr std::time_t kJan31 = 1706695200;           // 2024-01-31 10:00:00 UTC, Wednesday
constexpr uint64_t kSecond = 1000000000;

// IRQ8 idles low until the RTC raises it.
struct RecordingLine : test::RecordingIrq {
    explicit RecordingLine(const Clock& clock) : test::RecordingIrq(clock, false) {}
};

class RtcTest : public ::testing::Test {
protected:
    void power_on(std::time_t epoch) {
        bus = std::make_unique<IoBus>("io");
        rtc = std::make_unique<CmosRtc>(clock, irq8, epoch);
        bus->map(0x70, 2, *rtc, "rtc");
        bus->map(0x72, 2, rtc->extended_ports(), "rtc-ext");
    }
    void SetUp() override { power_on(kLeapDayEvening); }

    uint8_t cmos(uint8_t index) {
        bus->write(0x70, 1, index);
        return uint8_t(bus->read(0x71, 1));
    }
    void cmos_write(uint8_t index, uint8_t v) {
        bus->write(0x70, 1, index);
        bus->write(0x71, 1, v);
    }
    // The run loop, with a guest whose IRQ8 handler reads register C as Linux's does.
    // Returns the register C values the handler saw.
    std::vector<uint8_t> run_until(uint64_t end_ns) {
        std::vector<uint8_t> seen;
        for (;;) {
            const uint64_t d = rtc->next_deadline_ns();
            if (d > end_ns) break;
            clock.set(std::max(d, clock.now_ns()));
            rtc->advance(clock.now_ns());
            if (irq8.level) seen.push_back(cmos(0x0C));
        }
        clock.set(end_ns);
        rtc->advance(end_ns);
        return seen;
    }

    ManualClock clock;
    RecordingLine irq8{clock};
    std::unique_ptr<IoBus> bus;
    std::unique_ptr<CmosRtc> rtc;
};

TEST_F(RtcTest, StartsAtEpochInBcd24Hour) {
    EXPECT_EQ(cmos(0x00), 0x58);
    EXPECT_EQ(cmos(0x02), 0x59);
    EXPECT_EQ(cmos(0x04), 0x23);
    EXPECT_EQ(cmos(0x06), 5);  // Thursday, Sunday = 1
    EXPECT_EQ(cmos(0x07), 0x29);
    EXPECT_EQ(cmos(0x08), 0x02);
    EXPECT_EQ(cmos(0x09), 0x24);
    EXPECT_EQ(cmos(0x32), 0x20);
    EXPECT_EQ(cmos(0x0A), 0x26);
    EXPECT_EQ(cmos(0x0B), 0x02);
    EXPECT_EQ(cmos(0x0D), 0x80);  // VRT
}

TEST_F(RtcTest, AdvancesWithClockAcrossLeapDayAndMonth) {
    clock.set(kSecond + kSecond / 2);
    EXPECT_EQ(cmos(0x00), 0x59);
    clock.set(2 * kSecond);
    EXPECT_EQ(cmos(0x00), 0x00);
    EXPECT_EQ(cmos(0x04), 0x00);
    EXPECT_EQ(cmos(0x07), 0x01);
    EXPECT_EQ(cmos(0x08), 0x03);
    EXPECT_EQ(cmos(0x06), 6);
    clock.set(2 * kSecond + 86400ull * 366 * kSecond);  // a leap year later
    EXPECT_EQ(cmos(0x09), 0x25);
    EXPECT_EQ(cmos(0x08), 0x03);
    EXPECT_EQ(cmos(0x07), 0x02);
    EXPECT_EQ(cmos(0x06), 1);  // 2025-03-02 was a Sunday
}

TEST_F(RtcTest, UipIsSetFor244usBeforeEachUpdate) {
    clock.set(kSecond - 244001);
    EXPECT_EQ(cmos(0x0A) & 0x80, 0);
    clock.set(kSecond - 244000);
    EXPECT_EQ(cmos(0x0A) & 0x80, 0x80);
    EXPECT_EQ(cmos(0x00), 0x58);  // registers still show the old second
    clock.set(kSecond);
    EXPECT_EQ(cmos(0x0A) & 0x80, 0);
    EXPECT_EQ(cmos(0x00), 0x59);
}

TEST_F(RtcTest, BinaryAndTwelveHourModes) {
    cmos_write(0x0B, 0x06);  // binary, 24 h
    EXPECT_EQ(cmos(0x04), 23);
    EXPECT_EQ(cmos(0x00), 58);
    EXPECT_EQ(cmos(0x09), 24);
    EXPECT_EQ(cmos(0x32), 20);
    cmos_write(0x0B, 0x04);  // binary, 12 h
    EXPECT_EQ(cmos(0x04), 0x80 | 11);
    cmos_write(0x0B, 0x00);  // BCD, 12 h
    EXPECT_EQ(cmos(0x04), 0x91);
    cmos_write(0x04, 0x12);  // 12 AM is midnight
    cmos_write(0x0B, 0x02);
    EXPECT_EQ(cmos(0x04), 0x00);
    cmos_write(0x0B, 0x00);
    cmos_write(0x04, 0x80 | 0x12);  // 12 PM is noon
    cmos_write(0x0B, 0x02);
    EXPECT_EQ(cmos(0x04), 0x12);
}

// drivers/rtc/rtc-mc146818-lib.c mc146818_set_time(): SET, divider reset, the fields in
// year..seconds order, then control and divider restored.
TEST_F(RtcTest, LinuxSetTimeSequence) {
    power_on(kJan31);
    clock.set(300 * 1000000);
    const uint8_t save_control = cmos(0x0B);
    cmos_write(0x0B, save_control | 0x80);
    const uint8_t save_freq = cmos(0x0A);
    cmos_write(0x0A, save_freq | 0x70);  // RTC_DIV_RESET2
    cmos_write(0x09, 0x24);
    cmos_write(0x08, 0x02);  // 31 February for a moment: must not be normalised
    cmos_write(0x07, 0x15);
    cmos_write(0x04, 0x12);
    cmos_write(0x02, 0x34);
    cmos_write(0x00, 0x56);
    clock.add(3 * kSecond);
    EXPECT_EQ(cmos(0x00), 0x56);  // halted
    EXPECT_EQ(cmos(0x0A) & 0x80, 0);
    cmos_write(0x0B, save_control);
    cmos_write(0x0A, save_freq);
    const uint64_t released = clock.now_ns();
    clock.set(released + kSecond / 2 - 1);
    EXPECT_EQ(cmos(0x00), 0x56);
    clock.set(released + kSecond / 2);  // first update half a second after the reset ends
    EXPECT_EQ(cmos(0x00), 0x57);
    EXPECT_EQ(cmos(0x07), 0x15);
    EXPECT_EQ(cmos(0x08), 0x02);
    EXPECT_EQ(cmos(0x04), 0x12);
    EXPECT_EQ(cmos(0x02), 0x34);
}

TEST_F(RtcTest, SetBitHaltsUpdatesAndClearsUie) {
    cmos_write(0x0B, 0x12);
    cmos_write(0x0B, 0x92);
    EXPECT_EQ(cmos(0x0B), 0x82);
    cmos(0x0C);
    clock.add(5 * kSecond);
    EXPECT_EQ(cmos(0x00), 0x58);
    EXPECT_EQ(cmos(0x0C) & 0x10, 0);  // no update cycle, no UF
    cmos_write(0x0B, 0x02);
    clock.add(kSecond);
    EXPECT_EQ(cmos(0x00), 0x59);  // resumes from where it stopped
}

TEST_F(RtcTest, Periodic1024HzOverOneSimulatedSecond) {
    cmos_write(0x0A, 0x26);
    cmos_write(0x0B, 0x42);  // PIE, 24 h, BCD
    const std::vector<uint8_t> seen = run_until(kSecond - 1);
    ASSERT_EQ(seen.size(), 1023u);  // ticks at k * 976562.5 ns, k = 1..1023
    for (uint8_t c : seen) EXPECT_EQ(c, 0xC0);  // IRQF | PF
    const std::vector<uint8_t> last = run_until(kSecond);
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0], 0xD0);  // the 1024th tick coincides with the update: UF too
    ASSERT_EQ(irq8.rising_ns.size(), 1024u);
    for (size_t i = 1; i < irq8.rising_ns.size(); ++i) {
        const uint64_t gap = irq8.rising_ns[i] - irq8.rising_ns[i - 1];
        EXPECT_TRUE(gap == 976562 || gap == 976563) << gap;
    }
}

TEST_F(RtcTest, PeriodicRateSelectTable) {
    const std::pair<uint8_t, size_t> rates[] = {{3, 8192}, {6, 1024}, {15, 2}, {1, 256}, {2, 128}, {10, 64}};
    for (auto [rs, hz] : rates) {
        cmos_write(0x0A, uint8_t(0x20 | rs));
        cmos_write(0x0B, 0x42);
        cmos(0x0C);
        const std::vector<uint8_t> seen = run_until(clock.now_ns() + kSecond);
        EXPECT_EQ(seen.size(), hz) << "RS=" << int(rs);
        cmos_write(0x0B, 0x02);
    }
    cmos_write(0x0A, 0x20);  // RS = 0: no periodic ticks
    cmos(0x0C);
    clock.add(kSecond / 3);
    EXPECT_EQ(cmos(0x0C) & 0x40, 0);
}

TEST_F(RtcTest, RegisterCClearsOnReadAndIrqHeldUntilThen) {
    cmos_write(0x0B, 0x42);
    clock.set(10 * 1000000);
    rtc->advance(clock.now_ns());
    EXPECT_TRUE(irq8.level);
    EXPECT_EQ(rtc->next_deadline_ns(), TimedDevice::kNever);  // nothing more to signal
    clock.add(10 * 1000000);
    rtc->advance(clock.now_ns());
    EXPECT_EQ(irq8.rising_ns.size(), 1u);  // no new edge while C is unread
    EXPECT_EQ(cmos(0x0C), 0xC0);
    EXPECT_FALSE(irq8.level);
    EXPECT_EQ(cmos(0x0C), 0x00);
    EXPECT_NE(rtc->next_deadline_ns(), TimedDevice::kNever);
}

TEST_F(RtcTest, FlagsSetWithoutInterruptWhenDisabled) {
    cmos(0x0C);
    clock.set(kSecond + 1000);
    EXPECT_EQ(rtc->next_deadline_ns(), TimedDevice::kNever);
    rtc->advance(clock.now_ns());
    EXPECT_FALSE(irq8.level);
    EXPECT_EQ(cmos(0x0C), 0x50);  // PF and UF, no IRQF
    clock.add(kSecond / 1024 + 1);  // a periodic tick while PIE is off
    rtc->advance(clock.now_ns());
    EXPECT_FALSE(irq8.level);
    cmos_write(0x0B, 0x42);  // enabling PIE with PF pending raises IRQF at once
    EXPECT_TRUE(irq8.level);
}

TEST_F(RtcTest, UpdateEndedInterruptOncePerSecond) {
    cmos_write(0x0B, 0x12);
    cmos(0x0C);
    const std::vector<uint8_t> seen = run_until(3 * kSecond + kSecond / 2);
    ASSERT_EQ(seen.size(), 3u);
    for (uint8_t c : seen) EXPECT_EQ(c & 0x90, 0x90);  // IRQF and UF (PF, AF silent)
    EXPECT_EQ(irq8.rising_ns, (std::vector<uint64_t>{kSecond, 2 * kSecond, 3 * kSecond}));
}

TEST_F(RtcTest, AlarmFiresAtMatchingTime) {
    cmos_write(0x05, 0x00);
    cmos_write(0x03, 0x00);
    cmos_write(0x01, 0x05);
    cmos_write(0x0B, 0x22);  // AIE
    cmos(0x0C);
    const std::vector<uint8_t> seen = run_until(20 * kSecond);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0] & 0xA0, 0xA0);
    ASSERT_EQ(irq8.rising_ns.size(), 1u);
    EXPECT_EQ(irq8.rising_ns[0], 7 * kSecond);  // 23:59:58 + 7 s = 00:00:05
}

TEST_F(RtcTest, AlarmDontCareBytes) {
    cmos_write(0x05, 0xC0);
    cmos_write(0x03, 0xFF);
    cmos_write(0x01, 0x30);  // every minute at :30
    cmos_write(0x0B, 0x22);
    cmos(0x0C);
    EXPECT_EQ(run_until(3 * 60 * kSecond).size(), 3u);
    cmos_write(0x01, 0xC0);  // every second
    cmos(0x0C);
    irq8.rising_ns.clear();
    run_until(clock.now_ns() + 5 * kSecond);
    EXPECT_EQ(irq8.rising_ns.size(), 5u);
}

TEST_F(RtcTest, AlarmFlagFoundAfterLongGapWithoutInterrupts) {
    cmos_write(0x05, 0x01);
    cmos_write(0x03, 0x30);
    cmos_write(0x01, 0x00);
    cmos(0x0C);
    clock.set(2 * 3600 * kSecond);
    EXPECT_EQ(cmos(0x0C) & 0x20, 0x20);  // 01:30:00 passed while nobody looked
    cmos_write(0x05, 0x25);               // hour 25 never comes
    clock.add(2 * 86400 * kSecond);
    EXPECT_EQ(cmos(0x0C) & 0x20, 0);
}

TEST_F(RtcTest, DividerResetStopsTimeAndPeriodicTicks) {
    cmos(0x0C);
    cmos_write(0x0A, 0x76);
    clock.set(kSecond - 1000);
    EXPECT_EQ(cmos(0x0A), 0x76);  // no UIP while held in reset
    clock.set(5 * kSecond);
    EXPECT_EQ(cmos(0x00), 0x58);
    EXPECT_EQ(cmos(0x0C), 0x00);
    cmos_write(0x0A, 0x26);
    clock.add(kSecond / 2);
    EXPECT_EQ(cmos(0x00), 0x59);
}

// SeaBIOS rtc_setup(): A = 0x26, B gets 24 h and loses DSE, C and D read to clear.
TEST_F(RtcTest, SeaBiosRtcSetup) {
    cmos_write(0x0B, 0x01);
    cmos_write(0x0A, 0x26);
    cmos_write(0x0B, uint8_t((cmos(0x0B) & ~0x01) | 0x02));
    cmos(0x0C);
    EXPECT_EQ(cmos(0x0D), 0x80);
    EXPECT_EQ(cmos(0x0B), 0x02);
    EXPECT_EQ(cmos(0x0A), 0x26);
}

TEST_F(RtcTest, NmiMaskAndIndexPort) {
    EXPECT_FALSE(rtc->nmi_masked());
    bus->write(0x70, 1, 0x8F);
    EXPECT_TRUE(rtc->nmi_masked());
    bus->write(0x71, 1, 0x0A);  // shutdown status byte, index 0x0F
    EXPECT_EQ(cmos(0x0F), 0x0A);
    EXPECT_FALSE(rtc->nmi_masked());
    EXPECT_EQ(bus->read(0x70, 1), 0xFFu);
}

TEST_F(RtcTest, MemorySizeFieldsAsSeaBiosReadsThem) {
    rtc->set_memory_size(128ull << 20);
    EXPECT_EQ(cmos(0x15) | cmos(0x16) << 8, 640);
    EXPECT_EQ(cmos(0x17) | cmos(0x18) << 8, 0xFFFF);  // 127 MiB in KiB is over 16 bits
    EXPECT_EQ(cmos(0x30) | cmos(0x31) << 8, 0xFFFF);
    EXPECT_EQ(cmos(0x34) | cmos(0x35) << 8, (112 << 20) >> 16);
    EXPECT_EQ(cmos(0x5B) | cmos(0x5C) << 8 | cmos(0x5D) << 16, 0);
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; ++i) sum += cmos(uint8_t(i));
    EXPECT_EQ(cmos(0x2E) << 8 | cmos(0x2F), int(sum));
    EXPECT_EQ(cmos(0x14), 0x06);

    rtc->set_memory_size(15ull << 20);
    EXPECT_EQ(cmos(0x17) | cmos(0x18) << 8, 14 * 1024);
    EXPECT_EQ(cmos(0x34) | cmos(0x35) << 8, 0);

    rtc->set_memory_size(8ull << 30);  // 3.5 GiB below the PCI hole, 4.5 GiB above 4 GiB
    EXPECT_EQ(cmos(0x34) | cmos(0x35) << 8, (0xE0000000 - (16 << 20)) >> 16);
    EXPECT_EQ(cmos(0x5B) | cmos(0x5C) << 8 | cmos(0x5D) << 16, int((9ull << 29) >> 16));
}

TEST_F(RtcTest, SetByteKeepsChecksumGuestWritesDoNot) {
    const int before = cmos(0x2E) << 8 | cmos(0x2F);
    rtc->set_byte(0x10, 0x40);  // floppy types
    EXPECT_EQ(cmos(0x10), 0x40);
    EXPECT_EQ(cmos(0x2E) << 8 | cmos(0x2F), before + 0x40);
    cmos_write(0x11, 0x01);
    EXPECT_EQ(cmos(0x2E) << 8 | cmos(0x2F), before + 0x40);
    rtc->set_byte(0x5F, 3);  // SeaBIOS: CPU count - 1, outside the checksum
    EXPECT_EQ(cmos(0x5F), 3);
    rtc->set_byte(0x80 + 5, 0x77);
    bus->write(0x72, 1, 5);
    EXPECT_EQ(bus->read(0x73, 1), 0x77u);
}

TEST_F(RtcTest, ExtendedBankIsSeparateRam) {
    bus->write(0x72, 1, 0x10);
    bus->write(0x73, 1, 0xAB);
    EXPECT_NE(cmos(0x10), 0xAB);
    bus->write(0x72, 1, 0x10);
    EXPECT_EQ(bus->read(0x73, 1), 0xABu);
}

TEST_F(RtcTest, SnapshotRestoresTimeAndFlags) {
    cmos_write(0x0B, 0x06);
    clock.set(kSecond / 2);
    const CmosRtcState saved = rtc->state();
    cmos_write(0x00, 0);
    cmos_write(0x0B, 0x02);
    rtc->restore(saved);
    EXPECT_EQ(cmos(0x00), 58);
    clock.set(kSecond);
    EXPECT_EQ(cmos(0x00), 59);
    EXPECT_EQ(cmos(0x0C), 0x50);
}

}  // namespace
}  // namespace vmm86
