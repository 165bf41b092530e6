// LGDT/LIDT/SGDT/SIDT. Real mode uses them too (a BIOS moves the IVT with LIDT, and every
// switch to protected mode starts with LGDT). The memory operand is a 16-bit limit
// followed by a 32-bit base; with a 16-bit operand size LGDT/LIDT load only 24 bits of
// the base, while SGDT/SIDT store all 32 bits at either operand size (SDM vol. 2, SGDT:
// "Full 32-bit base address stored"; the 80386 manual says the same of its 16-bit form).
#include "cpu/segmentation.h"
#include "jit/frontend/lower_segment.h"
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {

uint64_t helper_set_table_register(Cpu& cpu, uint64_t which_idt, uint64_t limit, uint64_t base) {
    DescriptorTableReg& r = which_idt ? cpu.s.idtr : cpu.s.gdtr;
    r.limit = uint32_t(limit & 0xFFFF);
    r.base = uint32_t(base);
    return 0;
}

uint64_t helper_get_table_register(Cpu& cpu, uint64_t which_idt, uint64_t want_base, uint64_t) {
    const DescriptorTableReg& r = which_idt ? cpu.s.idtr : cpu.s.gdtr;
    return want_base ? r.base : r.limit;
}

bool is_idt(const DecodedInsn& d) {
    return d.mnemonic() == ZYDIS_MNEMONIC_LIDT || d.mnemonic() == ZYDIS_MNEMONIC_SIDT;
}

}  // namespace

Flow lower_load_table_register(Translator& t, const DecodedInsn& d) {
    if (d.op(0).type != ZYDIS_OPERAND_TYPE_MEMORY) return t.fault(EXC_UD);
    t.call(&helper_require_cpl0);  // CPL 0 only (V86 is CPL 3): #GP(0) before the operand is read
    MemRef m = t.mem(0);
    const unsigned asize = d.address_bytes();
    ValueId limit = t.b().load(m.seg, 2, m.offset);
    ValueId base = t.b().load(m.seg, 4, t.b().add(asize, m.offset, t.c(2)));
    if (d.operand_bytes() == 2) base = t.b().and_(4, base, t.c(0x00FFFFFF));
    t.call(&helper_set_table_register, t.c(is_idt(d)), limit, base);
    return Flow::Next;
}

Flow lower_store_table_register(Translator& t, const DecodedInsn& d) {
    if (d.op(0).type != ZYDIS_OPERAND_TYPE_MEMORY) return t.fault(EXC_UD);
    MemRef m = t.mem(0);
    const unsigned asize = d.address_bytes();
    ValueId limit = t.call(&helper_get_table_register, t.c(is_idt(d)), t.c(0));
    ValueId base = t.call(&helper_get_table_register, t.c(is_idt(d)), t.c(1));
    t.b().store(m.seg, 2, m.offset, limit);
    t.b().store(m.seg, 4, t.b().add(asize, m.offset, t.c(2)), base);
    return Flow::Next;
}

}  // namespace vmm86
