// Guest-physical address space: RAM as one host mapping, ROM images, and MMIO ranges on a
// bus. Every 4 KiB page is described by one entry so the soft TLB can be filled with a
// single lookup. Pages that hold translated code are counted here, so that a write to
// them is routed to the slow path and invalidates the translations (self-modifying code).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "devices/io_bus.h"

namespace vmm86 {

class PhysicalMemory {
public:
    static constexpr uint32_t kPageBits = 12;
    static constexpr uint32_t kPageSize = 1u << kPageBits;
    static constexpr uint64_t kAddressSpace = 1ull << 32;  // 32-bit physical (PAE later)

    enum class PageKind : uint8_t { Unmapped, Ram, Rom, Mmio };

    // RAM covers [0, ram_bytes) except where ROM or MMIO is mapped over it later.
    explicit PhysicalMemory(uint64_t ram_bytes);
    ~PhysicalMemory();
    PhysicalMemory(const PhysicalMemory&) = delete;
    PhysicalMemory& operator=(const PhysicalMemory&) = delete;

    uint64_t ram_size() const { return ram_bytes_; }
    uint8_t* ram() { return ram_; }

    // Maps a copy of `image` read-only at `base` (page aligned, whole pages). Several
    // aliases of one image (the BIOS at 4 GiB and below 1 MiB) share one host copy.
    void map_rom(uint32_t base, const std::vector<uint8_t>& image);
    void map_rom_alias(uint32_t base, uint32_t source_base, uint32_t length);
    void map_mmio(uint32_t base, uint32_t length);
    IoBus& mmio() { return mmio_; }

    PageKind kind(uint32_t paddr) const { return pages_[paddr >> kPageBits].kind; }
    // Host address of the page holding paddr, or nullptr for MMIO and unmapped pages.
    uint8_t* host_page(uint32_t paddr) const { return pages_[paddr >> kPageBits].host; }

    // Byte-granular slow path used by the CPU for MMIO, ROM writes and page-crossing
    // accesses, and by loaders and tests. Unmapped reads return all ones.
    uint64_t read(uint32_t paddr, unsigned size);
    void write(uint32_t paddr, unsigned size, uint64_t value);
    // Loaders and DMA write ROM too (write_rom = true) and invalidate code.
    void write_bytes(uint32_t paddr, const void* data, size_t length, bool write_rom = false);
    void read_bytes(uint32_t paddr, void* data, size_t length);

    // Code tracking. `on_code_write(page)` is called before a write lands on a page that
    // holds translated code; the code cache then drops those translations and calls
    // clear_code_page.
    bool is_code_page(uint32_t paddr) const { return pages_[paddr >> kPageBits].code; }
    void mark_code_page(uint32_t paddr);
    void clear_code_page(uint32_t paddr) { pages_[paddr >> kPageBits].code = false; }
    std::function<void(uint32_t page)> on_code_write;
    // Called when a page turns into a code page, so TLBs drop their fast write entries.
    std::function<void(uint32_t page)> on_code_page_marked;

private:
    struct Page {
        uint8_t* host;
        PageKind kind;
        bool code;
    };
    void notify_write(uint32_t paddr, size_t length);

    uint64_t ram_bytes_;
    uint8_t* ram_ = nullptr;
    std::vector<Page> pages_;
    std::vector<std::unique_ptr<uint8_t[]>> rom_images_;
    IoBus mmio_{"mmio"};
};

}  // namespace vmm86
