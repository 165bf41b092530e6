// memory/ and the CPU's memory paths: PhysicalMemory (RAM, ROM and its alias, MMIO,
// unmapped pages, page-crossing accesses, code-page tracking), the IoBus (overlap
// refusal, all-ones reads where nothing answers, accesses split at a range end), the
// soft TLB (tags per access kind, code pages without a write tag, A20), and the code
// cache's invalidation when a store hits a page holding translated code.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "cpu/cpu.h"
#include "devices/io_bus.h"
#include "jit/code_cache.h"
#include "jit/dispatch.h"
#include "memory/physical_memory.h"
#include "memory/soft_tlb.h"

namespace vmm86::test {
namespace {

using PageKind = PhysicalMemory::PageKind;

// Answers every byte offset o with 0xA0 + o and records every access it sees.
class RecordingDevice : public IoDevice {
public:
    struct Access {
        bool write;
        uint32_t offset;
        unsigned size;
        uint32_t value;
        bool operator==(const Access&) const = default;
    };
    static uint32_t pattern(uint32_t offset, unsigned size) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; ++i) v |= uint32_t(uint8_t(0xA0 + offset + i)) << (8 * i);
        return v;
    }
    uint32_t read(uint32_t offset, unsigned size) override {
        log.push_back({false, offset, size, 0});
        return pattern(offset, size);
    }
    void write(uint32_t offset, unsigned size, uint32_t value) override { log.push_back({true, offset, size, value}); }
    std::vector<Access> log;
};

using Log = std::vector<RecordingDevice::Access>;

std::vector<uint8_t> rom_image(size_t bytes) {
    std::vector<uint8_t> v(bytes);
    for (size_t i = 0; i < bytes; ++i) v[i] = uint8_t(i * 7 + 3);
    return v;
}

constexpr uint64_t kRam = 4u << 20;
constexpr uint32_t kRomBase = 0xFFFF0000u, kRomAlias = 0xF0000u, kMmioBase = 0xFEC00000u;

// RAM 0..4 MiB, a 64 KiB BIOS at the top of 4 GiB with its alias at F0000h (over RAM),
// and one MMIO page whose first 20h bytes belong to a device.
class MemoryTest : public testing::Test {
protected:
    MemoryTest() : mem(kRam) {
        mem.map_rom(kRomBase, rom_image(0x10000));
        mem.map_rom_alias(kRomAlias, kRomBase, 0x10000);
        mem.map_mmio(kMmioBase, 0x1000);
        mem.mmio().map(kMmioBase, 0x20, dev, "recorder");
    }
    PhysicalMemory mem;
    RecordingDevice dev;
};

TEST(PhysicalMemorySetup, RamSizeMustBeWholePagesBelow3_5GiB) {
    EXPECT_THROW(PhysicalMemory(0), std::invalid_argument);
    EXPECT_THROW(PhysicalMemory(0x1800), std::invalid_argument);
    EXPECT_THROW(PhysicalMemory(0xE0001000ull), std::invalid_argument);
    PhysicalMemory m(0x2000);
    EXPECT_EQ(m.ram_size(), 0x2000u);
    EXPECT_EQ(m.kind(0x1FFF), PageKind::Ram);
    EXPECT_EQ(m.kind(0x2000), PageKind::Unmapped);
}

TEST_F(MemoryTest, RamIsLittleEndianAtEverySize) {
    mem.write(0x1000, 8, 0x0807060504030201ull);
    EXPECT_EQ(mem.read(0x1000, 1), 0x01u);
    EXPECT_EQ(mem.read(0x1001, 2), 0x0302u);
    EXPECT_EQ(mem.read(0x1004, 4), 0x08070605u);
    EXPECT_EQ(mem.read(0x1000, 8), 0x0807060504030201ull);
    EXPECT_EQ(mem.ram()[0x1003], 0x04);
    EXPECT_EQ(mem.host_page(0x1234), mem.ram() + 0x1000);
    EXPECT_EQ(mem.kind(0x1234), PageKind::Ram);
}

