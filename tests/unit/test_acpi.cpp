// ACPI PM registers driven as Linux's ACPICA drives them (PM timer, fixed events, S5),
// and the ACPI tables checked against the ACPI specification's layouts, then followed
// the way an OS does: scan for the RSDP, walk RSDT -> FADT -> DSDT, power off.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "bios/acpi_tables.h"
#include "devices/acpi_pm.h"
#include "devices/io_bus.h"

#include "fake_irq.h"

namespace vmm86 {
namespace {

using FakeIrq = test::RecordingIrq;

constexpr uint64_t kPmBase = 0x600;
constexpr uint64_t kSecond = 1'000'000'000;
enum : uint64_t { PM1_STS = kPmBase, PM1_EN = kPmBase + 2, PM1_CNT = kPmBase + 4,
                  PM_TMR = kPmBase + 8, GPE0_STS = kPmBase + 0x0C, GPE0_EN = kPmBase + 0x0E };

class AcpiPmTest : public ::testing::Test {
protected:
    explicit AcpiPmTest(AcpiPmConfig config = {}) : pm(sci, clock, config) {
        bus.map(kPmBase, AcpiPm::kIoSize, pm, "acpi-pm");
        pm.on_power_off = [this] { ++power_offs; };
        pm.on_sleep = [this](uint8_t t) { sleeps.push_back(t); };
    }
    // acpi_hw_legacy_sleep(): clear WAK_STS, write SLP_TYP, then SLP_TYP | SLP_EN.
    void linux_enter_sleep(uint8_t slp_typ) {
        bus.write(PM1_STS, 2, AcpiPm::kWake);
        uint16_t cnt = uint16_t(bus.read(PM1_CNT, 2));
        cnt &= ~(0x1C00 | AcpiPm::kSleepEnable);
        cnt |= uint16_t(slp_typ << 10);
        bus.write(PM1_CNT, 2, cnt);
        bus.write(PM1_CNT, 2, cnt | AcpiPm::kSleepEnable);
    }

