// The x64 JIT's block emitter (internal to jit/backend/x64): one object per block, whose
// methods are spread over files by family — x64_emitter.cpp (frame, exits, chaining),
// x64_emit_ops.cpp (the op switch, registers, flags, helpers, terminals), x64_emit_alu.cpp
// (arithmetic, shifts, multiplies, compares), x64_emit_memory.cpp (loads and stores).
// Register use and frame layout: see x64_emitter.cpp and README.md.
#pragma once
#include <asmjit/x86.h>

#include <cstddef>
#include <vector>

#include "jit/backend/x64/x64_emitter.h"

namespace vmm86::x64 {

namespace x86 = asmjit::x86;
using asmjit::CodeHolder;
using asmjit::Label;
using ir::Op;

constexpr int32_t gpr_off(uint64_t r) { return int32_t(offsetof(CpuState, gpr) + 8 * r); }
constexpr int32_t seg_off(uint64_t seg) { return int32_t(offsetof(CpuState, seg) + sizeof(SegmentCache) * seg); }
constexpr int32_t kEipOff = offsetof(CpuState, eip);
constexpr int32_t kHaltedOff = offsetof(CpuState, halted);

// The offset of a member within an object whose type is not standard-layout (Cpu,
// TranslatedBlock), measured on the object itself.
template <typename T, typename U>
int32_t member_offset(const T& base, const U& member) {
    return int32_t(reinterpret_cast<const volatile char*>(&member) - reinterpret_cast<const volatile char*>(&base));
}

class BlockEmitter {
public:
    BlockEmitter(CodeHolder& code, Cpu& cpu, TranslatedBlock& tb, JitContext& context)
        : a_(&code), cpu_(cpu), tb_(tb), b_(tb.ir), ctx_(context) {
        // Slots 0..value_count-1, then the SMC-stop byte; the frame keeps rsp 16-aligned at
        // calls (entry rsp is 8 mod 16; six pushes keep it so; the frame adds 8 mod 16).
        smc_off_ = int32_t(8 * b_.value_count);
        frame_ = (smc_off_ + 8 + 15) & ~15;
        frame_ += 8;
        pending_off_ = member_offset(cpu_, cpu_.pending_exception);
        shutdown_off_ = member_offset(cpu_, cpu_.shutdown_reason);
        code_modified_off_ = member_offset(cpu_, cpu_.code_modified);
        // The privilege level is part of the block's key (Dispatch::key_flags, bits 4-5).
        user_mode_ = ((tb.key.flags >> 4) & 3) == 3;
    }

    void emit();

    void unwind_frame();

    // The end of a Jump or Branch with EIP stored: go straight on to the cached successor
    // when the engine loop would (no exit request, the link still valid, the next block
    // compiled and within the budget), retiring this block as the loop does; else return
    // `kind` and let the loop decide.
    void chain(int slot, ExitKind kind, unsigned insn);

private:
    static constexpr unsigned kBranchLimitStub = 0x100;  // #GP(0) at a branch, then kExitFault
    struct Stub {
        Label label;
        unsigned kind;
        unsigned insn;
    };
    struct SlowPath {
        Label entry, resume;
        const ir::Inst* inst;
    };

    // A shared exit stub per (kind, instruction).
    Label stub(unsigned kind, unsigned insn) {
        for (const Stub& st : stubs_)
            if (st.kind == kind && st.insn == insn) return st.label;
        stubs_.push_back(Stub{a_.newLabel(), kind, insn});
        return stubs_.back().label;
    }

    x86::Mem slot(ir::ValueId v) const { return x86::qword_ptr(x86::rsp, int32_t(8 * v)); }
    bool is_const(ir::ValueId v) const { return v != ir::kNoValue && b_.is_constant[v]; }

    void load(const x86::Gp& reg, ir::ValueId v) {
        if (v == ir::kNoValue) a_.xor_(reg.r32(), reg.r32());
        else if (is_const(v)) a_.mov(reg, b_.constants[v]);
        else a_.mov(reg, slot(v));
    }
    void store(ir::ValueId v, const x86::Gp& reg) {
        if (v != ir::kNoValue) a_.mov(slot(v), reg);
    }
    void mask(const x86::Gp& reg, unsigned size) {
        switch (size) {
        case 1: a_.movzx(reg.r32(), reg.r8()); break;
        case 2: a_.movzx(reg.r32(), reg.r16()); break;
        case 4: a_.mov(reg.r32(), reg.r32()); break;
        default: break;
        }
    }
    void sign_extend(const x86::Gp& reg, unsigned bytes) {
        switch (bytes) {
        case 1: a_.movsx(reg, reg.r8()); break;
        case 2: a_.movsx(reg, reg.r16()); break;
        case 4: a_.movsxd(reg, reg.r32()); break;
        default: break;
        }
    }
    void call(const void* fn) {
        a_.mov(x86::rax, reinterpret_cast<uint64_t>(fn));
        a_.call(x86::rax);
    }
    // EIP = target, unless the target lies beyond the CS limit: then #GP(0) at the branch.
    void check_code_limit(const x86::Gp& target, unsigned insn);
    void leave(ExitKind kind, unsigned insn) {
        a_.mov(x86::rax, exit_code(kind, insn));
        a_.jmp(epilogue_);
    }

    void binary(const ir::Inst& in);

    void compare(const ir::Inst& in);

    void shift(const ir::Inst& in);

    void multiply_high(const ir::Inst& in);

    // The soft-TLB entry for the linear address in r9d, of the block's TLB half: r10.
    void tlb_entry(bool user);

    // The fast path of read_seg_fast/write_seg_fast inline: a segment that needs no
    // special checks, the offset within its limit, a TLB hit for this kind of access and
    // no page crossing; then r9 = the host address. Anything else jumps to `slow`.
    // The offset is in rdx.
    void fast_address(const ir::Inst& in, uint16_t special, int32_t tag_off, const Label& slow);

    void emit_load(const ir::Inst& in);

    void emit_store(const ir::Inst& in);

    // The calls behind the fast paths, out of line after the block's code.
    void emit_slow_path(const SlowPath& sp);

    // Returns false after a terminal.
    bool emit_op(const ir::Inst& in);

    x86::Assembler a_;
    Cpu& cpu_;
    TranslatedBlock& tb_;
    const ir::Block& b_;
    JitContext& ctx_;
    int32_t smc_off_ = 0, frame_ = 0;
    int32_t pending_off_ = 0, shutdown_off_ = 0, code_modified_off_ = 0;
    Label epilogue_;
    std::vector<Stub> stubs_;
    std::vector<SlowPath> slow_paths_;
    bool user_mode_ = false;  // the block runs at CPL 3: the TLB's user half
};

}  // namespace vmm86::x64
