#include "bios/acpi_tables.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "devices/acpi_pm.h"

namespace vmm86 {

namespace {

uint32_t align_up(uint32_t value, uint32_t alignment) {
    return (value + alignment - 1) & ~(alignment - 1);
}

void put8(std::vector<uint8_t>& t, size_t at, uint8_t v) { t[at] = v; }
void put16(std::vector<uint8_t>& t, size_t at, uint16_t v) {
    for (unsigned i = 0; i < 2; ++i) t[at + i] = uint8_t(v >> (8 * i));
}
void put32(std::vector<uint8_t>& t, size_t at, uint32_t v) {
    for (unsigned i = 0; i < 4; ++i) t[at + i] = uint8_t(v >> (8 * i));
}
void put64(std::vector<uint8_t>& t, size_t at, uint64_t v) {
    for (unsigned i = 0; i < 8; ++i) t[at + i] = uint8_t(v >> (8 * i));
}
void put_text(std::vector<uint8_t>& t, size_t at, const std::string& s, size_t width) {
    for (size_t i = 0; i < width; ++i) t[at + i] = i < s.size() ? uint8_t(s[i]) : uint8_t(' ');
}

// Generic Address Structure (ACPI 6.x, 5.2.3.2): space, bit width, bit offset, access
// size, address. Access size stays 0 ("undefined", the only value ACPI 2.0 allows), which
// makes OSPM access the register at its bit width.
constexpr uint8_t kSystemIo = 1;
void put_gas(std::vector<uint8_t>& t, size_t at, uint8_t bit_width, uint64_t address) {
    put8(t, at, kSystemIo);
    put8(t, at + 1, bit_width);
    put8(t, at + 2, 0);
    put8(t, at + 3, 0);
    put64(t, at + 4, address);
}

// FADT field offsets (ACPI 6.x table 5.9).
enum FadtOffset : size_t {
    kFirmwareCtrl = 36, kDsdt = 40, kSciInt = 46, kSmiCmd = 48, kPm1aEvtBlk = 56,
    kPm1aCntBlk = 64, kPmTmrBlk = 76, kGpe0Blk = 80, kPm1EvtLen = 88, kPm1CntLen = 89,
    kPmTmrLen = 91, kGpe0BlkLen = 92, kPLvl2Lat = 96, kPLvl3Lat = 98, kCentury = 108,
    kIapcBootArch = 109, kFlags = 112, kResetReg = 116, kResetValue = 128, kXDsdt = 140,
    kXPm1aEvtBlk = 148, kXPm1aCntBlk = 172, kXPmTmrBlk = 208, kXGpe0Blk = 220,
};

// FADT flags.
constexpr uint32_t kFlagWbinvd = 1u << 0, kFlagProcC1 = 1u << 2, kFlagPwrButton = 1u << 4,
                   kFlagSlpButton = 1u << 5, kFlagFixRtc = 1u << 6, kFlagTmrValExt = 1u << 8,
                   kFlagResetRegSup = 1u << 10;
// IA-PC boot architecture flags: ISA devices exist; an 8042 exists (without this bit a
// revision >= 3 FADT makes Linux skip the i8042 probe: "firmware absent").
constexpr uint16_t kBootLegacyDevices = 1u << 0, kBoot8042 = 1u << 1;

}  // namespace

uint8_t AcpiTableBuilder::checksum(std::span<const uint8_t> bytes) {
    uint8_t sum = 0;
    for (uint8_t b : bytes) sum = uint8_t(sum + b);
    return sum;
}

std::vector<uint8_t> AcpiTableBuilder::header(const char signature[4], uint8_t revision) const {
    // System description table header (ACPI 6.x, 5.2.6); length and checksum are filled
    // in by finish().
    std::vector<uint8_t> t(36, 0);
    std::memcpy(t.data(), signature, 4);
    put8(t, 8, revision);
    put_text(t, 10, config_.oem_id, 6);
    put_text(t, 16, "VMM86PC", 8);  // OEM table ID
    put32(t, 24, 1);                // OEM revision
    put_text(t, 28, "VM86", 4);     // creator ID
    put32(t, 32, 1);                // creator revision
    return t;
}

void AcpiTableBuilder::finish(std::vector<uint8_t>& table) {
    put32(table, 4, uint32_t(table.size()));
    table[9] = 0;
    table[9] = uint8_t(-checksum(table));
}

std::vector<uint8_t> AcpiTableBuilder::s5_aml(uint8_t sleep_type) {
    // Name (_S5, Package (4) { SLP_TYPa, SLP_TYPb, 0, 0 }) at the root scope of the DSDT.
    // Linux's acpi_get_sleep_type_data() reads the first two elements.
    std::vector<uint8_t> elements;
    auto integer = [&](uint8_t v) {
        if (v == 0) {
            elements.push_back(0x00);  // ZeroOp
        } else if (v == 1) {
            elements.push_back(0x01);  // OneOp
        } else {
            elements.push_back(0x0A);  // BytePrefix
            elements.push_back(v);
        }
    };
    integer(sleep_type);
    integer(sleep_type);
    integer(0);
    integer(0);
    std::vector<uint8_t> aml = {0x08, '_', 'S', '5', '_', 0x12};  // NameOp, name, PackageOp
    // A one-byte PkgLength counts itself, NumElements and the elements (< 64 bytes).
    aml.push_back(uint8_t(1 + 1 + elements.size()));
    aml.push_back(4);  // NumElements
    aml.insert(aml.end(), elements.begin(), elements.end());
    return aml;
}

std::vector<uint8_t> AcpiTableBuilder::build_fadt(uint32_t facs, uint32_t dsdt) const {
    std::vector<uint8_t> t = header("FACP", kFadtRevision);
    t.resize(kFadtLength, 0);
    const uint32_t base = config_.pm_io_base;
    put32(t, kFirmwareCtrl, facs);
    put32(t, kDsdt, dsdt);
    put16(t, kSciInt, config_.sci_irq);
    put32(t, kSmiCmd, 0);  // no SMM: the chipset is always in ACPI mode (SCI_EN set)
    put32(t, kPm1aEvtBlk, base + AcpiPm::kPm1EventOffset);
    put32(t, kPm1aCntBlk, base + AcpiPm::kPm1ControlOffset);
    put32(t, kPmTmrBlk, base + AcpiPm::kPmTimerOffset);
    put32(t, kGpe0Blk, base + AcpiPm::kGpe0Offset);
    put8(t, kPm1EvtLen, AcpiPm::kPm1EventLength);
    put8(t, kPm1CntLen, AcpiPm::kPm1ControlLength);
    put8(t, kPmTmrLen, AcpiPm::kPmTimerLength);
    put8(t, kGpe0BlkLen, AcpiPm::kGpe0Length);
    // Latencies above 100 us (C2) and 1000 us (C3) mean "not supported".
    put16(t, kPLvl2Lat, 0x0FFF);
    put16(t, kPLvl3Lat, 0x0FFF);
    put8(t, kCentury, config_.century_index);
    put16(t, kIapcBootArch, kBootLegacyDevices | kBoot8042);
    uint32_t flags = kFlagWbinvd | kFlagProcC1 | kFlagSlpButton | kFlagFixRtc | kFlagResetRegSup;
    if (!config_.fixed_power_button) flags |= kFlagPwrButton;
    if (config_.timer_32bit) flags |= kFlagTmrValExt;
    put32(t, kFlags, flags);
    put_gas(t, kResetReg, 8, config_.reset_port);
    put8(t, kResetValue, config_.reset_value);
    // 64-bit copies: equal to the 32-bit fields, so ACPICA sees no mismatch.
    // X_FIRMWARE_CTRL stays 0, which tells OSPM to use FIRMWARE_CTRL.
    put64(t, kXDsdt, dsdt);
    put_gas(t, kXPm1aEvtBlk, 8 * AcpiPm::kPm1EventLength, base + AcpiPm::kPm1EventOffset);
    put_gas(t, kXPm1aCntBlk, 8 * AcpiPm::kPm1ControlLength, base + AcpiPm::kPm1ControlOffset);
    put_gas(t, kXPmTmrBlk, 8 * AcpiPm::kPmTimerLength, base + AcpiPm::kPmTimerOffset);
    put_gas(t, kXGpe0Blk, 8 * AcpiPm::kGpe0Length, base + AcpiPm::kGpe0Offset);
    finish(t);
    return t;
}

AcpiTables AcpiTableBuilder::build(uint32_t rsdp_address, uint32_t tables_address) const {
    if (rsdp_address % 16 || rsdp_address < kBiosAreaStart || rsdp_address + 36 > kBiosAreaEnd)
        throw std::invalid_argument("ACPI: the RSDP must be 16-byte aligned in 0xE0000-0xFFFFF");
    AcpiTables out;
    out.rsdp_address = rsdp_address;

    // FACS: no checksum; 64-byte alignment is required (ACPI 6.x, 5.2.10).
    uint32_t at = align_up(tables_address, 64);
    out.facs_address = at;
    out.facs.assign(64, 0);
    std::memcpy(out.facs.data(), "FACS", 4);
    put32(out.facs, 4, 64);
    put8(out.facs, 32, 1);  // version 1: ACPI 2.0 layout with X_FIRMWARE_WAKING_VECTOR
    at += 64;

    out.dsdt_address = at;
    out.dsdt = header("DSDT", 2);  // revision 2: 64-bit AML integers
    std::vector<uint8_t> aml = s5_aml(config_.s5_sleep_type);
    out.dsdt.insert(out.dsdt.end(), aml.begin(), aml.end());
    finish(out.dsdt);
    at = align_up(at + uint32_t(out.dsdt.size()), 16);

    out.fadt_address = at;
    out.fadt = build_fadt(out.facs_address, out.dsdt_address);
    at = align_up(at + kFadtLength, 16);

    out.rsdt_address = at;
    out.rsdt = header("RSDT", 1);
    out.rsdt.resize(40);
    put32(out.rsdt, 36, out.fadt_address);
    finish(out.rsdt);
    at = align_up(at + uint32_t(out.rsdt.size()), 16);

    out.xsdt_address = at;
    out.xsdt = header("XSDT", 1);
    out.xsdt.resize(44);
    put64(out.xsdt, 36, out.fadt_address);
    finish(out.xsdt);
    out.tables_end = at + uint32_t(out.xsdt.size());

    if (rsdp_address + 36 > out.facs_address && rsdp_address < out.tables_end)
        throw std::invalid_argument("ACPI: the RSDP overlaps the tables");

    // RSDP (ACPI 6.x, 5.2.5.3): the first checksum covers the ACPI 1.0 part (20 bytes),
    // the extended one all 36.
    out.rsdp.assign(36, 0);
    std::memcpy(out.rsdp.data(), "RSD PTR ", 8);
    put_text(out.rsdp, 9, config_.oem_id, 6);
    put8(out.rsdp, 15, 2);  // revision 2: XSDT present
    put32(out.rsdp, 16, out.rsdt_address);
    put32(out.rsdp, 20, 36);
    put64(out.rsdp, 24, out.xsdt_address);
    out.rsdp[8] = uint8_t(-checksum(std::span(out.rsdp).first(20)));
    out.rsdp[32] = uint8_t(-checksum(out.rsdp));
    return out;
}

AcpiTables AcpiTableBuilder::write_to(std::span<uint8_t> memory_image, uint32_t rsdp_address,
                                      uint32_t tables_address) const {
    AcpiTables tables = build(rsdp_address, tables_address);
    if (tables.tables_end > memory_image.size() || rsdp_address + 36u > memory_image.size())
        throw std::out_of_range("ACPI: tables do not fit in the memory image");
    auto place = [&](uint32_t address, const std::vector<uint8_t>& bytes) {
        std::copy(bytes.begin(), bytes.end(), memory_image.begin() + address);
    };
    place(tables.rsdp_address, tables.rsdp);
    place(tables.facs_address, tables.facs);
    place(tables.dsdt_address, tables.dsdt);
    place(tables.fadt_address, tables.fadt);
    place(tables.rsdt_address, tables.rsdt);
    place(tables.xsdt_address, tables.xsdt);
    return tables;
}

AcpiTables AcpiTableBuilder::write_to(std::span<uint8_t> memory_image, uint32_t base) const {
    return write_to(memory_image, base, base + 36);
}

}  // namespace vmm86
