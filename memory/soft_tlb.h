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
    uint32_t flags;      // kTlbGlobal, kTlbLarge*, kTlbHighPhys
    uint32_t pad;
};
static_assert(sizeof(TlbEntry) == 32);

// TlbEntry::flags.
enum : uint32_t {
    kTlbGlobal = 1u << 0,    // from a global page (G with CR4.PGE): survives CR3 writes
    kTlbLarge4M = 1u << 1,   // one 4 KiB piece of a 4 MiB page: INVLPG anywhere in it drops it
    kTlbLarge2M = 1u << 2,   // one 4 KiB piece of a 2 MiB page
    kTlbHighPhys = 1u << 3,  // maps physical memory above 4 GiB (PAE): nothing there
};

struct SoftTlb {
    static constexpr unsigned kEntries = 256;
    static constexpr unsigned kModes = 2;  // 0 = supervisor, 1 = user (CPL 3)
    static constexpr uint32_t kInvalidTag = 1;  // never page aligned, so never matches

    TlbEntry entries[kModes][kEntries];

    static unsigned index(uint32_t linear) { return (linear >> 12) & (kEntries - 1); }

    void flush() {
        for (auto& mode : entries)
            for (auto& e : mode) e = TlbEntry{kInvalidTag, kInvalidTag, kInvalidTag, 0, 0, 0, 0};
        large_pages = false;
    }
    // INVLPG: drops the page holding `linear`, in both modes, global or not. A large
    // page is cached as 4 KiB pieces in other slots too; every piece of it goes.
    void flush_page(uint32_t linear) {
        for (auto& mode : entries) {
            TlbEntry& e = mode[index(linear)];
            if (matches(e, linear & ~0xFFFu)) e = TlbEntry{kInvalidTag, kInvalidTag, kInvalidTag, 0, 0, 0, 0};
        }
        if (!large_pages) return;
        for (auto& mode : entries)
            for (auto& e : mode) {
                uint32_t mask = (e.flags & kTlbLarge4M) ? ~0x3FFFFFu : (e.flags & kTlbLarge2M) ? ~0x1FFFFFu : 0;
                if (mask && matches_region(e, linear & mask, mask))
                    e = TlbEntry{kInvalidTag, kInvalidTag, kInvalidTag, 0, 0, 0, 0};
            }
    }
    // MOV CR3: every entry except the global ones goes.
    void flush_non_global() {
        for (auto& mode : entries)
            for (auto& e : mode)
                if (!(e.flags & kTlbGlobal)) e = TlbEntry{kInvalidTag, kInvalidTag, kInvalidTag, 0, 0, 0, 0};
    }
    // Set when a piece of a large page is filled, so INVLPG knows to look for others.
    bool large_pages = false;
    static bool matches(const TlbEntry& e, uint32_t page) {
        return e.tag_read == page || e.tag_write == page || e.tag_exec == page;
    }
    static bool matches_region(const TlbEntry& e, uint32_t region, uint32_t mask) {
        for (uint32_t tag : {e.tag_read, e.tag_write, e.tag_exec})
            if (tag != kInvalidTag && (tag & mask) == region) return true;
        return false;
    }

    // A page became a code page: writes to it must take the slow path from now on.
    void drop_write_access(uint32_t phys_page) {
        for (auto& mode : entries)
            for (auto& e : mode)
                if (e.phys_page == phys_page) e.tag_write = kInvalidTag;
    }
};

}  // namespace vmm86