TEST_F(MemoryTest, UnmappedReadsAllOnesAndDropsWrites) {
    const uint32_t hole = uint32_t(kRam) + 0x10;
    EXPECT_EQ(mem.kind(hole), PageKind::Unmapped);
    EXPECT_EQ(mem.host_page(hole), nullptr);
    EXPECT_EQ(mem.read(hole, 1), 0xFFu);
    EXPECT_EQ(mem.read(hole, 2), 0xFFFFu);
    EXPECT_EQ(mem.read(hole, 4), 0xFFFFFFFFu);
    EXPECT_EQ(mem.read(hole, 8), ~0ull);
    mem.write(hole, 4, 0);
    const uint8_t zeros[4] = {};
    mem.write_bytes(hole, zeros, 4);
    EXPECT_EQ(mem.read(hole, 4), 0xFFFFFFFFu);
}

TEST_F(MemoryTest, RomAndItsAliasShareOneCopyAndDropWrites) {
    const std::vector<uint8_t> img = rom_image(0x10000);
    EXPECT_EQ(mem.kind(kRomBase), PageKind::Rom);
    EXPECT_EQ(mem.kind(kRomAlias + 0xFFFF), PageKind::Rom);
    EXPECT_EQ(mem.host_page(kRomBase + 0x5000), mem.host_page(kRomAlias + 0x5000));
    EXPECT_EQ(mem.read(0xFFFFFFF0u, 1), img[0xFFF0]);
    EXPECT_EQ(mem.read(0xFFFF0u, 4), uint64_t(img[0xFFF0] | img[0xFFF1] << 8 | img[0xFFF2] << 16 | uint32_t(img[0xFFF3]) << 24));
    // Guest writes vanish, through either address, and the RAM under the alias stays as it was.
    const uint8_t ram_under = mem.ram()[kRomAlias + 0x10];
    mem.write(kRomAlias + 0x10, 1, uint8_t(~img[0x10]));
    mem.write(kRomBase + 0x10, 4, 0);
    const uint8_t junk[2] = {0, 0};
    mem.write_bytes(kRomAlias + 0x10, junk, 2);  // a loader without write_rom: dropped too
    EXPECT_EQ(mem.read(kRomAlias + 0x10, 1), img[0x10]);
    EXPECT_EQ(mem.read(kRomBase + 0x11, 1), img[0x11]);
    EXPECT_EQ(mem.ram()[kRomAlias + 0x10], ram_under);
    // A loader that may write ROM changes both views at once.
    const uint8_t patch[2] = {0x5A, 0xA5};
    mem.write_bytes(kRomAlias + 0x20, patch, 2, true);
    EXPECT_EQ(mem.read(kRomBase + 0x20, 2), 0xA55Au);
}

TEST_F(MemoryTest, RomMappingRulesAndTheImageIsCopied) {
    std::vector<uint8_t> img = rom_image(0x1000);
    EXPECT_THROW(mem.map_rom(0xFFFE0800u, img), std::invalid_argument);            // not page aligned
    EXPECT_THROW(mem.map_rom(0xFFFE0000u, rom_image(0x800)), std::invalid_argument);  // not whole pages
    EXPECT_THROW(mem.map_rom(0xFFFE0000u, {}), std::invalid_argument);
    EXPECT_THROW(mem.map_rom_alias(0xE0000, 0x1000, 0x1000), std::invalid_argument);  // RAM is no ROM
    mem.map_rom(0xFFFE0000u, img);
    img[0] ^= 0xFF;  // the caller's buffer is not the ROM
    EXPECT_EQ(mem.read(0xFFFE0000u, 1), uint8_t(img[0] ^ 0xFF));
}

