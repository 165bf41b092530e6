// The BIOS memory map (INT 15h AX=E820h) as a firmware-less boot hands it to Linux in
// boot_params.e820_table: what is RAM, what the board reserves, where the ACPI tables are.
//
// The PC layout it starts from: RAM 0-0x9FC00 (conventional memory; the top 1 KiB is
// where a BIOS keeps its EBDA), reserved 0x9FC00-0x100000 (EBDA, VGA window, option and
// BIOS ROMs: the RSDP and the ACPI tables of bios/acpi_tables.h live in there), RAM from
// 1 MiB to the end of RAM. A board adds whatever else it reserves (ACPI tables at the top
// of RAM, the flash at 4 GiB, ...); those ranges are cut out of the RAM they overlap.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace vmm86 {

enum class E820Type : uint32_t {
    Ram = 1, Reserved = 2, Acpi = 3, AcpiNvs = 4, Unusable = 5,
};

struct E820Entry {
    uint64_t addr = 0;
    uint64_t size = 0;
    E820Type type = E820Type::Ram;

    uint64_t end() const { return addr + size; }
    bool operator==(const E820Entry&) const = default;
};

struct E820Map {
    // boot_params has room for 128 entries (E820_MAX_ENTRIES_ZEROPAGE).
    static constexpr size_t kMaxEntries = 128;
    static constexpr uint64_t kEbdaStart = 0x9FC00;   // 639 KiB of conventional memory
    static constexpr uint64_t kHighMemStart = 0x100000;
    static constexpr size_t kEntryBytes = 20;           // u64 addr, u64 size, u32 type

    std::vector<E820Entry> entries;  // sorted by address, no overlaps, neighbours merged

    // The standard PC map for `ram_bytes` of RAM with `board` ranges painted over it (a
    // later range wins where two overlap). Throws std::invalid_argument when there is
    // less than 1 MiB + 4 KiB of RAM, a board range is empty or wraps, or the map needs
    // more than kMaxEntries entries.
    static E820Map build(uint64_t ram_bytes, std::span<const E820Entry> board = {});

    // End of the RAM entry that starts at 1 MiB: the top of the memory a kernel and its
    // initrd are loaded into (0 if there is none).
    uint64_t high_ram_end() const;
    // True when [addr, addr+size) lies inside one RAM entry.
    bool is_ram(uint64_t addr, uint64_t size) const;
    // The table as boot_params.e820_table stores it: kEntryBytes per entry.
    std::vector<uint8_t> encode() const;
};

}  // namespace vmm86
