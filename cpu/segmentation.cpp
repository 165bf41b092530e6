// Descriptor fetch, segment register loads and the privilege/I-O checks (SDM vol. 3,
// chapters 3, 5 and 19; vol. 2, MOV/POP/LDS and IN/OUT).
#include "cpu/segmentation.h"

#include "cpu/lazy_flags.h"

namespace vmm86 {

uint32_t descriptor_address(const Cpu& cpu, uint16_t sel) {
    const uint32_t base = (sel & 4) ? cpu.s.ldtr.base : cpu.s.gdtr.base;
    return base + (sel & 0xFFF8u);
}

bool read_descriptor(Cpu& cpu, uint16_t sel, Descriptor& d, uint8_t vector, uint32_t ext) {
    uint32_t limit;
    if (sel & 4) {
        // An LDT reference with a null (or never loaded) LDTR is out of bounds.
        if ((cpu.s.ldtr.selector & 0xFFFC) == 0 || !(cpu.s.ldtr.attributes & SEG_ATTR_PRESENT)) {
            cpu.raise(vector, selector_error(sel, ext));
            return false;
        }
        limit = cpu.s.ldtr.limit;
    } else {
        limit = cpu.s.gdtr.limit;
    }
    if (uint32_t(sel & 0xFFF8u) + 7 > limit) {
        cpu.raise(vector, selector_error(sel, ext));
        return false;
    }
    SupervisorAccess sup(cpu);
    uint64_t raw;
    if (!cpu.read_linear(descriptor_address(cpu, sel), 8, raw)) return false;
    d.lo = uint32_t(raw);
    d.hi = uint32_t(raw >> 32);
    return true;
}

bool mark_accessed(Cpu& cpu, uint16_t sel, Descriptor& d) {
    if (d.hi & (1u << 8)) return true;
    d.hi |= 1u << 8;
    SupervisorAccess sup(cpu);
    return cpu.write_linear(descriptor_address(cpu, sel) + 5, 1, (d.hi >> 8) & 0xFF);
}

SegmentCache make_cache(uint16_t sel, const Descriptor& d) {
    SegmentCache c{d.base(), d.limit(), sel, d.attributes()};
    if (d.code()) {
        c.attributes |= SEG_ATTR_NO_WRITE;
        if (!d.readable()) c.attributes |= SEG_ATTR_NO_READ;
    } else if (d.data() && !d.writable()) {
        c.attributes |= SEG_ATTR_NO_WRITE;
    }
    return c;
}

SegmentCache null_cache(uint16_t sel) { return SegmentCache{0, 0, sel, uint16_t(SEG_ATTR_DERIVED)}; }

SegmentCache v86_cache(uint16_t sel) {
    return SegmentCache{uint32_t(sel) << 4, 0xFFFF, sel, 0xF3};  // P, DPL 3, S, data RW, A
}

bool check_data_segment(Cpu& cpu, unsigned seg, uint16_t sel, unsigned cpl, SegmentCache& out, uint8_t gp,
                        uint32_t ext) {
    const uint32_t err = selector_error(sel, ext);
    if ((sel & 0xFFFC) == 0) {
        // DS/ES/FS/GS may hold a null selector; SS may not (#GP(0), or #TS(0) in a task switch).
        if (seg == SS) {
            cpu.raise(gp, ext & 1);
            return false;
        }
        out = null_cache(sel);
        return true;
    }
    Descriptor d;
    if (!read_descriptor(cpu, sel, d, gp, ext)) return false;
    if (seg == SS) {
        if ((sel & 3) != cpl || !d.writable() || d.dpl() != cpl) {
            cpu.raise(gp, err);
            return false;
        }
        if (!d.present()) {
            cpu.raise(EXC_SS, err);
            return false;
        }
    } else {
        if (!(d.data() || d.readable())) {
            cpu.raise(gp, err);
            return false;
        }
        // Data and non-conforming code: both RPL and CPL must be at most DPL.
        if (!d.conforming() && ((sel & 3) > d.dpl() || cpl > d.dpl())) {
            cpu.raise(gp, err);
            return false;
        }
        if (!d.present()) {
            cpu.raise(EXC_NP, err);
            return false;
        }
    }
    if (!mark_accessed(cpu, sel, d)) return false;
    out = make_cache(sel, d);
    return true;
}

void nullify_inner_segments(Cpu& cpu, unsigned new_cpl) {
    for (unsigned seg : {ES, DS, FS, GS}) {
        SegmentCache& c = cpu.s.seg[seg];
        const bool conforming_code = (c.attributes & SEG_ATTR_CODE) && (c.attributes & SEG_ATTR_EXPAND_DOWN);
        const unsigned dpl = (c.attributes >> 5) & 3;
        // A null selector already is; other types never sit in a data register.
        if ((c.attributes & SEG_ATTR_DERIVED) == SEG_ATTR_DERIVED && !(c.attributes & SEG_ATTR_PRESENT)) continue;
        if (!conforming_code && dpl < new_cpl) c = null_cache(0);
    }
}

bool inner_stack(Cpu& cpu, unsigned dpl, SegmentCache& ss, uint32_t& esp, uint32_t ext) {
    const SegmentCache& tr = cpu.s.tr;
    const bool tss32 = (tr.attributes & 8) != 0;
    const uint32_t off = tss32 ? 4 + 8 * dpl : 2 + 4 * dpl;
    if (off + (tss32 ? 7 : 3) > tr.limit) {
        cpu.raise(EXC_TS, selector_error(tr.selector, ext));
        return false;
    }
    SupervisorAccess sup(cpu);
    uint64_t sp, sel;
    if (!cpu.read_linear(tr.base + off, tss32 ? 4 : 2, sp) ||
        !cpu.read_linear(tr.base + off + (tss32 ? 4 : 2), 2, sel))
        return false;
    const uint16_t ssel = uint16_t(sel);
    if ((ssel & 0xFFFC) == 0) {
        cpu.raise(EXC_TS, ext & 1);
        return false;
    }
    Descriptor d;
    if (!read_descriptor(cpu, ssel, d, EXC_TS, ext)) return false;
    if ((ssel & 3) != dpl || d.dpl() != dpl || !d.writable()) {
        cpu.raise(EXC_TS, selector_error(ssel, ext));
        return false;
    }
    if (!d.present()) {
        cpu.raise(EXC_SS, selector_error(ssel, ext));
        return false;
    }
    if (!mark_accessed(cpu, ssel, d)) return false;
    ss = make_cache(ssel, d);
    esp = uint32_t(sp);
    return true;
}

uint64_t helper_load_segment(Cpu& cpu, uint64_t seg, uint64_t sel, uint64_t) {
    SegmentCache c;
    if (!check_data_segment(cpu, unsigned(seg), uint16_t(sel), cpu.cpl(), c)) return 0;
    cpu.s.seg[seg] = c;
    return 0;
}

uint64_t helper_require_cpl0(Cpu& cpu, uint64_t, uint64_t, uint64_t) {
    if (cpu.cpl() != 0) cpu.raise(EXC_GP, 0);
    return 0;
}

uint64_t helper_require_iopl(Cpu& cpu, uint64_t, uint64_t, uint64_t) {
    if (cpu.real_mode()) return 1;
    if (cpu.cpl() > ((cpu.s.eflags >> 12) & 3)) {  // IOPL is never lazy
        cpu.raise(EXC_GP, 0);
        return 0;
    }
    return 1;
}

uint64_t helper_require_protected(Cpu& cpu, uint64_t, uint64_t, uint64_t) {
    if (cpu.real_mode() || cpu.v86_mode()) cpu.raise(EXC_UD);
    return 0;
}

bool io_permitted(Cpu& cpu, uint16_t port, unsigned size) {
    if (cpu.real_mode()) return true;
    if (!cpu.v86_mode() && cpu.cpl() <= ((cpu.s.eflags >> 12) & 3)) return true;
    // The I/O permission bitmap: only a 32-bit TSS has one; its base is at offset 66h.
    // Every bit for port .. port+size-1 must be clear, and the bytes read must lie
    // within the TSS limit (SDM vol. 1, 19.5.2).
    const SegmentCache& tr = cpu.s.tr;
    const unsigned type = tr.attributes & 0xF;
    if ((type != SYS_TSS32_AVAIL && type != SYS_TSS32_BUSY) || tr.limit < 0x67) {
        cpu.raise(EXC_GP, 0);
        return false;
    }
    SupervisorAccess sup(cpu);
    uint64_t base;
    if (!cpu.read_linear(tr.base + 0x66, 2, base)) return false;
    const uint32_t offset = uint32_t(base & 0xFFFF) + port / 8;
    if (offset + 1 > tr.limit) {
        cpu.raise(EXC_GP, 0);
        return false;
    }
    uint64_t bits;
    if (!cpu.read_linear(tr.base + offset, 2, bits)) return false;
    const uint32_t want = ((1u << size) - 1) << (port & 7);
    if (bits & want) {
        cpu.raise(EXC_GP, 0);
        return false;
    }
    return true;
}

bool StagedStack::push(unsigned size, uint32_t value) {
    const uint32_t nsp = (sp - size) & mask();
    if (!segment_ok(ss, nsp, size)) {
        cpu.raise(EXC_SS, fault_error);
        return false;
    }
    if (!cpu.write_linear(ss.base + nsp, size, value)) return false;
    sp = nsp;
    return true;
}

bool stack_read(Cpu& cpu, uint32_t offset_from_sp, unsigned size, uint32_t& value) {
    const bool big = cpu.s.seg[SS].attributes & SEG_ATTR_DB;
    const uint32_t off = (uint32_t(cpu.s.gpr[ESP]) + offset_from_sp) & (big ? 0xFFFFFFFFu : 0xFFFFu);
    uint64_t v;
    if (!cpu.read_seg(SS, off, size, v)) return false;
    value = uint32_t(v);
    return true;
}

}  // namespace vmm86