TEST_F(MemoryTest, MmioGoesToTheDeviceAtItsOwnOffsets) {
    EXPECT_EQ(mem.kind(kMmioBase), PageKind::Mmio);
    EXPECT_EQ(mem.host_page(kMmioBase), nullptr);
    EXPECT_EQ(mem.read(kMmioBase + 4, 4), RecordingDevice::pattern(4, 4));
    mem.write(kMmioBase + 8, 2, 0xBEEF);
    EXPECT_EQ(dev.log, (Log{{false, 4, 4, 0}, {true, 8, 2, 0xBEEF}}));
    // The rest of the MMIO page has no device: all ones, writes dropped.
    dev.log.clear();
    EXPECT_EQ(mem.read(kMmioBase + 0x100, 4), 0xFFFFFFFFu);
    mem.write(kMmioBase + 0x100, 4, 0);
    EXPECT_TRUE(dev.log.empty());
}

// Devices take 1, 2 or 4 bytes (io_device.h): an 8-byte access (CMPXCHG8B, later FPU and
// MMX) reaches them as two dwords, and where no device answers it reads all 64 ones.
TEST_F(MemoryTest, EightByteMmioAccessesAreTwoDwords) {
    EXPECT_EQ(mem.read(kMmioBase + 8, 8), uint64_t(RecordingDevice::pattern(12, 4)) << 32 | RecordingDevice::pattern(8, 4));
    mem.write(kMmioBase + 0x10, 8, 0x1122334455667788ull);
    EXPECT_EQ(dev.log, (Log{{false, 8, 4, 0}, {false, 12, 4, 0}, {true, 0x10, 4, 0x55667788}, {true, 0x14, 4, 0x11223344}}));
    EXPECT_EQ(mem.read(kMmioBase + 0x800, 8), ~0ull);
}

// An access that runs past the end of the device's range is split into bytes: the
// device sees only its own bytes, the rest read as ones and are dropped on write.
TEST_F(MemoryTest, MmioAccessAcrossTheEndOfADeviceIsSplit) {
    EXPECT_EQ(mem.read(kMmioBase + 0x1E, 4), 0xFFFF0000u | RecordingDevice::pattern(0x1E, 2));
    mem.write(kMmioBase + 0x1F, 2, 0xBBAA);
    EXPECT_EQ(dev.log, (Log{{false, 0x1E, 1, 0}, {false, 0x1F, 1, 0}, {true, 0x1F, 1, 0xAA}}));
}

TEST_F(MemoryTest, PageCrossingAccessesSeeBothPages) {
    mem.write(0x1FFD, 8, 0x8877665544332211ull);  // RAM -> RAM
    EXPECT_EQ(mem.read(0x1FFD, 8), 0x8877665544332211ull);
    EXPECT_EQ(mem.read(0x2000, 1), 0x44u);
    EXPECT_EQ(mem.read(0x1FFF, 2), 0x4433u);
    // The last bytes of RAM followed by unmapped space.
    const uint32_t end = uint32_t(kRam);
    mem.write(end - 2, 2, 0xCDAB);
    EXPECT_EQ(mem.read(end - 2, 4), 0xFFFFCDABu);
    mem.write(end - 1, 4, 0x00000012);  // the unmapped part is dropped
    EXPECT_EQ(mem.read(end - 2, 4), 0xFFFF12ABu);
    // RAM (EFFFFh) into the ROM alias (F0000h): the ROM half of a write is dropped.
    const uint8_t rom0 = rom_image(1)[0];
    mem.write(0xEFFFF, 2, 0x9966);
    EXPECT_EQ(mem.read(0xEFFFF, 2), uint64_t(rom0) << 8 | 0x66);
    // The 32-bit physical address wraps: the last ROM byte, then RAM at 0.
    mem.write(0, 1, 0x5A);
    EXPECT_EQ(mem.read(0xFFFFFFFFu, 2), 0x5A00u | rom_image(0x10000)[0xFFFF]);
}

