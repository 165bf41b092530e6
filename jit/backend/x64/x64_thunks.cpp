#include "jit/backend/x64/x64_thunks.h"

#include "cpu/lazy_flags.h"

namespace vmm86::x64 {

uint64_t thunk_read_cf(CpuState* s) { return read_cf(*s); }
uint64_t thunk_eval_condition(CpuState* s, uint32_t cc) { return eval_condition(*s, Condition(cc)); }
uint64_t thunk_read_eflags(CpuState* s) { return read_eflags(*s); }

void thunk_set_flag_bits(Cpu* cpu, uint64_t value, uint64_t mask) {
    CpuState& s = cpu->s;
    materialize_flags(s);
    s.eflags = (s.eflags & ~uint32_t(mask)) | (uint32_t(value) & uint32_t(mask));
    // TF now set: the run loop single-steps from the next instruction on.
    if (s.eflags & FLAG_TF) cpu->exit_request = 1;
}

bool thunk_load(Cpu* cpu, uint32_t seg, uint32_t offset, uint32_t size, uint64_t* out) {
    return read_seg_fast(*cpu, seg, offset, size, *out);
}

// 0: done; 1: faulted; 2: the store hit this block's own code (now invalid).
uint32_t thunk_store(Cpu* cpu, TranslatedBlock* tb, uint32_t seg, uint32_t offset, uint32_t size, uint64_t value) {
    if (!write_seg_fast(*cpu, seg, offset, size, value)) return 1;
    if (cpu->code_modified) {
        cpu->code_modified = 0;
        if (!tb->valid) return 2;
    }
    return 0;
}

// After a helper that wrote into translated code: 1 if it was this block's.
uint32_t thunk_code_modified(Cpu* cpu, TranslatedBlock* tb) {
    cpu->code_modified = 0;
    return tb->valid ? 0 : 1;
}

void thunk_raise(Cpu* cpu, uint32_t vector, uint32_t error_code, uint32_t has_error) {
    if (has_error) cpu->raise(uint8_t(vector), error_code);
    else cpu->raise(uint8_t(vector));
}

}  // namespace vmm86::x64
