// Direct Linux boot without a BIOS: the 32-bit boot protocol of Documentation/x86/boot.rst.
//
// plan_linux_boot() checks a bzImage's setup header (and an initrd), lays out guest-
// physical memory and says how the CPU must be left at the kernel's 32-bit entry. It
// depends on no CPU or memory class: the plan is byte blobs with addresses plus plain
// register and segment values, which the machine copies and loads.
//
// Layout (all in the e820 RAM below 640 KiB, except the kernel and the initrd):
//   0x10000  boot_params ("zero page", 4 KiB): the setup header copied in at 0x1F1 and
//            filled in, e820 table at 0x2D0, RSDP address at 0x70
//   0x11000  GDT: null, null, 0x10 flat 4 GiB code, 0x18 flat 4 GiB data
//   0x20000  kernel command line, NUL-terminated
//   0x100000 the protected-mode kernel (the bzImage after its setup sectors)
//   initrd   page aligned, as high as RAM top and the kernel's initrd_addr_max allow
// The real-mode setup code is not loaded: the 32-bit protocol skips it.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bios/e820.h"

namespace vmm86 {

// The setup header fields vmm86 reads, as the image holds them (setup_sects already
// turned 0 into 4; fields the image's protocol version predates hold their defaults).
struct LinuxSetupHeader {
    uint16_t version = 0;           // 0x206: boot protocol, e.g. 0x020F = 2.15
    uint8_t setup_sects = 0;        // 0x1F1 (0 in the image means 4)
    uint32_t syssize = 0;           // 0x1F4: protected-mode code size in 16-byte units
    uint8_t loadflags = 0;          // 0x211
    uint32_t code32_start = 0;      // 0x214
    uint32_t initrd_addr_max = 0;   // 0x22C: highest address the initrd may occupy
    uint32_t kernel_alignment = 0;  // 0x230 (2.05+)
    bool relocatable = false;       // 0x234 (2.05+)
    uint16_t xloadflags = 0;        // 0x236 (2.12+)
    uint32_t cmdline_size = 255;    // 0x238 (2.06+): longest command line without its NUL
    uint64_t pref_address = 0;      // 0x258 (2.10+): where the kernel decompresses itself
    uint32_t init_size = 0;         // 0x260 (2.10+): memory it needs from there
    uint32_t header_end = 0;        // 0x202 + byte at 0x201: end of the header to copy
    std::string kernel_version;     // the string at 0x200 + kernel_version, if any

