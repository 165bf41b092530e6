// The string instructions at run time. REP forms iterate here rather than in IR: each
// iteration is a unit that either completes (its SI/DI/CX updates become visible) or
// faults (nothing of it is visible), which is exactly the hardware contract that lets a
// REP MOVS resume after a page fault or an interrupt.
#include "jit/frontend/lower_string_helpers.h"

#include "cpu/debug_regs.h"

#include <cstring>

#include "cpu/lazy_flags.h"
#include "cpu/segmentation.h"

namespace vmm86::string_ops {
namespace {

uint32_t mask_of(unsigned bytes) { return bytes >= 4 ? 0xFFFFFFFFu : (1u << (8 * bytes)) - 1; }

// Writes an address-sized register: 16-bit forms merge into the low half, 32-bit forms
// replace the register (zero-extending, as every 32-bit register write does).
void set_sized(CpuState& s, unsigned reg, unsigned size, uint32_t v) {
    if (size == 4) s.gpr[reg] = v;
    else if (size == 2) s.gpr[reg] = (s.gpr[reg] & ~0xFFFFull) | (v & 0xFFFF);
    else s.gpr[reg] = (s.gpr[reg] & ~0xFFull) | (v & 0xFF);
}

uint8_t fault_vector(unsigned seg) { return seg == SS ? EXC_SS : EXC_GP; }

// INS reads the port before it writes memory; a device read can have side effects (a
// FIFO pops), so the destination is checked first: a fault then loses no data. The
// segment check covers the limit; descriptor-type checks for protected mode belong in
// Cpu::write_seg and would be mirrored here by whoever adds them.
bool probe_write(Cpu& cpu, unsigned seg, uint32_t offset, unsigned size) {
    const SegmentCache& sc = cpu.s.seg[seg];
    if (!segment_ok(sc, offset, size) || (sc.attributes & SEG_ATTR_NO_WRITE)) {
        cpu.raise(fault_vector(seg), 0);
        return false;
    }
    uint32_t first = sc.base + offset, last = first + size - 1;
    for (uint32_t lin : {first, last}) {
        const TlbEntry& e = cpu.tlb.entries[cpu.tlb_mode()][SoftTlb::index(lin)];
        TlbEntry* filled;
        if (e.tag_write != (lin & ~0xFFFu) && !cpu.tlb_fill(lin, Access::Write, filled)) return false;
    }
    return true;
}

// How many whole elements fit from `offset` before the segment limit, the wrap of a
// 16-bit offset and the end of the linear page; 0 when the fast path does not apply.
uint32_t room(const SegmentCache& sc, uint32_t offset, unsigned size, unsigned asize) {
    if (sc.attributes & SEG_ATTR_EXPAND_DOWN && !(sc.attributes & SEG_ATTR_CODE)) return 0;
    if (offset > sc.limit) return 0;
    uint64_t end = uint64_t(sc.limit) + 1;                  // first offset past the limit
    if (asize == 2 && end > 0x10000) end = 0x10000;         // SI/DI wrap at 64 KiB
    uint32_t linear = sc.base + offset;
    uint64_t page_left = 0x1000 - (linear & 0xFFF);
    uint64_t bytes = end - offset < page_left ? end - offset : page_left;
    return uint32_t(bytes / size);
}

// Host pointer for `n` elements at seg:offset when the whole run hits the soft TLB.
uint8_t* host_run(Cpu& cpu, unsigned seg, uint32_t offset, unsigned size, unsigned asize, uint32_t& n,
                  bool write) {
    const SegmentCache& sc = cpu.s.seg[seg];
    if (sc.attributes & (write ? SEG_ATTR_NO_WRITE : SEG_ATTR_NO_READ)) return nullptr;  // slow path faults
    uint32_t fit = room(sc, offset, size, asize);
    if (fit < n) n = fit;
    if (n == 0) return nullptr;
    uint32_t linear = sc.base + offset;
    const TlbEntry& e = cpu.tlb.entries[cpu.tlb_mode()][SoftTlb::index(linear)];
    if ((write ? e.tag_write : e.tag_read) != (linear & ~0xFFFu)) return nullptr;
    return reinterpret_cast<uint8_t*>(linear + e.addend);
}

// Forward REP MOVS/STOS within one page of RAM on each side, straight on host memory.
// Returns the number of elements done (0: take the one-at-a-time path, which also fills
// the TLB so that the next call can go fast).
uint32_t bulk(Cpu& cpu, const Form& f, uint32_t si, uint32_t di, uint32_t n, uint32_t acc) {
    uint8_t* dst = host_run(cpu, ES, di, f.size, f.asize, n, true);
    if (!dst) return 0;
    if (f.kind == Stos) {
        if (f.size == 1) {
            std::memset(dst, int(acc & 0xFF), n);
        } else {
            for (uint32_t i = 0; i < n; ++i) std::memcpy(dst + i * f.size, &acc, f.size);
        }
        return n;
    }
    uint8_t* src = host_run(cpu, f.src_seg, si, f.size, f.asize, n, false);
    if (!src) return 0;
    const size_t run = size_t(n) * f.size;
    if (dst > src && dst < src + run) {
        // Forward overlap: MOVS reads each element after the previous one was written,
        // which replicates a pattern (the classic "MOVSB with DI = SI + 1" fill).
        for (uint32_t i = 0; i < n; ++i) std::memmove(dst + i * f.size, src + i * f.size, f.size);
    } else {
        std::memmove(dst, src, run);
    }
    return n;
}

void set_cmp_flags(CpuState& s, unsigned size, uint64_t a, uint64_t b) {
    LazyFlags lf{};
    lf.op = lazy_op(LF_SUB, size);
    lf.src1 = a;
    lf.src2 = b;
    lf.result = (a - b) & mask_of(size);
    materialize_flags(s);
    s.eflags = (s.eflags & ~FLAGS_ARITH) | compute_arith_flags(lf);
}

}  // namespace

uint64_t helper_string(Cpu& cpu, uint64_t packed, uint64_t, uint64_t) {
    const Form f = Form::unpack(packed);
    CpuState& s = cpu.s;
    const uint32_t amask = mask_of(f.asize);
    const uint32_t emask = mask_of(f.size);
    uint32_t si = uint32_t(s.gpr[ESI]) & amask;
    uint32_t di = uint32_t(s.gpr[EDI]) & amask;
    uint32_t count = f.rep != NoRep ? uint32_t(s.gpr[ECX]) & amask : 1;
    // INS/OUTS: IOPL and the I/O permission bitmap, checked before anything (also with
    // a zero count, as QEMU does).
    if ((f.kind == Ins || f.kind == Outs) && !io_permitted(cpu, uint16_t(s.gpr[EDX]), f.size)) return 0;
    if (count == 0) return 1;  // REP with CX = 0 does nothing at all, flags included

    const bool backward = s.eflags & FLAG_DF;  // DF is never lazy
    const uint32_t step = backward ? uint32_t(-int32_t(f.size)) : f.size;
    uint32_t acc = uint32_t(s.gpr[EAX]) & emask;
    const uint16_t port = uint16_t(s.gpr[EDX]);
    // With TF set every iteration traps (SDM: REP string instructions are single-stepped
    // per iteration); the engine takes the trap when we return after one.
    uint32_t budget = (s.eflags & FLAG_TF) ? 1 : kMaxIterations;

    bool done = false, compared = false, loaded = false;
    uint64_t cmp_a = 0, cmp_b = 0;
    for (;;) {
        if (f.rep != NoRep && !backward && (f.kind == Movs || f.kind == Stos)) {
            uint32_t want = count < budget ? count : budget;
            if (uint32_t n = bulk(cpu, f, si, di, want, acc)) {
                si = (si + (f.kind == Movs ? n * f.size : 0)) & amask;
                di = (di + n * f.size) & amask;
                count -= n;
                budget -= n;
                if (count == 0) { done = true; break; }
                if (budget == 0 || cpu.exit_request) break;
                continue;
            }
        }

        uint64_t v = 0, w = 0;
        bool ok = true;
        switch (f.kind) {
        case Movs:
            ok = read_seg_fast(cpu, f.src_seg, si, f.size, v) && write_seg_fast(cpu, ES, di, f.size, v);
            break;
        case Cmps:
            // Intel CPUs read ES:DI first: with both operands faulting, the destination's
            // fault is the one reported (checked on the host by vmm86 difftest).
            ok = read_seg_fast(cpu, ES, di, f.size, w) && read_seg_fast(cpu, f.src_seg, si, f.size, v);
            break;
        case Scas:
            v = acc;
            ok = read_seg_fast(cpu, ES, di, f.size, w);
            break;
        case Lods:
            ok = read_seg_fast(cpu, f.src_seg, si, f.size, v);
            break;
        case Stos:
            ok = write_seg_fast(cpu, ES, di, f.size, acc);
            break;
        case Ins:
            ok = probe_write(cpu, ES, di, f.size);
            if (ok) {
                v = cpu.io ? cpu.io->read(port, f.size) & emask : emask;
                ok = write_seg_fast(cpu, ES, di, f.size, v);
                if (ok) debug_check_io(cpu, port, f.size);  // I/O breakpoints
            }
            break;
        case Outs:
            ok = read_seg_fast(cpu, f.src_seg, si, f.size, v);
            if (ok && cpu.io) cpu.io->write(port, f.size, uint32_t(v & emask));
            if (ok) debug_check_io(cpu, port, f.size);
            break;
        }
        if (!ok) break;  // the fault is pending; keep what earlier iterations did

        // The iteration completed: commit it.
        if (f.kind == Movs || f.kind == Cmps || f.kind == Lods || f.kind == Outs) si = (si + step) & amask;
        if (f.kind != Lods && f.kind != Outs) di = (di + step) & amask;
        if (f.kind == Lods) { acc = uint32_t(v); loaded = true; }
        if (f.kind == Cmps || f.kind == Scas) { compared = true; cmp_a = v; cmp_b = w; }
        --count;
        --budget;
        if (count == 0) { done = true; break; }
        if (f.kind == Cmps || f.kind == Scas) {
            if (f.rep == RepWhileEqual && v != w) { done = true; break; }
            if (f.rep == RepWhileNotEqual && v == w) { done = true; break; }
        }
        // Stop early to let the engine take an interrupt or end its budget; the block
        // then re-executes this instruction, which resumes with the updated registers.
        if (budget == 0 || cpu.exit_request) break;
    }

    set_sized(s, ESI, f.asize, si);
    set_sized(s, EDI, f.asize, di);
    if (f.rep != NoRep) set_sized(s, ECX, f.asize, count);
    if (loaded) set_sized(s, EAX, f.size, acc);
    if (compared) set_cmp_flags(s, f.size, cmp_a, cmp_b);
    return done ? 1 : 0;
}

uint64_t helper_in(Cpu& cpu, uint64_t port, uint64_t size, uint64_t) {
    debug_check_io(cpu, uint32_t(port & 0xFFFF), unsigned(size));
    if (!io_permitted(cpu, uint16_t(port), unsigned(size))) return 0;  // #GP(0) raised
    const uint32_t m = mask_of(unsigned(size));
    return cpu.io ? cpu.io->read(port & 0xFFFF, unsigned(size)) & m : m;
}

uint64_t helper_out(Cpu& cpu, uint64_t port, uint64_t size, uint64_t value) {
    debug_check_io(cpu, uint32_t(port & 0xFFFF), unsigned(size));
    if (!io_permitted(cpu, uint16_t(port), unsigned(size))) return 0;
    if (cpu.io) cpu.io->write(port & 0xFFFF, unsigned(size), uint32_t(value & mask_of(unsigned(size))));
    return 0;
}

}  // namespace vmm86::string_ops
