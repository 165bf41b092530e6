// PCI configuration mechanism #1 driven as Linux's pci_check_type1()/bus scan and
// SeaBIOS's PAM, PIRQ and BAR setup drive it.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "devices/io_bus.h"
#include "devices/pci_host.h"
#include "devices/system_control.h"

namespace vmm86 {
namespace {

constexpr uint32_t cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
    return 0x80000000u | (bus << 16) | (dev << 11) | (fn << 8) | (reg & 0xFC);
}

// A function with one memory and one I/O BAR, as a NIC would have.
class TestNic final : public PciDevice {
public:
    TestNic() : PciDevice(0x10EC, 0x8139, 0x020000, 0x10) {
        define_bar(0, 0x1000, PciBarKind::Memory32);
        define_bar(1, 0x20, PciBarKind::Io);
        set16(0x06, 0x8000);  // detected parity error, pending for the guest to clear
        define_register(0x3D, 1, 0x01, 0x00);  // INTA#, read-only
        save_power_on_state();
    }
};

class PciTest : public ::testing::Test {
protected:
    PciTest() {
        host.attach(0, 0, i440fx);
        host.attach(1, 0, piix3);
        host.attach(3, 0, nic);
        host.set_reset_control(&rc);
        bus.map(0xCF8, PciHost::kPorts, host, "pci");
    }
    uint32_t read_cfg(unsigned dev, unsigned fn, unsigned reg, unsigned size) {
        bus.write(0xCF8, 4, cfg_addr(0, dev, fn, reg));
        return bus.read(0xCFC + (reg & 3), size);
    }
    void write_cfg(unsigned dev, unsigned fn, unsigned reg, unsigned size, uint32_t v) {
        bus.write(0xCF8, 4, cfg_addr(0, dev, fn, reg));
        bus.write(0xCFC + (reg & 3), size, v);
    }

