// MOV to and from control and debug registers, SMSW, LMSW, CLTS. These are privileged
// (CPL 0); real mode always runs at CPL 0, and the protected-mode checks arrive with CPU
// core II. A write that can change how code is translated or how addresses map (CR0,
// CR3, CR4) ends the block.
#include "cpu/segmentation.h"
#include "cpu/debug_regs.h"
#include "jit/frontend/lower_segment.h"
#include "jit/frontend/lowering.h"
#include "memory/page_walker.h"

namespace vmm86 {
namespace {

// Bits of CR0 a write can change (the rest read as fixed: ET is 1 on a 486+).
constexpr uint64_t kCr0Writable = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_WP | CR0_AM | CR0_NW |
                                  CR0_CD | CR0_PG;

// CR4 bits vmm86 implements; writing any other bit is #GP(0). Parts that implement
// more of CR4 (VME, PVI, TSD, DE, PCE, OSFXSR...) add theirs here.
constexpr uint64_t kCr4Writable = PageWalker::kCr4Pse | PageWalker::kCr4Pae | PageWalker::kCr4Pge |
                                  CR4_TSD | CR4_DE | CR4_PCE |  // SYSTEM: cpu/msr.h, cpu/debug_regs.h
                                  CR4_OSFXSR;  // CPUID reports FXSR: the OS announces FXSAVE/FXRSTOR support
// Changing one of these changes every translation, global ones included (SDM vol. 3, 4.10.4.1).
constexpr uint64_t kCr4FlushAll = PageWalker::kCr4Pse | PageWalker::kCr4Pae | PageWalker::kCr4Pge;

// Entering PAE paging (MOV CR3 under it, or the CR0/CR4 write that turns it on) loads the
// four PDPTEs; a present one with reserved bits set makes the write #GP(0).
bool pae_pdptes_ok(Cpu& cpu, uint64_t cr0, uint64_t cr3, uint64_t cr4) {
    if (!(cr0 & CR0_PG) || !(cr4 & PageWalker::kCr4Pae)) return true;
    return PageWalker(*cpu.mem).pdptes_valid(cr3);
}

void write_cr0(Cpu& cpu, uint64_t value) {
    uint64_t old = cpu.s.cr0;
    cpu.s.cr0 = (value & kCr0Writable) | CR0_ET;
    if ((old ^ cpu.s.cr0) & (CR0_PE | CR0_PG | CR0_WP)) cpu.flush_tlb();
}

uint64_t helper_read_cr(Cpu& cpu, uint64_t n, uint64_t, uint64_t) {
    switch (n) {
    case 0: return cpu.s.cr0;
    case 2: return cpu.s.cr2;
    case 3: return cpu.s.cr3;
    case 4: return cpu.s.cr4;
    default: cpu.raise(EXC_UD); return 0;
    }
}

uint64_t helper_write_cr(Cpu& cpu, uint64_t n, uint64_t value, uint64_t) {
    value &= 0xFFFFFFFFull;
    switch (n) {
    case 0:
        // PG without PE, or NW without CD, is #GP(0) (SDM vol. 3, 2.5).
        if (((value & CR0_PG) && !(value & CR0_PE)) || ((value & CR0_NW) && !(value & CR0_CD))) {
            cpu.raise(EXC_GP, 0);
            return 0;
        }
        if ((value & CR0_PG) && !(cpu.s.cr0 & CR0_PG) && !pae_pdptes_ok(cpu, value, cpu.s.cr3, cpu.s.cr4)) {
            cpu.raise(EXC_GP, 0);
            return 0;
        }
        write_cr0(cpu, value);
        return 0;
    case 2: cpu.s.cr2 = value; return 0;
    case 3:
        if (!pae_pdptes_ok(cpu, cpu.s.cr0, value, cpu.s.cr4)) {
            cpu.raise(EXC_GP, 0);
            return 0;
        }
        cpu.s.cr3 = value;
        cpu.flush_tlb_non_global();  // global pages survive an address-space switch
        return 0;
    case 4: {
        // Only the CR4 bits vmm86 implements may be set; the others are reserved (#GP).
        if ((value & ~kCr4Writable) ||
            ((value & PageWalker::kCr4Pae) && !(cpu.s.cr4 & PageWalker::kCr4Pae) &&
             !pae_pdptes_ok(cpu, cpu.s.cr0, cpu.s.cr3, value))) {
            cpu.raise(EXC_GP, 0);
            return 0;
        }
        const uint64_t old = cpu.s.cr4;
        cpu.s.cr4 = value;
        if ((old ^ value) & kCr4FlushAll) cpu.flush_tlb();
        return 0;
    }
    default: cpu.raise(EXC_UD); return 0;
    }
}

// MOV DR: privilege, general detect and DR4/DR5 are cpu/debug_regs.cpp's.
uint64_t helper_read_dr(Cpu& cpu, uint64_t n, uint64_t, uint64_t) {
    uint64_t value = 0;
    debug_mov_from_dr(cpu, unsigned(n), value);
    return value;
}

uint64_t helper_write_dr(Cpu& cpu, uint64_t n, uint64_t value, uint64_t) {
    debug_mov_to_dr(cpu, unsigned(n), value);
    return 0;
}

uint64_t helper_lmsw(Cpu& cpu, uint64_t value, uint64_t, uint64_t) {
    // LMSW loads PE, MP, EM, TS; it can set PE but never clear it.
    uint64_t cr0 = (cpu.s.cr0 & ~uint64_t(CR0_MP | CR0_EM | CR0_TS)) | (value & (CR0_PE | CR0_MP | CR0_EM | CR0_TS));
    write_cr0(cpu, cr0);
    return 0;
}

uint64_t helper_clts(Cpu& cpu, uint64_t, uint64_t, uint64_t) {
    cpu.s.cr0 &= ~uint64_t(CR0_TS);
    return 0;
}

uint64_t helper_cr0(Cpu& cpu, uint64_t, uint64_t, uint64_t) { return cpu.s.cr0; }

uint64_t helper_invlpg(Cpu& cpu, uint64_t linear, uint64_t, uint64_t) {
    cpu.tlb.flush_page(uint32_t(linear));
    ++cpu.tlb_epoch;  // blocks found by linear address must be looked up again
    return 0;
}

int reg_number(ZydisRegister r) { return ZydisRegisterGetId(r); }

}  // namespace

Flow lower_mov_system(Translator& t, const DecodedInsn& d) {
    const ZydisDecodedOperand& dst = d.op(0);
    const ZydisDecodedOperand& src = d.op(1);
    const ZydisRegisterClass dcls = ZydisRegisterGetClass(dst.reg.value);
    const ZydisRegisterClass scls = ZydisRegisterGetClass(src.reg.value);
    t.call(&helper_require_cpl0);  // #GP(0) at CPL > 0 and in V86 mode
    // The general register operand is always 32 bits here, whatever the operand size.
    if (dcls == ZYDIS_REGCLASS_CONTROL) {
        t.call(&helper_write_cr, t.c(reg_number(dst.reg.value)), t.read_gpr(ZydisRegisterGetId(src.reg.value), 4));
        t.end_block_after();
        return Flow::Next;
    }
    if (scls == ZYDIS_REGCLASS_CONTROL) {
        ValueId v = t.call(&helper_read_cr, t.c(reg_number(src.reg.value)));
        t.write_gpr(ZydisRegisterGetId(dst.reg.value), 4, v);
        return Flow::Next;
    }
    if (dcls == ZYDIS_REGCLASS_DEBUG) {
        t.call(&helper_write_dr, t.c(reg_number(dst.reg.value)), t.read_gpr(ZydisRegisterGetId(src.reg.value), 4));
        t.end_block_after();  // new breakpoints: the run loop looks before the next instruction
        return Flow::Next;
    }
    if (scls == ZYDIS_REGCLASS_DEBUG) {
        ValueId v = t.call(&helper_read_dr, t.c(reg_number(src.reg.value)));
        t.write_gpr(ZydisRegisterGetId(dst.reg.value), 4, v);
        return Flow::Next;
    }
    return unimplemented(t);  // test registers (TR6/TR7) were dropped after the 486
}

Flow lower_smsw(Translator& t, const DecodedInsn& d) {
    ValueId cr0 = t.call(&helper_cr0);
    // To memory SMSW always stores 16 bits; to a register it stores the operand size
    // (the upper half of CR0 too, for a 32-bit register).
    if (d.op(0).type == ZYDIS_OPERAND_TYPE_MEMORY) {
        MemRef m = t.mem(0);
        t.b().store(m.seg, 2, m.offset, cr0);
    } else {
        t.write(0, t.b().zext(t.op_size(0), cr0));
    }
    return Flow::Next;
}

Flow lower_lmsw(Translator& t, const DecodedInsn&) {
    t.call(&helper_require_cpl0);
    t.call(&helper_lmsw, t.b().zext(2, t.read(0)));
    t.end_block_after();
    return Flow::Next;
}

Flow lower_clts(Translator& t, const DecodedInsn&) {
    t.call(&helper_require_cpl0);
    t.call(&helper_clts);
    return Flow::Next;
}

}  // namespace vmm86

namespace vmm86 {

Flow lower_invlpg(Translator& t, const DecodedInsn& d) {
    if (d.op(0).type != ZYDIS_OPERAND_TYPE_MEMORY) return t.fault(EXC_UD);
    t.call(&helper_require_cpl0);
    MemRef m = t.mem(0);
    ValueId base = t.b().emit(ir::Op::GetSegBase, 4, 0, 0, 0, m.seg);
    t.call(&helper_invlpg, t.b().add(4, base, t.b().zext(4, m.offset)));
    t.end_block_after();  // the page may hold the code that follows
    return Flow::Next;
}

}  // namespace vmm86
