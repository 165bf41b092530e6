// Flag instructions, NOPs and hints, HLT, software interrupts and IRET, BOUND, CPUID,
// RDTSC, cache control and the invalid opcodes. What needs the whole CPU (interrupt
// delivery, the stack in IRET, CPUID's table) is in lower_system_helpers.cpp.
//
// The privileged and IOPL-sensitive forms (CLI, STI, HLT, IRET, INT n, INVD, WBINVD)
// check CPL/IOPL at run time through cpu/segmentation.h helpers: V86 code is translated
// as Real16 like real mode, so the translator cannot tell them apart.
#include "cpu/interrupts.h"
#include "cpu/segmentation.h"
#include "jit/frontend/lower_segment.h"
#include "jit/frontend/lower_system_helpers.h"
#include <cstdint>

#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {
using ir::Op;

uint64_t next_ip(Translator& t, const DecodedInsn& d) { return d.next_eip() & t.code_mask(); }

void set_flag_bits(Translator& t, uint32_t bits, ValueId value) {
    t.b().effect(Op::SetFlagBits, 4, value, 0, 0, bits);
}

Flow interrupt(Translator& t, const DecodedInsn& d, uint8_t vector, EventKind kind) {
    t.call(&helper_interrupt, t.c(vector), t.c(next_ip(t, d)), t.c(uint64_t(kind)));
    return t.exit_block();
}

}  // namespace

// --- flags ----------------------------------------------------------------------------
Flow lower_clc(Translator& t, const DecodedInsn&) { set_flag_bits(t, FLAG_CF, t.c(0)); return Flow::Next; }
Flow lower_stc(Translator& t, const DecodedInsn&) { set_flag_bits(t, FLAG_CF, t.c(FLAG_CF)); return Flow::Next; }
Flow lower_cld(Translator& t, const DecodedInsn&) { set_flag_bits(t, FLAG_DF, t.c(0)); return Flow::Next; }
Flow lower_std(Translator& t, const DecodedInsn&) { set_flag_bits(t, FLAG_DF, t.c(FLAG_DF)); return Flow::Next; }

Flow lower_cmc(Translator& t, const DecodedInsn&) {
    set_flag_bits(t, FLAG_CF, t.b().emit(Op::Xor, 1, t.cf(), t.c(1)));
    return Flow::Next;
}

Flow lower_cli(Translator& t, const DecodedInsn&) {
    t.call(&helper_require_iopl);  // CPL <= IOPL (V86: IOPL = 3), else #GP(0)
    set_flag_bits(t, FLAG_IF, t.c(0));
    return Flow::Next;
}

Flow lower_sti(Translator& t, const DecodedInsn& d) {
    t.call(&helper_require_iopl);
    t.call(&helper_sti);
    // End the block so that the run loop sees the interrupt shadow.
    return t.jump(next_ip(t, d));
}

Flow lower_lahf(Translator& t, const DecodedInsn&) {
    // AH = SF ZF 0 AF 0 PF 1 CF.
    ValueId low = t.b().and_(4, t.b().emit(Op::GetFlags, 4), t.c(0xD5));
    t.b().effect(Op::SetReg8H, 1, t.b().emit(Op::Or, 1, low, t.c(FLAGS_FIXED1)), 0, 0, EAX);
    return Flow::Next;
}

Flow lower_sahf(Translator& t, const DecodedInsn&) {
    ValueId ah = t.b().emit(Op::GetReg8H, 1, 0, 0, 0, EAX);
    set_flag_bits(t, FLAG_SF | FLAG_ZF | FLAG_AF | FLAG_PF | FLAG_CF, ah);  // OF keeps its value
    return Flow::Next;
}

// --- no-ops ---------------------------------------------------------------------------
// NOP, PAUSE, the multi-byte NOP (0F 1F /0) and the hint space 0F 18..1F, whatever Zydis
// calls it (NOP, PREFETCHh, CLDEMOTE, ENDBR32/64): none of them touches memory or faults.
Flow lower_nop(Translator&, const DecodedInsn&) { return Flow::Next; }

