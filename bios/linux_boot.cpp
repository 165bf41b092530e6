#include "bios/linux_boot.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace vmm86 {

namespace {

// Setup header offsets in the image and in boot_params (boot.rst, "THE REAL-MODE
// KERNEL HEADER"), and boot_params' own fields (zero-page.rst).
enum : uint32_t {
    kSetupSects = 0x1F1, kSysSize = 0x1F4, kBootFlag = 0x1FE, kJump = 0x200, kMagic = 0x202,
    kVersion = 0x206, kKernelVersion = 0x20E, kTypeOfLoader = 0x210, kLoadFlags = 0x211,
    kCode32Start = 0x214, kRamdiskImage = 0x218, kRamdiskSize = 0x21C, kHeapEndPtr = 0x224,
    kCmdLinePtr = 0x228, kInitrdAddrMax = 0x22C, kKernelAlignment = 0x230,
    kRelocatable = 0x234, kXloadflags = 0x236, kCmdlineSize = 0x238, kPrefAddress = 0x258,
    kInitSize = 0x260,
    kBpAcpiRsdp = 0x070, kBpAltMemK = 0x1E0, kBpE820Entries = 0x1E8,
    kBpHeaderLimit = 0x290,  // edd_mbr_sig_buffer: the header copy stops here
    kBpE820Table = 0x2D0, kBootParamsSize = 0x1000,
};
constexpr uint32_t kPage = 0x1000;
constexpr uint32_t kHdrS = 0x53726448;  // "HdrS"
constexpr uint8_t kLoaderUndefined = 0xFF;

uint32_t get(std::span<const uint8_t> d, size_t at, unsigned bytes) {
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) v |= uint32_t(d[at + i]) << (8 * i);
    return v;
}
uint64_t get64(std::span<const uint8_t> d, size_t at) {
    return get(d, at, 4) | (uint64_t(get(d, at + 4, 4)) << 32);
}
void put(std::vector<uint8_t>& d, size_t at, uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) d[at + i] = uint8_t(v >> (8 * i));
}

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llX", static_cast<unsigned long long>(v));
    return buf;
}
std::string mib(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / (1 << 20));
    return buf;
}

[[noreturn]] void fail(const std::string& name, const std::string& reason) {
    throw std::runtime_error(name + ": " + reason);
}

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// --- initrd formats ------------------------------------------------------------------

// A cpio "newc" archive from `pos` to its TRAILER!!! entry; returns the offset after it.
size_t check_cpio(std::span<const uint8_t> d, size_t pos, const std::string& name) {
    constexpr size_t kHeader = 110;
    for (;;) {
        if (pos + kHeader > d.size()) fail(name, "truncated cpio archive (header at " + hex(pos) + ")");
        if (std::memcmp(&d[pos], "07070", 5) != 0 || (d[pos + 5] != '1' && d[pos + 5] != '2'))
            fail(name, "bad cpio header at " + hex(pos) + " (not \"newc\" format)");
        auto field = [&](size_t off) {
            uint32_t v = 0;
            for (size_t i = 0; i < 8; ++i) {
                const char c = char(d[pos + off + i]);
                const int digit = (c >= '0' && c <= '9') ? c - '0'
                                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
                if (digit < 0) fail(name, "bad cpio header at " + hex(pos) + " (non-hex field)");
                v = (v << 4) | uint32_t(digit);
            }
            return v;
        };
        const uint32_t file_size = field(54), name_size = field(94);
        if (name_size == 0) fail(name, "bad cpio header at " + hex(pos) + " (empty file name)");
        const size_t data = align_up(pos + kHeader + name_size, 4);
        const size_t next = align_up(data + uint64_t(file_size), 4);
        if (pos + kHeader + name_size > d.size() || data + uint64_t(file_size) > d.size())
            fail(name, "truncated cpio archive (entry at " + hex(pos) + ")");
        const char* entry = reinterpret_cast<const char*>(&d[pos + kHeader]);
        if (name_size == 11 && std::memcmp(entry, "TRAILER!!!", 11) == 0)
            return std::min(next, d.size());
        pos = next;
    }
}