TEST_F(MemoryTest, CodePagesReportWritesBeforeTheyLand) {
    std::vector<uint32_t> marked, written;
    std::vector<uint64_t> seen_before;
    mem.on_code_page_marked = [&](uint32_t page) { marked.push_back(page); };
    mem.on_code_write = [&](uint32_t page) {
        written.push_back(page);
        seen_before.push_back(mem.read(0x3010, 2));
    };
    mem.write(0x3010, 2, 0x1111);
    EXPECT_TRUE(written.empty());  // not code yet
    mem.mark_code_page(0x3123);
    mem.mark_code_page(0x3FFF);  // already marked: no second notice
    EXPECT_EQ(marked, (std::vector<uint32_t>{0x3000}));
    EXPECT_TRUE(mem.is_code_page(0x3000));
    EXPECT_FALSE(mem.is_code_page(0x4000));
    mem.write(0x3010, 2, 0x2222);
    EXPECT_EQ(written, (std::vector<uint32_t>{0x3000}));
    EXPECT_EQ(seen_before, (std::vector<uint64_t>{0x1111}));  // called before the store
    EXPECT_EQ(mem.read(0x3010, 2), 0x2222u);
    // A loader write over two code pages names both.
    mem.mark_code_page(0x4000);
    written.clear();
    std::vector<uint8_t> blob(0x1800, 0x90);
    mem.write_bytes(0x3800, blob.data(), blob.size());
    EXPECT_EQ(written, (std::vector<uint32_t>{0x3000, 0x4000}));
    // Once the page's code is gone, writes are plain again.
    mem.clear_code_page(0x3000);
    mem.clear_code_page(0x4000);
    written.clear();
    mem.write(0x3010, 1, 0);
    EXPECT_TRUE(written.empty());
}

// --- port-I/O bus ---------------------------------------------------------------------

TEST(IoBusTest, OverlappingRangesAreRefused) {
    IoBus bus("test");
    RecordingDevice a, b;
    bus.map(0x60, 1, a, "a");
    EXPECT_THROW(bus.map(0x60, 4, b, "b"), std::invalid_argument);   // same start
    EXPECT_THROW(bus.map(0x5F, 2, b, "b"), std::invalid_argument);   // runs into a
    EXPECT_THROW(bus.map(0x40, 0x40, b, "b"), std::invalid_argument);  // covers a
    EXPECT_THROW(bus.map(0x70, 0, b, "b"), std::invalid_argument);   // empty
    bus.map(0x64, 1, b, "b");
    EXPECT_THROW(bus.map(0x61, 4, b, "c"), std::invalid_argument);   // reaches b
    bus.map(0x5F, 1, b, "left neighbour");
    bus.map(0x61, 3, b, "right neighbour");
    EXPECT_TRUE(bus.is_mapped(0x63));
    EXPECT_FALSE(bus.is_mapped(0x65));
    bus.unmap(0x61);
    EXPECT_FALSE(bus.is_mapped(0x62));
    bus.map(0x61, 2, b, "again");
}

TEST(IoBusTest, NothingMappedReadsAllOnesAndSwallowsWrites) {
    IoBus bus("test");
    RecordingDevice d;
    bus.map(0x80, 1, d, "d");
    EXPECT_EQ(bus.read(0x81, 1), 0xFFu);
    EXPECT_EQ(bus.read(0x81, 2), 0xFFFFu);
    EXPECT_EQ(bus.read(0x81, 4), 0xFFFFFFFFu);
    EXPECT_EQ(bus.read(0x7F, 1), 0xFFu);
    bus.write(0x81, 4, 0);
    EXPECT_TRUE(d.log.empty());
}

TEST(IoBusTest, AccessesWithinARangeArriveWholeAndAcrossItsEndAsBytes) {
    IoBus bus("test");
    RecordingDevice lo, hi;
    bus.map(0x70, 2, lo, "lo");
    bus.map(0x72, 2, hi, "hi");
    EXPECT_EQ(bus.read(0x70, 2), RecordingDevice::pattern(0, 2));
    EXPECT_EQ(lo.log, (Log{{false, 0, 2, 0}}));
    lo.log.clear();
    // 6Fh (nothing), 70h-71h (lo), 72h (hi): byte by byte.
    EXPECT_EQ(bus.read(0x6F, 4), 0xFFu | RecordingDevice::pattern(0, 2) << 8 | RecordingDevice::pattern(0, 1) << 24);
    EXPECT_EQ(lo.log, (Log{{false, 0, 1, 0}, {false, 1, 1, 0}}));
    EXPECT_EQ(hi.log, (Log{{false, 0, 1, 0}}));
    lo.log.clear();
    hi.log.clear();
    bus.write(0x71, 4, 0xDDCCBBAA);  // 71h lo, 72h-73h hi, 74h nothing
    EXPECT_EQ(lo.log, (Log{{true, 1, 1, 0xAA}}));
    EXPECT_EQ(hi.log, (Log{{true, 0, 1, 0xBB}, {true, 1, 1, 0xCC}}));
}

