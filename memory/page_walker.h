// The page walker: translates a linear address through the guest's page tables in
// PhysicalMemory the way an i686 with PSE, PGE, PAE and NX does (Intel SDM vol. 3, ch. 4):
// 32-bit paging with 4 KiB pages and, with CR4.PSE, 4 MiB pages; PAE paging (CR4.PAE)
// with 4 KiB and 2 MiB pages and the execute-disable bit when EFER.NXE is set. It checks
// the access rights of the translation, sets accessed and dirty bits as the hardware
// does, and on a fault gives the exact page-fault error code. It knows nothing of the
// CPU beyond the control registers it is handed, so it can be tested on its own.
#pragma once
#include <cstdint>

#include "memory/physical_memory.h"

namespace vmm86 {

enum class WalkAccess : uint8_t { Read, Write, Exec };

// The registers that decide how a walk goes (copied from CpuState).
struct PagingControl {
    uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
    // CPUID reports PAT: the PAT bits of entries (PTE bit 7 with PAE, bit 12 of a large
    // PDE) are then not reserved.
    bool pat = true;
};

// A successful translation: where the byte is and what the page allows. The rights are
// the combination over every level of the walk (SDM vol. 3, 4.6).
struct Translation {
    uint64_t phys = 0;        // physical address of the linear address walked
    uint32_t page_size = 0;   // 4 KiB, 2 MiB or 4 MiB
    bool user = false;        // U/S = 1 at every level: CPL 3 may access it
    bool writable = false;    // R/W = 1 at every level
    bool executable = true;   // no XD bit at any level (always true without EFER.NXE)
    bool dirty = false;       // D of the entry that maps the page, after this walk
    bool global = false;      // G of that entry, and CR4.PGE set
};

class PageWalker {
public:
    // Control-register bits the walker reads.
    static constexpr uint64_t kCr0Wp = 1ull << 16, kCr0Pg = 1ull << 31;
    static constexpr uint64_t kCr4Pse = 1ull << 4, kCr4Pae = 1ull << 5, kCr4Pge = 1ull << 7;
    static constexpr uint64_t kEferNxe = 1ull << 11;
    // Page-fault error code bits (SDM vol. 3, figure 4-12).
    static constexpr uint32_t kPfPresent = 1, kPfWrite = 2, kPfUser = 4, kPfRsvd = 8, kPfFetch = 16;
    // The physical address width with PAE: 36 bits, as on the Pentium Pro line (CPUID has
    // no leaf 8000_0008h, so software assumes 36). Entry bits 62:36 are reserved.
    static constexpr unsigned kPhysAddrBits = 36;

    explicit PageWalker(PhysicalMemory& mem) : mem_(mem) {}

    // Translates `linear` for an access of `kind` by a user-mode (CPL 3) or supervisor
    // access. On success sets the accessed bits of every entry used (and the dirty bit of
    // the mapping entry for a write), fills `out` and returns true. On a fault sets
    // nothing in memory, stores the #PF error code and returns false.
    bool walk(uint32_t linear, WalkAccess kind, bool user, const PagingControl& ctl, Translation& out,
              uint32_t& error_code);

    // For MOV CR3 and the CR0/CR4 writes that enter PAE paging: the four PDPTEs must not
    // set reserved bits where present, or the write is a #GP(0) (SDM vol. 3, 4.4.1).
    bool pdptes_valid(uint64_t cr3);

    static bool pae(const PagingControl& c) { return c.cr4 & kCr4Pae; }

private:
    // Entries may sit anywhere in the 36-bit physical space; above 4 GiB nothing is
    // mapped and they read as all ones, like unmapped memory.
    uint64_t read_entry(uint64_t paddr, unsigned size);
    void write_entry(uint64_t paddr, unsigned size, uint64_t value);

    bool walk32(uint32_t linear, WalkAccess kind, bool user, const PagingControl& ctl, Translation& out,
                uint32_t& error_code);
    bool walk_pae(uint32_t linear, WalkAccess kind, bool user, const PagingControl& ctl, Translation& out,
                  uint32_t& error_code);

    PhysicalMemory& mem_;
};

}  // namespace vmm86