// One gzip member from `pos`, inflated to its end (which checks its CRC and length);
// returns the offset after it.
size_t check_gzip(std::span<const uint8_t> d, size_t pos, const std::string& name) {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail(name, "cannot start zlib");
    zs.next_in = const_cast<Bytef*>(&d[pos]);
    zs.avail_in = uInt(std::min<size_t>(d.size() - pos, 1u << 30));
    std::vector<uint8_t> out(1 << 16);
    uint8_t first[6] = {};
    uLong first_len = 0;
    int rc;
    do {
        zs.next_out = out.data();
        zs.avail_out = uInt(out.size());
        rc = inflate(&zs, Z_NO_FLUSH);
        const size_t produced = out.size() - zs.avail_out;
        for (size_t i = 0; i < produced && first_len < sizeof first; ++i) first[first_len++] = out[i];
    } while (rc == Z_OK);
    const size_t end = pos + zs.total_in;
    std::string msg = zs.msg ? zs.msg : "";
    inflateEnd(&zs);
    if (rc == Z_BUF_ERROR)
        fail(name, "truncated gzip data (the member at " + hex(pos) + " ends early)");
    if (rc != Z_STREAM_END)
        fail(name, "corrupt gzip data at " + hex(pos) + (msg.empty() ? "" : " (" + msg + ")"));
    if (first_len < 6 || std::memcmp(first, "07070", 5) != 0)
        fail(name, "the gzip member at " + hex(pos) + " does not hold a cpio \"newc\" archive");
    return end;
}

// The compressions Linux's initramfs unpacker knows besides gzip (lib/decompress.c).
const char* other_compression(std::span<const uint8_t> d, size_t pos) {
    static const struct { uint8_t magic[6]; size_t len; const char* what; } kinds[] = {
        {{0xFD, '7', 'z', 'X', 'Z', 0x00}, 6, "xz"}, {{0x28, 0xB5, 0x2F, 0xFD}, 4, "zstd"},
        {{'B', 'Z', 'h'}, 3, "bzip2"}, {{0x5D, 0x00, 0x00}, 3, "lzma"},
        {{0x89, 'L', 'Z', 'O'}, 4, "lzo"}, {{0x02, 0x21, 0x4C, 0x18}, 4, "lz4"},
    };
    for (const auto& k : kinds)
        if (d.size() - pos >= k.len && std::memcmp(&d[pos], k.magic, k.len) == 0) return k.what;
    return nullptr;
}

}  // namespace

// --- setup header --------------------------------------------------------------------

