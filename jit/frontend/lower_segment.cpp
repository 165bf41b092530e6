#include "jit/frontend/lower_segment.h"

#include "cpu/segmentation.h"

namespace vmm86 {
namespace {

uint64_t helper_interrupt_shadow(Cpu& cpu, uint64_t, uint64_t, uint64_t) {
    cpu.s.interrupt_shadow = 1;
    return 0;
}

}  // namespace

Flow load_segment(Translator& t, unsigned seg, ValueId sel) {
    // Protected mode: descriptor checks in a helper that may raise (#GP/#NP/#SS) and
    // commits the register only when every check passed. Real and V86 mode: sel << 4.
    if (t.mode() != CpuMode::Real16) t.call(&helper_load_segment, t.c(seg), sel);
    else t.b().effect(ir::Op::SetSegReal, 2, sel, 0, 0, seg);
    if (seg == SS) {
        // MOV SS and POP SS inhibit interrupts for one instruction (LSS does not), and a
        // new SS may change the stack size later instructions were translated for.
        if (t.insn().mnemonic() != ZYDIS_MNEMONIC_LSS) t.call(&helper_interrupt_shadow);
        t.end_block_after();
    }
    return Flow::Next;
}

Flow unimplemented(Translator& t) { return t.fault(kUnimplementedVector); }

}  // namespace vmm86
