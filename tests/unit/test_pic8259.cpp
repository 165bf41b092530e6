// The 8259A pair driven through its ports as Linux and SeaBIOS drive it.
#include "devices/pic8259.h"

#include <gtest/gtest.h>

#include "devices/io_bus.h"

namespace vmm86 {
namespace {

class PicTest : public ::testing::Test {
protected:
    PicTest() {
        bus.map(0x20, 2, pic.master_ports(), "pic-master");
        bus.map(0xA0, 2, pic.slave_ports(), "pic-slave");
        bus.map(0x4D0, 2, pic.elcr_ports(), "elcr");
        pic.on_intr_change = [this](bool level) {
            ++intr_changes;
            intr_seen = level;
        };
    }

    void out(uint16_t port, uint8_t v) { bus.write(port, 1, v); }
    uint8_t in(uint16_t port) { return uint8_t(bus.read(port, 1)); }

    // arch/x86/kernel/i8259.c init_8259A(auto_eoi), in its order, with its values.
    void linux_init(bool auto_eoi = false) {
        out(0x21, 0xFF);
        out(0xA1, 0xFF);
        out(0x20, 0x11);  // ICW1: edge, cascade, ICW4 follows
        out(0x21, 0x30);  // ICW2: ISA_IRQ_VECTOR(0)
        out(0x21, 0x04);  // ICW3: slave on IR2
        out(0x21, auto_eoi ? 0x03 : 0x01);
        out(0xA0, 0x11);
        out(0xA1, 0x38);
        out(0xA1, 0x02);  // ICW3: slave identity 2
        out(0xA1, 0x01);
        out(0x21, 0x00);  // unmask everything, for the tests
        out(0xA1, 0x00);
    }
    uint8_t master_isr() {
        out(0x20, 0x0B);
        uint8_t v = in(0x20);
        out(0x20, 0x0A);
        return v;
    }
    uint8_t slave_isr() {
        out(0xA0, 0x0B);
        uint8_t v = in(0xA0);
        out(0xA0, 0x0A);
        return v;
    }

