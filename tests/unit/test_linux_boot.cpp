// Direct Linux boot (bios/linux_boot.h, bios/e820.h): setup-header checks, initrd checks,
// boot_params contents and memory layout, against synthetic bzImages built here to
// Documentation/x86/boot.rst's layout; and, when scripts/guest-material.sh has been run,
// the real Debian i386 kernel and initramfs.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bios/e820.h"
#include "bios/linux_boot.h"

namespace vmm86 {
namespace {

uint32_t rd(const std::vector<uint8_t>& d, size_t at, unsigned n) {
    uint32_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint32_t(d[at + i]) << (8 * i);
    return v;
}
uint64_t rd64(const std::vector<uint8_t>& d, size_t at) {
    return rd(d, at, 4) | (uint64_t(rd(d, at + 4, 4)) << 32);
}
void wr(std::vector<uint8_t>& d, size_t at, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) d[at + i] = uint8_t(v >> (8 * i));
}

// A bzImage with a protocol-2.15-style header (fields in their boot.rst places) and a
// protected-mode part of recognisable bytes.
struct FakeKernel {
    uint16_t version = 0x020F;
    uint8_t setup_sects = 4;
    uint32_t pm_bytes = 64 * 1024;
    uint8_t loadflags = kLoadedHigh;
    uint32_t code32_start = 0x100000;
    uint32_t initrd_addr_max = 0x7FFFFFFF;
    uint32_t kernel_alignment = 0x200000;
    uint8_t relocatable = 1;
    uint16_t xloadflags = 0;
    uint32_t cmdline_size = 2047;
    uint64_t pref_address = 0x1000000;
    uint32_t init_size = 0x800000;
    uint8_t header_len = 0x6A;  // byte at 0x201: header ends at 0x26C
    std::string version_string = "6.1.0-test (vmm86@unit) #1";