// --- soft TLB and the CPU's memory paths -----------------------------------------------

class CpuMemoryTest : public MemoryTest {
protected:
    CpuMemoryTest() {
        cpu.mem = &mem;
        reset_cpu_state(cpu.s);
        cpu.flush_tlb();
        mem.on_code_page_marked = [this](uint32_t page) { cpu.tlb.drop_write_access(page); };
    }
    const TlbEntry& entry(uint32_t linear) { return cpu.tlb.entries[0][SoftTlb::index(linear)]; }
    TlbEntry& fill(uint32_t linear, Access kind = Access::Read) {
        TlbEntry* e = nullptr;
        EXPECT_TRUE(cpu.tlb_fill(linear, kind, e));
        return *e;
    }
    Cpu cpu;
};

TEST_F(CpuMemoryTest, FlushedEntriesMatchNothing) {
    for (const auto& mode : cpu.tlb.entries)
        for (const TlbEntry& e : mode) {
            EXPECT_EQ(e.tag_read, SoftTlb::kInvalidTag);
            EXPECT_EQ(e.tag_write, SoftTlb::kInvalidTag);
            EXPECT_EQ(e.tag_exec, SoftTlb::kInvalidTag);
        }
    EXPECT_EQ(SoftTlb::index(0x12345678), 0x45u);
}

TEST_F(CpuMemoryTest, TagsFollowThePageKind) {
    const TlbEntry& ram = fill(0x5678);
    EXPECT_EQ(ram.tag_read, 0x5000u);
    EXPECT_EQ(ram.tag_write, 0x5000u);
    EXPECT_EQ(ram.tag_exec, 0x5000u);
    EXPECT_EQ(ram.phys_page, 0x5000u);
    EXPECT_EQ(reinterpret_cast<uint8_t*>(0x5678 + ram.addend), mem.ram() + 0x5678);

    const TlbEntry& rom = fill(kRomAlias + 0x10);  // readable and executable, never writable
    EXPECT_EQ(rom.tag_read, kRomAlias);
    EXPECT_EQ(rom.tag_exec, kRomAlias);
    EXPECT_EQ(rom.tag_write, SoftTlb::kInvalidTag);

    for (uint32_t slow : {kMmioBase, uint32_t(kRam) + 0x3000}) {  // MMIO, unmapped: slow path only
        const TlbEntry& e = fill(slow);
        EXPECT_EQ(e.tag_read, SoftTlb::kInvalidTag);
        EXPECT_EQ(e.tag_write, SoftTlb::kInvalidTag);
        EXPECT_EQ(e.tag_exec, SoftTlb::kInvalidTag);
        EXPECT_EQ(e.phys_page, slow);
    }
    uint64_t v = 0;
    EXPECT_TRUE(fast_read(cpu, kMmioBase + 2, 2, v));
    EXPECT_EQ(v, RecordingDevice::pattern(2, 2));
    EXPECT_TRUE(fast_read(cpu, uint32_t(kRam) + 0x3000, 4, v));
    EXPECT_EQ(v, 0xFFFFFFFFu);
}

TEST_F(CpuMemoryTest, WritesToRomThroughTheCpuAreDropped) {
    const uint8_t before = uint8_t(mem.read(kRomAlias + 0x40, 1));
    EXPECT_TRUE(fast_write(cpu, kRomAlias + 0x40, 1, uint8_t(~before)));
    EXPECT_TRUE(cpu.write_linear(kRomBase + 0x40, 1, uint8_t(~before)));
    uint64_t v;
    EXPECT_TRUE(fast_read(cpu, kRomAlias + 0x40, 1, v));
    EXPECT_EQ(v, before);
}

