// Drives LPT1 the way BIOS INT 17h and Linux's lp/parport_pc drivers do: probe the data
// register, then data + STROBE pulse per byte, with and without the ACK interrupt.
#include <gtest/gtest.h>

#include <string>

#include "devices/io_bus.h"
#include "devices/parallel_port.h"

#include "fake_irq.h"

namespace vmm86 {
namespace {

struct RecordingPrinter : CharBackend {
    std::string out;
    void write(uint8_t byte) override { out.push_back(char(byte)); }
};

constexpr uint64_t kBase = 0x378;
enum : uint64_t { DATA = kBase, STATUS, CONTROL };

class ParallelPortTest : public ::testing::Test {
protected:
    ParallelPortTest() : lpt(irq, printer) { bus.map(kBase, ParallelPort::kPorts, lpt, "lpt1"); }
    uint8_t in(uint64_t port) { return uint8_t(bus.read(port, 1)); }
    void out(uint64_t port, uint8_t value) { bus.write(port, 1, value); }
    // One byte as INT 17h function 0 sends it: data, STROBE high, STROBE low.
    void print(uint8_t byte, uint8_t control = 0x0C) {
        out(DATA, byte);
        out(CONTROL, control | ParallelPort::kStrobe);
        out(CONTROL, control);
    }

    test::RecordingIrq irq;
    RecordingPrinter printer;
    ParallelPort lpt;
    IoBus bus{"io"};
};

TEST_F(ParallelPortTest, DataRegisterReadsBackWithoutPrinting) {
    // The BIOS/parport_pc presence probe: write a pattern, read it back.
    out(DATA, 0xAA);
    EXPECT_EQ(in(DATA), 0xAA);
    out(DATA, 0x55);
    EXPECT_EQ(in(DATA), 0x55);
    EXPECT_EQ(printer.out, "");
}

TEST_F(ParallelPortTest, StatusShowsAReadyPrinter) {
    const uint8_t status = in(STATUS);
    EXPECT_TRUE(status & ParallelPort::kNotBusy);
    EXPECT_TRUE(status & ParallelPort::kNotAck);
    EXPECT_TRUE(status & ParallelPort::kSelected);
    EXPECT_TRUE(status & ParallelPort::kNotError);
    EXPECT_FALSE(status & ParallelPort::kPaperOut);
}

TEST_F(ParallelPortTest, EachStrobePrintsTheLatchedByteOnce) {
    for (char c : std::string("Hi\n")) print(uint8_t(c));
    EXPECT_EQ(printer.out, "Hi\n");
    // Holding STROBE high (or writing control again with it high) is not a second byte.
    out(DATA, 'x');
    out(CONTROL, 0x0D);
    out(CONTROL, 0x0D);
    out(CONTROL, 0x0C);
    EXPECT_EQ(printer.out, "Hi\nx");
}

TEST_F(ParallelPortTest, NoByteWhileThePrinterIsResetOrDeselected) {
    print('a', 0x08);  // INIT# low: the printer is initialising
    print('b', 0x04);  // SLCTIN low: the printer is not selected
    EXPECT_EQ(printer.out, "");
}

TEST_F(ParallelPortTest, ControlReadsBackWithUnusedBitsSet) {
    out(CONTROL, 0x1C);
    EXPECT_EQ(in(CONTROL), 0xFC);
}

TEST_F(ParallelPortTest, AckInterruptOnlyWhenEnabled) {
    print('a');
    EXPECT_EQ(irq.rising_edges, 0);
    print('b', 0x1C);
    print('c', 0x1C);
    EXPECT_EQ(irq.rising_edges, 2);
    EXPECT_FALSE(irq.level);  // a pulse: edge-triggered IRQ7
    EXPECT_EQ(printer.out, "abc");
}

}  // namespace
}  // namespace vmm86
