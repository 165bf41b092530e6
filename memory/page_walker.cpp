#include "memory/page_walker.h"

namespace vmm86 {
namespace {

// Paging-structure entry bits.
constexpr uint64_t kP = 1u << 0, kRw = 1u << 1, kUs = 1u << 2, kA = 1u << 5, kD = 1u << 6, kPs = 1u << 7,
                   kG = 1u << 8;
constexpr uint64_t kXd = 1ull << 63;
// Physical address bits 35:12 of a PAE entry.
constexpr uint64_t kPaeAddr = ((1ull << PageWalker::kPhysAddrBits) - 1) & ~0xFFFull;
// Bits 62:36 of a PAE entry are above the physical address width: reserved.
constexpr uint64_t kPaeHigh = ~((1ull << PageWalker::kPhysAddrBits) - 1) & ~kXd;

// What every fault reports besides P and RSVD: the access and the mode. I/D exists only
// where execute-disable does (PAE paging with EFER.NXE; SDM vol. 3, 4.7).
uint32_t fault_base(WalkAccess kind, bool user, const PagingControl& ctl) {
    uint32_t e = 0;
    if (kind == WalkAccess::Write) e |= PageWalker::kPfWrite;
    if (user) e |= PageWalker::kPfUser;
    if (kind == WalkAccess::Exec && PageWalker::pae(ctl) && (ctl.efer & PageWalker::kEferNxe))
        e |= PageWalker::kPfFetch;
    return e;
}

// The access-rights check of SDM vol. 3, 4.6 (no SMEP/SMAP on this CPU): user accesses
// need U/S at every level and, to write, R/W at every level; supervisor writes need R/W
// only when CR0.WP is set; fetches fault on an execute-disabled page in either mode.
bool allowed(const Translation& t, WalkAccess kind, bool user, const PagingControl& ctl) {
    if (user && !t.user) return false;
    if (kind == WalkAccess::Write && !t.writable && (user || (ctl.cr0 & PageWalker::kCr0Wp))) return false;
    if (kind == WalkAccess::Exec && !t.executable) return false;
    return true;
}

}  // namespace

uint64_t PageWalker::read_entry(uint64_t paddr, unsigned size) {
    if (paddr >> 32) return ~0ull;
    return mem_.read(uint32_t(paddr), size);
}

void PageWalker::write_entry(uint64_t paddr, unsigned size, uint64_t value) {
    if (paddr >> 32) return;
    mem_.write(uint32_t(paddr), size, value);
}

bool PageWalker::walk(uint32_t linear, WalkAccess kind, bool user, const PagingControl& ctl, Translation& out,
                      uint32_t& error_code) {
    return pae(ctl) ? walk_pae(linear, kind, user, ctl, out, error_code)
                    : walk32(linear, kind, user, ctl, out, error_code);
}

bool PageWalker::walk32(uint32_t linear, WalkAccess kind, bool user, const PagingControl& ctl, Translation& out,
                        uint32_t& error_code) {
    const uint32_t base = fault_base(kind, user, ctl);
    const uint64_t pde_addr = (ctl.cr3 & 0xFFFFF000u) | ((linear >> 22) << 2);
    const uint32_t pde = uint32_t(read_entry(pde_addr, 4));
    if (!(pde & kP)) {
        error_code = base;
        return false;
    }
    Translation t;
    uint64_t leaf_addr;
    uint32_t leaf;
    if ((ctl.cr4 & kCr4Pse) && (pde & kPs)) {
        // A 4 MiB page. Without PSE-36 (CPUID does not report it) the physical address
        // width here is 32 bits, so bits 21:13 are reserved, and so is bit 12 (PAT) on a
        // CPU without PAT (SDM vol. 3, table 4-4).
        if (pde & (ctl.pat ? 0x003FE000u : 0x003FF000u)) {
            error_code = base | kPfPresent | kPfRsvd;
            return false;
        }
        leaf_addr = pde_addr;
        leaf = pde;
        t.phys = (pde & 0xFFC00000u) | (linear & 0x003FFFFFu);
        t.page_size = 4u << 20;
        t.user = pde & kUs;
        t.writable = pde & kRw;
    } else {
        // A page table; 32-bit paging has no reserved bits in PDEs and PTEs that map one.
        leaf_addr = (pde & 0xFFFFF000u) | (((linear >> 12) & 0x3FF) << 2);
        leaf = uint32_t(read_entry(leaf_addr, 4));
        if (!(leaf & kP)) {
            error_code = base;
            return false;
        }
        t.phys = (leaf & 0xFFFFF000u) | (linear & 0xFFF);
        t.page_size = 4096;
        t.user = pde & leaf & kUs;
        t.writable = pde & leaf & kRw;
    }
    if (!allowed(t, kind, user, ctl)) {
        error_code = base | kPfPresent;
        return false;
    }
    // The walk succeeded: set A in each entry used and D in the one that maps the page,
    // read-modify-write of the entry as the page-miss handler does (SDM vol. 3, 4.8).
    if (leaf_addr != pde_addr && !(pde & kA)) write_entry(pde_addr, 4, pde | kA);
    uint32_t want = uint32_t(kA) | (kind == WalkAccess::Write ? uint32_t(kD) : 0u);
    if ((leaf & want) != want) {
        leaf |= want;
        write_entry(leaf_addr, 4, leaf);
    }
    t.dirty = leaf & kD;
    t.global = (leaf & kG) && (ctl.cr4 & kCr4Pge);
    out = t;
    return true;
}

bool PageWalker::walk_pae(uint32_t linear, WalkAccess kind, bool user, const PagingControl& ctl, Translation& out,
                          uint32_t& error_code) {
    const uint32_t base = fault_base(kind, user, ctl);
    const bool nxe = ctl.efer & kEferNxe;
    // The PDPTE: in PAE paging it has no rights, no A bit, and no XD bit (bits 63:36,
    // 8:5 and 2:1 are reserved). vmm86 reads it from memory on each walk instead of
    // caching the four entries at MOV CR3 (see pdptes_valid for the load-time check).
    const uint64_t pdpte = read_entry((ctl.cr3 & 0xFFFFFFE0u) | ((linear >> 30) << 3), 8);
    if (!(pdpte & kP)) {
        error_code = base;
        return false;
    }
    if (pdpte & (kPaeHigh | kXd | 0x1E6)) {
        error_code = base | kPfPresent | kPfRsvd;
        return false;
    }
    const uint64_t reserved = kPaeHigh | (nxe ? 0 : kXd);
    const uint64_t pde_addr = (pdpte & kPaeAddr) | (((linear >> 21) & 0x1FF) << 3);
    const uint64_t pde = read_entry(pde_addr, 8);
    if (!(pde & kP)) {
        error_code = base;
        return false;
    }
    Translation t;
    uint64_t leaf_addr, leaf;
    if (pde & kPs) {
        // A 2 MiB page (CR4.PSE does not matter with PAE). Bits 20:13 are reserved, and
        // bit 12 (PAT) too without PAT support.
        if (pde & (reserved | (ctl.pat ? 0x1FE000 : 0x1FF000))) {
            error_code = base | kPfPresent | kPfRsvd;
            return false;
        }
        leaf_addr = pde_addr;
        leaf = pde;
        t.phys = (pde & kPaeAddr & ~0x1FFFFFull) | (linear & 0x1FFFFF);
        t.page_size = 2u << 20;
        t.user = pde & kUs;
        t.writable = pde & kRw;
        t.executable = !(nxe && (pde & kXd));
    } else {
        if (pde & reserved) {
            error_code = base | kPfPresent | kPfRsvd;
            return false;
        }
        leaf_addr = (pde & kPaeAddr) | (((linear >> 12) & 0x1FF) << 3);
        leaf = read_entry(leaf_addr, 8);
        if (!(leaf & kP)) {
            error_code = base;
            return false;
        }
        // Bit 7 of a PTE is PAT, reserved on a CPU without PAT.
        if (leaf & (reserved | (ctl.pat ? 0 : kPs))) {
            error_code = base | kPfPresent | kPfRsvd;
            return false;
        }
        t.phys = (leaf & kPaeAddr) | (linear & 0xFFF);
        t.page_size = 4096;
        t.user = pde & leaf & kUs;
        t.writable = pde & leaf & kRw;
        t.executable = !(nxe && ((pde | leaf) & kXd));
    }
    if (!allowed(t, kind, user, ctl)) {
        error_code = base | kPfPresent;
        return false;
    }
    // A and D live in the low dword; writing only it leaves the XD half untouched.
    if (leaf_addr != pde_addr && !(pde & kA)) write_entry(pde_addr, 4, uint32_t(pde | kA));
    uint64_t want = kA | (kind == WalkAccess::Write ? kD : 0);
    if ((leaf & want) != want) {
        leaf |= want;
        write_entry(leaf_addr, 4, uint32_t(leaf));
    }
    t.dirty = leaf & kD;
    t.global = (leaf & kG) && (ctl.cr4 & kCr4Pge);
    out = t;
    return true;
}

bool PageWalker::pdptes_valid(uint64_t cr3) {
    for (unsigned i = 0; i < 4; ++i) {
        uint64_t e = read_entry((cr3 & 0xFFFFFFE0u) + i * 8, 8);
        if ((e & kP) && (e & (kPaeHigh | kXd | 0x1E6))) return false;
    }
    return true;
}

}  // namespace vmm86