    I440fxHostBridge i440fx;
    Piix3IsaBridge piix3;
    TestNic nic;
    ResetControl rc;
    PciHost host;
    IoBus bus{"io"};
};

TEST_F(PciTest, LinuxDetectsMechanism1) {
    // pci_check_type1()
    bus.write(0xCFB, 1, 0x01);
    uint32_t saved = bus.read(0xCF8, 4);
    bus.write(0xCF8, 4, 0x80000000);
    EXPECT_EQ(bus.read(0xCF8, 4), 0x80000000u);
    // pci_sanity_check(): some function on bus 0 is a host bridge (class 0x0600).
    bool host_bridge = false;
    for (unsigned devfn = 0; devfn < 256 && !host_bridge; ++devfn)
        host_bridge = read_cfg(devfn >> 3, devfn & 7, 0x0A, 2) == 0x0600;
    EXPECT_TRUE(host_bridge);
    bus.write(0xCF8, 4, saved);
}

TEST_F(PciTest, Mechanism2ProbeFails) {
    // pci_check_type2() must not see a mechanism #2 chipset here.
    bus.write(0xCFB, 1, 0x00);
    bus.write(0xCF8, 1, 0x00);
    bus.write(0xCFA, 1, 0x00);
    EXPECT_FALSE(bus.read(0xCF8, 1) == 0x00 && bus.read(0xCFA, 1) == 0x00);
}

TEST_F(PciTest, ConfigAddressMasksReservedBits) {
    bus.write(0xCF8, 4, 0xFFFFFFFF);
    EXPECT_EQ(bus.read(0xCF8, 4), 0x80FFFFFCu);
}

TEST_F(PciTest, ScanBusZero) {
    std::vector<std::pair<unsigned, uint32_t>> found;
    for (unsigned dev = 0; dev < 32; ++dev) {
        for (unsigned fn = 0; fn < 8; ++fn) {
            uint32_t id = read_cfg(dev, fn, 0x00, 4);
            if ((id & 0xFFFF) == 0xFFFF) {
                if (fn == 0) break;
                continue;
            }
            found.emplace_back(dev * 8 + fn, id);
            // Only a multifunction header sends the scan on to functions 1-7.
            if (fn == 0 && !(read_cfg(dev, 0, 0x0E, 1) & 0x80)) break;
        }
    }
    EXPECT_EQ(found, (std::vector<std::pair<unsigned, uint32_t>>{
                         {0x00, 0x12378086}, {0x08, 0x70008086}, {0x18, 0x813910EC}}));
    EXPECT_EQ(read_cfg(2, 0, 0, 4), 0xFFFFFFFFu);
    EXPECT_EQ(read_cfg(1, 3, 0, 2), 0xFFFFu);
    // Other buses do not exist.
    bus.write(0xCF8, 4, cfg_addr(1, 0, 0, 0));
    EXPECT_EQ(bus.read(0xCFC, 4), 0xFFFFFFFFu);
}

TEST_F(PciTest, BridgeIdentity) {
    EXPECT_EQ(read_cfg(0, 0, 0x08, 4), 0x06000002u);  // class 06 00 00, revision 02
    EXPECT_EQ(read_cfg(0, 0, 0x0E, 1), 0x00u);
    EXPECT_EQ(read_cfg(1, 0, 0x08, 4), 0x06010000u);
    EXPECT_EQ(read_cfg(1, 0, 0x0E, 1), 0x80u);  // multifunction
    EXPECT_TRUE(piix3.multifunction());
}

TEST_F(PciTest, ByteAndWordAccessAtOffsets) {
    EXPECT_EQ(read_cfg(0, 0, 0x0B, 1), 0x06u);    // via 0xCFF
    EXPECT_EQ(read_cfg(0, 0, 0x02, 2), 0x1237u);  // via 0xCFE
    EXPECT_EQ(read_cfg(0, 0, 0x01, 1), 0x80u);    // via 0xCFD
    EXPECT_EQ(read_cfg(1, 0, 0x61, 1), 0x80u);
    write_cfg(1, 0, 0x62, 1, 0x0B);
    EXPECT_EQ(read_cfg(1, 0, 0x60, 4), 0x800B8080u);
}

TEST_F(PciTest, IdentityRegistersAreReadOnly) {
    write_cfg(0, 0, 0x00, 4, 0xFFFFFFFF);
    write_cfg(0, 0, 0x08, 4, 0xFFFFFFFF);
    write_cfg(1, 0, 0x0C, 4, 0xFFFFFFFF);
    EXPECT_EQ(read_cfg(0, 0, 0x00, 4), 0x12378086u);
    EXPECT_EQ(read_cfg(0, 0, 0x08, 4), 0x06000002u);
    EXPECT_EQ(read_cfg(1, 0, 0x0E, 1), 0x80u);
    EXPECT_EQ(read_cfg(1, 0, 0x0C, 2), 0xFFFFu);  // cache line and latency are writable
}

TEST_F(PciTest, DisabledConfigSpaceReadsOnes) {
    bus.write(0xCF8, 4, 0x00000000);
    EXPECT_EQ(bus.read(0xCFC, 4), 0xFFFFFFFFu);
    bus.write(0xCFC, 4, 0);  // dropped
    EXPECT_EQ(read_cfg(0, 0, 0x00, 4), 0x12378086u);
}

TEST_F(PciTest, SeaBiosPamShadowing) {
    std::vector<std::pair<unsigned, uint8_t>> changes;
    i440fx.on_pam_change = [&](unsigned i, uint8_t v) { changes.emplace_back(i, v); };
    // make_bios_writable(): F segment read/write DRAM, then C0000-EFFFF.
    write_cfg(0, 0, 0x59, 1, 0x30);
    for (unsigned i = 1; i < 7; ++i) write_cfg(0, 0, 0x59 + i, 1, 0x33);
    ASSERT_EQ(changes.size(), 7u);
    EXPECT_EQ(changes[0], (std::pair<unsigned, uint8_t>{0, 0x30}));
    EXPECT_EQ(changes[6], (std::pair<unsigned, uint8_t>{6, 0x33}));
    write_cfg(0, 0, 0x5A, 1, 0x33);  // unchanged: no callback
    EXPECT_EQ(changes.size(), 7u);
    // make_bios_readonly(): PAM0 0x10 (read DRAM, write ROM); reserved bits stay 0.
    write_cfg(0, 0, 0x59, 1, 0xDF);
    EXPECT_EQ(i440fx.pam(0), 0x10);
    write_cfg(0, 0, 0x5C, 4, 0x11111111);  // a dword write covering PAM3-PAM6
    EXPECT_EQ(i440fx.pam(3), 0x11);
    EXPECT_EQ(i440fx.pam(6), 0x11);
    EXPECT_EQ(changes.size(), 12u);
}

TEST_F(PciTest, SmramLockRules) {
    std::vector<uint8_t> changes;
    i440fx.on_smram_change = [&](uint8_t v) { changes.push_back(v); };
    EXPECT_EQ(read_cfg(0, 0, 0x72, 1), 0x02u);
    write_cfg(0, 0, 0x72, 1, 0x4F);  // D_OPEN | G_SMRAME; C_BASE_SEG is hardwired
    EXPECT_EQ(i440fx.smram(), 0x4A);
    write_cfg(0, 0, 0x72, 1, 0x1A);  // lock
    EXPECT_EQ(i440fx.smram(), 0x1A);
    write_cfg(0, 0, 0x72, 1, 0x42);  // try to reopen and unlock
    EXPECT_EQ(i440fx.smram(), 0x1A);
    EXPECT_EQ(changes, (std::vector<uint8_t>{0x4A, 0x1A}));
    i440fx.reset();
    EXPECT_EQ(i440fx.smram(), 0x02);
}

TEST_F(PciTest, PirqRouting) {
    std::vector<std::pair<unsigned, uint8_t>> changes;
    piix3.on_pirq_change = [&](unsigned p, uint8_t v) { changes.emplace_back(p, v); };
    EXPECT_EQ(piix3.pirq_irq(0), -1);  // disabled at reset
    const uint8_t irqs[4] = {10, 10, 11, 11};  // SeaBIOS piix_isa_bridge_setup()
    for (unsigned i = 0; i < 4; ++i) write_cfg(1, 0, 0x60 + i, 1, irqs[i]);
    EXPECT_EQ(piix3.pirq_irq(0), 10);
    EXPECT_EQ(piix3.pirq_irq(3), 11);
    EXPECT_EQ(changes.size(), 4u);
    write_cfg(1, 0, 0x61, 1, 0xF5);  // reserved bits 6:4 do not stick
    EXPECT_EQ(read_cfg(1, 0, 0x61, 1), 0x85u);
    EXPECT_EQ(piix3.pirq_irq(1), -1);
}

TEST_F(PciTest, BarSizingProtocol) {
    // SeaBIOS pci_bios_get_bar(): save, write ~0, read the mask, restore.
    uint32_t old = read_cfg(3, 0, 0x10, 4);
    write_cfg(3, 0, 0x10, 4, 0xFFFFFFFF);
    EXPECT_EQ(read_cfg(3, 0, 0x10, 4), 0xFFFFF000u);
    write_cfg(3, 0, 0x10, 4, old);
    write_cfg(3, 0, 0x14, 4, 0xFFFFFFFF);
    EXPECT_EQ(read_cfg(3, 0, 0x14, 4), 0xFFFFFFE1u);  // I/O space bit stays set
    write_cfg(3, 0, 0x10, 4, 0xFEB01234);
    write_cfg(3, 0, 0x14, 4, 0x0000C05F);
    EXPECT_EQ(nic.bar_address(0), 0xFEB01000u);
    EXPECT_EQ(nic.bar_address(1), 0x0000C040u);
    EXPECT_EQ(read_cfg(3, 0, 0x18, 4), 0u);  // undefined BARs are hardwired 0
    write_cfg(3, 0, 0x18, 4, 0xFFFFFFFF);
    EXPECT_EQ(read_cfg(3, 0, 0x18, 4), 0u);
}

TEST_F(PciTest, CommandAndStatusRegisters) {
    write_cfg(3, 0, 0x04, 2, 0xFFFF);
    EXPECT_EQ(read_cfg(3, 0, 0x04, 2), 0x0547u);
    EXPECT_EQ(nic.command(), 0x0547);
    EXPECT_EQ(read_cfg(3, 0, 0x06, 2), 0x8000u);
    write_cfg(3, 0, 0x06, 2, 0x0000);  // writing 0 leaves error bits alone
    EXPECT_EQ(read_cfg(3, 0, 0x06, 2), 0x8000u);
    write_cfg(3, 0, 0x06, 2, 0x8000);  // write 1 to clear
    EXPECT_EQ(read_cfg(3, 0, 0x06, 2), 0x0000u);
    write_cfg(3, 0, 0x3C, 1, 11);
    write_cfg(3, 0, 0x3D, 1, 4);
    EXPECT_EQ(read_cfg(3, 0, 0x3C, 2), 0x010Bu);  // line writable, pin read-only
}

TEST_F(PciTest, ResetControlSharesTheAddressDword) {
    int resets = 0;
    rc.on_reset_request = [&] { ++resets; };
    bus.write(0xCF8, 4, 0x80000600);  // CONFIG_ADDRESS, not a reset
    EXPECT_EQ(resets, 0);
    bus.write(0xCF8, 2, 0x0600);      // a word access is not the byte-wide RC register
    EXPECT_EQ(resets, 0);
    bus.write(0xCF9, 1, 0x02);
    EXPECT_EQ(bus.read(0xCF9, 1), 0x02u);
    bus.write(0xCF9, 1, 0x06);
    EXPECT_EQ(resets, 1);
    EXPECT_TRUE(rc.last_request_was_hard());
    EXPECT_EQ(bus.read(0xCF8, 4), 0x80000600u);
}

TEST_F(PciTest, AttachRejectsTakenSlots) {
    TestNic another;
    EXPECT_THROW(host.attach(3, 0, another), std::invalid_argument);
    EXPECT_THROW(host.attach(32, 0, another), std::invalid_argument);
    EXPECT_EQ(host.function_at(3, 0), &nic);
    EXPECT_EQ(host.function_at(4, 0), nullptr);
}

TEST_F(PciTest, SnapshotRoundTrip) {
    write_cfg(0, 0, 0x5F, 1, 0x33);
    write_cfg(3, 0, 0x10, 4, 0xFEB00000);
    bus.write(0xCF8, 4, cfg_addr(0, 3, 0, 0x10));
    I440fxHostBridge other_bridge;
    TestNic other_nic;
    PciHost other_host;
    other_bridge.restore(i440fx.state());
    other_nic.restore(nic.state());
    other_host.restore(host.state());
    other_host.attach(0, 0, other_bridge);
    other_host.attach(3, 0, other_nic);
    EXPECT_EQ(other_bridge.pam(6), 0x33);
    EXPECT_EQ(other_host.read(4, 4), 0xFEB00000u);  // continues at the saved address
    other_nic.reset();
    EXPECT_EQ(other_nic.bar_address(0), 0u);
}

}  // namespace
}  // namespace vmm86
