// helper_x87: the checks every ESC instruction makes, in the hardware's order (#NM, then
// a pending #MF for waiting instructions, then the memory operand), and the computational
// instructions through the engine. Nothing of the guest changes until every fault that
// can happen has been ruled out: the engine runs on a copy of the state.
#include <cstring>

#include "cpu/fpu/fpu_helpers.h"
#include "cpu/fpu/x87_engine.h"
#include "cpu/fpu/x87_forms.h"
#include "cpu/lazy_flags.h"

namespace vmm86 {

bool fpu_usable(Cpu& cpu) {
    if (cpu.s.cr0 & (CR0_EM | CR0_TS)) {
        cpu.raise(EXC_NM);
        return false;
    }
    return true;
}

bool fpu_check_pending(Cpu& cpu) {
    FpuState f(cpu.s);
    if (!f.exception_pending()) return true;
    if (cpu.s.cr0 & CR0_NE) {
        cpu.raise(EXC_MF);
        return false;
    }
    // MS-DOS compatibility: FERR# goes to IRQ13 and the instruction goes ahead, as with
    // IGNNE# asserted (the handler is expected to FNCLEX).
    if (cpu.ferr_changed) cpu.ferr_changed(cpu.ferr_ctx, true);
    return true;
}

void fpu_update_summary(Cpu& cpu) {
    FpuState f(cpu.s);
    uint16_t sw = f.fsw() & ~(FSW_ES | FSW_B);
    const bool pending = sw & ~f.fcw() & FSW_EXCEPTIONS;
    if (pending) sw |= FSW_ES | FSW_B;
    f.set_fsw(sw);
    if (!pending && cpu.ferr_changed) cpu.ferr_changed(cpu.ferr_ctx, false);
}

namespace {

// Calls f(at, size) for each part of an n-byte operand until it returns false: FSTENV's
// 14/28 bytes are seven 2/4-byte fields, FSAVE's 94/108 that and eight registers, each an
// 8-byte significand and a 2-byte exponent (as m80 is); the rest in pieces of at most 8.
template <typename F>
bool each_part(unsigned n, F&& f) {
    unsigned at = 0;
    if (n == 14 || n == 28 || n == 94 || n == 108) {
        const unsigned w = (n == 28 || n == 108) ? 4 : 2;
        for (; at < 7 * w; at += w)
            if (!f(at, w)) return false;
    }
    if (n == 10 || n == 94 || n == 108) {
        for (; at < n; at += 10)
            if (!f(at, 8u) || !f(at + 8, 2u)) return false;
    }
    while (at < n) {
        const unsigned k = n - at >= 8 ? 8 : n - at >= 4 ? 4 : n - at >= 2 ? 2 : 1;
        if (!f(at, k)) return false;
        at += k;
    }
    return true;
}

bool fpu_access(Cpu& cpu, unsigned seg, uint32_t offset, uint8_t* buf, unsigned n, bool addr32, bool write) {
    const SegmentCache& sc = cpu.s.seg[seg];
    auto part = [&](unsigned at) { return addr32 ? offset + at : (offset + at) & 0xFFFF; };
    // An environment or state image is checked at its first and last byte before anything
    // is stored, as Intel CPUs do: with 32-bit addressing nothing of an image that crosses
    // the limit is written; with 16-bit addressing the part that wraps onto the limit faults
    // after the parts before it were stored. An 80-bit value is stored as its significand,
    // then its exponent. (Loads change nothing before they complete.)
    if (write && n > 10 &&
        (!segment_ok(sc, part(0), 1) || !segment_ok(sc, part(n - 1), 1) || (sc.attributes & SEG_ATTR_NO_WRITE))) {
        cpu.raise(seg == SS ? EXC_SS : EXC_GP, 0);
        return false;
    }
    return each_part(n, [&](unsigned at, unsigned k) {
        uint64_t v = 0;
        if (write) {
            std::memcpy(&v, buf + at, k);
            return cpu.write_seg(seg, part(at), k, v);
        }
        if (!cpu.read_seg(seg, part(at), k, v)) return false;
        std::memcpy(buf + at, &v, k);
        return true;
    });
}

}  // namespace

bool fpu_read(Cpu& cpu, unsigned seg, uint32_t offset, uint8_t* buf, unsigned n, bool addr32) {
    return fpu_access(cpu, seg, offset, buf, n, addr32, false);
}

bool fpu_write(Cpu& cpu, unsigned seg, uint32_t offset, const uint8_t* buf, unsigned n, bool addr32) {
    return fpu_access(cpu, seg, offset, const_cast<uint8_t*>(buf), n, addr32, true);
}

namespace {

// Runs the engine on `in` (left as it was) with the operand buffer; `out` gets the result.
void run(uint8_t opcode, uint8_t modrm, const X87Image& in, X87Image& out, uint8_t* mem, uint64_t& fl) {
    out = in;
    x87_execute(opcode, modrm, out, mem, fl);
}

}  // namespace

uint64_t helper_x87(Cpu& cpu, uint64_t info, uint64_t offset, uint64_t eip) {
    const uint8_t opcode = uint8_t(info), modrm = uint8_t(info >> 8);
    const unsigned seg = (info >> 16) & 7;
    const X87Form form = x87_form(opcode, modrm);
    if (!fpu_usable(cpu)) return 0;
    if (form.kind != X87Kind::Compute) return fpu_control(cpu, info, uint32_t(offset));
    if (!fpu_check_pending(cpu)) return 0;

    FpuState f(cpu.s);
    alignas(16) uint8_t mem[16] = {};
    const bool addr32 = x87_info_addr32(info);
    if (form.mem == X87Mem::Load && !fpu_read(cpu, seg, uint32_t(offset), mem, form.size, addr32)) return 0;

    // Exception flags already pending (CR0.NE = 0 lets the instruction run with them) are
    // kept away from the engine, whose own waiting instruction would otherwise report
    // them, and merged back afterwards: they are sticky.
    X87Image in, out;
    fpu_to_image(f, in);
    const uint16_t sw = in.fsw();
    const uint16_t carried = (sw & FSW_ES) ? uint16_t(sw & ~f.fcw() & FSW_EXCEPTIONS) : 0;
    in.set_fsw(sw & ~(carried | FSW_ES | FSW_B));

    uint64_t fl = form.reads_eflags || form.sets_eflags ? read_eflags(cpu.s) : 0;
    bool written = false;
    if (form.mem == X87Mem::Store) {
        // Whether the instruction stored (an unmasked exception suppresses the store) is
        // seen by running it over two different fillers: a real store changes one of them.
        for (uint8_t filler : {uint8_t(0xA5), uint8_t(0x5A)}) {
            std::memset(mem, filler, sizeof mem);
            uint64_t fl2 = fl;
            run(opcode, modrm, in, out, mem, fl2);
            for (unsigned i = 0; i < form.size; ++i) written |= mem[i] != filler;
            if (written) break;
        }
        if (written && !fpu_write(cpu, seg, uint32_t(offset), mem, form.size, addr32)) return 0;
    } else {
        run(opcode, modrm, in, out, mem, fl);
    }

    // Commit: registers, tags, FSW (with the carried flags), pointers, EFLAGS for FCOMI.
    out.set_fsw(out.fsw() | carried);
    fpu_from_image(f, out);
    fpu_update_summary(cpu);
    f.set_fop(uint16_t((opcode & 7) << 8 | modrm));
    f.set_fip(uint32_t(eip), cpu.s.seg[CS].selector);
    if (form.mem != X87Mem::None) f.set_fdp(uint32_t(offset), cpu.s.seg[seg].selector);
    if (form.sets_eflags) {
        materialize_flags(cpu.s);
        cpu.s.eflags = (cpu.s.eflags & ~FLAGS_ARITH) | (uint32_t(fl) & FLAGS_ARITH);
    }
    return 0;
}

uint64_t helper_fwait(Cpu& cpu, uint64_t, uint64_t, uint64_t) {
    if ((cpu.s.cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        cpu.raise(EXC_NM);
        return 0;
    }
    fpu_check_pending(cpu);
    return 0;
}

}  // namespace vmm86
