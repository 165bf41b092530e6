// ACPI tables for a firmware-less boot (direct kernel boot): RSDP, RSDT, XSDT, FADT,
// FACS and a DSDT whose only object is \_S5, enough for Linux to find the PM registers
// of devices/acpi_pm.h, power off through SLP_TYP|SLP_EN and reset through RESET_REG.
//
// Layout (ACPI 6.x, 5.2): the RSDP sits on a 16-byte boundary in 0xE0000-0xFFFFF, where
// OSes without UEFI scan for "RSD PTR "; the other tables can be anywhere the board
// reserves in e820 (type 3, ACPI reclaimable, or inside the BIOS area). A Linux booted
// directly can also be given the RSDP address in boot_params.acpi_rsdp_addr.
//
// No MADT: without one Linux keeps the 8259 PICs and one CPU, which is this board.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vmm86 {

struct AcpiConfig {
    uint16_t pm_io_base = 0x600;  // where the board maps AcpiPm
    uint16_t sci_irq = 9;         // PIIX4's SCI, level triggered
    uint8_t s5_sleep_type = 0;    // must match AcpiPmConfig::s5_sleep_type
    bool timer_32bit = false;     // must match AcpiPmConfig::timer_32bit
    uint16_t reset_port = 0xCF9;  // ResetControl
    uint8_t reset_value = 0x06;   // SRST | RCPU: hard reset
    uint8_t century_index = 0x32; // CMOS byte holding the century (IBM convention)
    bool fixed_power_button = true;  // AcpiPm::press_power_button() works
    std::string oem_id = "VMM86";    // padded to 6 bytes
};

struct AcpiTables {
    uint32_t rsdp_address = 0, rsdt_address = 0, xsdt_address = 0;
    uint32_t fadt_address = 0, facs_address = 0, dsdt_address = 0;
    std::vector<uint8_t> rsdp, rsdt, xsdt, fadt, facs, dsdt;
    uint32_t tables_end = 0;  // first byte after the last table (for the e820 entry)
};

class AcpiTableBuilder {
public:
    static constexpr uint32_t kBiosAreaStart = 0xE0000;
    static constexpr uint32_t kBiosAreaEnd = 0x100000;
    static constexpr uint32_t kFadtLength = 244;  // ACPI 2.0 FADT, revision 3
    static constexpr uint8_t kFadtRevision = 3;

    explicit AcpiTableBuilder(AcpiConfig config = {}) : config_(std::move(config)) {}

    // Builds every table for the given addresses. Throws std::invalid_argument when the
    // RSDP address is not 16-byte aligned inside 0xE0000-0xFFFFF.
    AcpiTables build(uint32_t rsdp_address, uint32_t tables_address) const;
    // Builds and copies into a guest-physical image (index = address). Throws
    // std::out_of_range when a table would not fit.
    AcpiTables write_to(std::span<uint8_t> memory_image, uint32_t rsdp_address,
                        uint32_t tables_address) const;
    // Everything in the BIOS area: the RSDP at base, the tables right after it.
    AcpiTables write_to(std::span<uint8_t> memory_image, uint32_t base) const;

    // The AML of a DSDT body declaring Name (\_S5, Package () {typ, typ, 0, 0}).
    static std::vector<uint8_t> s5_aml(uint8_t sleep_type);
    // Sum of bytes mod 256: 0 for a valid table.
    static uint8_t checksum(std::span<const uint8_t> bytes);

private:
    std::vector<uint8_t> header(const char signature[4], uint8_t revision) const;
    static void finish(std::vector<uint8_t>& table);
    std::vector<uint8_t> build_fadt(uint32_t facs, uint32_t dsdt) const;

    AcpiConfig config_;
};

}  // namespace vmm86