LinuxSetupHeader parse_linux_setup_header(std::span<const uint8_t> k, const std::string& name) {
    if (k.size() < 1024)
        fail(name, "too small for a Linux bzImage (" + std::to_string(k.size()) + " bytes)");
    if (get(k, kBootFlag, 2) != 0xAA55)
        fail(name, "not a Linux kernel image (no boot flag 0xAA55 at offset 0x1FE)");
    if (get(k, kMagic, 4) != kHdrS)
        fail(name, "no \"HdrS\" setup header at offset 0x202 (not a bzImage, or older than Linux 1.3.73)");
    LinuxSetupHeader h;
    h.version = uint16_t(get(k, kVersion, 2));
    const std::string version = std::to_string(h.version >> 8) + "." + std::to_string(h.version & 0xFF);
    if (h.version < 0x0204)
        fail(name, "boot protocol " + version + " is too old: vmm86 needs 2.04 or newer (Linux 2.6.14+)");
    h.setup_sects = k[kSetupSects] ? k[kSetupSects] : 4;
    h.header_end = kMagic + k[kJump + 1];
    if (h.setup_bytes() > k.size())
        fail(name, "truncated: " + std::to_string(k.size()) + " bytes, less than its " +
                       std::to_string(h.setup_bytes()) + " bytes of setup code");
    // The header must hold every field its version defines that vmm86 reads.
    const uint32_t min_end = h.version >= 0x020A ? kInitSize + 4
                           : h.version >= 0x0206 ? kCmdlineSize + 4
                           : h.version >= 0x0205 ? kRelocatable + 1 : kInitrdAddrMax + 4;
    if (h.header_end > h.setup_bytes() || h.header_end < min_end)
        fail(name, "bad setup header: it ends at " + hex(h.header_end) + ", outside " +
                       hex(min_end) + "-" + hex(h.setup_bytes()) + " for protocol " + version);
    h.syssize = get(k, kSysSize, 4);
    h.loadflags = k[kLoadFlags];
    h.code32_start = get(k, kCode32Start, 4);
    h.initrd_addr_max = get(k, kInitrdAddrMax, 4);
    if (h.version >= 0x0205) {
        h.kernel_alignment = get(k, kKernelAlignment, 4);
        h.relocatable = k[kRelocatable] != 0;
    }
    if (h.version >= 0x0206) h.cmdline_size = get(k, kCmdlineSize, 4);
    if (h.version >= 0x020A) {
        h.pref_address = get64(k, kPrefAddress);
        h.init_size = get(k, kInitSize, 4);
    }
    if (h.version >= 0x020C) h.xloadflags = uint16_t(get(k, kXloadflags, 2));
    if (uint32_t at = get(k, kKernelVersion, 2); at != 0 && kJump + at < h.setup_bytes()) {
        for (size_t i = kJump + at; i < h.setup_bytes() && k[i] != 0 && h.kernel_version.size() < 200; ++i)
            h.kernel_version += char(k[i]);
    }

    if (!(h.loadflags & kLoadedHigh))
        fail(name, "a zImage (loaded below 1 MiB) is not supported: vmm86 boots bzImages");
    if (h.xloadflags & kXlfKernel64)
        fail(name, "a 64-bit (x86-64) kernel: vmm86's CPU is 32-bit, use an i386 kernel");
    if (h.syssize == 0) fail(name, "bad setup header: syssize is 0 (no protected-mode code)");
    const uint64_t need = h.setup_bytes() + h.protected_mode_bytes();
    if (k.size() < need)
        fail(name, "truncated: " + std::to_string(k.size()) + " bytes, its header says " +
                       std::to_string(need) + " (" + std::to_string(h.setup_bytes()) +
                       " setup + " + std::to_string(h.protected_mode_bytes()) + " kernel)");
    if (h.relocatable &&
        (h.kernel_alignment < kPage || (h.kernel_alignment & (h.kernel_alignment - 1)) != 0))
        fail(name, "bad setup header: kernel_alignment " + hex(h.kernel_alignment) +
                       " is not a power of two of at least 4 KiB");
    if (!h.relocatable && h.code32_start != LinuxBootPlan::kKernel)
        fail(name, "not relocatable and linked for " + hex(h.code32_start) +
                       ": vmm86 loads kernels at 1 MiB");
    if (h.cmdline_size == 0) fail(name, "bad setup header: cmdline_size is 0");
    if (h.initrd_addr_max < LinuxBootPlan::kKernel)
        fail(name, "bad setup header: initrd_addr_max " + hex(h.initrd_addr_max) + " is below 1 MiB");
    return h;
}

// --- initrd --------------------------------------------------------------------------

void check_initrd(std::span<const uint8_t> d, const std::string& name) {
    if (d.empty()) fail(name, "is empty");
    bool found = false;
    size_t pos = 0;
    while (pos < d.size()) {
        if (d[pos] == 0) {  // padding between archives
            ++pos;
            continue;
        }
        found = true;
        if (d[pos] == '0') {
            pos = check_cpio(d, pos, name);
        } else if (d.size() - pos >= 2 && d[pos] == 0x1F && (d[pos + 1] == 0x8B || d[pos + 1] == 0x9E)) {
            pos = check_gzip(d, pos, name);
        } else if (other_compression(d, pos)) {
            return;  // not checked further: vmm86 has no decompressor for it
        } else {
            char bytes[16];
            std::snprintf(bytes, sizeof bytes, "%02X %02X", d[pos], pos + 1 < d.size() ? d[pos + 1] : 0);
            fail(name, "not an initramfs: bytes " + std::string(bytes) + " at " + hex(pos) +
                           " start neither a cpio \"newc\" archive nor gzip, xz, zstd, bzip2, "
                           "lzma, lzo or lz4 data");
        }
    }
    if (!found) fail(name, "holds only zero bytes");
}

