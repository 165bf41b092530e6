// The 8254 and port 0x61 driven through their ports as Linux and SeaBIOS drive them,
// with time from a ManualClock.
#include "devices/pit8254.h"

#include <gtest/gtest.h>

#include <vector>

#include "devices/io_bus.h"

#include "fake_irq.h"

namespace vmm86 {
namespace {

// OUT0 idles high before the PIT is programmed.
struct RecordingLine : test::RecordingIrq {
    explicit RecordingLine(const Clock& clock) : test::RecordingIrq(clock, true) {}
};

class PitTest : public ::testing::Test {
protected:
    PitTest() {
        bus.map(0x40, 4, pit, "pit");
        bus.map(0x61, 1, pit.port61(), "port61");
    }
    void out(uint16_t port, uint8_t v) { bus.write(port, 1, v); }
    uint8_t in(uint16_t port) { return uint8_t(bus.read(port, 1)); }
    void at_tick(int64_t t) { clock.set(Pit8254::ns_at_tick(t)); }
    int64_t tick() const { return Pit8254::tick_at(clock.now_ns()); }
    bool out2() { return in(0x61) & 0x20; }
    uint16_t latch_read(unsigned counter) {
        out(0x43, uint8_t(counter << 6));
        uint16_t lo = in(0x40 + counter);
        return uint16_t(lo | in(0x40 + counter) << 8);
    }
    // The board's run loop, reduced: run to each deadline and let the PIT deliver.
    void run_until(uint64_t end_ns) {
        for (;;) {
            const uint64_t d = pit.next_deadline_ns();
            if (d > end_ns) break;
            clock.set(std::max(d, clock.now_ns()));
            pit.advance(clock.now_ns());
        }
        clock.set(end_ns);
        pit.advance(end_ns);
    }