    std::vector<uint8_t> build() const {
        const uint32_t setup = (uint32_t(setup_sects ? setup_sects : 4) + 1) * 512;
        std::vector<uint8_t> k(setup + pm_bytes, 0);
        k[0x1F1] = setup_sects;
        wr(k, 0x1F4, (pm_bytes + 15) / 16, 4);
        wr(k, 0x1FE, 0xAA55, 2);
        k[0x200] = 0xEB;
        k[0x201] = header_len;
        std::memcpy(&k[0x202], "HdrS", 4);
        wr(k, 0x206, version, 2);
        wr(k, 0x20E, 0x300 - 0x200, 2);  // version string at 0x300
        std::memcpy(&k[0x300], version_string.c_str(), version_string.size() + 1);
        k[0x211] = loadflags;
        wr(k, 0x214, code32_start, 4);
        wr(k, 0x22C, initrd_addr_max, 4);
        wr(k, 0x230, kernel_alignment, 4);
        k[0x234] = relocatable;
        wr(k, 0x236, xloadflags, 2);
        wr(k, 0x238, cmdline_size, 4);
        wr(k, 0x258, pref_address, 8);
        wr(k, 0x260, init_size, 4);
        for (uint32_t i = 0; i < pm_bytes; ++i) k[setup + i] = uint8_t(i * 7 + 1);
        return k;
    }
};

// A cpio "newc" archive: each entry a regular file, then TRAILER!!!.
std::vector<uint8_t> cpio(const std::vector<std::pair<std::string, std::string>>& files) {
    std::vector<uint8_t> out;
    auto entry = [&](const std::string& name, const std::string& data, uint32_t mode) {
        char hdr[111];
        std::snprintf(hdr, sizeof hdr, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                      1u, mode, 0u, 0u, 1u, 0u, unsigned(data.size()), 0u, 0u, 0u, 0u,
                      unsigned(name.size() + 1), 0u);
        out.insert(out.end(), hdr, hdr + 110);
        out.insert(out.end(), name.begin(), name.end());
        out.push_back(0);
        while (out.size() % 4) out.push_back(0);
        out.insert(out.end(), data.begin(), data.end());
        while (out.size() % 4) out.push_back(0);
    };
    for (const auto& [name, data] : files) entry(name, data, 0100644);
    entry("TRAILER!!!", "", 0);
    return out;
}

std::vector<uint8_t> gzip(const std::vector<uint8_t>& in) {
    z_stream zs{};
    EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::vector<uint8_t> out(deflateBound(&zs, uLong(in.size())) + 64);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = uInt(in.size());
    zs.next_out = out.data();
    zs.avail_out = uInt(out.size());
    EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

std::vector<uint8_t> small_initramfs() {
    return gzip(cpio({{"init", "#!/bin/sh\necho hi\n"}, {"data", std::string(5000, 'x')}}));
}

// Runs `fn` and returns the std::runtime_error's message ("" if nothing was thrown).
template <typename Fn>
std::string error_of(Fn fn) {
    try {
        fn();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

std::string header_error(const std::vector<uint8_t>& k) {
    return error_of([&] { parse_linux_setup_header(k, "vmlinuz-test"); });
}

LinuxBootConfig config(uint64_t ram_mib, std::string cmdline = "console=ttyS0") {
    LinuxBootConfig c;
    c.ram_bytes = ram_mib << 20;
    c.cmdline = std::move(cmdline);
    c.kernel_name = "vmlinuz-test";
    c.initrd_name = "initrd-test";
    return c;
}

const BootBlob& blob(const LinuxBootPlan& p, const std::string& what) {
    for (const BootBlob& b : p.blobs)
        if (b.what == what) return b;
    ADD_FAILURE() << "no blob " << what;
    return p.blobs.front();
}

// --- setup header --------------------------------------------------------------------

TEST(LinuxSetupHeader, ParsesAGoodHeader) {
    FakeKernel fk;
    const LinuxSetupHeader h = parse_linux_setup_header(fk.build(), "k");
    EXPECT_EQ(h.version, 0x020F);
    EXPECT_EQ(h.setup_sects, 4);
    EXPECT_EQ(h.setup_bytes(), 5u * 512);
    EXPECT_EQ(h.protected_mode_bytes(), 64u * 1024);
    EXPECT_EQ(h.code32_start, 0x100000u);
    EXPECT_EQ(h.initrd_addr_max, 0x7FFFFFFFu);
    EXPECT_EQ(h.kernel_alignment, 0x200000u);
    EXPECT_TRUE(h.relocatable);
    EXPECT_EQ(h.cmdline_size, 2047u);
    EXPECT_EQ(h.pref_address, 0x1000000u);
    EXPECT_EQ(h.init_size, 0x800000u);
    EXPECT_EQ(h.header_end, 0x26Cu);
    EXPECT_EQ(h.kernel_version, fk.version_string);
}

TEST(LinuxSetupHeader, SetupSectsZeroMeansFour) {
    FakeKernel fk;
    fk.setup_sects = 0;
    const LinuxSetupHeader h = parse_linux_setup_header(fk.build(), "k");
    EXPECT_EQ(h.setup_sects, 4);
    EXPECT_EQ(h.setup_bytes(), 2560u);
    fk.setup_sects = 30;
    EXPECT_EQ(parse_linux_setup_header(fk.build(), "k").setup_bytes(), 31u * 512);
}

TEST(LinuxSetupHeader, RefusesEachBadField) {
    auto bad = [](auto change) {
        FakeKernel fk;
        change(fk);
        return header_error(fk.build());
    };
    std::vector<uint8_t> k = FakeKernel{}.build();
    k[0x1FF] = 0x00;
    EXPECT_EQ(header_error(k), "vmlinuz-test: not a Linux kernel image (no boot flag 0xAA55 at offset 0x1FE)");
    k = FakeKernel{}.build();
    k[0x205] = 'X';
    EXPECT_NE(header_error(k).find("no \"HdrS\" setup header at offset 0x202"), std::string::npos);

    EXPECT_EQ(bad([](FakeKernel& f) { f.version = 0x0203; }),
              "vmlinuz-test: boot protocol 2.3 is too old: vmm86 needs 2.04 or newer (Linux 2.6.14+)");
    EXPECT_NE(bad([](FakeKernel& f) { f.loadflags = 0; }).find("zImage"), std::string::npos);
    EXPECT_NE(bad([](FakeKernel& f) { f.xloadflags = kXlfKernel64; }).find("64-bit"), std::string::npos);
    EXPECT_NE(bad([](FakeKernel& f) { f.kernel_alignment = 0x3000; }).find("kernel_alignment 0x3000"),
              std::string::npos);
    EXPECT_NE(bad([](FakeKernel& f) { f.kernel_alignment = 0; }).find("kernel_alignment"), std::string::npos);
    EXPECT_NE(bad([](FakeKernel& f) { f.relocatable = 0; f.code32_start = 0x200000; })
                  .find("not relocatable and linked for 0x200000"),
              std::string::npos);
    EXPECT_NE(bad([](FakeKernel& f) { f.cmdline_size = 0; }).find("cmdline_size is 0"), std::string::npos);
    EXPECT_NE(bad([](FakeKernel& f) { f.initrd_addr_max = 0x8FFFF; }).find("initrd_addr_max"),
              std::string::npos);
    // A 2.15 header must reach init_size (0x264); one ending at 0x230 is cut short.
    EXPECT_NE(bad([](FakeKernel& f) { f.header_len = 0x2E; }).find("bad setup header: it ends at 0x230"),
              std::string::npos);
    // ... while a 2.04 header ends right after initrd_addr_max, and that is fine.
    EXPECT_EQ(bad([](FakeKernel& f) { f.version = 0x0204; f.header_len = 0x2E; }), "");

    k = FakeKernel{}.build();
    wr(k, 0x1F4, 0, 4);
    EXPECT_NE(header_error(k).find("syssize is 0"), std::string::npos);
}

TEST(LinuxSetupHeader, NonRelocatableAtOneMiBIsFine) {
    FakeKernel fk;
    fk.relocatable = 0;
    fk.kernel_alignment = 0;  // meaningless without relocation
    EXPECT_EQ(header_error(fk.build()), "");
}

TEST(LinuxSetupHeader, OlderProtocolsReadOnlyTheirFields) {
    FakeKernel fk;
    fk.version = 0x0205;  // no cmdline_size (2.06) and no init_size (2.10)
    const LinuxSetupHeader h = parse_linux_setup_header(fk.build(), "k");
    EXPECT_EQ(h.cmdline_size, 255u);
    EXPECT_EQ(h.init_size, 0u);
    EXPECT_EQ(h.pref_address, 0u);
    EXPECT_TRUE(h.relocatable);
}

TEST(LinuxSetupHeader, RefusesTruncatedFiles) {
    std::vector<uint8_t> k = FakeKernel{}.build();
    EXPECT_EQ(header_error(std::vector<uint8_t>(k.begin(), k.begin() + 600)),
              "vmlinuz-test: too small for a Linux bzImage (600 bytes)");
    EXPECT_EQ(header_error(std::vector<uint8_t>(k.begin(), k.begin() + 2000)),
              "vmlinuz-test: truncated: 2000 bytes, less than its 2560 bytes of setup code");
    EXPECT_EQ(header_error(std::vector<uint8_t>(k.begin(), k.end() - 1)),
              "vmlinuz-test: truncated: 68095 bytes, its header says 68096 (2560 setup + 65536 kernel)");
    // Bytes after the kernel (a signature, say) are allowed.
    k.resize(k.size() + 1472, 0xAB);
    EXPECT_EQ(header_error(k), "");
}

// --- e820 ----------------------------------------------------------------------------

TEST(E820, StandardPcMap) {
    const E820Map m = E820Map::build(64ull << 20);
    ASSERT_EQ(m.entries.size(), 3u);
    EXPECT_EQ(m.entries[0], (E820Entry{0, 0x9FC00, E820Type::Ram}));
    EXPECT_EQ(m.entries[1], (E820Entry{0x9FC00, 0x100000 - 0x9FC00, E820Type::Reserved}));
    EXPECT_EQ(m.entries[2], (E820Entry{0x100000, (64ull << 20) - 0x100000, E820Type::Ram}));
    EXPECT_EQ(m.high_ram_end(), 64ull << 20);
    EXPECT_TRUE(m.is_ram(0x10000, 0x1000));
    EXPECT_FALSE(m.is_ram(0x9F000, 0x1000));  // runs into the EBDA
    EXPECT_FALSE(m.is_ram(64ull << 20, 1));
}

TEST(E820, BoardRangesCutRamAndMerge) {
    // ACPI tables in the top 64 KiB of RAM, the flash below 4 GiB, and the ACPI
    // tables of the BIOS area marked inside the reserved range.
    const std::vector<E820Entry> board = {
        {(32ull << 20) - 0x10000, 0x10000, E820Type::Acpi},
        {0xFFFC0000, 0x40000, E820Type::Reserved},
        {0xE0000, 0x1000, E820Type::Acpi},
    };
    const E820Map m = E820Map::build(32ull << 20, board);
    const std::vector<E820Entry> want = {
        {0, 0x9FC00, E820Type::Ram},
        {0x9FC00, 0xE0000 - 0x9FC00, E820Type::Reserved},
        {0xE0000, 0x1000, E820Type::Acpi},
        {0xE1000, 0x100000 - 0xE1000, E820Type::Reserved},
        {0x100000, (32ull << 20) - 0x10000 - 0x100000, E820Type::Ram},
        {(32ull << 20) - 0x10000, 0x10000, E820Type::Acpi},
        {0xFFFC0000, 0x40000, E820Type::Reserved},
    };
    EXPECT_EQ(m.entries, want);
    EXPECT_EQ(m.high_ram_end(), (32ull << 20) - 0x10000);

    // A reserved range right after the BIOS area merges with it.
    const E820Entry low = {0x100000, 0x1000, E820Type::Reserved};
    const E820Map m2 = E820Map::build(32ull << 20, std::span(&low, 1));
    ASSERT_EQ(m2.entries.size(), 3u);
    EXPECT_EQ(m2.entries[1], (E820Entry{0x9FC00, 0x101000 - 0x9FC00, E820Type::Reserved}));
    EXPECT_EQ(m2.high_ram_end(), 0u);  // no RAM entry starts at 1 MiB any more
}

TEST(E820, EncodesTwentyBytesPerEntry) {
    const E820Map m = E820Map::build(16ull << 20);
    const std::vector<uint8_t> t = m.encode();
    ASSERT_EQ(t.size(), 60u);
    EXPECT_EQ(rd64(t, 40), 0x100000u);
    EXPECT_EQ(rd64(t, 48), (16ull << 20) - 0x100000);
    EXPECT_EQ(rd(t, 56, 4), 1u);
    EXPECT_EQ(rd(t, 36, 4), 2u);
}

TEST(E820, RefusesBadInput) {
    EXPECT_THROW(E820Map::build(0x100000), std::invalid_argument);
    const E820Entry empty = {0x200000, 0, E820Type::Reserved};
    EXPECT_THROW(E820Map::build(16ull << 20, std::span(&empty, 1)), std::invalid_argument);
    std::vector<E820Entry> many;
    for (uint64_t i = 0; i < 130; ++i) many.push_back({0x200000 + i * 0x2000, 0x1000, E820Type::Reserved});
    EXPECT_THROW(E820Map::build(16ull << 20, many), std::invalid_argument);
}

// --- initrd checks -------------------------------------------------------------------

std::string initrd_error(const std::vector<uint8_t>& d) {
    return error_of([&] { check_initrd(d, "initrd-test"); });
}

TEST(LinuxInitrd, AcceptsWhatLinuxUnpacks) {
    const std::vector<uint8_t> plain = cpio({{"init", "x"}});
    EXPECT_EQ(initrd_error(plain), "");
    EXPECT_EQ(initrd_error(small_initramfs()), "");
    // An uncompressed early cpio (microcode), zero padding, then a gzip archive.
    std::vector<uint8_t> both = cpio({{"kernel/x86/microcode/GenuineIntel.bin", "ucode"}});
    both.resize(both.size() + 512, 0);
    const std::vector<uint8_t> gz = small_initramfs();
    both.insert(both.end(), gz.begin(), gz.end());
    both.resize(both.size() + 3, 0);
    EXPECT_EQ(initrd_error(both), "");
    // Other compressions by magic alone.
    const std::vector<uint8_t> xz = {0xFD, '7', 'z', 'X', 'Z', 0, 1, 2, 3};
    EXPECT_EQ(initrd_error(xz), "");
    const std::vector<uint8_t> zstd = {0x28, 0xB5, 0x2F, 0xFD, 9, 9};
    EXPECT_EQ(initrd_error(zstd), "");
}

TEST(LinuxInitrd, RefusesBadOrTruncatedArchives) {
    EXPECT_EQ(initrd_error({}), "initrd-test: is empty");
    EXPECT_EQ(initrd_error(std::vector<uint8_t>(100, 0)), "initrd-test: holds only zero bytes");
    EXPECT_NE(initrd_error({'P', 'K', 3, 4}).find("not an initramfs: bytes 50 4B at 0x0"), std::string::npos);

    std::vector<uint8_t> gz = small_initramfs();
    gz.resize(gz.size() - 10);
    EXPECT_NE(initrd_error(gz).find("truncated gzip data"), std::string::npos) << initrd_error(gz);
    gz = small_initramfs();
    gz[gz.size() - 6] ^= 0xFF;  // the CRC32
    EXPECT_NE(initrd_error(gz).find("corrupt gzip data"), std::string::npos) << initrd_error(gz);
    const std::vector<uint8_t> not_cpio = gzip(std::vector<uint8_t>(1000, 'A'));
    EXPECT_NE(initrd_error(not_cpio).find("does not hold a cpio"), std::string::npos);

    std::vector<uint8_t> c = cpio({{"init", std::string(300, 'y')}});
    c.resize(200);
    EXPECT_NE(initrd_error(c).find("truncated cpio archive"), std::string::npos) << initrd_error(c);
    c = cpio({{"init", "x"}});
    c[54 + 3] = 'g';  // a non-hex digit in c_filesize
    EXPECT_NE(initrd_error(c).find("non-hex"), std::string::npos);
    c = cpio({{"init", "x"}});
    std::memcpy(&c[0], "070707", 6);  // the old portable format Linux does not read
    EXPECT_NE(initrd_error(c).find("not \"newc\""), std::string::npos);
}

// --- the plan ------------------------------------------------------------------------

TEST(LinuxBootPlan, LaysOutMemoryAndFillsBootParams) {
    const std::vector<uint8_t> k = FakeKernel{}.build();
    const std::vector<uint8_t> rd_bytes = small_initramfs();
    LinuxBootConfig c = config(64, "console=ttyS0 vmm86.script=selftest");
    c.acpi_rsdp_addr = 0xE0000;
    const LinuxBootPlan p = plan_linux_boot(k, rd_bytes, c);

    const BootBlob& kern = blob(p, "kernel");
    EXPECT_EQ(kern.address, 0x100000u);
    ASSERT_EQ(kern.bytes.size(), 64u * 1024);
    EXPECT_TRUE(std::equal(kern.bytes.begin(), kern.bytes.end(), k.begin() + 2560));

    const BootBlob& cmd = blob(p, "cmdline");
    EXPECT_EQ(cmd.address, 0x20000u);
    EXPECT_EQ(std::string(cmd.bytes.begin(), cmd.bytes.end()), c.cmdline + '\0');

    const uint32_t rd_size = uint32_t(rd_bytes.size());
    EXPECT_EQ(p.initrd_size, rd_size);
    EXPECT_EQ(p.initrd_addr, ((64u << 20) - rd_size) & ~0xFFFu);
    EXPECT_EQ(blob(p, "initrd").address, p.initrd_addr);
    EXPECT_EQ(blob(p, "initrd").bytes, rd_bytes);

    const std::vector<uint8_t>& bp = blob(p, "boot_params").bytes;
    EXPECT_EQ(blob(p, "boot_params").address, 0x10000u);
    ASSERT_EQ(bp.size(), 4096u);
    // The setup header is the image's, except the fields a loader writes.
    for (uint32_t i = 0x1F1; i < 0x26C; ++i) {
        const bool written = i == 0x210 || i == 0x211 || (i >= 0x218 && i < 0x220) ||
                             (i >= 0x224 && i < 0x226) || (i >= 0x228 && i < 0x22C);
        if (!written) {
            EXPECT_EQ(bp[i], k[i]) << "offset " << std::hex << i;
        }
    }
    EXPECT_EQ(bp[0x210], 0xFF);                       // type_of_loader: undefined
    EXPECT_EQ(bp[0x211], kLoadedHigh | kCanUseHeap);  // loadflags
    EXPECT_EQ(rd(bp, 0x224, 2), 0xDE00u);             // heap_end_ptr
    EXPECT_EQ(rd(bp, 0x228, 4), 0x20000u);            // cmd_line_ptr
    EXPECT_EQ(rd(bp, 0x218, 4), p.initrd_addr);       // ramdisk_image
    EXPECT_EQ(rd(bp, 0x21C, 4), rd_size);             // ramdisk_size
    EXPECT_EQ(rd64(bp, 0x070), 0xE0000u);             // acpi_rsdp_addr
    EXPECT_EQ(rd(bp, 0x1E0, 4), 63u * 1024);          // alt_mem_k
    EXPECT_EQ(bp[0x1EF], 0);                          // sentinel: the page is not stale
    ASSERT_EQ(bp[0x1E8], 3);                          // e820_entries
    EXPECT_EQ(rd64(bp, 0x2D0 + 40), 0x100000u);
    EXPECT_EQ(rd64(bp, 0x2D0 + 48), (64ull << 20) - 0x100000);
    EXPECT_EQ(rd(bp, 0x2D0 + 56, 4), 1u);
    for (size_t i = 0x2D0 + 60; i < bp.size(); ++i) ASSERT_EQ(bp[i], 0) << i;

    // No blob overlaps another, and all are in RAM.
    for (const BootBlob& a : p.blobs) {
        EXPECT_TRUE(p.e820.is_ram(a.address, a.bytes.size())) << a.what;
        for (const BootBlob& b : p.blobs) {
            if (&a == &b) continue;
            EXPECT_TRUE(a.address + a.bytes.size() <= b.address || b.address + b.bytes.size() <= a.address)
                << a.what << " / " << b.what;
        }
    }
    EXPECT_NE(p.summary().find("6.1.0-test"), std::string::npos);
}

TEST(LinuxBootPlan, EntryStateIsThe32BitProtocol) {
    const LinuxBootPlan p = plan_linux_boot(FakeKernel{}.build(), std::nullopt, config(64));
    const LinuxEntryState& e = p.entry;
    EXPECT_EQ(e.eip, 0x100000u);
    EXPECT_EQ(e.esi, 0x10000u);
    EXPECT_EQ(e.ebp | e.edi | e.ebx, 0u);
    EXPECT_EQ(e.eflags & 0x200, 0u);       // interrupts off
    EXPECT_EQ(e.cr0 & 0x80000001u, 1u);    // PE on, PG off
    EXPECT_EQ(e.cs.selector, 0x10);
    EXPECT_EQ(e.cs.base, 0u);
    EXPECT_EQ(e.cs.limit, 0xFFFFFFFFu);
    EXPECT_EQ(e.cs.attributes, 0xC09B);    // G, D, present, code exec/read, accessed
    for (const BootSegment* s : {&e.ds, &e.es, &e.ss}) {
        EXPECT_EQ(s->selector, 0x18);
        EXPECT_EQ(s->base, 0u);
        EXPECT_EQ(s->limit, 0xFFFFFFFFu);
        EXPECT_EQ(s->attributes, 0xC093);  // G, B, present, data read/write, accessed
    }
    // The GDT in memory holds the same descriptors at 0x10 and 0x18.
    const BootBlob& gdt = blob(p, "gdt");
    EXPECT_EQ(gdt.address, e.gdt_base);
    EXPECT_EQ(e.gdt_limit, 31);
    ASSERT_EQ(gdt.bytes.size(), 32u);
    EXPECT_EQ(rd64(gdt.bytes, 0), 0u);
    EXPECT_EQ(rd64(gdt.bytes, 0x10), 0x00CF9B000000FFFFull);
    EXPECT_EQ(rd64(gdt.bytes, 0x18), 0x00CF93000000FFFFull);
    // Without an initrd the ramdisk fields stay 0.
    const std::vector<uint8_t>& bp = blob(p, "boot_params").bytes;
    EXPECT_EQ(rd(bp, 0x218, 4) | rd(bp, 0x21C, 4), 0u);
}

TEST(LinuxBootPlan, InitrdBelowInitrdAddrMaxAndRamTop) {
    const std::vector<uint8_t> rd_bytes = small_initramfs();
    const uint32_t size = uint32_t(rd_bytes.size());
    FakeKernel fk;
    fk.init_size = 0x200000;         // decompresses to 16-18 MiB
    fk.initrd_addr_max = 0x1FFFFFF;  // the initrd must end by 32 MiB
    LinuxBootPlan p = plan_linux_boot(fk.build(), rd_bytes, config(128));
    EXPECT_EQ(p.initrd_addr, ((32u << 20) - size) & ~0xFFFu);
    EXPECT_LE(p.initrd_addr + size, 0x2000000u);

    // RAM smaller than initrd_addr_max: RAM's top decides.
    p = plan_linux_boot(fk.build(), rd_bytes, config(24));
    EXPECT_EQ(p.initrd_addr, ((24u << 20) - size) & ~0xFFFu);

    // ACPI tables at the top of RAM: the initrd goes below them.
    LinuxBootConfig c = config(24);
    c.board_ranges = {{(24ull << 20) - 0x20000, 0x20000, E820Type::Acpi}};
    p = plan_linux_boot(fk.build(), rd_bytes, c);
    EXPECT_EQ(p.initrd_addr, ((24u << 20) - 0x20000 - size) & ~0xFFFu);
    EXPECT_EQ(blob(p, "boot_params").bytes[0x1E8], 4);

    // An initrd exactly a page long sits in the last page.
    const std::vector<uint8_t> page = [] {
        std::vector<uint8_t> v = cpio({{"init", std::string(3000, 'z')}});
        v.resize(4096, 0);
        return v;
    }();
    p = plan_linux_boot(fk.build(), page, config(24));
    EXPECT_EQ(p.initrd_addr, (24u << 20) - 4096);
}

TEST(LinuxBootPlan, RefusesTooLittleRam) {
    // The kernel decompresses at pref_address (16 MiB) and needs init_size (8 MiB).
    FakeKernel fk;
    const std::vector<uint8_t> k = fk.build();
    EXPECT_EQ(error_of([&] { plan_linux_boot(k, std::nullopt, config(24)); }), "");
    EXPECT_EQ(error_of([&] { plan_linux_boot(k, std::nullopt, config(23)); }),
              "vmlinuz-test: needs RAM up to 0x1800000 (24.0 MiB) to decompress, the machine's "
              "RAM from 1 MiB ends at 0x1700000");
    // A relocatable kernel aligned to 32 MiB decompresses at 32 MiB.
    fk.kernel_alignment = 0x2000000;
    const LinuxBootPlan p = plan_linux_boot(fk.build(), std::nullopt, config(48));
    EXPECT_EQ(p.decompress_start, 0x2000000u);
    EXPECT_EQ(p.decompress_end, 0x2800000u);
    // The initrd must fit above the decompression area.
    std::vector<uint8_t> big = cpio({{"big", std::string(2 << 20, 'b')}});
    const std::string msg = error_of([&] { plan_linux_boot(k, big, config(25)); });
    EXPECT_EQ(msg.rfind("initrd-test: 2.0 MiB does not fit between the kernel (up to 0x1800000)", 0), 0u) << msg;
    EXPECT_EQ(error_of([&] { plan_linux_boot(k, big, config(27)); }), "");
    EXPECT_NE(error_of([&] { plan_linux_boot(k, std::nullopt, config(5000)); }).find("RAM"), std::string::npos);
}

TEST(LinuxBootPlan, CommandLineLength) {
    const std::vector<uint8_t> k = FakeKernel{}.build();
    EXPECT_EQ(error_of([&] { plan_linux_boot(k, std::nullopt, config(64, std::string(2047, 'a'))); }), "");
    EXPECT_EQ(error_of([&] { plan_linux_boot(k, std::nullopt, config(64, std::string(2048, 'a'))); }),
              "kernel command line: 2048 bytes, longer than the 2047 vmlinuz-test accepts");
    FakeKernel old;
    old.version = 0x0205;  // before cmdline_size: 255
    EXPECT_NE(error_of([&] { plan_linux_boot(old.build(), std::nullopt, config(64, std::string(256, 'a'))); })
                  .find("longer than the 255"),
              std::string::npos);
    EXPECT_NE(error_of([&] { plan_linux_boot(k, std::nullopt, config(64, std::string("a\0b", 3))); })
                  .find("NUL"),
              std::string::npos);
}

TEST(LinuxBootPlan, BadInitrdNamesTheInitrd) {
    const std::vector<uint8_t> junk = {'G', 'I', 'F', '8', '9', 'a'};
    EXPECT_EQ(error_of([&] { plan_linux_boot(FakeKernel{}.build(), junk, config(64)); }).rfind("initrd-test: ", 0),
              0u);
}

TEST(LinuxBootPlan, WritesIntoAMemoryImage) {
    const std::vector<uint8_t> rd_bytes = small_initramfs();
    const LinuxBootPlan p = plan_linux_boot(FakeKernel{}.build(), rd_bytes, config(32));
    std::vector<uint8_t> mem(32u << 20, 0);
    p.write_to(mem);
    EXPECT_EQ(rd(mem, 0x10000 + 0x202, 4), 0x53726448u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(&mem[0x20000])), "console=ttyS0");
    EXPECT_EQ(mem[0x100000], 1);
    EXPECT_TRUE(std::equal(rd_bytes.begin(), rd_bytes.end(), mem.begin() + p.initrd_addr));
    std::vector<uint8_t> small(16u << 20, 0);
    EXPECT_THROW(p.write_to(small), std::out_of_range);
}

TEST(LinuxBootFiles, ReadErrorsNameTheFile) {
    EXPECT_EQ(error_of([] { read_boot_file("/nonexistent/vmlinuz", "kernel"); }),
              "kernel /nonexistent/vmlinuz: No such file or directory");
    const std::string path = testing::TempDir() + "vmm86_empty_initrd";
    std::ofstream(path).close();
    EXPECT_EQ(error_of([&] { read_boot_file(path, "initrd"); }), "initrd " + path + ": is empty");
    std::remove(path.c_str());
}

// The real thing, when scripts/guest-material.sh has filled the cache.
TEST(LinuxBootDebian, PlansTheDebianKernelAndInitramfs) {
    const char* env = std::getenv("VMM86_CACHE");
    const char* home = std::getenv("HOME");
    const std::string dir = env ? env : home ? std::string(home) + "/.cache/vmm86" : "";
    const std::string kernel = dir + "/vmlinuz", initrd = dir + "/initramfs.cpio.gz";
    if (dir.empty() || !std::filesystem::exists(kernel) || !std::filesystem::exists(initrd))
        GTEST_SKIP() << "no " << kernel << " (run scripts/guest-material.sh)";
    const std::vector<uint8_t> k = read_boot_file(kernel, "kernel");
    const std::vector<uint8_t> i = read_boot_file(initrd, "initrd");
    LinuxBootConfig c = config(128, "console=ttyS0 vmm86.script=selftest");
    const LinuxBootPlan p = plan_linux_boot(k, i, c);
    EXPECT_GE(p.header.version, 0x020A);
    EXPECT_TRUE(p.header.relocatable);
    EXPECT_EQ(p.header.xloadflags & kXlfKernel64, 0);
    EXPECT_GE(p.initrd_addr, p.decompress_end);
    EXPECT_LE(uint64_t(p.initrd_addr) + p.initrd_size, 128ull << 20);
    EXPECT_GT(uint64_t(p.initrd_addr) + p.initrd_size, (128ull << 20) - 4096);
    EXPECT_NE(p.header.kernel_version.find("686"), std::string::npos) << p.summary();
    std::printf("%s\n", p.summary().c_str());
}

}  // namespace
}  // namespace vmm86