    uint32_t setup_bytes() const { return (uint32_t(setup_sects) + 1) * 512; }
    uint64_t protected_mode_bytes() const { return uint64_t(syssize) * 16; }
};

// Load flags (0x211) and extended load flags (0x236).
enum : uint8_t { kLoadedHigh = 0x01, kKeepSegments = 0x40, kCanUseHeap = 0x80 };
enum : uint16_t { kXlfKernel64 = 0x01 };

// Checks the setup header of a bzImage. Throws std::runtime_error("NAME: reason") for a
// file that is no bzImage, is truncated, or needs what vmm86 does not do (protocol older
// than 2.04, a zImage, a 64-bit kernel, a non-relocatable kernel not linked at 1 MiB).
LinuxSetupHeader parse_linux_setup_header(std::span<const uint8_t> kernel, const std::string& name);

// Checks that an initrd is what Linux unpacks: cpio "newc" archives, optionally
// compressed, one after another, with zero padding between them. gzip members are
// inflated to the end (that catches truncation and corruption); other compressions
// Linux knows (xz, zstd, bzip2, lzma, lzo, lz4) are accepted by their magic. Throws
// std::runtime_error("NAME: reason").
void check_initrd(std::span<const uint8_t> initrd, const std::string& name);

// Reads a whole file; throws std::runtime_error("WHAT PATH: reason") (e.g. "kernel
// /x/vmlinuz: No such file or directory", or "is empty").
std::vector<uint8_t> read_boot_file(const std::string& path, const std::string& what);

struct LinuxBootConfig {
    uint64_t ram_bytes = 64ull << 20;
    std::string cmdline;
    std::vector<E820Entry> board_ranges;  // painted over the PC e820 map (see e820.h)
    uint64_t acpi_rsdp_addr = 0;          // boot_params.acpi_rsdp_addr, 0 = let Linux scan
    std::string kernel_name = "kernel";   // used in error messages
    std::string initrd_name = "initrd";
};

// One flat segment register as its descriptor cache must be: the packing of
// CpuState's SegmentCache (attributes = descriptor bits 40-47 and 52-55; bits 8-11,
// which the CPU derives on a load, are 0 here).
struct BootSegment {
    uint16_t selector = 0;
    uint32_t base = 0;
    uint32_t limit = 0;        // byte granular
    uint16_t attributes = 0;
};

// The CPU at the kernel's 32-bit entry (boot.rst, "32-bit BOOT PROTOCOL"): protected
// mode, paging off, interrupts off, CS = 0x10 and DS/ES/SS = 0x18 flat 4 GiB from a GDT
// in memory, ESI = boot_params, EBP = EDI = EBX = 0.
struct LinuxEntryState {
    uint32_t eip = 0, esi = 0;
    uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0, ebp = 0, edi = 0;
    uint32_t esp = 0;          // the protocol sets none; the decompressor sets its own
    uint32_t eflags = 0x2;     // IF = 0 (bit 1 always reads 1)
    uint32_t cr0 = 0x11;       // PE | ET; PG = 0, caches on (CD = NW = 0) as a BIOS leaves it
    uint32_t gdt_base = 0;
    uint16_t gdt_limit = 0;
    uint32_t idt_base = 0;     // the protocol asks for no IDT: interrupts are off
    uint16_t idt_limit = 0;
    BootSegment cs, ds, es, ss, fs, gs;  // FS and GS get the data segment too
};

struct BootBlob {
    uint32_t address = 0;
    std::vector<uint8_t> bytes;
    std::string what;  // "boot_params", "gdt", "cmdline", "kernel", "initrd"
};

struct LinuxBootPlan {
    static constexpr uint32_t kBootParams = 0x10000;
    static constexpr uint32_t kGdt = 0x11000;
    static constexpr uint32_t kCmdline = 0x20000;
    static constexpr uint32_t kKernel = 0x100000;
    static constexpr uint16_t kCodeSelector = 0x10, kDataSelector = 0x18;
    // The heap the real-mode setup would use ends 0x200 below 0xE000 (boot.rst's layout
    // for a setup at X with the command line at X+0x10000); unused on the 32-bit path.
    static constexpr uint16_t kHeapEnd = 0xDE00;
    // Flat 4 GiB descriptors: G = 1, D/B = 1, present, DPL 0, accessed; code
    // execute/read (9Bh), data read/write (93h).
    static constexpr uint64_t kCodeDescriptor = 0x00CF9B000000FFFFull;
    static constexpr uint64_t kDataDescriptor = 0x00CF93000000FFFFull;

    LinuxSetupHeader header;
    E820Map e820;
    std::vector<BootBlob> blobs;  // no two overlap; all inside e820 RAM
    LinuxEntryState entry;
    uint32_t initrd_addr = 0, initrd_size = 0;
    // Where the kernel decompresses itself ([start, end)); the initrd stays above it.
    uint64_t decompress_start = 0, decompress_end = 0;

    // Copies every blob into a flat image of guest-physical memory (index = address).
    // Throws std::out_of_range when a blob does not fit.
    void write_to(std::span<uint8_t> memory) const;
    // One line for a log: kernel version, protocol, sizes and addresses.
    std::string summary() const;
};

// Builds the plan. Throws std::runtime_error("NAME: reason") for a bad kernel or initrd,
// or a command line longer than the kernel accepts, and when the RAM is too small for
// the kernel (it needs pref_address + init_size) plus the initrd.
LinuxBootPlan plan_linux_boot(std::span<const uint8_t> kernel,
                              std::optional<std::span<const uint8_t>> initrd,
                              const LinuxBootConfig& config);

}  // namespace vmm86
