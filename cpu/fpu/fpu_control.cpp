// The x87 control instructions, done here rather than by the engine because they move
// the FPU environment to and from guest memory in the four layouts of SDM vol. 1 §8.1.10
// (16-/32-bit operand size x real-/protected-mode), or touch FCW/FSW alone: FLDENV,
// FLDCW, FNSTENV, FNSTCW, FRSTOR, FNSAVE, FNSTSW, FNCLEX, FNINIT, and FXSAVE/FXRSTOR.
// None of them updates FIP/FOP/FDP. Reserved fields are written as an Intel CPU writes
// them (1s in the upper halves of the 32-bit layouts' CW, SW, TW and FDS dwords).
#include <cstring>

#include "cpu/fpu/fpu_helpers.h"
#include "cpu/fpu/fpu_state.h"
#include "cpu/fpu/x87_forms.h"

namespace vmm86 {
namespace {

void put16(uint8_t* p, uint32_t v) { p[0] = uint8_t(v); p[1] = uint8_t(v >> 8); }
void put32(uint8_t* p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
uint32_t get16(const uint8_t* p) { return p[0] | uint32_t(p[1]) << 8; }
uint32_t get32(const uint8_t* p) { return get16(p) | get16(p + 2) << 16; }

// Real mode and V86 mode use the real-mode layouts, with 20-bit (32-bit) linear pointers.
bool real_layout(const Cpu& cpu) { return cpu.real_mode() || cpu.v86_mode(); }

unsigned env_size(bool op32) { return op32 ? 28 : 14; }

void store_env(const Cpu& cpu, const FpuState& f, bool op32, uint8_t* p) {
    const uint16_t cw = f.fcw(), sw = f.fsw(), tw = f.full_tag();
    const uint16_t fop = f.fop();
    if (real_layout(cpu)) {
        const uint32_t ip = (uint32_t(f.fcs()) << 4) + f.fip();
        const uint32_t dp = (uint32_t(f.fds()) << 4) + f.fdp();
        if (op32) {
            put32(p + 0, 0xFFFF0000u | cw);
            put32(p + 4, 0xFFFF0000u | sw);
            put32(p + 8, 0xFFFF0000u | tw);
            put32(p + 12, 0xFFFF0000u | (ip & 0xFFFF));
            put32(p + 16, ((ip >> 16) << 12) | fop);
            put32(p + 20, 0xFFFF0000u | (dp & 0xFFFF));
            put32(p + 24, (dp >> 16) << 12);
        } else {
            put16(p + 0, cw);
            put16(p + 2, sw);
            put16(p + 4, tw);
            put16(p + 6, ip);
            put16(p + 8, ((ip >> 16) & 0xF) << 12 | fop);
            put16(p + 10, dp);
            put16(p + 12, ((dp >> 16) & 0xF) << 12);
        }
    } else if (op32) {
        put32(p + 0, 0xFFFF0000u | cw);
        put32(p + 4, 0xFFFF0000u | sw);
        put32(p + 8, 0xFFFF0000u | tw);
        put32(p + 12, f.fip());
        put32(p + 16, f.fcs() | uint32_t(fop) << 16);
        put32(p + 20, f.fdp());
        put32(p + 24, 0xFFFF0000u | f.fds());
    } else {
        put16(p + 0, cw);
        put16(p + 2, sw);
        put16(p + 4, tw);
        put16(p + 6, f.fip());
        put16(p + 8, f.fcs());
        put16(p + 10, f.fdp());
        put16(p + 12, f.fds());
    }
}

// FLDENV and FRSTOR take the tags as "empty or not" only: the FPU reclassifies contents.
void load_env(const Cpu& cpu, FpuState& f, bool op32, const uint8_t* p) {
    const unsigned w = op32 ? 4 : 2;
    f.set_fcw(uint16_t(get16(p)));
    f.set_fsw(uint16_t(get16(p + w)));
    f.set_full_tag(uint16_t(get16(p + 2 * w)));
    if (real_layout(cpu)) {
        uint32_t ip, dp, fop;
        if (op32) {
            ip = get16(p + 12) | (get32(p + 16) >> 12 & 0xFFFF) << 16;
            fop = get32(p + 16) & 0x7FF;
            dp = get16(p + 20) | (get32(p + 24) >> 12 & 0xFFFF) << 16;
        } else {
            ip = get16(p + 6) | (get16(p + 8) >> 12) << 16;
            fop = get16(p + 8) & 0x7FF;
            dp = get16(p + 10) | (get16(p + 12) >> 12) << 16;
        }
        f.set_fip(ip, 0);
        f.set_fdp(dp, 0);
        f.set_fop(uint16_t(fop));
    } else if (op32) {
        f.set_fip(get32(p + 12), uint16_t(get16(p + 16)));
        f.set_fop(uint16_t(get32(p + 16) >> 16));
        f.set_fdp(get32(p + 20), uint16_t(get16(p + 24)));
    } else {
        f.set_fip(get16(p + 6), uint16_t(get16(p + 8)));
        f.set_fdp(get16(p + 10), uint16_t(get16(p + 12)));
    }
}

void fninit(Cpu& cpu) {
    FpuState(cpu.s).init();
    if (cpu.ferr_changed) cpu.ferr_changed(cpu.ferr_ctx, false);
}

}  // namespace

uint64_t fpu_control(Cpu& cpu, uint64_t info, uint32_t offset) {
    const uint8_t opcode = uint8_t(info), modrm = uint8_t(info >> 8);
    const unsigned seg = (info >> 16) & 7;
    const bool op32 = (info >> 20) & 1, addr32 = x87_info_addr32(info);
    FpuState f(cpu.s);
    uint8_t buf[108];
    switch (x87_form(opcode, modrm).kind) {
    case X87Kind::Fnstcw:
        put16(buf, f.fcw());
        fpu_write(cpu, seg, offset, buf, 2, addr32);
        return 0;
    case X87Kind::Fnstsw:
        put16(buf, f.fsw());
        fpu_write(cpu, seg, offset, buf, 2, addr32);
        return 0;
    case X87Kind::FnstswAx:
        return f.fsw();
    case X87Kind::Fnclex:
        f.set_fsw(f.fsw() & ~(FSW_EXCEPTIONS | FSW_SF | FSW_ES | FSW_B));
        if (cpu.ferr_changed) cpu.ferr_changed(cpu.ferr_ctx, false);
        return 0;
    case X87Kind::Fninit:
        fninit(cpu);
        return 0;
    case X87Kind::Fnop287:
        return 0;
    case X87Kind::Fnstenv:
        // Stores, then masks every exception (which clears ES: nothing is unmasked now).
        store_env(cpu, f, op32, buf);
        if (!fpu_write(cpu, seg, offset, buf, env_size(op32), addr32)) return 0;
        f.set_fcw(f.fcw() | FSW_EXCEPTIONS);
        fpu_update_summary(cpu);
        return 0;
    case X87Kind::Fnsave: {
        const unsigned n = env_size(op32);
        store_env(cpu, f, op32, buf);
        for (unsigned i = 0; i < 8; ++i) f.st(i).store(buf + n + 10 * i);
        if (!fpu_write(cpu, seg, offset, buf, n + 80, addr32)) return 0;
        fninit(cpu);
        return 0;
    }
    default:
        break;
    }
    // FLDCW, FLDENV and FRSTOR wait: a pending exception is reported first.
    if (!fpu_check_pending(cpu)) return 0;
    switch (x87_form(opcode, modrm).kind) {
    case X87Kind::Fldcw:
        if (!fpu_read(cpu, seg, offset, buf, 2, addr32)) return 0;
        f.set_fcw(uint16_t(get16(buf)));
        break;
    case X87Kind::Fldenv:
        if (!fpu_read(cpu, seg, offset, buf, env_size(op32), addr32)) return 0;
        load_env(cpu, f, op32, buf);
        break;
    case X87Kind::Frstor: {
        const unsigned n = env_size(op32);
        if (!fpu_read(cpu, seg, offset, buf, n + 80, addr32)) return 0;
        load_env(cpu, f, op32, buf);
        for (unsigned i = 0; i < 8; ++i) f.set_phys(f.top() + i, Float80::load(buf + n + 10 * i));
        break;
    }
    default:
        return 0;
    }
    // Loading FCW or FSW may unmask (or mask) pending exceptions: ES and B follow.
    fpu_update_summary(cpu);
    return 0;
}

uint64_t helper_fxsave(Cpu& cpu, uint64_t restore, uint64_t offset, uint64_t seg) {
    if (!fpu_usable(cpu)) return 0;
    const uint32_t off = uint32_t(offset);
    const bool addr32 = seg & 8;
    // The limit at the image's first byte comes before the alignment, the rest after it:
    // a misaligned image that starts beyond the SS limit is #SS, one that ends beyond it
    // #GP, as on Intel CPUs.
    const SegmentCache& sc = cpu.s.seg[seg & 7];
    if (!segment_ok(sc, off, 1)) {
        cpu.raise((seg & 7) == SS ? EXC_SS : EXC_GP, 0);
        return 0;
    }
    if ((sc.base + off) & 15) {
        cpu.raise(EXC_GP, 0);
        return 0;
    }
    FpuState f(cpu.s);
    alignas(16) uint8_t img[512];
    if (!restore) {
        // The area in memory is the state's, with the registers rotated into ST order.
        std::memcpy(img, cpu.s.fxsave_area, 512);
        for (unsigned i = 0; i < 8; ++i) {
            std::memset(img + 32 + 16 * i, 0, 16);
            f.st(i).store(img + 32 + 16 * i);
        }
        img[5] = 0;
        fpu_write(cpu, unsigned(seg & 7), off, img, 512, addr32);
        return 0;
    }
    if (!fpu_read(cpu, unsigned(seg & 7), off, img, 512, addr32)) return 0;
    const uint32_t mxcsr = get32(img + 24);
    if (mxcsr & ~0xFFFFu) {
        cpu.raise(EXC_GP, 0);
        return 0;
    }
    const unsigned top = (get16(img + 2) >> 11) & 7;
    uint8_t regs[128];
    std::memcpy(regs, img + 32, 128);
    std::memcpy(cpu.s.fxsave_area, img, 512);
    for (unsigned i = 0; i < 8; ++i) {
        std::memset(cpu.s.fxsave_area + 32 + 16 * ((top + i) & 7), 0, 16);
        Float80::load(regs + 16 * i).store(cpu.s.fxsave_area + 32 + 16 * ((top + i) & 7));
    }
    cpu.s.fxsave_area[5] = 0;
    std::memset(cpu.s.fxsave_area + 14, 0, 2);  // reserved above FCS and FDS: FXSAVE stores 0
    std::memset(cpu.s.fxsave_area + 22, 0, 2);
    f.set_fcw(f.fcw());  // the reserved bits read as the CPU keeps them
    f.set_fop(f.fop());  // 11 bits
    fpu_update_summary(cpu);
    return 0;
}

}  // namespace vmm86