TEST_F(CpuMemoryTest, LinearAccessesAcrossAPageEndSplit) {
    mem.write(0x6FFC, 4, 0x44332211);
    mem.write(0x7000, 4, 0x88776655);
    uint64_t v = 0;
    EXPECT_TRUE(fast_read(cpu, 0x6FFE, 4, v));
    EXPECT_EQ(v, 0x66554433u);
    EXPECT_TRUE(cpu.read_linear(0x6FF9, 8, v));
    EXPECT_EQ(v, 0x5544332211000000ull);
    EXPECT_TRUE(fast_write(cpu, 0x6FFF, 2, 0xBBAA));
    EXPECT_EQ(mem.read(0x6FFF, 1), 0xAAu);
    EXPECT_EQ(mem.read(0x7000, 1), 0xBBu);
    // RAM -> ROM alias: the RAM byte is written, the ROM byte is not.
    const uint8_t rom0 = uint8_t(mem.read(kRomAlias, 1));
    EXPECT_TRUE(fast_write(cpu, kRomAlias - 1, 2, 0x1234));
    EXPECT_EQ(mem.read(kRomAlias - 1, 1), 0x34u);
    EXPECT_EQ(mem.read(kRomAlias, 1), rom0);
    EXPECT_TRUE(fast_read(cpu, kRomAlias - 1, 2, v));
    EXPECT_EQ(v, uint64_t(rom0) << 8 | 0x34);
    // The end of RAM into unmapped space.
    const uint32_t end = uint32_t(kRam);
    EXPECT_TRUE(fast_write(cpu, end - 2, 4, 0x11223344));
    EXPECT_TRUE(fast_read(cpu, end - 2, 4, v));
    EXPECT_EQ(v, 0xFFFF3344u);
}

// Marking a page as code takes the write tag away from every TLB entry that maps it, so
// the next store takes the slow path, which reports the write to the code tracker.
TEST_F(CpuMemoryTest, CodePageMarkingDropsFastWritesAndTheSlowPathReportsThem) {
    std::vector<uint32_t> written;
    mem.on_code_write = [&](uint32_t page) { written.push_back(page); };
    cpu.set_a20(false);  // so that linear 10A000h is an alias of physical A000h
    const TlbEntry& e = fill(0x8000, Access::Write);
    const TlbEntry& other = fill(0x9000, Access::Write);
    const TlbEntry& alias = fill(0x10A000, Access::Write);
    ASSERT_EQ(e.tag_write, 0x8000u);
    ASSERT_EQ(alias.tag_write, 0x10A000u);
    ASSERT_EQ(alias.phys_page, 0xA000u);
    mem.mark_code_page(0x8000);
    EXPECT_EQ(e.tag_write, SoftTlb::kInvalidTag);
    EXPECT_EQ(e.tag_read, 0x8000u);  // reads stay fast
    EXPECT_EQ(other.tag_write, 0x9000u);
    EXPECT_EQ(alias.tag_write, 0x10A000u);
    mem.mark_code_page(0xA000);  // matched by physical page, whatever the linear one
    EXPECT_EQ(alias.tag_write, SoftTlb::kInvalidTag);
    EXPECT_EQ(other.tag_write, 0x9000u);
    EXPECT_EQ(cpu.code_modified, 0u);
    EXPECT_TRUE(fast_write(cpu, 0x8010, 2, 0x4242));
    EXPECT_EQ(written, (std::vector<uint32_t>{0x8000}));
    EXPECT_EQ(cpu.code_modified, 1u);
    EXPECT_EQ(mem.read(0x8010, 2), 0x4242u);
    // A fresh fill of a code page has no write tag either.
    cpu.flush_tlb();
    EXPECT_EQ(fill(0x8000, Access::Write).tag_write, SoftTlb::kInvalidTag);
}

