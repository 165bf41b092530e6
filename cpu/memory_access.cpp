// The CPU's slow memory paths: segment faults, TLB fills, MMIO, ROM, code-page writes and
// accesses that cross a page boundary.
#include <cstring>

#include "cpu/cpu.h"
#include "cpu/debug_regs.h"
#include "cpu/cpuid.h"
#include "memory/page_walker.h"

namespace vmm86 {

namespace {
uint8_t segment_fault_vector(unsigned seg) { return seg == SS ? EXC_SS : EXC_GP; }
}  // namespace

bool Cpu::read_seg(unsigned seg, uint32_t offset, unsigned size, uint64_t& value) {
    const SegmentCache& sc = s.seg[seg];
    // NO_READ: an execute-only code segment or a null selector (protected mode).
    if (!segment_ok(sc, offset, size) || (sc.attributes & SEG_ATTR_NO_READ)) {
        raise(segment_fault_vector(seg), 0);
        return false;
    }
    return read_linear(sc.base + offset, size, value);
}

bool Cpu::write_seg(unsigned seg, uint32_t offset, unsigned size, uint64_t value) {
    const SegmentCache& sc = s.seg[seg];
    // NO_WRITE: a code segment, a read-only data segment or a null selector.
    if (!segment_ok(sc, offset, size) || (sc.attributes & SEG_ATTR_NO_WRITE)) {
        raise(segment_fault_vector(seg), 0);
        return false;
    }
    return write_linear(sc.base + offset, size, value);
}

bool Cpu::tlb_fill(uint32_t linear, Access kind, TlbEntry*& entry) {
    // Data breakpoints keep their pages off the fast path (cpu/debug_regs.h).
    if (bool ok; __builtin_expect(s.dr[7] & 0xFF, 0) && debug_tlb_fill(*this, linear, kind, entry, ok)) return ok;
    const unsigned mode = tlb_mode();  // implicit supervisor accesses use the supervisor half
    if (s.cr0 & CR0_PG) return tlb_fill_paged(linear, kind, mode, entry);
    // Without paging, linear = physical, with the A20 gate applied.
    uint32_t phys = linear & s.a20_mask;
    uint32_t page = linear & ~0xFFFu, phys_page = phys & ~0xFFFu;
    TlbEntry& e = tlb.entries[mode][SoftTlb::index(linear)];
    e = TlbEntry{SoftTlb::kInvalidTag, SoftTlb::kInvalidTag, SoftTlb::kInvalidTag, phys_page, 0, 0, 0};
    if (uint8_t* host = mem->host_page(phys_page)) {
        e.addend = reinterpret_cast<uintptr_t>(host) - page;
        e.tag_read = page;
        e.tag_exec = page;
        if (mem->kind(phys_page) == PhysicalMemory::PageKind::Ram && !mem->is_code_page(phys_page))
            e.tag_write = page;
    }
    entry = &e;
    (void)kind;
    return true;
}

bool Cpu::tlb_fill_paged(uint32_t linear, Access kind, unsigned mode, TlbEntry*& entry) {
    static const bool pat = cpuid_query(1).edx & CPUID_1_EDX_PAT;
    const PagingControl ctl{s.cr0, s.cr3, s.cr4, s.efer, pat};
    const WalkAccess wk = kind == Access::Write ? WalkAccess::Write : kind == Access::Exec ? WalkAccess::Exec
                                                                                           : WalkAccess::Read;
    const bool user = mode == 1;
    Translation t;
    uint32_t error_code;
    if (!PageWalker(*mem).walk(linear, wk, user, ctl, t, error_code)) {
        s.cr2 = linear;
        raise(EXC_PF, error_code);
        return false;
    }
    const uint64_t phys = t.phys & (0xFFFFFFFF00000000ull | s.a20_mask);
    const uint32_t page = linear & ~0xFFFu, phys_page = uint32_t(phys) & ~0xFFFu;
    TlbEntry& e = tlb.entries[mode][SoftTlb::index(linear)];
    e = TlbEntry{SoftTlb::kInvalidTag, SoftTlb::kInvalidTag, SoftTlb::kInvalidTag, phys_page, 0, 0, 0};
    if (t.global) e.flags |= kTlbGlobal;
    if (t.page_size > 4096) {
        e.flags |= t.page_size == (4u << 20) ? kTlbLarge4M : kTlbLarge2M;
        tlb.large_pages = true;
    }
    entry = &e;
    if (phys >> 32) {  // PAE beyond 4 GiB: nothing is there (reads all ones, writes dropped)
        e.flags |= kTlbHighPhys;
        return true;
    }
    // The entry grants only what the page allows in this mode. Write needs the D bit
    // already set, so that the first write to a clean page walks again and sets it.
    const bool can_write = (t.writable || (!user && !(s.cr0 & CR0_WP))) && t.dirty;
    if (uint8_t* host = mem->host_page(phys_page)) {
        e.addend = reinterpret_cast<uintptr_t>(host) - page;
        e.tag_read = page;
        if (t.executable) e.tag_exec = page;
        if (can_write && mem->kind(phys_page) == PhysicalMemory::PageKind::Ram && !mem->is_code_page(phys_page))
            e.tag_write = page;
    }
    return true;
}

bool Cpu::read_linear(uint32_t linear, unsigned size, uint64_t& value, Access kind) {
    if ((linear & 0xFFF) + size > 0x1000) {
        // Split at the page boundary; both halves must translate before anything is read.
        unsigned first = 0x1000 - (linear & 0xFFF);
        uint64_t lo, hi;
        if (!read_linear(linear, first, lo, kind) || !read_linear(linear + first, size - first, hi, kind))
            return false;
        value = lo | (hi << (8 * first));
        return true;
    }
    TlbEntry* e;
    if (!tlb_fill(linear, kind, e)) return false;
    if (__builtin_expect(s.dr[7] & 0xFF, 0) && kind != Access::Exec) debug_check_data(*this, linear, size, false);
    if (__builtin_expect(e->flags & kTlbHighPhys, 0)) {
        value = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
        return true;
    }
    if (e->tag_read == (linear & ~0xFFFu)) {
        value = 0;
        std::memcpy(&value, reinterpret_cast<const void*>(linear + e->addend), size);
        return true;
    }
    value = mem->read(e->phys_page | (linear & 0xFFF), size);
    return true;
}

bool Cpu::write_linear(uint32_t linear, unsigned size, uint64_t value) {
    if ((linear & 0xFFF) + size > 0x1000) {
        unsigned first = 0x1000 - (linear & 0xFFF);
        TlbEntry* e;
        // Translate both pages first so a fault on the second leaves memory untouched.
        if (!tlb_fill(linear, Access::Write, e) || !tlb_fill(linear + first, Access::Write, e)) return false;
        return write_linear(linear, first, value) &&
               write_linear(linear + first, size - first, value >> (8 * first));
    }
    TlbEntry* e;
    if (!tlb_fill(linear, Access::Write, e)) return false;
    if (__builtin_expect(s.dr[7] & 0xFF, 0)) debug_check_data(*this, linear, size, true);
    if (__builtin_expect(e->flags & kTlbHighPhys, 0)) return true;
    uint32_t phys = e->phys_page | (linear & 0xFFF);
    // PhysicalMemory::write handles RAM (with code invalidation), ROM (dropped) and MMIO.
    if (mem->is_code_page(phys)) code_modified = 1;
    mem->write(phys, size, value);
    return true;
}

void Cpu::set_a20(bool enabled) {
    uint32_t mask = enabled ? 0xFFFFFFFFu : 0xFFEFFFFFu;
    if (mask != s.a20_mask) {
        s.a20_mask = mask;
        flush_tlb();
    }
}

}  // namespace vmm86