    IoBus bus{"io"};
    Pic8259Pair pic;
    int intr_changes = 0;
    bool intr_seen = false;
};

TEST_F(PicTest, LinuxProbeReadsBackTheMask) {
    // probe_8259A(): writes 0xa5 to the master IMR and expects it back, else "no PIC".
    out(0xA1, 0xFF);
    out(0x21, 0xA5);
    EXPECT_EQ(in(0x21), 0xA5);
    EXPECT_EQ(in(0xA1), 0xFF);
}

TEST_F(PicTest, InitSequenceSetsVectorBasesAndMasterIrqDelivers) {
    linux_init();
    EXPECT_FALSE(pic.interrupt_pending());
    pic.set_irq(0, true);
    EXPECT_TRUE(pic.interrupt_pending());
    EXPECT_TRUE(intr_seen);
    EXPECT_EQ(pic.acknowledge(), 0x30);
    EXPECT_FALSE(pic.interrupt_pending());
    EXPECT_EQ(master_isr(), 0x01);
    out(0x20, 0x60);  // Linux: specific EOI for IRQ0
    EXPECT_EQ(master_isr(), 0x00);
}

TEST_F(PicTest, SeaBiosVectorsAndReadOfIrr) {
    out(0x20, 0x11); out(0x21, 0x08); out(0x21, 0x04); out(0x21, 0x01);
    out(0xA0, 0x11); out(0xA1, 0x70); out(0xA1, 0x02); out(0xA1, 0x01);
    out(0x21, 0xFB);  // SeaBIOS masks everything but the cascade
    out(0xA1, 0xFF);
    pic.set_irq(1, true);
    EXPECT_FALSE(pic.interrupt_pending());  // masked, but latched in IRR
    out(0x20, 0x0A);
    EXPECT_EQ(in(0x20) & 0x02, 0x02);
    out(0x21, 0xF9);
    ASSERT_TRUE(pic.interrupt_pending());
    EXPECT_EQ(pic.acknowledge(), 0x09);
    pic.set_irq(14, true);
    out(0xA1, 0xBF);
    EXPECT_FALSE(pic.interrupt_pending());  // IR1 in service outranks the cascade IR2
    out(0x20, 0x20);
    ASSERT_TRUE(pic.interrupt_pending());
    EXPECT_EQ(pic.acknowledge(), 0x76);
}

TEST_F(PicTest, SlaveIrqCascadesThroughMasterIr2) {
    linux_init();
    pic.set_irq(8, true);
    ASSERT_TRUE(pic.interrupt_pending());
    EXPECT_EQ(pic.acknowledge(), 0x38);
    EXPECT_EQ(master_isr(), 0x04);
    EXPECT_EQ(slave_isr(), 0x01);
    // While the cascade is in service a second slave request waits for the master EOI.
    pic.set_irq(12, true);
    EXPECT_FALSE(pic.interrupt_pending());
    out(0xA0, 0x60 + 0);  // Linux mask_and_ack_8259A: slave specific EOI ...
    EXPECT_FALSE(pic.interrupt_pending());
    out(0x20, 0x62);      // ... then the master's for the cascade line
    ASSERT_TRUE(pic.interrupt_pending());
    EXPECT_EQ(pic.acknowledge(), 0x3C);
}

TEST_F(PicTest, FixedPriorityAndNesting) {
    linux_init();
    pic.set_irq(3, true);
    pic.set_irq(1, true);
    EXPECT_EQ(pic.acknowledge(), 0x31);  // IR1 beats IR3
    EXPECT_FALSE(pic.interrupt_pending());  // IR3 is below IR1 in service
    pic.set_irq(0, true);
    EXPECT_TRUE(pic.interrupt_pending());   // IR0 is above it: nests
    EXPECT_EQ(pic.acknowledge(), 0x30);
    EXPECT_EQ(master_isr(), 0x03);
    out(0x20, 0x20);                        // non-specific EOI ends the highest, IR0
    EXPECT_EQ(master_isr(), 0x02);
    EXPECT_FALSE(pic.interrupt_pending());
    out(0x20, 0x20);
    EXPECT_EQ(pic.acknowledge(), 0x33);
}

TEST_F(PicTest, EdgeLatchSurvivesPulseButNeedsNewEdge) {
    linux_init();
    pic.line(4).pulse();
    ASSERT_TRUE(pic.interrupt_pending());
    EXPECT_EQ(pic.acknowledge(), 0x34);
    out(0x20, 0x20);
    pic.set_irq(4, true);  // held high, acknowledged, EOI'd: no new edge, no request
    EXPECT_EQ(pic.acknowledge(), 0x34);
    out(0x20, 0x20);
    EXPECT_FALSE(pic.interrupt_pending());
    pic.set_irq(4, true);
    EXPECT_FALSE(pic.interrupt_pending());
}

TEST_F(PicTest, ElcrMasksFixedEdgeLinesAndLevelLineReassertsAfterEoi) {
    linux_init();
    out(0x4D0, 0xFF);
    out(0x4D1, 0xFF);
    EXPECT_EQ(in(0x4D0), 0xF8);
    EXPECT_EQ(in(0x4D1), 0xDE);
    EXPECT_EQ(bus.read(0x4D0, 2), 0xDEF8u);
    out(0x4D0, 0x00);
    out(0x4D1, 0x0C);  // IRQ10, IRQ11 level (PCI INTx)
    pic.set_irq(11, true);
    EXPECT_EQ(pic.acknowledge(), 0x3B);
    out(0xA0, 0x20);
    out(0x20, 0x20);
    EXPECT_TRUE(pic.interrupt_pending());  // still high: asks again
    EXPECT_EQ(pic.acknowledge(), 0x3B);
    pic.set_irq(11, false);
    out(0xA0, 0x20);
    out(0x20, 0x20);
    EXPECT_FALSE(pic.interrupt_pending());
}

TEST_F(PicTest, LevelRequestDroppedBeforeInta_IsSpuriousIrq7) {
    linux_init();
    out(0x4D0, 0x20);  // IRQ5 level
    pic.set_irq(5, true);
    ASSERT_TRUE(pic.interrupt_pending());
    pic.set_irq(5, false);
    EXPECT_FALSE(pic.interrupt_pending());
    EXPECT_EQ(pic.acknowledge(), 0x37);
    EXPECT_EQ(master_isr(), 0x00);  // the spurious IR7 is not put in service
}

TEST_F(PicTest, LtimMakesWholeChipLevelTriggered) {
    out(0x20, 0x19);  // ICW1 with LTIM
    out(0x21, 0x30); out(0x21, 0x04); out(0x21, 0x01);
    out(0x21, 0x00);
    pic.set_irq(6, true);
    pic.set_irq(6, false);
    EXPECT_FALSE(pic.interrupt_pending());
    pic.set_irq(6, true);
    EXPECT_EQ(pic.acknowledge(), 0x36);
    out(0x20, 0x20);
    EXPECT_TRUE(pic.interrupt_pending());
}

TEST_F(PicTest, SlaveSpuriousGivesIrq15AndLeavesMasterIr2InService) {
    linux_init();
    out(0x4D1, 0x04);  // IRQ10 level (a PCI line)
    pic.set_irq(10, true);
    ASSERT_TRUE(pic.interrupt_pending());
    // The device drops its line before the INTA: the master has latched the slave's INT
    // edge on IR2, so it still asks, and the slave has nothing to give.
    pic.set_irq(10, false);
    ASSERT_TRUE(pic.interrupt_pending());
    EXPECT_EQ(pic.acknowledge(), 0x3F);
    EXPECT_EQ(slave_isr(), 0x00);
    EXPECT_EQ(master_isr(), 0x04);  // why Linux answers a spurious IRQ15 with a master EOI
    out(0x20, 0x62);
    EXPECT_EQ(master_isr(), 0x00);
    EXPECT_FALSE(pic.interrupt_pending());
}

TEST_F(PicTest, AutoEoiSlaveKeepsSecondRequestVisible) {
    out(0x20, 0x11); out(0x21, 0x30); out(0x21, 0x04); out(0x21, 0x03);
    out(0xA0, 0x11); out(0xA1, 0x38); out(0xA1, 0x02); out(0xA1, 0x03);
    out(0x21, 0x00); out(0xA1, 0x00);
    pic.set_irq(8, true);
    pic.set_irq(9, true);
    EXPECT_EQ(pic.acknowledge(), 0x38);
    ASSERT_TRUE(pic.interrupt_pending());  // the slave's INT rose again after its INTA
    EXPECT_EQ(pic.acknowledge(), 0x39);
    EXPECT_FALSE(pic.interrupt_pending());
}

TEST_F(PicTest, AutoEoiNeverSetsIsr) {
    linux_init(true);
    pic.set_irq(1, true);
    EXPECT_EQ(pic.acknowledge(), 0x31);
    EXPECT_EQ(master_isr(), 0x00);
    pic.set_irq(3, true);
    EXPECT_TRUE(pic.interrupt_pending());  // nothing in service blocks it
}

TEST_F(PicTest, RotateOnNonSpecificEoiMakesServicedLineLowest) {
    linux_init();
    pic.set_irq(1, true);
    EXPECT_EQ(pic.acknowledge(), 0x31);
    out(0x20, 0xA0);  // rotate on non-specific EOI: IR1 now lowest, IR2 highest
    pic.set_irq(0, true);
    pic.set_irq(3, true);
    EXPECT_EQ(pic.acknowledge(), 0x33);
    out(0x20, 0xE3);  // rotate on specific EOI for IR3
    EXPECT_EQ(master_isr(), 0x00);
    pic.set_irq(5, true);
    EXPECT_EQ(pic.acknowledge(), 0x35);  // IR4 highest now, IR5 before IR0
}

TEST_F(PicTest, SetPriorityAndRotateInAutoEoi) {
    linux_init(true);
    out(0x20, 0xC4);  // set priority: IR4 lowest, IR5 highest
    pic.set_irq(3, true);
    pic.set_irq(6, true);
    EXPECT_EQ(pic.acknowledge(), 0x36);
    out(0x20, 0x80);  // rotate in auto-EOI mode
    EXPECT_EQ(pic.acknowledge(), 0x33);  // rotates: IR3 now lowest, IR4 highest
    pic.set_irq(5, true);
    pic.set_irq(4, true);
    EXPECT_EQ(pic.acknowledge(), 0x34);  // without the rotation IR5 would still lead
    EXPECT_EQ(pic.acknowledge(), 0x35);
}

TEST_F(PicTest, PollModeReadIsTheAcknowledge) {
    linux_init();
    out(0x21, 0xFF);  // a polled system masks INTR use but IMR still filters polls
    out(0x21, 0x00);
    out(0x20, 0x0C);  // OCW3 poll
    EXPECT_EQ(in(0x20), 0x00);  // nothing requesting
    pic.set_irq(6, true);
    out(0x20, 0x0C);
    EXPECT_EQ(in(0x20), 0x86);
    EXPECT_EQ(master_isr(), 0x40);
    EXPECT_EQ(in(0x20) & 0x40, 0x00);  // poll is one-shot: IRR read again, IR6 cleared
}

TEST_F(PicTest, SpecialMaskModeEnablesLowerLevels) {
    linux_init();
    pic.set_irq(1, true);
    EXPECT_EQ(pic.acknowledge(), 0x31);
    pic.set_irq(4, true);
    EXPECT_FALSE(pic.interrupt_pending());
    out(0x21, 0x02);  // mask own level ...
    out(0x20, 0x68);  // ... and enter special mask mode
    ASSERT_TRUE(pic.interrupt_pending());
    EXPECT_EQ(pic.acknowledge(), 0x34);
    out(0x20, 0x20);  // non-specific EOI skips masked IR1 in SMM, ends IR4
    EXPECT_EQ(master_isr(), 0x02);
    out(0x20, 0x48);  // leave SMM
    out(0x21, 0x00);
    out(0x20, 0x61);
    EXPECT_EQ(master_isr(), 0x00);
}

TEST_F(PicTest, SpecialFullyNestedLetsHigherSlaveRequestThrough) {
    out(0x20, 0x11); out(0x21, 0x30); out(0x21, 0x04); out(0x21, 0x11);  // SFNM
    out(0xA0, 0x11); out(0xA1, 0x38); out(0xA1, 0x02); out(0xA1, 0x01);
    out(0x21, 0x00); out(0xA1, 0x00);
    pic.set_irq(13, true);
    EXPECT_EQ(pic.acknowledge(), 0x3D);
    pic.set_irq(9, true);  // higher than IRQ13 on the same slave
    ASSERT_TRUE(pic.interrupt_pending());
    EXPECT_EQ(pic.acknowledge(), 0x39);
    EXPECT_EQ(slave_isr(), 0x22);
}

TEST_F(PicTest, WithoutSfnmHigherSlaveRequestWaits) {
    linux_init();
    pic.set_irq(13, true);
    EXPECT_EQ(pic.acknowledge(), 0x3D);
    pic.set_irq(9, true);
    EXPECT_FALSE(pic.interrupt_pending());
}

TEST_F(PicTest, Icw1ClearsMaskInServiceAndEdgeLatches) {
    linux_init();
    out(0x21, 0x5A);
    pic.set_irq(3, true);
    pic.set_irq(1, true);
    pic.acknowledge();
    out(0x20, 0x11);
    EXPECT_EQ(in(0x21), 0x00);  // reads during init still show IMR, now cleared
    out(0x21, 0x30); out(0x21, 0x04); out(0x21, 0x01);
    EXPECT_EQ(master_isr(), 0x00);
    out(0x20, 0x0A);
    EXPECT_EQ(in(0x20), 0x00);
    EXPECT_FALSE(pic.interrupt_pending());
}

TEST_F(PicTest, IntrCallbackFiresOnChangesOnly) {
    linux_init();
    const int before = intr_changes;
    pic.set_irq(0, true);
    pic.set_irq(1, true);
    EXPECT_EQ(intr_changes, before + 1);
    pic.acknowledge();
    EXPECT_EQ(intr_changes, before + 2);
    EXPECT_FALSE(intr_seen);
}

TEST_F(PicTest, SnapshotRestoresPendingInterrupt) {
    linux_init();
    pic.set_irq(7, true);
    const Pic8259State saved = pic.state();
    pic.acknowledge();
    EXPECT_FALSE(pic.interrupt_pending());
    pic.restore(saved);
    EXPECT_TRUE(pic.interrupt_pending());
    EXPECT_EQ(pic.acknowledge(), 0x37);
    EXPECT_EQ(master_isr(), 0x80);  // a real IR7 is put in service, unlike a spurious one
}

TEST_F(PicTest, WordWriteIsTwoByteCycles) {
    linux_init();
    bus.write(0x20, 2, 0xA50A);  // OCW3 "read IRR" to 0x20, 0xA5 to IMR at 0x21
    EXPECT_EQ(in(0x21), 0xA5);
}

}  // namespace
}  // namespace vmm86