TEST_F(CpuMemoryTest, FlushPageDropsOnlyThatPage) {
    fill(0x9000);
    fill(0xA000);
    cpu.tlb.flush_page(0x9ABC);
    EXPECT_EQ(entry(0x9000).tag_read, SoftTlb::kInvalidTag);
    EXPECT_EQ(entry(0xA000).tag_read, 0xA000u);
    cpu.tlb.flush_page(0x19000);  // same slot, other page: nothing to drop
    EXPECT_EQ(entry(0xA000).tag_read, 0xA000u);
}

// With the gate off, bit 20 of every physical address is forced to 0: 1 MiB + x reaches
// x. Changing the gate flushes the TLB (entries were filled with the old mask).
TEST_F(CpuMemoryTest, A20MaskingThroughSetA20) {
    mem.write(0x000010, 1, 0x11);
    mem.write(0x100010, 1, 0x22);
    mem.write(0x200010, 1, 0x33);
    uint64_t v;
    ASSERT_TRUE(fast_read(cpu, 0x100010, 1, v));
    EXPECT_EQ(v, 0x22u);  // and the TLB now maps 100000h to itself
    const uint32_t epoch = cpu.tlb_epoch;
    cpu.set_a20(false);
    EXPECT_EQ(cpu.s.a20_mask, 0xFFEFFFFFu);
    EXPECT_EQ(cpu.tlb_epoch, epoch + 1);
    ASSERT_TRUE(fast_read(cpu, 0x100010, 1, v));
    EXPECT_EQ(v, 0x11u);
    ASSERT_TRUE(fast_read(cpu, 0x300010, 1, v));
    EXPECT_EQ(v, 0x33u);  // only bit 20 goes
    ASSERT_TRUE(fast_read(cpu, 0x200010, 1, v));
    EXPECT_EQ(v, 0x33u);
    EXPECT_TRUE(fast_write(cpu, 0x100020, 1, 0x44));
    EXPECT_EQ(mem.read(0x000020, 1), 0x44u);
    EXPECT_EQ(mem.read(0x100020, 1), 0x00u);
    EXPECT_EQ(entry(0x100000).phys_page, 0x000000u);
    cpu.set_a20(false);  // no change, no flush
    EXPECT_EQ(cpu.tlb_epoch, epoch + 1);
    cpu.set_a20(true);
    EXPECT_EQ(cpu.tlb_epoch, epoch + 2);
    ASSERT_TRUE(fast_read(cpu, 0x100010, 1, v));
    EXPECT_EQ(v, 0x22u);
}

// --- code cache -------------------------------------------------------------------------

std::unique_ptr<TranslatedBlock> block(uint32_t phys_pc, std::vector<uint32_t> pages) {
    auto b = std::make_unique<TranslatedBlock>();
    b->key = BlockKey{phys_pc, 0, phys_pc, 0};
    b->phys_pages = std::move(pages);
    return b;
}

class CodeCacheTest : public CpuMemoryTest {
protected:
    CodeCacheTest() : cache(mem) {
        mem.on_code_write = [this](uint32_t page) { cache.invalidate_page(page); };
    }
    CodeCache cache;
};