    FakeIrq sci;
    ManualClock clock;
    AcpiPm pm;
    IoBus bus{"io"};
    int power_offs = 0;
    std::vector<uint8_t> sleeps;
};

TEST_F(AcpiPmTest, TimerRunsAt3579545Hz) {
    EXPECT_EQ(bus.read(PM_TMR, 4), 0u);
    clock.set(kSecond);
    EXPECT_EQ(bus.read(PM_TMR, 4), 3579545u);
    clock.set(1'000'000);  // 1 ms = 3579.545 ticks
    EXPECT_EQ(bus.read(PM_TMR, 4), 3579u);
    // 24 bits: wraps every 2^24 ticks (~4.69 s); the top byte reads 0.
    clock.set(10 * kSecond);
    EXPECT_EQ(bus.read(PM_TMR, 4), 35795450u & 0xFFFFFF);
    EXPECT_EQ(bus.read(PM_TMR + 3, 1), 0u);
    EXPECT_EQ(bus.read(PM_TMR, 2), (35795450u & 0xFFFF));
    bus.write(PM_TMR, 4, 0);  // read-only
    EXPECT_EQ(pm.timer_value(), 35795450u & 0xFFFFFF);
}

class AcpiPm32Test : public AcpiPmTest {
protected:
    AcpiPm32Test() : AcpiPmTest(AcpiPmConfig{.timer_32bit = true}) {}
};

TEST_F(AcpiPm32Test, ThirtyTwoBitTimer) {
    clock.set(10 * kSecond);
    EXPECT_EQ(bus.read(PM_TMR, 4), 35795450u);
    clock.set(1200 * kSecond);  // 32 bits wrap after ~1200 s
    EXPECT_EQ(bus.read(PM_TMR, 4), uint32_t(1200ull * 3579545));
}

TEST_F(AcpiPmTest, TimerCarrySetsTmrStsAndSci) {
    EXPECT_EQ(bus.read(PM1_STS, 2) & AcpiPm::kTmr, 0u);
    EXPECT_EQ(pm.next_deadline_ns(), TimedDevice::kNever);  // TMR_EN clear
    bus.write(PM1_EN, 2, AcpiPm::kTmr);
    // Bit 23 first flips after 2^23 ticks = 2.343 s.
    const uint64_t deadline = pm.next_deadline_ns();
    EXPECT_EQ(deadline, (uint64_t(1) << 23) * kSecond / 3579545 + 1);
    clock.set(deadline - 1);
    pm.advance(clock.now_ns());
    EXPECT_FALSE(sci.level);
    clock.set(deadline);
    pm.advance(clock.now_ns());
    EXPECT_TRUE(sci.level);
    EXPECT_EQ(pm.next_deadline_ns(), TimedDevice::kNever);  // already pending
    EXPECT_TRUE(bus.read(PM1_STS, 2) & AcpiPm::kTmr);
    bus.write(PM1_STS, 2, AcpiPm::kTmr);  // write 1 to clear
    EXPECT_FALSE(sci.level);
    EXPECT_EQ(bus.read(PM1_STS, 2) & AcpiPm::kTmr, 0u);
    EXPECT_GT(pm.next_deadline_ns(), deadline);
}

TEST_F(AcpiPmTest, StatusIsWriteOneToClear) {
    pm.press_power_button();
    EXPECT_EQ(bus.read(PM1_STS, 2), AcpiPm::kPowerButton);
    EXPECT_FALSE(sci.level);  // not enabled
    bus.write(PM1_EN, 2, AcpiPm::kPowerButton);
    EXPECT_TRUE(sci.level);
    bus.write(PM1_STS, 2, 0x0000);  // writing 0 changes nothing
    EXPECT_TRUE(sci.level);
    bus.write(PM1_STS, 1, 0xFF);    // low byte: PWRBTN is in the high byte
    EXPECT_TRUE(sci.level);
    bus.write(PM1_STS, 2, AcpiPm::kPowerButton);
    EXPECT_FALSE(sci.level);
    EXPECT_EQ(bus.read(PM1_STS, 2), 0u);
    EXPECT_EQ(bus.read(PM1_EN, 2), AcpiPm::kPowerButton);
}

TEST_F(AcpiPmTest, SciNeedsSciEn) {
    EXPECT_EQ(bus.read(PM1_CNT, 2) & AcpiPm::kSciEnable, AcpiPm::kSciEnable);
    bus.write(PM1_CNT, 2, 0);
    bus.write(PM1_EN, 2, AcpiPm::kPowerButton);
    pm.press_power_button();
    EXPECT_FALSE(sci.level);
    bus.write(PM1_CNT, 2, AcpiPm::kSciEnable);
    EXPECT_TRUE(sci.level);
}

TEST_F(AcpiPmTest, LinuxPowerOffThroughS5) {
    bus.write(PM1_CNT, 2, AcpiPm::kSciEnable | (3 << 10));  // some other type first
    EXPECT_EQ(power_offs, 0);
    linux_enter_sleep(0);  // PIIX4's soft-off type, as our \_S5 declares
    EXPECT_EQ(power_offs, 1);
    EXPECT_TRUE(sleeps.empty());
    // SLP_EN is write-only; SLP_TYP and SCI_EN stay.
    EXPECT_EQ(bus.read(PM1_CNT, 2), AcpiPm::kSciEnable);
}

TEST_F(AcpiPmTest, OtherSleepTypesAreReportedNotPowerOff) {
    linux_enter_sleep(1);
    EXPECT_EQ(power_offs, 0);
    EXPECT_EQ(sleeps, std::vector<uint8_t>{1});
    // Writing SLP_TYP alone never sleeps.
    bus.write(PM1_CNT, 2, AcpiPm::kSciEnable | (5 << 10));
    EXPECT_EQ(sleeps.size(), 1u);
}

TEST_F(AcpiPmTest, ByteWritesOfPm1Cnt) {
    // The high byte alone carries SLP_TYP (bits 10-12) and SLP_EN (bit 13).
    bus.write(PM1_CNT + 1, 1, 0x20 | (0 << 2));
    EXPECT_EQ(power_offs, 1);
}

TEST_F(AcpiPmTest, Gpe0Block) {
    pm.raise_gpe(3);
    EXPECT_EQ(bus.read(GPE0_STS, 1), 0x08u);
    EXPECT_FALSE(sci.level);
    bus.write(GPE0_EN, 1, 0x08);
    EXPECT_TRUE(sci.level);
    bus.write(GPE0_STS, 1, 0x08);
    EXPECT_FALSE(sci.level);
    EXPECT_EQ(bus.read(kPmBase + 0x10, 1), 0xFFu);  // nothing beyond GPE0
}

TEST_F(AcpiPmTest, SnapshotRoundTrip) {
    bus.write(PM1_EN, 2, AcpiPm::kPowerButton);
    pm.press_power_button();
    AcpiPmState saved = pm.state();
    FakeIrq sci2;
    AcpiPm other(sci2, clock);
    other.restore(saved);
    EXPECT_TRUE(sci2.level);
    EXPECT_EQ(other.read(0, 2), AcpiPm::kPowerButton);
}

// ---- Tables -------------------------------------------------------------------------

uint32_t le32(const std::vector<uint8_t>& m, size_t at) {
    return m[at] | (m[at + 1] << 8) | (m[at + 2] << 16) | (uint32_t(m[at + 3]) << 24);
}
uint16_t le16(const std::vector<uint8_t>& m, size_t at) { return uint16_t(m[at] | (m[at + 1] << 8)); }
uint64_t le64(const std::vector<uint8_t>& m, size_t at) {
    return le32(m, at) | (uint64_t(le32(m, at + 4)) << 32);
}
std::string text(const std::vector<uint8_t>& m, size_t at, size_t n) {
    return std::string(m.begin() + at, m.begin() + at + n);
}
uint8_t sum(const std::vector<uint8_t>& m, size_t at, size_t n) {
    return AcpiTableBuilder::checksum(std::span(m).subspan(at, n));
}

// Linux's acpi_find_root_pointer(): every 16 bytes of 0xE0000-0xFFFFF, with checksum.
uint32_t scan_for_rsdp(const std::vector<uint8_t>& mem) {
    for (uint32_t a = 0xE0000; a < 0x100000; a += 16)
        if (text(mem, a, 8) == "RSD PTR " && sum(mem, a, 20) == 0) return a;
    return 0;
}

TEST(AcpiTables, RsdpLayoutAndChecksums) {
    std::vector<uint8_t> mem(0x100000, 0);
    AcpiTables t = AcpiTableBuilder().write_to(mem, 0xF5A40);
    EXPECT_EQ(scan_for_rsdp(mem), 0xF5A40u);
    const size_t r = 0xF5A40;
    EXPECT_EQ(text(mem, r + 9, 6), "VMM86 ");
    EXPECT_EQ(mem[r + 15], 2);                 // revision
    EXPECT_EQ(le32(mem, r + 16), t.rsdt_address);
    EXPECT_EQ(le32(mem, r + 20), 36u);         // length
    EXPECT_EQ(le64(mem, r + 24), t.xsdt_address);
    EXPECT_EQ(sum(mem, r, 36), 0);             // extended checksum
    EXPECT_LE(t.tables_end, 0x100000u);
}

TEST(AcpiTables, RsdtXsdtPointAtFadt) {
    AcpiTables t = AcpiTableBuilder().build(0xF0000, 0xF0040);
    EXPECT_EQ(text(t.rsdt, 0, 4), "RSDT");
    EXPECT_EQ(le32(t.rsdt, 4), 40u);
    EXPECT_EQ(sum(t.rsdt, 0, t.rsdt.size()), 0);
    EXPECT_EQ(le32(t.rsdt, 36), t.fadt_address);
    EXPECT_EQ(text(t.xsdt, 0, 4), "XSDT");
    EXPECT_EQ(le32(t.xsdt, 4), 44u);
    EXPECT_EQ(sum(t.xsdt, 0, t.xsdt.size()), 0);
    EXPECT_EQ(le64(t.xsdt, 36), t.fadt_address);
}

TEST(AcpiTables, FadtFieldOffsets) {
    AcpiTables t = AcpiTableBuilder().build(0xF0000, 0xF0040);
    const auto& f = t.fadt;
    ASSERT_EQ(f.size(), 244u);
    EXPECT_EQ(text(f, 0, 4), "FACP");
    EXPECT_EQ(le32(f, 4), 244u);
    EXPECT_EQ(f[8], 3);  // ACPI 2.0 FADT
    EXPECT_EQ(sum(f, 0, f.size()), 0);
    EXPECT_EQ(le32(f, 36), t.facs_address);  // FIRMWARE_CTRL
    EXPECT_EQ(le32(f, 40), t.dsdt_address);  // DSDT
    EXPECT_EQ(le16(f, 46), 9u);              // SCI_INT
    EXPECT_EQ(le32(f, 48), 0u);              // SMI_CMD: no SMM, always in ACPI mode
    EXPECT_EQ(le32(f, 56), 0x600u);          // PM1a_EVT_BLK
    EXPECT_EQ(le32(f, 60), 0u);              // PM1b_EVT_BLK
    EXPECT_EQ(le32(f, 64), 0x604u);          // PM1a_CNT_BLK
    EXPECT_EQ(le32(f, 76), 0x608u);          // PM_TMR_BLK
    EXPECT_EQ(le32(f, 80), 0x60Cu);          // GPE0_BLK
    EXPECT_EQ(f[88], 4);                     // PM1_EVT_LEN
    EXPECT_EQ(f[89], 2);                     // PM1_CNT_LEN
    EXPECT_EQ(f[90], 0);                     // PM2_CNT_LEN
    EXPECT_EQ(f[91], 4);                     // PM_TMR_LEN
    EXPECT_EQ(f[92], 4);                     // GPE0_BLK_LEN
    EXPECT_GT(le16(f, 96), 100u);            // P_LVL2_LAT: no C2
    EXPECT_GT(le16(f, 98), 1000u);           // P_LVL3_LAT: no C3
    EXPECT_EQ(f[108], 0x32);                 // CENTURY
    EXPECT_EQ(le16(f, 109), 0x0003u);        // IAPC_BOOT_ARCH: legacy devices, 8042
    const uint32_t flags = le32(f, 112);
    EXPECT_TRUE(flags & (1u << 10));   // RESET_REG_SUP
    EXPECT_TRUE(flags & (1u << 0));    // WBINVD
    EXPECT_FALSE(flags & (1u << 4));   // fixed power button present
    EXPECT_FALSE(flags & (1u << 8));   // 24-bit timer
    // RESET_REG: System I/O, 8 bits at 0xCF9; RESET_VALUE 6.
    EXPECT_EQ(f[116], 1);
    EXPECT_EQ(f[117], 8);
    EXPECT_EQ(f[118], 0);
    EXPECT_EQ(le64(f, 120), 0xCF9u);
    EXPECT_EQ(f[128], 0x06);
    EXPECT_EQ(le64(f, 132), 0u);             // X_FIRMWARE_CTRL: use the 32-bit field
    EXPECT_EQ(le64(f, 140), t.dsdt_address);  // X_DSDT
    // X_PM1a_EVT_BLK, X_PM1a_CNT_BLK, X_PM_TMR_BLK, X_GPE0_BLK as GAS.
    EXPECT_EQ(f[148], 1);
    EXPECT_EQ(f[149], 32);
    EXPECT_EQ(le64(f, 152), 0x600u);
    EXPECT_EQ(f[173], 16);
    EXPECT_EQ(le64(f, 176), 0x604u);
    EXPECT_EQ(f[209], 32);
    EXPECT_EQ(le64(f, 212), 0x608u);
    EXPECT_EQ(le64(f, 224), 0x60Cu);
}

TEST(AcpiTables, ConfigReachesFadt) {
    AcpiConfig c;
    c.pm_io_base = 0xB000;
    c.timer_32bit = true;
    c.fixed_power_button = false;
    c.century_index = 0x48;
    AcpiTables t = AcpiTableBuilder(c).build(0xE0000, 0xE0100);
    EXPECT_EQ(le32(t.fadt, 76), 0xB008u);
    EXPECT_TRUE(le32(t.fadt, 112) & (1u << 8));
    EXPECT_TRUE(le32(t.fadt, 112) & (1u << 4));
    EXPECT_EQ(t.fadt[108], 0x48);
}

TEST(AcpiTables, FacsAndDsdt) {
    AcpiTables t = AcpiTableBuilder().build(0xF0000, 0xF0024);
    EXPECT_EQ(t.facs_address % 64, 0u);
    EXPECT_EQ(text(t.facs, 0, 4), "FACS");
    EXPECT_EQ(le32(t.facs, 4), 64u);
    EXPECT_EQ(text(t.dsdt, 0, 4), "DSDT");
    EXPECT_EQ(le32(t.dsdt, 4), t.dsdt.size());
    EXPECT_EQ(sum(t.dsdt, 0, t.dsdt.size()), 0);
    // Name (_S5, Package (4) {0, 0, 0, 0})
    const std::vector<uint8_t> aml(t.dsdt.begin() + 36, t.dsdt.end());
    EXPECT_EQ(aml, (std::vector<uint8_t>{0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0}));
    EXPECT_EQ(AcpiTableBuilder::s5_aml(5),
              (std::vector<uint8_t>{0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 5, 0x0A, 5, 0, 0}));
}

TEST(AcpiTables, RejectsBadPlacement) {
    AcpiTableBuilder b;
    EXPECT_THROW(b.build(0xF0008, 0xF1000), std::invalid_argument);   // not 16-aligned
    EXPECT_THROW(b.build(0x9FC00, 0xF1000), std::invalid_argument);   // below 0xE0000
    EXPECT_THROW(b.build(0xF0000, 0xF0000), std::invalid_argument);   // overlaps FACS
    std::vector<uint8_t> small(0xF0010, 0);
    EXPECT_THROW(b.write_to(small, 0xF0000), std::out_of_range);
}

// Value of the first element of \_S5 in a DSDT, decoded as an AML interpreter would.
int s5_type_from_dsdt(const std::vector<uint8_t>& mem, uint32_t dsdt) {
    const uint32_t len = le32(mem, dsdt + 4);
    for (uint32_t p = dsdt + 36; p + 8 < dsdt + len; ++p) {
        if (mem[p] != 0x08 || text(mem, p + 1, 4) != "_S5_" || mem[p + 5] != 0x12) continue;
        const uint8_t op = mem[p + 8];  // after PkgLength and NumElements
        if (op == 0x00 || op == 0x01) return op;
        if (op == 0x0A) return mem[p + 9];
    }
    return -1;
}

class AcpiEndToEnd : public AcpiPmTest {};

TEST_F(AcpiEndToEnd, OsFollowsTablesToPowerOff) {
    std::vector<uint8_t> mem(0x100000, 0);
    AcpiTableBuilder().write_to(mem, 0xF0000, 0xE0000);
    const uint32_t rsdp = scan_for_rsdp(mem);
    ASSERT_NE(rsdp, 0u);
    const uint32_t rsdt = le32(mem, rsdp + 16);
    ASSERT_EQ(text(mem, rsdt, 4), "RSDT");
    const uint32_t fadt = le32(mem, rsdt + 36);
    ASSERT_EQ(text(mem, fadt, 4), "FACP");
    ASSERT_EQ(sum(mem, fadt, le32(mem, fadt + 4)), 0);
    const uint32_t pm1a_cnt = le32(mem, fadt + 64);
    const int s5 = s5_type_from_dsdt(mem, le32(mem, fadt + 40));
    ASSERT_EQ(s5, 0);
    // acpi_enter_sleep_state(ACPI_STATE_S5) on the device the board mapped.
    bus.write(pm1a_cnt, 2, uint16_t(s5 << 10) | AcpiPm::kSciEnable);
    EXPECT_EQ(power_offs, 0);
    bus.write(pm1a_cnt, 2, uint16_t(s5 << 10) | AcpiPm::kSciEnable | AcpiPm::kSleepEnable);
    EXPECT_EQ(power_offs, 1);
}

}  // namespace
}  // namespace vmm86
