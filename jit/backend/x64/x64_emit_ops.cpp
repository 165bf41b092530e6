// The x64 JIT's op switch: registers, segments, flags, helpers and terminals.
#include "jit/backend/x64/x64_block_emitter.h"

#include "jit/backend/x64/x64_thunks.h"
#include "jit/frontend/lower_segment.h"

namespace vmm86::x64 {

// EIP = target, unless the target lies beyond the CS limit: then #GP(0) at the branch.
void BlockEmitter::check_code_limit(const x86::Gp& target, unsigned insn) {
    a_.mov(x86::r11d, x86::dword_ptr(x86::r12, seg_off(CS) + int32_t(offsetof(SegmentCache, limit))));
    a_.cmp(target, x86::r11);
    a_.ja(stub(kBranchLimitStub, insn));
}

// Returns false after a terminal.
bool BlockEmitter::emit_op(const ir::Inst& in) {
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

}  // namespace vmm86::x64