std::vector<uint8_t> read_boot_file(const std::string& path, const std::string& what) {
    const std::string name = what + " " + path;
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(name, std::strerror(errno));
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(name, "read error");
    if (bytes.empty()) fail(name, "is empty");
    return bytes;
}

// --- the plan ------------------------------------------------------------------------

LinuxBootPlan plan_linux_boot(std::span<const uint8_t> kernel,
                              std::optional<std::span<const uint8_t>> initrd,
                              const LinuxBootConfig& config) {
    LinuxBootPlan plan;
    const LinuxSetupHeader& h = plan.header = parse_linux_setup_header(kernel, config.kernel_name);
    if (config.ram_bytes > (1ull << 32))
        throw std::runtime_error("RAM: " + mib(config.ram_bytes) + " is more than a 32-bit PC holds");
    try {
        plan.e820 = E820Map::build(config.ram_bytes, config.board_ranges);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
    }
    const uint64_t ram_top = plan.e820.high_ram_end();

    // The command line: the kernel takes at most cmdline_size bytes before the NUL.
    if (config.cmdline.find('\0') != std::string::npos)
        throw std::runtime_error("kernel command line: contains a NUL byte");
    if (config.cmdline.size() > h.cmdline_size)
        throw std::runtime_error("kernel command line: " + std::to_string(config.cmdline.size()) +
                                 " bytes, longer than the " + std::to_string(h.cmdline_size) +
                                 " " + config.kernel_name + " accepts");
    if (config.cmdline.size() + 1 > E820Map::kEbdaStart - LinuxBootPlan::kCmdline)
        throw std::runtime_error("kernel command line: does not fit below 640 KiB");

    // Where the kernel will decompress itself (arch/x86/boot/compressed/head_32.S): a
    // relocatable one at its load address rounded up to kernel_alignment, but not below
    // LOAD_PHYSICAL_ADDR (= pref_address); init_size bytes from there. Older headers do
    // not say, so only the loaded image is known to be needed.
    const uint64_t kernel_end = LinuxBootPlan::kKernel + h.protected_mode_bytes();
    if (h.init_size != 0) {
        plan.decompress_start = h.relocatable
            ? std::max(align_up(LinuxBootPlan::kKernel, h.kernel_alignment), h.pref_address)
            : h.pref_address;
        plan.decompress_end = plan.decompress_start + h.init_size;
    } else {
        plan.decompress_start = LinuxBootPlan::kKernel;
        plan.decompress_end = kernel_end;
    }
    const uint64_t kernel_needs = std::max(kernel_end, plan.decompress_end);
    if (ram_top < kernel_needs)
        fail(config.kernel_name, "needs RAM up to " + hex(kernel_needs) + " (" + mib(kernel_needs) +
                                     ") to decompress, the machine's RAM from 1 MiB ends at " +
                                     hex(ram_top));

    // The initrd: as high as RAM and initrd_addr_max allow, page aligned, above the kernel.
    if (initrd) {
        check_initrd(*initrd, config.initrd_name);
        const uint64_t top = std::min<uint64_t>(uint64_t(h.initrd_addr_max) + 1, ram_top);
        const uint64_t size = initrd->size();
        const uint64_t floor = align_up(kernel_needs, kPage);
        if (size > top || ((top - size) & ~uint64_t(kPage - 1)) < floor)
            fail(config.initrd_name,
                 mib(size) + " does not fit between the kernel (up to " + hex(floor) +
                     ") and the top of initrd memory (" + hex(top) + "): give the machine more RAM");
        plan.initrd_addr = uint32_t((top - size) & ~uint64_t(kPage - 1));
        plan.initrd_size = uint32_t(size);
    }

    // boot_params: zeroed, the image's setup header copied in at 0x1F1, then filled.
    std::vector<uint8_t> bp(kBootParamsSize, 0);
    const uint32_t header_copy_end = std::min<uint32_t>(h.header_end, kBpHeaderLimit);
    std::copy(kernel.begin() + kSetupSects, kernel.begin() + header_copy_end, bp.begin() + kSetupSects);
    bp[kTypeOfLoader] = kLoaderUndefined;
    bp[kLoadFlags] = uint8_t((h.loadflags | kCanUseHeap) & ~kKeepSegments);
    put(bp, kHeapEndPtr, LinuxBootPlan::kHeapEnd, 2);
    put(bp, kCmdLinePtr, LinuxBootPlan::kCmdline, 4);
    put(bp, kRamdiskImage, plan.initrd_addr, 4);
    put(bp, kRamdiskSize, plan.initrd_size, 4);
    put(bp, kBpAcpiRsdp, config.acpi_rsdp_addr, 8);
    // Extended memory in KiB: what Linux falls back on without an e820 table.
    put(bp, kBpAltMemK, (ram_top - E820Map::kHighMemStart) >> 10, 4);
    const std::vector<uint8_t> table = plan.e820.encode();
    bp[kBpE820Entries] = uint8_t(plan.e820.entries.size());
    std::copy(table.begin(), table.end(), bp.begin() + kBpE820Table);

    std::vector<uint8_t> gdt(32, 0);
    put(gdt, LinuxBootPlan::kCodeSelector, LinuxBootPlan::kCodeDescriptor, 8);
    put(gdt, LinuxBootPlan::kDataSelector, LinuxBootPlan::kDataDescriptor, 8);

    std::vector<uint8_t> cmdline(config.cmdline.begin(), config.cmdline.end());
    cmdline.push_back(0);

    const auto pm = kernel.subspan(h.setup_bytes(), size_t(h.protected_mode_bytes()));
    plan.blobs.push_back({LinuxBootPlan::kBootParams, std::move(bp), "boot_params"});
    plan.blobs.push_back({LinuxBootPlan::kGdt, std::move(gdt), "gdt"});
    plan.blobs.push_back({LinuxBootPlan::kCmdline, std::move(cmdline), "cmdline"});
    plan.blobs.push_back({LinuxBootPlan::kKernel, std::vector<uint8_t>(pm.begin(), pm.end()), "kernel"});
    if (initrd)
        plan.blobs.push_back({plan.initrd_addr, std::vector<uint8_t>(initrd->begin(), initrd->end()), "initrd"});

    LinuxEntryState& e = plan.entry;
    e.eip = LinuxBootPlan::kKernel;
    e.esi = LinuxBootPlan::kBootParams;
    e.esp = LinuxBootPlan::kBootParams;  // below the zero page, in free conventional RAM
    e.gdt_base = LinuxBootPlan::kGdt;
    e.gdt_limit = 31;
    // Descriptor bits 40-47 and 52-55, as CpuState's SegmentCache packs them.
    auto flat = [](uint16_t selector, uint64_t descriptor) {
        return BootSegment{selector, 0, 0xFFFFFFFFu, uint16_t((descriptor >> 40) & 0xF0FF)};
    };
    e.cs = flat(LinuxBootPlan::kCodeSelector, LinuxBootPlan::kCodeDescriptor);
    e.ds = e.es = e.ss = e.fs = e.gs = flat(LinuxBootPlan::kDataSelector, LinuxBootPlan::kDataDescriptor);
    return plan;
}

void LinuxBootPlan::write_to(std::span<uint8_t> memory) const {
    for (const BootBlob& b : blobs) {
        if (uint64_t(b.address) + b.bytes.size() > memory.size())
            throw std::out_of_range("linux boot: " + b.what + " at " + hex(b.address) +
                                    " does not fit in " + mib(memory.size()) + " of memory");
        std::copy(b.bytes.begin(), b.bytes.end(), memory.begin() + b.address);
    }
}

std::string LinuxBootPlan::summary() const {
    std::string s = "Linux " + (header.kernel_version.empty() ? std::string("(no version string)")
                                                               : header.kernel_version);
    s += ", boot protocol " + std::to_string(header.version >> 8) + "." +
         std::to_string(header.version & 0xFF);
    s += ", kernel " + mib(header.protected_mode_bytes()) + " at " + hex(kKernel);
    s += " (decompresses to " + hex(decompress_start) + "-" + hex(decompress_end) + ")";
    if (initrd_size) s += ", initrd " + mib(initrd_size) + " at " + hex(initrd_addr);
    return s;
}

}  // namespace vmm86
