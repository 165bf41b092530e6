// The x87: every ESC instruction is one helper call (cpu/fpu/fpu_helpers.h) that does the
// #NM / #MF / memory checks and the operation, so this file only finds the opcode bytes
// and the memory operand. Encodings a P6 rejects fault #UD here, at translation time,
// ahead of #NM as on hardware. See cpu/fpu/README.md for how the operations are done.
#include "cpu/fpu/fpu_helpers.h"
#include "cpu/fpu/x87_forms.h"
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {

int memory_operand(const DecodedInsn& d) {
    for (unsigned i = 0; i < d.operand_count(); ++i)
        if (d.op(i).type == ZYDIS_OPERAND_TYPE_MEMORY) return int(i);
    return -1;
}

}  // namespace

Flow lower_x87(Translator& t, const DecodedInsn& d) {
    const unsigned at = d.zi.raw.prefix_count;
    const uint8_t opcode = d.bytes[at], modrm = d.bytes[at + 1];
    if (opcode < 0xD8 || opcode > 0xDF || x87_form(opcode, modrm).kind == X87Kind::Invalid) return t.fault(EXC_UD);
    const int mi = memory_operand(d);
    unsigned seg = DS;
    ValueId offset = t.c(0);
    if (mi >= 0 && (modrm >> 6) != 3) {
        MemRef m = t.mem(unsigned(mi));
        seg = m.seg;
        offset = m.offset;
    }
    const uint64_t info = x87_info(opcode, modrm, seg, d.operand_bytes() == 4, d.address_bytes() == 4);
    ValueId r = t.call(&helper_x87, t.c(info), offset, t.c(d.eip));
    if (x87_form(opcode, modrm).kind == X87Kind::FnstswAx) t.write_gpr(EAX, 2, r);
    return Flow::Next;
}

Flow lower_fwait(Translator& t, const DecodedInsn&) {
    t.call(&helper_fwait);
    return Flow::Next;
}

namespace {
Flow fxsave_common(Translator& t, const DecodedInsn& d, uint64_t restore) {
    const int mi = memory_operand(d);
    if (mi < 0) return t.fault(EXC_UD);
    MemRef m = t.mem(unsigned(mi));
    t.call(&helper_fxsave, t.c(restore), m.offset, t.c(m.seg | (d.address_bytes() == 4 ? 8u : 0u)));
    return Flow::Next;
}
}  // namespace

Flow lower_fxsave(Translator& t, const DecodedInsn& d) { return fxsave_common(t, d, 0); }
Flow lower_fxrstor(Translator& t, const DecodedInsn& d) { return fxsave_common(t, d, 1); }

}  // namespace vmm86
