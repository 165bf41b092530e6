// Drives the UART through its ports the way Linux's 8250 driver (autoconfig, startup,
// interrupt handler) and a polling BIOS console do.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "devices/io_bus.h"
#include "devices/uart16550.h"

#include "fake_irq.h"

namespace vmm86 {
namespace {

using FakeIrq = test::RecordingIrq;

struct RecordingBackend : CharBackend {
    std::string out;
    void write(uint8_t byte) override { out.push_back(char(byte)); }
};

constexpr uint64_t kCom1 = 0x3F8;
enum : uint64_t { RBR = kCom1, IER, IIR, LCR, MCR, LSR, MSR, SCR };

class UartTest : public ::testing::Test {
protected:
    UartTest() : uart(irq, &backend) { bus.map(kCom1, Uart16550::kPorts, uart, "com1"); }
    uint8_t in(uint64_t port) { return uint8_t(bus.read(port, 1)); }
    void out(uint64_t port, uint8_t value) { bus.write(port, 1, value); }
    void receive(const std::string& s) {
        uart.receive(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    }

    FakeIrq irq;
    RecordingBackend backend;
    Uart16550 uart;
    IoBus bus{"io"};
};

TEST_F(UartTest, ResetValuesMatchDatasheet) {
    EXPECT_EQ(in(IER), 0x00);
    EXPECT_EQ(in(IIR), 0x01);  // no interrupt pending, FIFOs off
    EXPECT_EQ(in(LCR), 0x00);
    EXPECT_EQ(in(MCR), 0x00);
    EXPECT_EQ(in(LSR), 0x60);  // THRE | TEMT
    EXPECT_FALSE(irq.level);
}

TEST_F(UartTest, LinuxAutoconfigIerTest) {
    // autoconfig(): IER must read back 0 after writing 0 and 0x0F after writing 0x0F.
    out(IER, 0);
    EXPECT_EQ(in(IER) & 0x0F, 0);
    out(IER, 0x0F);
    EXPECT_EQ(in(IER) & 0x0F, 0x0F);
    // Bits 4-7 do not exist on a 16550 (the XScale UUE test writes bit 6).
    out(IER, 0xFF);
    EXPECT_EQ(in(IER), 0x0F);
}

TEST_F(UartTest, ScratchRegisterHoldsValues) {
    // autoconfig_8250(): scratch test with 0xA5 then 0x5A.
    out(SCR, 0xA5);
    EXPECT_EQ(in(SCR), 0xA5);
    out(SCR, 0x5A);
    EXPECT_EQ(in(SCR), 0x5A);
}

TEST_F(UartTest, LinuxLoopbackMsrTest) {
    // MCR = LOOP | OUT2 | RTS must read MSR[7:4] = DCD | CTS = 0x90.
    out(MCR, 0x1A);
    EXPECT_EQ(in(MSR) & 0xF0, 0x90);
    out(MCR, 0x1F);  // all four outputs
    EXPECT_EQ(in(MSR) & 0xF0, 0xF0);
    out(MCR, 0x10);
    EXPECT_EQ(in(MSR) & 0xF0, 0x00);
}

TEST_F(UartTest, FifoDetectionReports16550A) {
    // Linux writes EFR through LCR=0xBF first (a plain FCR write on a 16550).
    out(LCR, 0xBF);
    out(IIR, 0);
    out(LCR, 0);
    out(IIR, 0x01);  // FCR: enable FIFO
    EXPECT_EQ(in(IIR) >> 6, 3);
    // autoconfig_16550a(): with LCR=0xBF, "EFR" (IIR) must not read 0 on a plain 16550A.
    out(LCR, 0xBF);
    EXPECT_NE(in(IIR), 0);
    out(LCR, 0);
    // No 64-byte FIFO: IIR bit 5 stays clear when FCR bit 5 is written (TI16750 test).
    out(IIR, 0x21);
    EXPECT_EQ(in(IIR) & 0xE0, 0xC0);
    out(IIR, 0x00);
    EXPECT_EQ(in(IIR) >> 6, 0);
}

TEST_F(UartTest, DivisorLatchBehindDlab) {
    out(LCR, 0x83);  // DLAB | 8N1
    out(RBR, 0x01);
    out(IER, 0x00);
    EXPECT_EQ(in(RBR), 0x01);
    EXPECT_EQ(in(IER), 0x00);
    EXPECT_EQ(uart.baud_rate(), 115200u);
    out(RBR, 0x0C);
    EXPECT_EQ(uart.baud_rate(), 9600u);
    out(LCR, 0x03);
    EXPECT_EQ(in(LCR), 0x03);
    // With DLAB clear, offset 1 is IER again and offset 0 writes transmit.
    out(IER, 0x05);
    EXPECT_EQ(in(IER), 0x05);
    out(RBR, 'x');
    EXPECT_EQ(backend.out, "x");
    EXPECT_EQ(uart.baud_rate(), 9600u);
}

TEST_F(UartTest, PolledTransmitCompletesAtOnce) {
    // A BIOS console: wait for THRE, write THR.
    for (char c : std::string("hello")) {
        ASSERT_TRUE(in(LSR) & 0x20);
        out(RBR, uint8_t(c));
    }
    EXPECT_EQ(backend.out, "hello");
    EXPECT_EQ(in(LSR) & 0x60, 0x60);
}

TEST_F(UartTest, ThreInterruptRulesAndLinuxThreBugTest) {
    out(MCR, 0x0B);  // DTR | RTS | OUT2, as Linux sets with an IRQ
    // serial8250_do_startup(): IER=THRI must raise THRE, reading IIR clears it, and
    // re-enabling must raise it again (else Linux sets UART_BUG_THRE).
    out(IER, 0x02);
    EXPECT_TRUE(irq.level);
    uint8_t iir1 = in(IIR);
    EXPECT_EQ(iir1 & 0x0F, 0x02);
    EXPECT_FALSE(irq.level);
    EXPECT_EQ(in(IIR) & 0x01, 0x01);  // acknowledged
    out(IER, 0);
    out(IER, 0x02);
    EXPECT_EQ(in(IIR) & 0x0F, 0x02);
    // A THR write clears it and, as the byte leaves at once, sets it again.
    EXPECT_FALSE(irq.level);
    int edges = irq.rising_edges;
    out(RBR, 'a');
    EXPECT_TRUE(irq.level);
    EXPECT_EQ(irq.rising_edges, edges + 1);
    out(IER, 0);
    EXPECT_FALSE(irq.level);
}

TEST_F(UartTest, InterruptDrivenTransmitLikeLinux) {
    // serial8250_tx_chars(): on each THRE interrupt write up to 16 bytes, then disable
    // THRI when the buffer is empty.
    out(IIR, 0x07);
    out(MCR, 0x0B);
    std::string message(40, 'z');
    message[0] = 'A';
    size_t next = 0;
    out(IER, 0x02);
    int interrupts = 0;
    while (irq.level && interrupts < 10) {
        ++interrupts;
        uint8_t iir = in(IIR);
        ASSERT_EQ(iir & 0x0F, 0x02);
        for (int n = 0; n < 16 && next < message.size(); ++n) out(RBR, uint8_t(message[next++]));
        if (next == message.size()) out(IER, 0);
    }
    EXPECT_EQ(backend.out, message);
    EXPECT_EQ(interrupts, 3);
    EXPECT_FALSE(irq.level);
}

TEST_F(UartTest, Out2GatesTheIrqLine) {
    out(IER, 0x02);
    EXPECT_EQ(in(IIR) & 0x0F, 0x02);  // pending inside the chip...
    out(IER, 0);
    out(IER, 0x02);
    EXPECT_FALSE(irq.level);  // ...but OUT2 is off, so the PIC sees nothing
    out(MCR, 0x08);
    EXPECT_TRUE(irq.level);
    out(MCR, 0x00);
    EXPECT_FALSE(irq.level);
}

TEST_F(UartTest, ReceiveInNonFifoModeAndOverrun) {
    out(MCR, 0x08);
    out(IER, 0x01);
    EXPECT_TRUE(uart.can_receive());
    receive("a");
    EXPECT_TRUE(irq.level);
    EXPECT_EQ(in(IIR), 0x04);
    EXPECT_EQ(in(LSR) & 0x01, 0x01);
    EXPECT_FALSE(uart.can_receive());  // RBR holds one character
    receive("b");                      // overwrites RBR with an overrun
    EXPECT_EQ(in(RBR), 'b');
    EXPECT_FALSE(irq.level);
    uint8_t lsr = in(LSR);
    EXPECT_EQ(lsr & 0x03, 0x02);  // OE, no DR
    EXPECT_EQ(in(LSR) & 0x02, 0);  // cleared by the read
}

TEST_F(UartTest, LineStatusInterruptHasTopPriority) {
    out(MCR, 0x08);
    out(IER, 0x0F);
    EXPECT_EQ(in(IIR), 0x02);  // THRE first, acknowledged by this read
    receive("ab");             // overrun in 16450 mode
    EXPECT_EQ(in(IIR), 0x06);
    in(LSR);
    EXPECT_EQ(in(IIR), 0x04);  // then data available
    in(RBR);
    EXPECT_EQ(in(IIR), 0x01);
    EXPECT_FALSE(irq.level);
}

TEST_F(UartTest, FifoTriggerLevelsAndTimeout) {
    out(MCR, 0x08);
    out(IIR, 0xC7);  // FIFO on, clear both, trigger 14
    out(IER, 0x01);
    receive(std::string(13, 'q'));
    // Below the trigger level the character timeout is reported at once.
    EXPECT_EQ(in(IIR), 0xCC);
    EXPECT_TRUE(irq.level);
    receive("r");
    EXPECT_EQ(in(IIR), 0xC4);
    for (int i = 0; i < 13; ++i) EXPECT_EQ(in(RBR), 'q');
    EXPECT_EQ(in(IIR), 0xCC);
    EXPECT_EQ(in(RBR), 'r');
    EXPECT_EQ(in(IIR), 0xC1);
    EXPECT_FALSE(irq.level);

    out(IIR, 0x41);  // trigger 4
    receive("1234");
    EXPECT_EQ(in(IIR), 0xC4);
    in(RBR);
    EXPECT_EQ(in(IIR), 0xCC);
}

TEST_F(UartTest, FifoOverflowKeepsFifoAndSetsOverrun) {
    out(IIR, 0x01);
    std::string sixteen = "0123456789abcdef";
    receive(sixteen);
    EXPECT_FALSE(uart.can_receive());
    receive("X");
    EXPECT_EQ(in(LSR) & 0x03, 0x03);
    std::string got;
    while (in(LSR) & 0x01) got.push_back(char(in(RBR)));
    EXPECT_EQ(got, sixteen);
}

TEST_F(UartTest, FcrClearsReceiveFifo) {
    out(IIR, 0x01);
    receive("abc");
    out(IIR, 0x03);  // RCVR FIFO reset
    EXPECT_EQ(in(LSR) & 0x01, 0);
    receive("d");
    out(IIR, 0x00);  // leaving FIFO mode clears too
    EXPECT_EQ(in(LSR) & 0x01, 0);
}

TEST_F(UartTest, LoopbackRoutesTransmitterToReceiver) {
    out(MCR, 0x18);  // LOOP | OUT2
    out(IER, 0x01);
    out(RBR, 0x42);
    EXPECT_TRUE(backend.out.empty());
    EXPECT_EQ(in(LSR) & 0x61, 0x61);
    EXPECT_EQ(in(IIR), 0x04);
    EXPECT_FALSE(irq.level);  // OUT2 pin is forced off in loopback
    EXPECT_FALSE(uart.can_receive());
    receive("z");  // the serial input is disconnected
    EXPECT_EQ(in(RBR), 0x42);
    EXPECT_EQ(in(LSR) & 0x01, 0);
}

TEST_F(UartTest, ModemStatusDeltasAndInterrupt) {
    out(MCR, 0x08);
    out(IER, 0x08);
    EXPECT_EQ(in(MSR), 0xB0);  // DCD | DSR | CTS from the host, no deltas
    EXPECT_FALSE(irq.level);
    uart.set_modem_inputs(0xA0);  // CTS drops
    EXPECT_TRUE(irq.level);
    EXPECT_EQ(in(IIR), 0x00);
    EXPECT_EQ(in(MSR), 0xA1);  // DCTS
    EXPECT_FALSE(irq.level);
    EXPECT_EQ(in(MSR), 0xA0);
    uart.set_modem_inputs(0xE0);  // RI rises: no delta (TERI is the trailing edge)
    EXPECT_EQ(in(MSR), 0xE0);
    uart.set_modem_inputs(0xA0);
    EXPECT_EQ(in(MSR), 0xA4);
}

TEST_F(UartTest, ModemStatusIsLowestPriority) {
    out(MCR, 0x08);
    uart.set_modem_inputs(0x00);
    out(IER, 0x0A);
    EXPECT_EQ(in(IIR), 0x02);
    EXPECT_EQ(in(IIR), 0x00);
    in(MSR);
    EXPECT_EQ(in(IIR), 0x01);
}

TEST_F(UartTest, BreakSetsBiAndLineStatusInterrupt) {
    out(MCR, 0x08);
    out(IIR, 0x01);
    out(IER, 0x05);
    uart.receive_break();
    EXPECT_EQ(in(IIR), 0xC6);
    uint8_t lsr = in(LSR);
    EXPECT_EQ(lsr & 0x91, 0x91);  // FIFO error, BI, DR
    EXPECT_EQ(in(RBR), 0x00);
}

TEST_F(UartTest, SnapshotRoundTrip) {
    out(LCR, 0x80);
    out(RBR, 3);
    out(LCR, 0x03);
    out(IIR, 0x81);
    out(MCR, 0x0B);
    out(IER, 0x01);
    out(SCR, 0x77);
    receive("xyz");
    Uart16550State saved = uart.state();

    FakeIrq irq2;
    Uart16550 other(irq2);
    other.restore(saved);
    EXPECT_TRUE(irq2.level);  // restore re-drives the line
    IoBus bus2("io2");
    bus2.map(kCom1, 8, other, "com1");
    EXPECT_EQ(bus2.read(SCR, 1), 0x77u);
    EXPECT_EQ(other.baud_rate(), 38400u);
    EXPECT_EQ(bus2.read(IIR, 1), 0xCCu);
    EXPECT_EQ(bus2.read(RBR, 1), uint32_t('x'));
    EXPECT_EQ(bus2.read(RBR, 1), uint32_t('y'));
    EXPECT_EQ(bus2.read(RBR, 1), uint32_t('z'));
}

TEST_F(UartTest, ResetKeepsDivisorClearsRest) {
    out(LCR, 0x80);
    out(RBR, 1);
    out(LCR, 0x03);
    out(IER, 0x0F);
    out(MCR, 0x0B);
    uart.reset();
    EXPECT_EQ(in(IER), 0);
    EXPECT_EQ(in(MCR), 0);
    EXPECT_EQ(uart.baud_rate(), 115200u);
    EXPECT_FALSE(irq.level);
}

TEST_F(UartTest, WordAccessIsSplitIntoBytes) {
    out(SCR, 0x11);
    out(LCR, 0x03);
    // A 16-bit read at LCR returns LCR then MCR.
    EXPECT_EQ(bus.read(LCR, 2), 0x0003u);
    bus.write(LCR, 2, 0x0B03);
    EXPECT_EQ(in(MCR), 0x0B);
}

}  // namespace
}  // namespace vmm86