TEST_F(CodeCacheTest, InsertMarksPagesAndAWriteInvalidatesTheirBlocks) {
    fill(0xB000, Access::Write);
    TranslatedBlock* a = cache.insert(block(0xB100, {0xB000}));
    TranslatedBlock* b = cache.insert(block(0xBFF8, {0xB000, 0xC000}));  // straddles two pages
    TranslatedBlock* c = cache.insert(block(0xD000, {0xD000}));
    EXPECT_TRUE(mem.is_code_page(0xB000));
    EXPECT_TRUE(mem.is_code_page(0xC000));
    EXPECT_EQ(entry(0xB000).tag_write, SoftTlb::kInvalidTag);
    EXPECT_EQ(cache.find(a->key), a);
    EXPECT_EQ(cache.jump_cache_lookup(0, 0xD000, 0), c);
    EXPECT_EQ(cache.size(), 3u);

    // A guest store to the second page of b kills b only, through the CPU's slow path.
    EXPECT_TRUE(fast_write(cpu, 0xC800, 1, 0xCC));
    EXPECT_FALSE(b->valid);  // still allocated: it sits in the graveyard
    EXPECT_TRUE(a->valid);
    EXPECT_TRUE(c->valid);
    EXPECT_EQ(cache.find(b->key), nullptr);
    EXPECT_EQ(cache.invalidations(), 1u);
    EXPECT_FALSE(mem.is_code_page(0xC000));
    EXPECT_EQ(cache.jump_cache_lookup(0, 0xD000, 0), nullptr);  // cleared wholesale
    EXPECT_TRUE(cache.over_budget());
    cache.collect_garbage();
    EXPECT_FALSE(cache.over_budget());

    // b was also forgotten under its first page: writing there now invalidates a alone.
    EXPECT_TRUE(fast_write(cpu, 0xB800, 1, 0xBB));
    EXPECT_FALSE(a->valid);
    EXPECT_EQ(cache.invalidations(), 2u);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.find(c->key), c);
}

TEST_F(CodeCacheTest, RetranslatingAKeyReplacesTheOldBlock) {
    TranslatedBlock* old_block = cache.insert(block(0xE000, {0xE000}));
    TranslatedBlock* new_block = cache.insert(block(0xE000, {0xE000}));
    EXPECT_FALSE(old_block->valid);
    EXPECT_TRUE(new_block->valid);
    EXPECT_EQ(cache.find(new_block->key), new_block);
    EXPECT_EQ(cache.size(), 1u);
    mem.write(0xE004, 1, 0);
    EXPECT_FALSE(new_block->valid);
    EXPECT_EQ(cache.invalidations(), 1u);  // the replaced block is not counted again
}

TEST_F(CodeCacheTest, FlushDropsEverythingAndUnmarksPages) {
    TranslatedBlock* a = cache.insert(block(0xF000, {0xF000, 0x10000}));
    cache.flush();
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_FALSE(mem.is_code_page(0xF000));
    EXPECT_FALSE(mem.is_code_page(0x10000));
    EXPECT_EQ(cache.jump_cache_lookup(0, 0xF000, 0), nullptr);
    (void)a;  // freed by flush
}

// The real wiring: Dispatch translates code, which marks its page and takes fast writes
// away from it; a store into it invalidates the block and the next lookup translates again.
TEST_F(CpuMemoryTest, DispatchedBlocksAreInvalidatedByStoresToTheirPage) {
    Dispatch dispatch(cpu);
    cpu.s.seg[CS] = SegmentCache{0, 0xFFFF, 0, uint16_t(cpu.s.seg[CS].attributes)};
    cpu.s.eip = 0x2100;
    const uint8_t code[] = {0x40, 0x43, 0xEB, 0xFC};  // inc ax; inc bx; jmp $-2
    mem.write_bytes(0x2100, code, sizeof code);
    fill(0x2000, Access::Write);
    TranslatedBlock* tb = dispatch.lookup(cpu, false);
    ASSERT_NE(tb, nullptr);
    EXPECT_EQ(tb->insn_count, 3u);
    EXPECT_EQ(tb->phys_pages, (std::vector<uint32_t>{0x2000}));
    EXPECT_TRUE(mem.is_code_page(0x2000));
    EXPECT_EQ(entry(0x2000).tag_write, SoftTlb::kInvalidTag);
    EXPECT_EQ(dispatch.lookup(cpu, false), tb);  // cached
    EXPECT_EQ(dispatch.translations(), 1u);

    EXPECT_TRUE(fast_write(cpu, 0x2F00, 1, 0x00));  // same page, not the block's bytes
    EXPECT_FALSE(tb->valid);
    EXPECT_EQ(dispatch.invalidations(), 1u);
    EXPECT_EQ(cpu.code_modified, 1u);
    TranslatedBlock* again = dispatch.lookup(cpu, false);
    EXPECT_TRUE(again->valid);
    EXPECT_EQ(dispatch.translations(), 2u);
}

}  // namespace
}  // namespace vmm86::test