Flow lower_hlt(Translator& t, const DecodedInsn& d) {
    t.call(&helper_require_cpl0);
    t.b().effect(Op::Halt, 4, 0, 0, 0, next_ip(t, d));
    return Flow::End;
}

// WBINVD and INVD: there are no caches to write back or drop.
Flow lower_cache_flush(Translator& t, const DecodedInsn&) {
    t.call(&helper_require_cpl0);
    return Flow::Next;
}

// --- interrupts -------------------------------------------------------------------------
Flow lower_int(Translator& t, const DecodedInsn& d) {
    t.call(&helper_interrupt, t.c(d.op(0).imm.value.u & 0xFF), t.c(next_ip(t, d)),
           t.c(uint64_t(EventKind::Software) | kIoplSensitiveInt));
    return t.exit_block();
}

Flow lower_int3(Translator& t, const DecodedInsn& d) { return interrupt(t, d, EXC_BP, EventKind::Software); }

// ICEBP raises #DB as a trap, delivered like a hardware exception (no gate DPL check).
Flow lower_int1(Translator& t, const DecodedInsn& d) { return interrupt(t, d, EXC_DB, EventKind::Exception); }

Flow lower_into(Translator& t, const DecodedInsn& d) {
    t.call(&helper_into, 0, t.c(next_ip(t, d)));
    return t.exit_block();
}

Flow lower_iret(Translator& t, const DecodedInsn& d) {
    // The next EIP is what a task switch (NT = 1) saves in the old task's TSS.
    t.call(&helper_iret_any, t.c(d.operand_bytes()), t.c(next_ip(t, d)));
    return t.exit_block();
}

Flow lower_bound(Translator& t, const DecodedInsn& d) {
    ir::Builder& b = t.b();
    if (d.op(1).type != ZYDIS_OPERAND_TYPE_MEMORY) return t.fault(EXC_UD);
    const unsigned size = t.op_size(0);
    MemRef m = t.mem(1);
    // Intel CPUs compare against the lower bound before they read the upper one: an index
    // below it raises #BR even when the upper bound lies past the segment limit (checked
    // on the host by vmm86 difftest --group trap).
    ValueId index = b.sext(8, size, t.read(0));
    ValueId lower = b.sext(8, size, b.load(m.seg, size, m.offset));
    t.call(&helper_bound, index, lower, t.c(uint64_t(INT64_MAX)));
    ValueId upper = b.load(m.seg, size, b.add(d.address_bytes(), m.offset, t.c(size)));
    t.call(&helper_bound, index, lower, b.sext(8, size, upper));
    return Flow::Next;
}

// --- identification and time -------------------------------------------------------------
Flow lower_cpuid(Translator& t, const DecodedInsn&) {
    ir::Builder& b = t.b();
    ValueId leaf = t.read_gpr(EAX, 4), subleaf = t.read_gpr(ECX, 4);
    ValueId ab = t.call(&helper_cpuid_ab, leaf, subleaf);
    ValueId cd = t.call(&helper_cpuid_cd, leaf, subleaf);
    t.write_gpr(EAX, 4, b.zext(4, ab));
    t.write_gpr(EBX, 4, b.emit(Op::Shr, 8, ab, t.c(32)));
    t.write_gpr(ECX, 4, b.zext(4, cd));
    t.write_gpr(EDX, 4, b.emit(Op::Shr, 8, cd, t.c(32)));
    return Flow::Next;
}

Flow lower_rdtsc(Translator& t, const DecodedInsn&) {
    ValueId tsc = t.call(&helper_rdtsc);
    t.write_gpr(EAX, 4, t.b().zext(4, tsc));
    t.write_gpr(EDX, 4, t.b().emit(Op::Shr, 8, tsc, t.c(32)));
    return Flow::Next;
}

// UD0/UD1/UD2.
Flow lower_invalid(Translator& t, const DecodedInsn&) { return t.fault(EXC_UD); }

}  // namespace vmm86
