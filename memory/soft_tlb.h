// The soft TLB: guest-linear page -> host address, per access kind. Generated code (and
// the interpreter) compare the page tag inline and add `addend` to the linear address;
// anything else (a miss, MMIO, ROM writes, writes to pages holding translated code,
// accesses that cross a page) goes to the slow path in cpu/.
#pragma once
#include <cstdint>
#include <cstring>

namespace vmm86 {

struct TlbEntry {
    // Page-aligned linear address, or kInvalidTag. A tag matches only if the entry allows
    // that access kind.
    uint32_t tag_read;
    uint32_t tag_write;
    uint32_t tag_exec;
    uint32_t phys_page;  // guest-physical page address, for code tracking
    uintptr_t addend;    // host address = linear address + addend
};
static_assert(sizeof(TlbEntry) == 24);

struct SoftTlb {
    static constexpr unsigned kEntries = 256;
    static constexpr unsigned kModes = 2;  // 0 = supervisor, 1 = user (CPL 3)
    static constexpr uint32_t kInvalidTag = 1;  // never page aligned, so never matches

    TlbEntry entries[kModes][kEntries];

    static unsigned index(uint32_t linear) { return (linear >> 12) & (kEntries - 1); }

    void flush() {
        for (auto& mode : entries)
            for (auto& e : mode) e = TlbEntry{kInvalidTag, kInvalidTag, kInvalidTag, 0, 0};
    }
    void flush_page(uint32_t linear) {
        for (auto& mode : entries) {
            TlbEntry& e = mode[index(linear)];
            if (e.tag_read == (linear & ~0xFFFu) || e.tag_write == (linear & ~0xFFFu) ||
                e.tag_exec == (linear & ~0xFFFu))
                e = TlbEntry{kInvalidTag, kInvalidTag, kInvalidTag, 0, 0};
        }
    }
    // A page became a code page: writes to it must take the slow path from now on.
    void drop_write_access(uint32_t phys_page) {
        for (auto& mode : entries)
            for (auto& e : mode)
                if (e.phys_page == phys_page) e.tag_write = kInvalidTag;
    }
};

}  // namespace vmm86
