// The C++ side of IR ops the x64 JIT's generated code does not inline: lazy-flag
// readers, the slow paths of memory accesses, raising a fault. Called with the SysV
// calling convention from generated code (x64_emitter.cpp).
#pragma once
#include <cstdint>

#include "cpu/cpu.h"
#include "jit/translated_block.h"

namespace vmm86::x64 {

uint64_t thunk_read_cf(CpuState* s);
uint64_t thunk_eval_condition(CpuState* s, uint32_t cc);
uint64_t thunk_read_eflags(CpuState* s);
void thunk_set_flag_bits(Cpu* cpu, uint64_t value, uint64_t mask);
bool thunk_load(Cpu* cpu, uint32_t seg, uint32_t offset, uint32_t size, uint64_t* out);
uint32_t thunk_store(Cpu* cpu, TranslatedBlock* tb, uint32_t seg, uint32_t offset, uint32_t size, uint64_t value);
uint32_t thunk_code_modified(Cpu* cpu, TranslatedBlock* tb);
void thunk_raise(Cpu* cpu, uint32_t vector, uint32_t error_code, uint32_t has_error);

}  // namespace vmm86::x64
