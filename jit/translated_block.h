// A translated guest block as the code cache holds it: the IR (kept for dumps and for
// backends that compile lazily) and the compiled form of the engine that runs it (the
// interpreter's ops, or the x64 JIT's host code).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "jit/ir/ir.h"

namespace vmm86 {

struct Cpu;
struct CpuState;

// What a block's translation depends on besides its bytes.
struct BlockKey {
    uint32_t phys_pc;   // guest-physical address of the first byte
    uint32_t cs_base;
    uint64_t eip;
    uint32_t flags;     // CpuMode, stack size, single-step; see CodeCache::key_flags

    bool operator==(const BlockKey&) const = default;
};

struct InterpOp {
    const void* handler;  // computed-goto label, resolved when the block is compiled
    ir::ValueId dst, a, b, c, d;
    uint8_t size;
    uint8_t op;           // ir::Op, for dumps and the slow paths
    uint16_t insn;
    uint64_t imm;
    uint64_t imm2;
    struct TranslatedBlock* link[2];  // cached successors of Jump/Branch (taken, not taken)
};

struct TranslatedBlock {
    BlockKey key;
    bool valid = true;
    uint32_t insn_count = 0;
    std::vector<uint32_t> phys_pages;     // pages this block's bytes came from
    ir::Block ir;
    std::vector<InterpOp> ops;
    std::vector<uint64_t> values;         // the interpreter's value slots, constants preset
    std::vector<uint16_t> insn_first_op;  // index of each guest instruction's first op

    // The x64 JIT (jit/backend/x64): host code returning an exit code, the handle that
    // frees it with the block, and the cached successors of its Jump/Branch terminal.
    using NativeFn = uint64_t (*)(Cpu*, CpuState*);
    NativeFn native = nullptr;
    std::shared_ptr<void> native_code;
    TranslatedBlock* native_link[2] = {nullptr, nullptr};
};

}  // namespace vmm86
