// IR → x86-64. Every op does exactly what the interpreter's handler of the same name
// does (jit/backend/interp/interpreter.cpp is the reference). Register use:
//   rbx  Cpu*            (helpers' first argument)
//   r12  CpuState*       (guest registers, flags, segments: [r12 + offsetof(CpuState, …)])
//   rsp  the block's frame: one 8-byte slot per IR value, then the SMC-stop byte
//   rax rcx rdx rsi rdi r8-r11  scratch within one op (helpers may clobber them)
// Constants are immediates, never slots. Ops that need C++ (lazy flags, memory outside
// the fast path, helpers) call small thunks below; faults leave through per-instruction
// exit stubs that return exit_code(kExitFault, insn), so no C++ exception ever crosses
// generated code.
#include "jit/backend/x64/x64_emitter.h"

#include <cstddef>
#include <vector>

#include "cpu/lazy_flags.h"
#include "jit/frontend/lower_segment.h"

namespace vmm86::x64 {
namespace {

using namespace asmjit;
using ir::Op;

// --- thunks: the C++ side of ops the generated code does not inline --------------------

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

// --- the emitter ---------------------------------------------------------------------------

constexpr int32_t gpr_off(uint64_t r) { return int32_t(offsetof(CpuState, gpr) + 8 * r); }
constexpr int32_t seg_off(uint64_t seg) { return int32_t(offsetof(CpuState, seg) + sizeof(SegmentCache) * seg); }
constexpr int32_t kEipOff = offsetof(CpuState, eip);
constexpr int32_t kHaltedOff = offsetof(CpuState, halted);

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

