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

bool fpu_read(Cpu& cpu, unsigned seg, uint32_t offset, uint8_t* buf, unsigned n) {
    for (unsigned i = 0; i < n;) {
        const unsigned k = n - i >= 8 ? 8 : n - i >= 4 ? 4 : n - i >= 2 ? 2 : 1;
        uint64_t v;
        if (!cpu.read_seg(seg, offset + i, k, v)) return false;
        std::memcpy(buf + i, &v, k);
        i += k;
    }
    return true;
}

bool fpu_write(Cpu& cpu, unsigned seg, uint32_t offset, const uint8_t* buf, unsigned n) {
    for (unsigned i = 0; i < n;) {
        const unsigned k = n - i >= 8 ? 8 : n - i >= 4 ? 4 : n - i >= 2 ? 2 : 1;
        uint64_t v = 0;
        std::memcpy(&v, buf + i, k);
        if (!cpu.write_seg(seg, offset + i, k, v)) return false;
        i += k;
    }
    return true;
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
    if (form.mem == X87Mem::Load && !fpu_read(cpu, seg, uint32_t(offset), mem, form.size)) return 0;

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
        if (written && !fpu_write(cpu, seg, uint32_t(offset), mem, form.size)) return 0;
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
