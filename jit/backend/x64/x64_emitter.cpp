// IR → x86-64. Every op does exactly what the interpreter's handler of the same name
// does (jit/backend/interp/interpreter.cpp is the reference). Register use:
//   rbx  Cpu*            (helpers' first argument)
//   r12  CpuState*       (guest registers, flags, segments: [r12 + offsetof(CpuState, …)])
//   rsp  the block's frame: one 8-byte slot per IR value, then the SMC-stop byte
//   rax rcx rdx rsi rdi r8-r11  scratch within one op (helpers may clobber them)
// Constants are immediates, never slots. Ops that need C++ (lazy flags, memory outside
// the fast path, helpers) call small thunks (x64_thunks.cpp); faults leave through per-instruction
// exit stubs that return exit_code(kExitFault, insn), so no C++ exception ever crosses
// generated code.
#include "jit/backend/x64/x64_block_emitter.h"

#include "jit/backend/x64/x64_thunks.h"

namespace vmm86::x64 {

void BlockEmitter::emit() {
    for (const x86::Gp& r : {x86::rbx, x86::rbp, x86::r12, x86::r13, x86::r14, x86::r15}) a_.push(r);
    a_.sub(x86::rsp, frame_);
    a_.mov(x86::rbx, x86::rdi);
    a_.mov(x86::r12, x86::rsi);
    a_.mov(x86::byte_ptr(x86::rsp, smc_off_), 0);
    epilogue_ = a_.newLabel();

    unsigned current_insn = 0;
    bool may_stop = false;  // the previous instruction may have written its own code
    for (const ir::Inst& in : b_.insts) {
        if (in.insn != current_insn) {
            if (may_stop && in.insn < b_.guest.size()) {
                a_.cmp(x86::byte_ptr(x86::rsp, smc_off_), 0);
                a_.jne(stub(kExitSmcStop, in.insn));
            }
            current_insn = in.insn;
            may_stop = false;
        }
        if (in.op == Op::Store || in.op == Op::CallHelper) may_stop = true;
        if (!emit_op(in)) break;  // a terminal: nothing after it runs
    }

    for (const SlowPath& sp : slow_paths_) emit_slow_path(sp);
    for (const Stub& st : stubs_) {
        a_.bind(st.label);
        if (st.kind == kBranchLimitStub) {
            a_.mov(x86::rdi, x86::rbx);
            a_.mov(x86::esi, uint32_t(EXC_GP));
            a_.xor_(x86::edx, x86::edx);
            a_.mov(x86::ecx, 1);
            call(reinterpret_cast<const void*>(&thunk_raise));
            a_.mov(x86::rax, exit_code(kExitFault, st.insn));
        } else {
            a_.mov(x86::rax, exit_code(ExitKind(st.kind), st.insn));
        }
        a_.jmp(epilogue_);
    }
    a_.bind(epilogue_);
    a_.mov(x86::r10, reinterpret_cast<uint64_t>(&ctx_));
    a_.mov(x86::r11, reinterpret_cast<uint64_t>(&tb_));
    a_.mov(x86::qword_ptr(x86::r10, int32_t(offsetof(JitContext, current))), x86::r11);
    unwind_frame();
    a_.ret();
}

void BlockEmitter::unwind_frame() {
    const x86::Gp saved[] = {x86::rbx, x86::rbp, x86::r12, x86::r13, x86::r14, x86::r15};
    a_.add(x86::rsp, frame_);
    for (int i = 5; i >= 0; --i) a_.pop(saved[i]);
}

// The end of a Jump or Branch with EIP stored: go straight on to the cached successor
// when the engine loop would (no exit request, the link still valid, the next block
// compiled and within the budget), retiring this block as the loop does; else return
// `kind` and let the loop decide.
void BlockEmitter::chain(int slot, ExitKind kind, unsigned insn) {
    Label to_loop = a_.newLabel();
    a_.cmp(x86::dword_ptr(x86::rbx, member_offset(cpu_, cpu_.exit_request)), 0);
    a_.jne(to_loop);
    a_.mov(x86::rax, reinterpret_cast<uint64_t>(&tb_.native_link[slot]));
    a_.mov(x86::rax, x86::qword_ptr(x86::rax));
    a_.test(x86::rax, x86::rax);
    a_.jz(to_loop);
    a_.cmp(x86::byte_ptr(x86::rax, member_offset(tb_, tb_.valid)), 0);
    a_.je(to_loop);
    a_.mov(x86::r10, reinterpret_cast<uint64_t>(&ctx_));
    a_.mov(x86::ecx, x86::dword_ptr(x86::rax, member_offset(tb_, tb_.insn_count)));
    a_.add(x86::rcx, x86::qword_ptr(x86::r10, int32_t(offsetof(JitContext, executed))));
    a_.add(x86::rcx, int32_t(tb_.insn_count));
    a_.cmp(x86::rcx, x86::qword_ptr(x86::r10, int32_t(offsetof(JitContext, budget))));
    a_.ja(to_loop);
    a_.mov(x86::rdx, x86::qword_ptr(x86::rax, member_offset(tb_, tb_.native)));
    a_.test(x86::rdx, x86::rdx);
    a_.jz(to_loop);
    a_.add(x86::qword_ptr(x86::r10, int32_t(offsetof(JitContext, executed))), int32_t(tb_.insn_count));
    a_.add(x86::qword_ptr(x86::r12, int32_t(offsetof(CpuState, tsc))), int32_t(tb_.insn_count));
    a_.mov(x86::dword_ptr(x86::r12, int32_t(offsetof(CpuState, interrupt_shadow))), 0);
    a_.mov(x86::rdi, x86::rbx);
    a_.mov(x86::rsi, x86::r12);
    unwind_frame();
    a_.jmp(x86::rdx);
    a_.bind(to_loop);
    leave(kind, insn);
}

void emit_block(CodeHolder& code, Cpu& cpu, TranslatedBlock& tb, JitContext& context) {
    BlockEmitter(code, cpu, tb, context).emit();
}

}  // namespace vmm86::x64
