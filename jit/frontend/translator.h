// x86 -> IR. The Translator lowers one decoded guest instruction at a time into the
// block being built, through lowering functions chosen by a table (lower_table*.inc)
// keyed on the Zydis mnemonic. This is the one place where x86 semantics are written;
// every engine executes the IR it produces.
//
// Precise exceptions are a rule of construction here: within an instruction, every op
// that can fault (loads, stores, faulting helpers) comes before any write to guest
// registers or flags, so a fault leaves the state exactly as before the instruction.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"
#include "cpu/lazy_flags.h"
#include "decoder/decoder.h"
#include "jit/ir/builder.h"

namespace vmm86 {

using ir::ValueId;

// What a lowering function tells the block builder.
enum class Flow : uint8_t {
    Next,  // fall through to the next instruction
    End,   // the instruction wrote a terminal: the block ends here
};

class Translator;
using LowerFn = Flow (*)(Translator&, const DecodedInsn&);

struct RegRef {
    uint8_t gpr;    // Gpr number
    uint8_t size;   // bytes
    bool high8;     // AH, CH, DH, BH
};

// Decomposes a Zydis general-purpose register. Returns false for other classes.
bool gpr_of(ZydisRegister r, RegRef& out);
// Segment register number (ES=0 … GS=5) or -1.
int seg_of(ZydisRegister r);

struct MemRef {
    uint8_t seg;
    ValueId offset;  // already wrapped to the address size
};

class Translator {
public:
    Translator(ir::Block& block, CpuMode mode, bool stack32);

    // Lowers one instruction; false means the mnemonic has no lowering (caller emits #UD
    // or reports it as unimplemented).
    bool lower(const DecodedInsn& d, Flow& flow);

    ir::Builder& b() { return b_; }
    CpuMode mode() const { return mode_; }
    // The CPU's undefined-flag behaviour (cpu.h), for lowerings that inline such flags.
    UndefinedFlags undefined_flags() const { return undefined_flags_; }
    void set_undefined_flags(UndefinedFlags u) { undefined_flags_ = u; }
    const DecodedInsn& insn() const { return *d_; }

    // --- values ------------------------------------------------------------------
    ValueId c(uint64_t v) { return b_.constant(v); }

    // --- operands of the current instruction (index into d.ops) -------------------
    unsigned op_size(unsigned i) const { return d_->ops[i].size / 8; }
    ValueId read(unsigned i);                 // register, memory or immediate
    void write(unsigned i, ValueId v);        // register or memory
    MemRef mem(unsigned i);                   // address of a memory operand, computed once
    ValueId effective_offset(const ZydisDecodedOperand& op);  // LEA

    ValueId read_reg(const RegRef& r);
    void write_reg(const RegRef& r, ValueId v);
    ValueId read_gpr(unsigned gpr, unsigned size) { return read_reg(RegRef{uint8_t(gpr), uint8_t(size), false}); }
    void write_gpr(unsigned gpr, unsigned size, ValueId v) { write_reg(RegRef{uint8_t(gpr), uint8_t(size), false}, v); }

    // --- stack --------------------------------------------------------------------
    // Stack operations are staged so that several pushes in one instruction write ESP
    // once, after every store has succeeded.
    unsigned stack_size() const { return stack32_ ? 4 : 2; }
    ValueId stack_pointer();                       // current SP/ESP (staged value)
    void push(unsigned size, ValueId v);           // store below the staged SP
    ValueId pop(unsigned size);                    // load at the staged SP
    void commit_stack();                           // write the staged SP to the register
    void adjust_stack(int64_t delta) { staged_sp_ = stack_offset(stack_pointer(), delta); }
    ValueId stack_offset(ValueId sp, int64_t delta);  // (sp + delta) wrapped to stack size

    // --- control flow terminals -----------------------------------------------------
    // Fall-through addresses wrap at the code segment's size.
    uint64_t code_mask() const { return mode_ == CpuMode::Protected32 ? 0xFFFFFFFFull : mode_ == CpuMode::Long64 ? ~0ull : 0xFFFFull; }
    // Branch targets are truncated to the operand size.
    uint64_t ip_mask() const { return d_->operand_bytes() == 4 ? 0xFFFFFFFFull : 0xFFFFull; }
    // For branches that write state before their terminal (CALL, RET, LOOP): the target
    // must be within the CS limit, checked before those writes. `taken` (0 = always) makes
    // the check conditional.
    void check_branch_target(ValueId target, ValueId taken = 0);
    Flow jump(uint64_t target);
    Flow jump_indirect(ValueId target);
    Flow branch(ValueId cond, uint64_t taken, uint64_t not_taken);
    Flow exit_block();   // a helper has already set EIP
    // Ends the block after the current instruction with a fresh lookup of the next one
    // (for instructions that change what later translation depends on, such as SS).
    void end_block_after() { end_after_ = true; }
    bool block_end_requested() const { return end_after_; }
    Flow fault(uint8_t vector);
    Flow fault(uint8_t vector, uint32_t error_code);

    // --- flags ----------------------------------------------------------------------
    void set_flags(LazyFlagOp op, unsigned size, ValueId result, ValueId a, ValueId b, ValueId aux = 0) {
        b_.set_flags(lazy_op(op, size), size, result, a, b, aux);
    }
    ValueId cond(Condition cc) { return b_.emit(ir::Op::EvalCond, 1, 0, 0, 0, cc); }
    ValueId cf() { return b_.emit(ir::Op::GetCF, 1); }

    // --- helpers ----------------------------------------------------------------------
    // A helper is `uint64_t fn(Cpu&, uint64_t, uint64_t, uint64_t)`.
    using Helper = uint64_t (*)(Cpu&, uint64_t, uint64_t, uint64_t);
    ValueId call(Helper fn, ValueId a = 0, ValueId b = 0, ValueId c = 0) {
        return b_.call(reinterpret_cast<uint64_t>(fn), a, b, c);
    }

private:
    ir::Block& block_;
    ir::Builder b_;
    CpuMode mode_;
    bool stack32_;
    UndefinedFlags undefined_flags_ = UndefinedFlags::Intel;
    const DecodedInsn* d_ = nullptr;
    MemRef mem_cache_[ZYDIS_MAX_OPERAND_COUNT];
    bool mem_cached_[ZYDIS_MAX_OPERAND_COUNT];
    ValueId staged_sp_ = 0;
    bool end_after_ = false;
};

}  // namespace vmm86