    void emit() {
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

    void unwind_frame() {
        const x86::Gp saved[] = {x86::rbx, x86::rbp, x86::r12, x86::r13, x86::r14, x86::r15};
        a_.add(x86::rsp, frame_);
        for (int i = 5; i >= 0; --i) a_.pop(saved[i]);
    }

    // The end of a Jump or Branch with EIP stored: go straight on to the cached successor
    // when the engine loop would (no exit request, the link still valid, the next block
    // compiled and within the budget), retiring this block as the loop does; else return
    // `kind` and let the loop decide.
    void chain(int slot, ExitKind kind, unsigned insn) {
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
    void check_code_limit(const x86::Gp& target, unsigned insn) {
        a_.mov(x86::r11d, x86::dword_ptr(x86::r12, seg_off(CS) + int32_t(offsetof(SegmentCache, limit))));
        a_.cmp(target, x86::r11);
        a_.ja(stub(kBranchLimitStub, insn));
    }
    void leave(ExitKind kind, unsigned insn) {
        a_.mov(x86::rax, exit_code(kind, insn));
        a_.jmp(epilogue_);
    }

    void binary(const ir::Inst& in) {
        load(x86::rax, in.a);
        const bool imm_b = is_const(in.b) && Support::isInt32(int64_t(b_.constants[in.b]));
        const int32_t imm = imm_b ? int32_t(b_.constants[in.b]) : 0;
        if (!imm_b) load(x86::rcx, in.b);
        switch (in.op) {
        case Op::Add: imm_b ? a_.add(x86::rax, imm) : a_.add(x86::rax, x86::rcx); break;
        case Op::Sub: imm_b ? a_.sub(x86::rax, imm) : a_.sub(x86::rax, x86::rcx); break;
        case Op::And: imm_b ? a_.and_(x86::rax, imm) : a_.and_(x86::rax, x86::rcx); break;
        case Op::Or: imm_b ? a_.or_(x86::rax, imm) : a_.or_(x86::rax, x86::rcx); break;
        case Op::Xor: imm_b ? a_.xor_(x86::rax, imm) : a_.xor_(x86::rax, x86::rcx); break;
        default: if (imm_b) a_.mov(x86::rcx, int64_t(imm)); a_.imul(x86::rax, x86::rcx); break;  // Mul
        }
        mask(x86::rax, in.size);
        store(in.dst, x86::rax);
    }

    void compare(const ir::Inst& in) {
        load(x86::rax, in.a);
        load(x86::rcx, in.b);
        const bool is_signed = in.op == Op::CmpLtS || in.op == Op::CmpLeS;
        if (is_signed) {
            sign_extend(x86::rax, in.size);
            sign_extend(x86::rcx, in.size);
        } else {
            mask(x86::rax, in.size);
            mask(x86::rcx, in.size);
        }
        a_.cmp(x86::rax, x86::rcx);
        switch (in.op) {
        case Op::CmpEq: a_.sete(x86::al); break;
        case Op::CmpNe: a_.setne(x86::al); break;
        case Op::CmpLtU: a_.setb(x86::al); break;
        case Op::CmpLeU: a_.setbe(x86::al); break;
        case Op::CmpLtS: a_.setl(x86::al); break;
        default: a_.setle(x86::al); break;  // CmpLeS
        }
        a_.movzx(x86::eax, x86::al);
        store(in.dst, x86::rax);
    }

    void shift(const ir::Inst& in) {
        load(x86::rax, in.a);
        load(x86::rcx, in.b);
        if (in.op == Op::Sar) {
            // x >> min(count, 63) on the value sign-extended from its size.
            sign_extend(x86::rax, in.size);
            a_.mov(x86::edx, 63);
            a_.cmp(x86::rcx, 63);
            a_.cmova(x86::rcx, x86::rdx);
            a_.sar(x86::rax, x86::cl);
        } else {
            // Counts of 64 or more give 0 (the host masks the count to 6 bits).
            if (in.op == Op::Shr) mask(x86::rax, in.size);
            if (in.op == Op::Shl) a_.shl(x86::rax, x86::cl);
            else a_.shr(x86::rax, x86::cl);
            a_.xor_(x86::edx, x86::edx);
            a_.cmp(x86::rcx, 64);
            a_.cmovae(x86::rax, x86::rdx);
        }
        mask(x86::rax, in.size);
        store(in.dst, x86::rax);
    }

    void multiply_high(const ir::Inst& in) {
        load(x86::rax, in.a);
        load(x86::rcx, in.b);
        const bool is_signed = in.op == Op::MulHighS;
        if (in.size == 8) {
            is_signed ? a_.imul(x86::rcx) : a_.mul(x86::rcx);  // rdx:rax
            a_.mov(x86::rax, x86::rdx);
        } else {
            // Both factors fit in 32 bits: the whole product fits in 64.
            if (is_signed) {
                sign_extend(x86::rax, in.size);
                sign_extend(x86::rcx, in.size);
                a_.imul(x86::rax, x86::rcx);
                a_.sar(x86::rax, 8 * in.size);
            } else {
                mask(x86::rax, in.size);
                mask(x86::rcx, in.size);
                a_.imul(x86::rax, x86::rcx);
                a_.shr(x86::rax, 8 * in.size);
            }
            mask(x86::rax, in.size);
        }
        store(in.dst, x86::rax);
    }

    // The soft-TLB entry for the linear address in r9d, of the block's TLB half: r10.
    void tlb_entry(bool user) {
        a_.mov(x86::r8d, x86::r9d);
        a_.shr(x86::r8d, 12);
        a_.and_(x86::r8d, SoftTlb::kEntries - 1);
        a_.shl(x86::r8d, 5);
        static_assert(sizeof(TlbEntry) == 32);
        a_.mov(x86::r10, reinterpret_cast<uint64_t>(&cpu_.tlb.entries[user ? 1 : 0][0]));
        a_.add(x86::r10, x86::r8);
    }

    // The fast path of read_seg_fast/write_seg_fast inline: a segment that needs no
    // special checks, the offset within its limit, a TLB hit for this kind of access and
    // no page crossing; then r9 = the host address. Anything else jumps to `slow`.
    // The offset is in rdx.
    void fast_address(const ir::Inst& in, uint16_t special, int32_t tag_off, const Label& slow) {
        const int32_t sg = seg_off(in.imm);
        a_.test(x86::word_ptr(x86::r12, sg + int32_t(offsetof(SegmentCache, attributes))), int32_t(special));
        a_.jnz(slow);
        a_.lea(x86::r9, x86::qword_ptr(x86::rdx, int32_t(in.size) - 1));
        a_.mov(x86::r8d, x86::dword_ptr(x86::r12, sg + int32_t(offsetof(SegmentCache, limit))));
        a_.cmp(x86::r9, x86::r8);
        a_.ja(slow);
        a_.mov(x86::r9d, x86::dword_ptr(x86::r12, sg + int32_t(offsetof(SegmentCache, base))));
        a_.add(x86::r9d, x86::edx);  // the linear address wraps at 4 GiB
        tlb_entry(user_mode_);
        a_.mov(x86::r8d, x86::r9d);
        a_.and_(x86::r8d, int32_t(~0xFFFu));
        a_.cmp(x86::r8d, x86::dword_ptr(x86::r10, tag_off));
        a_.jne(slow);
        if (in.size > 1) {
            a_.mov(x86::r8d, x86::r9d);
            a_.and_(x86::r8d, 0xFFF);
            a_.cmp(x86::r8d, 0x1000 - int32_t(in.size));
            a_.ja(slow);
        }
        a_.add(x86::r9, x86::qword_ptr(x86::r10, int32_t(offsetof(TlbEntry, addend))));
    }

    void emit_load(const ir::Inst& in) {
        Label slow = a_.newLabel(), done = a_.newLabel();
        load(x86::rdx, in.a);
        fast_address(in, SEG_ATTR_EXPAND_DOWN | SEG_ATTR_NO_READ, int32_t(offsetof(TlbEntry, tag_read)), slow);
        switch (in.size) {
        case 1: a_.movzx(x86::eax, x86::byte_ptr(x86::r9)); break;
        case 2: a_.movzx(x86::eax, x86::word_ptr(x86::r9)); break;
        case 4: a_.mov(x86::eax, x86::dword_ptr(x86::r9)); break;
        default: a_.mov(x86::rax, x86::qword_ptr(x86::r9)); break;
        }
        store(in.dst, x86::rax);
        a_.bind(done);
        slow_paths_.push_back(SlowPath{slow, done, &in});
    }

    void emit_store(const ir::Inst& in) {
        Label slow = a_.newLabel(), done = a_.newLabel();
        load(x86::rdx, in.a);
        load(x86::rcx, in.b);
        fast_address(in, SEG_ATTR_EXPAND_DOWN | SEG_ATTR_NO_WRITE, int32_t(offsetof(TlbEntry, tag_write)), slow);
        // A write-tag hit is never a page holding translated code (the TLB leaves those
        // pages without a write tag), so the fast path cannot be self-modifying code.
        switch (in.size) {
        case 1: a_.mov(x86::byte_ptr(x86::r9), x86::cl); break;
        case 2: a_.mov(x86::word_ptr(x86::r9), x86::cx); break;
        case 4: a_.mov(x86::dword_ptr(x86::r9), x86::ecx); break;
        default: a_.mov(x86::qword_ptr(x86::r9), x86::rcx); break;
        }
        a_.bind(done);
        slow_paths_.push_back(SlowPath{slow, done, &in});
    }

    // The calls behind the fast paths, out of line after the block's code.
    void emit_slow_path(const SlowPath& sp) {
        const ir::Inst& in = *sp.inst;
        a_.bind(sp.entry);
        if (in.op == Op::Load) {
            a_.mov(x86::rdi, x86::rbx);
            a_.mov(x86::esi, uint32_t(in.imm));
            load(x86::rdx, in.a);
            a_.mov(x86::ecx, uint32_t(in.size));
            // A load whose value nobody uses still faults: it lands in a scratch slot.
            a_.lea(x86::r8, in.dst ? slot(in.dst) : x86::qword_ptr(x86::rsp, smc_off_ + 8));
            call(reinterpret_cast<const void*>(&thunk_load));
            a_.test(x86::al, x86::al);
            a_.jz(stub(kExitFault, in.insn));
            a_.jmp(sp.resume);
            return;
        }
        a_.mov(x86::rdi, x86::rbx);
        a_.mov(x86::rsi, reinterpret_cast<uint64_t>(&tb_));
        a_.mov(x86::edx, uint32_t(in.imm));
        load(x86::rcx, in.a);
        a_.mov(x86::r8d, uint32_t(in.size));
        load(x86::r9, in.b);
        call(reinterpret_cast<const void*>(&thunk_store));
        a_.test(x86::eax, x86::eax);
        a_.jz(sp.resume);
        a_.cmp(x86::eax, 1);
        a_.je(stub(kExitFault, in.insn));
        a_.mov(x86::byte_ptr(x86::rsp, smc_off_), 1);
        a_.jmp(sp.resume);
    }

    // Returns false after a terminal.
    bool emit_op(const ir::Inst& in) {
        switch (in.op) {
        case Op::GetReg:
            a_.mov(x86::rax, x86::qword_ptr(x86::r12, gpr_off(in.imm)));
            mask(x86::rax, in.size);
            store(in.dst, x86::rax);
            return true;
        case Op::GetReg8H:
            a_.movzx(x86::eax, x86::byte_ptr(x86::r12, gpr_off(in.imm) + 1));
            store(in.dst, x86::rax);
            return true;
        case Op::SetReg:
            load(x86::rax, in.a);
            switch (in.size) {
            case 1: a_.mov(x86::byte_ptr(x86::r12, gpr_off(in.imm)), x86::al); break;
            case 2: a_.mov(x86::word_ptr(x86::r12, gpr_off(in.imm)), x86::ax); break;
            case 4: a_.mov(x86::eax, x86::eax); a_.mov(x86::qword_ptr(x86::r12, gpr_off(in.imm)), x86::rax); break;
            default: a_.mov(x86::qword_ptr(x86::r12, gpr_off(in.imm)), x86::rax); break;
            }
            return true;
        case Op::SetReg8H:
            load(x86::rax, in.a);
            a_.mov(x86::byte_ptr(x86::r12, gpr_off(in.imm) + 1), x86::al);
            return true;
        case Op::GetSegSel:
            a_.movzx(x86::eax, x86::word_ptr(x86::r12, seg_off(in.imm) + int32_t(offsetof(SegmentCache, selector))));
            store(in.dst, x86::rax);
            return true;
        case Op::GetSegBase:
            a_.mov(x86::eax, x86::dword_ptr(x86::r12, seg_off(in.imm) + int32_t(offsetof(SegmentCache, base))));
            store(in.dst, x86::rax);
            return true;
        case Op::SetSegReal: {
            const int32_t s = seg_off(in.imm);
            load(x86::rax, in.a);
            a_.mov(x86::word_ptr(x86::r12, s + int32_t(offsetof(SegmentCache, selector))), x86::ax);
            a_.movzx(x86::eax, x86::ax);
            a_.shl(x86::eax, 4);
            a_.mov(x86::dword_ptr(x86::r12, s + int32_t(offsetof(SegmentCache, base))), x86::eax);
            // Real-mode/V86 loads check no type.
            a_.and_(x86::word_ptr(x86::r12, s + int32_t(offsetof(SegmentCache, attributes))),
                    int32_t(uint16_t(~SEG_ATTR_DERIVED)));
            return true;
        }
        case Op::Add: case Op::Sub: case Op::And: case Op::Or: case Op::Xor: case Op::Mul:
            binary(in);
            return true;
        case Op::Shl: case Op::Shr: case Op::Sar:
            shift(in);
            return true;
        case Op::MulHighU: case Op::MulHighS:
            multiply_high(in);
            return true;
        case Op::Not: case Op::Neg:
            load(x86::rax, in.a);
            in.op == Op::Not ? a_.not_(x86::rax) : a_.neg(x86::rax);
            mask(x86::rax, in.size);
            store(in.dst, x86::rax);
            return true;
        case Op::SExt:
            load(x86::rax, in.a);
            sign_extend(x86::rax, unsigned(in.imm));
            mask(x86::rax, in.size);
            store(in.dst, x86::rax);
            return true;
        case Op::ZExt:
            load(x86::rax, in.a);
            mask(x86::rax, in.size);
            store(in.dst, x86::rax);
            return true;
        case Op::Select:
            load(x86::rax, in.b);
            load(x86::rcx, in.c);
            load(x86::rdx, in.a);
            a_.test(x86::rdx, x86::rdx);
            a_.cmovz(x86::rax, x86::rcx);
            store(in.dst, x86::rax);
            return true;
        case Op::CmpEq: case Op::CmpNe: case Op::CmpLtU: case Op::CmpLeU: case Op::CmpLtS: case Op::CmpLeS:
            compare(in);
            return true;
        case Op::SetFlags: {
            const int32_t lazy = offsetof(CpuState, lazy);
            a_.mov(x86::dword_ptr(x86::r12, lazy + int32_t(offsetof(LazyFlags, op))), uint32_t(in.imm));
            load(x86::rax, in.a);
            a_.mov(x86::qword_ptr(x86::r12, lazy + int32_t(offsetof(LazyFlags, result))), x86::rax);
            load(x86::rax, in.b);
            a_.mov(x86::qword_ptr(x86::r12, lazy + int32_t(offsetof(LazyFlags, src1))), x86::rax);
            load(x86::rax, in.c);
            a_.mov(x86::qword_ptr(x86::r12, lazy + int32_t(offsetof(LazyFlags, src2))), x86::rax);
            load(x86::rax, in.d);
            a_.mov(x86::dword_ptr(x86::r12, lazy + int32_t(offsetof(LazyFlags, aux))), x86::eax);
            return true;
        }
        case Op::GetCF:
        case Op::GetFlags:
        case Op::EvalCond:
            a_.mov(x86::rdi, x86::r12);
            if (in.op == Op::EvalCond) {
                a_.mov(x86::esi, uint32_t(in.imm));
                call(reinterpret_cast<const void*>(&thunk_eval_condition));
            } else {
                call(in.op == Op::GetCF ? reinterpret_cast<const void*>(&thunk_read_cf)
                                        : reinterpret_cast<const void*>(&thunk_read_eflags));
            }
            store(in.dst, x86::rax);
            return true;
        case Op::SetFlagBits:
            a_.mov(x86::rdi, x86::rbx);
            load(x86::rsi, in.a);
            a_.mov(x86::rdx, in.imm);
            call(reinterpret_cast<const void*>(&thunk_set_flag_bits));
            return true;
        case Op::Load:
            emit_load(in);
            return true;
        case Op::Store:
            emit_store(in);
            return true;
        case Op::CallHelper: {
            a_.mov(x86::rdi, x86::rbx);
            load(x86::rsi, in.a);
            load(x86::rdx, in.b);
            load(x86::rcx, in.c);
            call(reinterpret_cast<const void*>(in.imm));
            store(in.dst, x86::rax);
            a_.cmp(x86::dword_ptr(x86::rbx, pending_off_), 0);
            a_.jge(stub(kExitFault, in.insn));
            a_.cmp(x86::byte_ptr(x86::rbx, shutdown_off_), uint8_t(ExitReason::Shutdown));
            a_.je(stub(kExitShutdown, in.insn));
            Label done = a_.newLabel();
            a_.cmp(x86::dword_ptr(x86::rbx, code_modified_off_), 0);
            a_.je(done);
            a_.mov(x86::rdi, x86::rbx);
            a_.mov(x86::rsi, reinterpret_cast<uint64_t>(&tb_));
            call(reinterpret_cast<const void*>(&thunk_code_modified));
            a_.or_(x86::byte_ptr(x86::rsp, smc_off_), x86::al);
            a_.bind(done);
            return true;
        }
        case Op::CheckCodeLimit:
            load(x86::rax, in.a);
            check_code_limit(x86::rax, in.insn);
            return true;

        // --- terminals ---------------------------------------------------------------------
        case Op::Jump:
            a_.mov(x86::rax, in.imm);
            if (in.insn < b_.guest.size()) check_code_limit(x86::rax, in.insn);
            a_.mov(x86::qword_ptr(x86::r12, kEipOff), x86::rax);
            chain(0, kExitLinkTaken, in.insn);
            return false;
        case Op::Branch: {
            // Only a taken branch can fault: falling through past the limit is the next
            // instruction's fetch fault.
            Label not_taken = a_.newLabel();
            load(x86::rdx, in.a);
            a_.test(x86::rdx, x86::rdx);
            a_.jz(not_taken);
            a_.mov(x86::rax, in.imm);
            if (in.insn < b_.guest.size()) check_code_limit(x86::rax, in.insn);
            a_.mov(x86::qword_ptr(x86::r12, kEipOff), x86::rax);
            chain(0, kExitLinkTaken, in.insn);
            a_.bind(not_taken);
            a_.mov(x86::rax, in.imm2);
            a_.mov(x86::qword_ptr(x86::r12, kEipOff), x86::rax);
            chain(1, kExitLinkNotTaken, in.insn);
            return false;
        }
        case Op::JumpIndirect:
            load(x86::rax, in.a);
            if (in.insn < b_.guest.size()) check_code_limit(x86::rax, in.insn);
            a_.mov(x86::qword_ptr(x86::r12, kEipOff), x86::rax);
            leave(kExitIndirect, in.insn);
            return false;
        case Op::ExitBlock:
            leave(kExitIndirect, in.insn);
            return false;
        case Op::Halt:
            a_.mov(x86::rax, in.imm);
            a_.mov(x86::qword_ptr(x86::r12, kEipOff), x86::rax);
            a_.mov(x86::dword_ptr(x86::r12, kHaltedOff), 1);
            leave(kExitHalt, in.insn);
            return false;
        case Op::RaiseFault:
            if (in.imm == kUnimplementedVector) {
                leave(kExitUnimplemented, in.insn);
                return false;
            }
            a_.mov(x86::rdi, x86::rbx);
            a_.mov(x86::esi, uint32_t(in.imm));
            a_.mov(x86::edx, uint32_t(in.imm2));
            a_.mov(x86::ecx, in.d ? 1 : 0);
            call(reinterpret_cast<const void*>(&thunk_raise));
            leave(kExitFault, in.insn);
            return false;
        case Op::Count:
            break;
        }
        return true;
    }

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

}  // namespace

void emit_block(CodeHolder& code, Cpu& cpu, TranslatedBlock& tb, JitContext& context) {
    BlockEmitter(code, cpu, tb, context).emit();
}

}  // namespace vmm86::x64
