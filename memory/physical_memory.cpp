#include "memory/physical_memory.h"

#include <sys/mman.h>

#include <cstring>
#include <stdexcept>

namespace vmm86 {

PhysicalMemory::PhysicalMemory(uint64_t ram_bytes) : ram_bytes_(ram_bytes) {
    if (ram_bytes == 0 || ram_bytes % kPageSize || ram_bytes > 0xE0000000ull)
        throw std::invalid_argument("RAM size must be a whole number of pages below 3.5 GiB");
    // One anonymous mapping: untouched guest RAM costs the host nothing.
    void* p = mmap(nullptr, ram_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("cannot allocate guest RAM");
    ram_ = static_cast<uint8_t*>(p);
    pages_.assign(kAddressSpace >> kPageBits, Page{nullptr, PageKind::Unmapped, false});
    for (uint64_t a = 0; a < ram_bytes; a += kPageSize) pages_[a >> kPageBits] = Page{ram_ + a, PageKind::Ram, false};
}

PhysicalMemory::~PhysicalMemory() { munmap(ram_, ram_bytes_); }

void PhysicalMemory::map_rom(uint32_t base, const std::vector<uint8_t>& image) {
    if (base % kPageSize || image.size() % kPageSize || image.empty())
        throw std::invalid_argument("ROM must be whole pages at a page-aligned address");
    auto copy = std::make_unique<uint8_t[]>(image.size());
    std::memcpy(copy.get(), image.data(), image.size());
    for (size_t off = 0; off < image.size(); off += kPageSize)
        pages_[(uint64_t(base) + off) >> kPageBits] = Page{copy.get() + off, PageKind::Rom, false};
    rom_images_.push_back(std::move(copy));
}

void PhysicalMemory::map_rom_alias(uint32_t base, uint32_t source_base, uint32_t length) {
    for (uint32_t off = 0; off < length; off += kPageSize) {
        const Page& src = pages_[(uint64_t(source_base) + off) >> kPageBits];
        if (src.kind != PageKind::Rom) throw std::invalid_argument("ROM alias of a non-ROM page");
        pages_[(uint64_t(base) + off) >> kPageBits] = Page{src.host, PageKind::Rom, false};
    }
}

void PhysicalMemory::map_mmio(uint32_t base, uint32_t length) {
    for (uint64_t a = base; a < uint64_t(base) + length; a += kPageSize)
        pages_[a >> kPageBits] = Page{nullptr, PageKind::Mmio, false};
}

void PhysicalMemory::mark_code_page(uint32_t paddr) {
    Page& p = pages_[paddr >> kPageBits];
    if (p.code) return;
    p.code = true;
    if (on_code_page_marked) on_code_page_marked(paddr & ~(kPageSize - 1));
}

void PhysicalMemory::notify_write(uint32_t paddr, size_t length) {
    uint64_t first = paddr >> kPageBits, last = (uint64_t(paddr) + length - 1) >> kPageBits;
    for (uint64_t pg = first; pg <= last && pg < pages_.size(); ++pg)
        if (pages_[pg].code && on_code_write) on_code_write(uint32_t(pg << kPageBits));
}

uint64_t PhysicalMemory::read(uint32_t paddr, unsigned size) {
    const Page& p = pages_[paddr >> kPageBits];
    uint32_t off = paddr & (kPageSize - 1);
    if (off + size <= kPageSize) {
        if (p.host) {
            uint64_t v = 0;
            std::memcpy(&v, p.host + off, size);
            return v;
        }
        if (p.kind == PageKind::Mmio) {
            // Devices take at most a dword (io_device.h): a qword (CMPXCHG8B) is two.
            if (size == 8) return mmio_.read(paddr, 4) | uint64_t(mmio_.read(paddr + 4, 4)) << 32;
            return mmio_.read(paddr, size);
        }
        return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= read(paddr + i, 1) << (8 * i);
    return v;
}

void PhysicalMemory::write(uint32_t paddr, unsigned size, uint64_t value) {
    const Page& p = pages_[paddr >> kPageBits];
    uint32_t off = paddr & (kPageSize - 1);
    if (off + size <= kPageSize) {
        if (p.kind == PageKind::Ram) {
            if (p.code) notify_write(paddr, size);
            std::memcpy(p.host + off, &value, size);
        } else if (p.kind == PageKind::Mmio) {
            if (size == 8) {
                mmio_.write(paddr, 4, uint32_t(value));
                mmio_.write(paddr + 4, 4, uint32_t(value >> 32));
            } else {
                mmio_.write(paddr, size, uint32_t(value));
            }
        }
        return;  // ROM and unmapped: the write is dropped, as on a PC
    }
    for (unsigned i = 0; i < size; ++i) write(paddr + i, 1, (value >> (8 * i)) & 0xFF);
}

void PhysicalMemory::write_bytes(uint32_t paddr, const void* data, size_t length, bool write_rom) {
    const auto* src = static_cast<const uint8_t*>(data);
    notify_write(paddr, length);
    for (size_t i = 0; i < length; ++i) {
        uint64_t a = uint64_t(paddr) + i;
        const Page& p = pages_[a >> kPageBits];
        if (p.kind == PageKind::Ram || (write_rom && p.kind == PageKind::Rom))
            p.host[a & (kPageSize - 1)] = src[i];
        else if (p.kind == PageKind::Mmio)
            mmio_.write(a, 1, src[i]);
    }
}

void PhysicalMemory::read_bytes(uint32_t paddr, void* data, size_t length) {
    auto* dst = static_cast<uint8_t*>(data);
    for (size_t i = 0; i < length; ++i) dst[i] = uint8_t(read(uint32_t(paddr + i), 1));
}

}  // namespace vmm86