    ManualClock clock;
    RecordingLine irq0{clock};
    Pit8254 pit{clock, irq0};
    IoBus bus{"io"};
};

TEST_F(PitTest, TickConversionRoundTrips) {
    for (int64_t t : {0LL, 1LL, 1193LL, 1193182LL, 987654321LL})
        EXPECT_EQ(Pit8254::tick_at(Pit8254::ns_at_tick(t)), t);
    EXPECT_EQ(Pit8254::tick_at(1000000000), 1193182);
    EXPECT_EQ(Pit8254::tick_at(Pit8254::ns_at_tick(5) - 1), 4);
}

// arch/x86/kernel/tsc.c pit_calibrate_tsc(): counter 2, mode 0, poll OUT2 on 0x61 bit 5.
TEST_F(PitTest, LinuxPitCalibrateTscSeesOut2RiseAfterLatchTicks) {
    clock.set(123456789);
    out(0x61, uint8_t((in(0x61) & ~0x02) | 0x01));  // gate high, speaker off
    out(0x43, 0xB0);
    const uint16_t latch = 1193182 / (1000 / 50);  // CAL2_LATCH, 50 ms
    out(0x42, latch & 0xFF);
    out(0x42, latch >> 8);
    const int64_t written = tick();
    EXPECT_FALSE(out2());
    at_tick(written + latch);
    EXPECT_FALSE(out2());
    at_tick(written + latch + 1);  // N+1 clocks: one to load, N to count
    EXPECT_TRUE(out2());
    clock.add(1000000000);
    EXPECT_TRUE(out2());  // mode 0 stays high after terminal count
    EXPECT_EQ(in(0x61) & 0x03, 0x01);
}

// tsc.c quick_pit_calibrate(): count 0xffff, then unlatched LSB, MSB reads of counter 2.
TEST_F(PitTest, QuickPitCalibrateMsbCountsDown) {
    out(0x61, uint8_t((in(0x61) & ~0x02) | 0x01));
    out(0x43, 0xB0);
    out(0x42, 0xFF);
    out(0x42, 0xFF);
    const int64_t start = tick() + 1;
    for (int i = 1; i <= 200; ++i) {
        at_tick(start + 256 * i + 128);
        in(0x42);  // LSB, ignored as Linux ignores it
        EXPECT_EQ(in(0x42), 0xFF - i) << i;
    }
}

TEST_F(PitTest, LinuxPeriodicMode2GivesOneIrqPerLatchTicks) {
    const uint16_t latch = (1193182 + 500) / 1000;  // LATCH for HZ=1000
    out(0x43, 0x34);
    out(0x40, latch & 0xFF);
    out(0x40, latch >> 8);
    run_until(1000000000);
    ASSERT_EQ(irq0.rising_ns.size(), 1000u);  // 1193182 / 1193 = 1000.15 periods
    for (size_t i = 1; i < irq0.rising_ns.size(); ++i)
        EXPECT_EQ(Pit8254::tick_at(irq0.rising_ns[i]) - Pit8254::tick_at(irq0.rising_ns[i - 1]), latch);
}

TEST_F(PitTest, Mode2OutIsLowForOneClockBeforeReload) {
    out(0x43, 0x34);
    out(0x40, 100);
    out(0x40, 0);
    const int64_t start = tick() + 1;
    auto status0 = [&] {
        out(0x43, 0xE2);  // read-back: status only, counter 0
        return in(0x40);
    };
    at_tick(start + 98);
    EXPECT_EQ(latch_read(0), 2);
    EXPECT_EQ(status0() & 0x80, 0x80);
    at_tick(start + 99);
    EXPECT_EQ(latch_read(0), 1);
    EXPECT_EQ(status0() & 0x80, 0x00);  // OUT low while the count is 1
    at_tick(start + 100);
    EXPECT_EQ(latch_read(0), 100);      // reloaded, OUT high again
    EXPECT_EQ(status0() & 0x80, 0x80);
}

TEST_F(PitTest, Mode3SquareWaveOnCounter2) {
    out(0x61, 0x01);
    out(0x43, 0xB6);
    out(0x42, 0xE8);  // 1000
    out(0x42, 0x03);
    const int64_t start = tick() + 1;
    at_tick(start + 499);
    EXPECT_TRUE(out2());
    at_tick(start + 500);
    EXPECT_FALSE(out2());
    at_tick(start + 999);
    EXPECT_FALSE(out2());
    at_tick(start + 1000);
    EXPECT_TRUE(out2());
    at_tick(start + 10);
    EXPECT_EQ(latch_read(2), 1000 - 20);  // mode 3 counts by two
}

TEST_F(PitTest, Mode3OddCountIsHighOneClockLonger) {
    out(0x61, 0x01);
    out(0x43, 0xB6);
    out(0x42, 5);
    out(0x42, 0);
    const int64_t start = tick() + 1;
    const bool expected[] = {true, true, true, false, false, true, true, true, false, false};
    for (int i = 0; i < 10; ++i) {
        at_tick(start + i);
        EXPECT_EQ(out2(), expected[i]) << i;
    }
}

TEST_F(PitTest, ReadBackStatusShowsModeAndNullCount) {
    out(0x43, 0x34);
    out(0x43, 0xE2);
    EXPECT_EQ(in(0x40), 0x40 | 0x80 | 0x34);  // null count: no count written yet
    out(0x40, 0x00);
    out(0x40, 0x10);
    out(0x43, 0xE2);
    EXPECT_EQ(in(0x40) & 0x40, 0x40);  // CR not yet in the counting element
    clock.add(2000);
    out(0x43, 0xE2);
    EXPECT_EQ(in(0x40), 0x80 | 0x34);
    // Count and status latched together: status is read first, then the count, and
    // both keep the instant of the command.
    out(0x43, 0xC2);
    const int64_t t = tick();
    clock.add(500000);
    EXPECT_EQ(in(0x40), 0x80 | 0x34);
    const uint16_t lo = in(0x40);
    const uint16_t count = uint16_t(lo | in(0x40) << 8);
    EXPECT_EQ(count, 0x1000 - (t - 1));  // written at tick 0, loaded at tick 1
}

TEST_F(PitTest, ReadBackLatchesSeveralCountersAtOnce) {
    out(0x61, 0x01);
    out(0x43, 0x34); out(0x40, 0x00); out(0x40, 0x20);
    out(0x43, 0xB4); out(0x42, 0x00); out(0x42, 0x40);
    clock.add(1000000);
    out(0x43, 0xDA);  // counts of counters 0 and 2, no status
    const int64_t t = tick();
    clock.add(3000000);
    const uint16_t c0 = uint16_t(in(0x40) | in(0x40) << 8);
    const uint16_t c2 = uint16_t(in(0x42) | in(0x42) << 8);
    EXPECT_EQ(c0 - 0x2000 + 0x4000, c2);  // same instant
    EXPECT_EQ(0x4000 - c2, t - 1);  // written at tick 0, loaded at tick 1
}

TEST_F(PitTest, CounterLatchHoldsUntilReadAndIgnoresSecondLatch) {
    out(0x43, 0x30);
    out(0x40, 0xFF);
    out(0x40, 0xFF);
    clock.add(100000);
    out(0x43, 0x00);
    const int64_t t = tick();
    clock.add(100000);
    out(0x43, 0x00);  // ignored: the first latch has not been read
    const uint16_t lo = in(0x40);
    clock.add(100000);
    const uint16_t v = uint16_t(lo | in(0x40) << 8);
    EXPECT_EQ(v, uint16_t(0xFFFF - (t - 1)));
    const uint16_t live = latch_read(0);
    EXPECT_LT(live, v);
}

TEST_F(PitTest, BcdCounting) {
    out(0x61, 0x01);
    out(0x43, 0xB1);  // counter 2, LSB/MSB, mode 0, BCD
    out(0x42, 0x00);
    out(0x42, 0x10);  // 1000 decimal
    const int64_t start = tick() + 1;
    at_tick(start + 11);
    EXPECT_EQ(latch_read(2), 0x0989);
    at_tick(start + 1000);
    EXPECT_TRUE(out2());
    at_tick(start + 1001);
    EXPECT_EQ(latch_read(2), 0x9999);  // BCD wraps through 0 to 9999
}

TEST_F(PitTest, LsbOnlyAndMsbOnlyAccess) {
    out(0x43, 0x50);  // counter 1, LSB only, mode 0
    out(0x41, 0x80);
    const int64_t start = tick() + 1;
    at_tick(start + 16);
    EXPECT_EQ(in(0x41), 0x70);
    EXPECT_EQ(in(0x41), 0x70);  // LSB-only reads never toggle to the MSB
    out(0x43, 0x60);  // counter 1, MSB only
    out(0x41, 0x02);  // 0x0200
    const int64_t s2 = tick() + 1;
    at_tick(s2 + 0x100);
    EXPECT_EQ(in(0x41), 0x01);
}

TEST_F(PitTest, Mode0GateLowSuspendsCounting) {
    out(0x61, 0x01);
    out(0x43, 0xB0);
    out(0x42, 0x00);
    out(0x42, 0x10);
    const int64_t start = tick() + 1;
    at_tick(start + 0x100);
    out(0x61, 0x00);
    at_tick(start + 0x900);
    EXPECT_EQ(latch_read(2), 0x0F00);
    out(0x61, 0x01);
    at_tick(start + 0x900 + 0xF00);
    EXPECT_TRUE(out2());
    at_tick(start + 0x900 + 0xEFF);
    EXPECT_FALSE(out2());
}

TEST_F(PitTest, Mode0FirstByteStopsCountingSecondReloads) {
    out(0x61, 0x01);
    out(0x43, 0xB0);
    out(0x42, 0x10); out(0x42, 0x00);
    at_tick(tick() + 0x20);
    EXPECT_TRUE(out2());
    out(0x42, 0x00);  // first byte: counting stops, OUT low
    EXPECT_FALSE(out2());
    const uint16_t frozen = latch_read(2);
    clock.add(1000000);
    EXPECT_EQ(latch_read(2), frozen);
    out(0x42, 0x01);  // 0x0100 loads on the next clock
    const int64_t start = tick() + 1;
    at_tick(start + 0x100);
    EXPECT_TRUE(out2());
}

TEST_F(PitTest, Mode2GateLowForcesOutHighAndRisingEdgeReloads) {
    out(0x61, 0x01);
    out(0x43, 0xB4);
    out(0x42, 10); out(0x42, 0);
    int64_t start = tick() + 1;
    at_tick(start + 9);
    EXPECT_FALSE(out2());
    out(0x61, 0x00);
    EXPECT_TRUE(out2());
    clock.add(100000);
    EXPECT_TRUE(out2());
    out(0x61, 0x01);
    start = tick() + 1;
    at_tick(start + 3);
    EXPECT_EQ(latch_read(2), 7);
}

TEST_F(PitTest, Mode1OneShotIsTriggeredAndRetriggeredByGate) {
    out(0x43, 0xB2);  // mode 1, gate still low
    out(0x42, 100); out(0x42, 0);
    clock.add(1000000);
    EXPECT_TRUE(out2());  // no trigger yet
    out(0x43, 0xE8);
    EXPECT_EQ(in(0x42) & 0x40, 0x40);  // CR waits for the trigger
    out(0x61, 0x01);  // rising gate: trigger
    int64_t start = tick() + 1;
    at_tick(start + 50);
    EXPECT_FALSE(out2());
    out(0x61, 0x00);
    out(0x61, 0x01);  // retrigger restarts the count
    start = tick() + 1;
    at_tick(start + 99);
    EXPECT_FALSE(out2());
    at_tick(start + 100);
    EXPECT_TRUE(out2());
}

TEST_F(PitTest, Mode5StrobesOneClockAfterTrigger) {
    out(0x43, 0xBA);
    out(0x42, 20); out(0x42, 0);
    out(0x61, 0x01);
    const int64_t start = tick() + 1;
    at_tick(start + 19);
    EXPECT_TRUE(out2());
    at_tick(start + 20);
    EXPECT_FALSE(out2());
    at_tick(start + 21);
    EXPECT_TRUE(out2());
}

// Linux pit oneshot: 0x38 (mode 4), then each event writes LSB, MSB.
TEST_F(PitTest, LinuxOneshotMode4DeadlineAndIrq) {
    out(0x43, 0x38);
    EXPECT_EQ(pit.next_deadline_ns(), TimedDevice::kNever);
    clock.set(5000000);
    out(0x40, 0xE8); out(0x40, 0x03);  // 1000 ticks
    const int64_t start = tick() + 1;
    EXPECT_EQ(pit.next_deadline_ns(), Pit8254::ns_at_tick(start + 1001));
    run_until(20000000);
    ASSERT_EQ(irq0.rising_ns.size(), 1u);
    EXPECT_EQ(Pit8254::tick_at(irq0.rising_ns[0]), start + 1001);
    EXPECT_EQ(pit.next_deadline_ns(), TimedDevice::kNever);
}

TEST_F(PitTest, Mode2NewCountTakesEffectAtEndOfCycle) {
    out(0x43, 0x34);
    out(0x40, 100); out(0x40, 0);
    const int64_t start = tick() + 1;
    run_until(Pit8254::ns_at_tick(start + 40));
    out(0x40, 50); out(0x40, 0);
    run_until(Pit8254::ns_at_tick(start + 60));
    EXPECT_EQ(latch_read(0), 40);  // still counting the old cycle
    run_until(Pit8254::ns_at_tick(start + 110));
    EXPECT_EQ(latch_read(0), 40);  // 50 - 10 into the new one
    run_until(Pit8254::ns_at_tick(start + 100 + 50 * 3));
    // Edges at the old cycle's end and each 50 after; none lost at the switch.
    std::vector<int64_t> ticks;
    for (uint64_t ns : irq0.rising_ns) ticks.push_back(Pit8254::tick_at(ns));
    EXPECT_EQ(ticks, (std::vector<int64_t>{start + 100, start + 150, start + 200, start + 250}));
}

TEST_F(PitTest, LateAdvanceStillDeliversAnEdge) {
    out(0x43, 0x34);
    out(0x40, 10); out(0x40, 0);
    pit.advance(clock.now_ns());
    clock.add(1000000);  // hundreds of periods missed by a slow run loop
    pit.advance(clock.now_ns());
    EXPECT_EQ(irq0.rising_ns.size(), 1u);  // the PIC can only latch one anyway
}

TEST_F(PitTest, ControlWordSetsInitialOutLevels) {
    out(0x43, 0x30);
    pit.advance(clock.now_ns());
    EXPECT_FALSE(irq0.level);  // mode 0: OUT low
    out(0x43, 0x34);
    EXPECT_TRUE(irq0.level);   // mode 2: OUT high
}

TEST_F(PitTest, Port61RefreshToggleAndSpeakerBits) {
    out(0x61, 0x03);
    EXPECT_EQ(in(0x61) & 0x0F, 0x03);
    const uint8_t r0 = in(0x61) & 0x10;
    int flips = 0;
    uint8_t prev = r0;
    for (int i = 0; i < 1000; ++i) {  // 1 ms in 1 us steps
        clock.add(1000);
        const uint8_t r = in(0x61) & 0x10;
        flips += r != prev;
        prev = r;
    }
    EXPECT_NEAR(flips, 66, 1);  // one flip per ~15.09 us
    out(0x43, 0xB6);
    out(0x42, 0x00); out(0x42, 0x10);
    EXPECT_TRUE(pit.speaker_output());
    out(0x61, 0x01);
    EXPECT_FALSE(pit.speaker_output());
}

TEST_F(PitTest, SnapshotRestoresCountingState) {
    out(0x43, 0x34);
    out(0x40, 0x00); out(0x40, 0x10);
    clock.add(100000);
    const PitState saved = pit.state();
    const uint16_t v = latch_read(0);
    out(0x43, 0x30);
    pit.restore(saved);
    EXPECT_EQ(latch_read(0), v);
    out(0x43, 0xE2);
    EXPECT_EQ(in(0x40) & 0x3F, 0x34);
}

}  // namespace
}  // namespace vmm86
