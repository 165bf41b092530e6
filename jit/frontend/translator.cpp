#include "jit/frontend/translator.h"

#include <array>

#include "jit/frontend/lowering.h"

namespace vmm86 {

using ir::Op;

bool gpr_of(ZydisRegister r, RegRef& out) {
    ZydisRegisterClass cls = ZydisRegisterGetClass(r);
    int id = ZydisRegisterGetId(r);
    switch (cls) {
    case ZYDIS_REGCLASS_GPR8:
        // Zydis numbers AL CL DL BL AH CH DH BH SPL BPL SIL DIL R8B…
        if (id >= 4 && id < 8) out = RegRef{uint8_t(id - 4), 1, true};
        else if (id >= 8 && id < 12) out = RegRef{uint8_t(id - 4), 1, false};
        else out = RegRef{uint8_t(id), 1, false};
        return true;
    case ZYDIS_REGCLASS_GPR16: out = RegRef{uint8_t(id), 2, false}; return true;
    case ZYDIS_REGCLASS_GPR32: out = RegRef{uint8_t(id), 4, false}; return true;
    case ZYDIS_REGCLASS_GPR64: out = RegRef{uint8_t(id), 8, false}; return true;
    default: return false;
    }
}

int seg_of(ZydisRegister r) {
    if (ZydisRegisterGetClass(r) != ZYDIS_REGCLASS_SEGMENT) return -1;
    return ZydisRegisterGetId(r);
}

Translator::Translator(ir::Block& block, CpuMode mode, bool stack32)
    : block_(block), b_(block), mode_(mode), stack32_(stack32) {}

bool Translator::lower(const DecodedInsn& d, Flow& flow) {
    LowerFn fn = lowering_for(d.mnemonic());
    if (!fn) return false;
    d_ = &d;
    for (bool& cached : mem_cached_) cached = false;
    staged_sp_ = 0;
    end_after_ = false;
    b_.set_insn(uint16_t(block_.guest.size()));
    block_.guest.push_back(ir::GuestInsn{d.eip, uint8_t(d.length())});
    flow = fn(*this, d);
    return true;
}

ValueId Translator::read_reg(const RegRef& r) {
    if (r.high8) return b_.emit(Op::GetReg8H, 1, 0, 0, 0, r.gpr);
    return b_.get_reg(r.gpr, r.size);
}

void Translator::write_reg(const RegRef& r, ValueId v) {
    if (r.high8) b_.effect(Op::SetReg8H, 1, v, 0, 0, r.gpr);
    else b_.set_reg(r.gpr, r.size, v);
}

ValueId Translator::effective_offset(const ZydisDecodedOperand& op) {
    const unsigned asize = d_->address_bytes();
    ValueId sum = 0;
    RegRef r;
    if (op.mem.base != ZYDIS_REGISTER_NONE && gpr_of(op.mem.base, r)) sum = read_reg(r);
    if (op.mem.index != ZYDIS_REGISTER_NONE && gpr_of(op.mem.index, r)) {
        ValueId idx = read_reg(r);
        if (op.mem.scale > 1) idx = b_.emit(Op::Shl, asize, idx, c(__builtin_ctz(op.mem.scale)));
        sum = sum ? b_.add(asize, sum, idx) : idx;
    }
    uint64_t disp = uint64_t(op.mem.disp.value) & (asize == 4 ? 0xFFFFFFFFull : asize == 2 ? 0xFFFFull : ~0ull);
    if (!sum) return c(disp);
    if (disp) sum = b_.add(asize, sum, c(disp));
    return sum;
}

MemRef Translator::mem(unsigned i) {
    if (!mem_cached_[i]) {
        const ZydisDecodedOperand& op = d_->ops[i];
        int seg = seg_of(op.mem.segment);
        mem_cache_[i] = MemRef{uint8_t(seg < 0 ? DS : seg), effective_offset(op)};
        mem_cached_[i] = true;
    }
    return mem_cache_[i];
}

ValueId Translator::read(unsigned i) {
    const ZydisDecodedOperand& op = d_->ops[i];
    const unsigned size = op.size / 8;
    switch (op.type) {
    case ZYDIS_OPERAND_TYPE_REGISTER: {
        RegRef r;
        if (gpr_of(op.reg.value, r)) return read_reg(r);
        int seg = seg_of(op.reg.value);
        if (seg >= 0) return b_.emit(Op::GetSegSel, 2, 0, 0, 0, seg);
        return 0;
    }
    case ZYDIS_OPERAND_TYPE_MEMORY: {
        MemRef m = mem(i);
        return b_.load(m.seg, size, m.offset);
    }
    case ZYDIS_OPERAND_TYPE_IMMEDIATE: {
        // A sign-extended immediate (83 /r, 6B, PUSH imm8) takes the instruction's
        // operand size; Zydis reports the encoded size in op.size.
        unsigned bytes = size;
        if (op.imm.is_signed && d_->operand_bytes() > bytes) bytes = d_->operand_bytes();
        uint64_t v = op.imm.value.u;
        if (bytes < 8) v &= (1ull << (8 * bytes)) - 1;
        return c(v);
    }
    default:
        return 0;
    }
}

void Translator::write(unsigned i, ValueId v) {
    const ZydisDecodedOperand& op = d_->ops[i];
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
        RegRef r;
        if (gpr_of(op.reg.value, r)) write_reg(r, v);
    } else if (op.type == ZYDIS_OPERAND_TYPE_MEMORY) {
        MemRef m = mem(i);
        b_.store(m.seg, op.size / 8, m.offset, v);
    }
}

ValueId Translator::stack_pointer() {
    if (!staged_sp_) staged_sp_ = b_.get_reg(ESP, stack_size());
    return staged_sp_;
}

ValueId Translator::stack_offset(ValueId sp, int64_t delta) {
    return b_.add(stack_size(), sp, c(uint64_t(delta)));
}

void Translator::push(unsigned size, ValueId v) {
    ValueId sp = stack_offset(stack_pointer(), -int64_t(size));
    b_.store(SS, size, sp, v);
    staged_sp_ = sp;
}

ValueId Translator::pop(unsigned size) {
    ValueId sp = stack_pointer();
    ValueId v = b_.load(SS, size, sp);
    staged_sp_ = stack_offset(sp, size);
    return v;
}

void Translator::commit_stack() {
    if (staged_sp_) b_.set_reg(ESP, stack_size(), staged_sp_);
    staged_sp_ = 0;
}

void Translator::check_branch_target(ValueId target, ValueId taken) {
    if (taken) target = b_.emit(Op::Select, 8, taken, target, c(0));
    b_.effect(Op::CheckCodeLimit, 4, target);
}

Flow Translator::jump(uint64_t target) {
    b_.effect(Op::Jump, 4, 0, 0, 0, target);
    return Flow::End;
}

Flow Translator::jump_indirect(ValueId target) {
    b_.effect(Op::JumpIndirect, 4, target);
    return Flow::End;
}

Flow Translator::branch(ValueId cond, uint64_t taken, uint64_t not_taken) {
    b_.effect(Op::Branch, 4, cond, 0, 0, taken, 0, not_taken);
    return Flow::End;
}

Flow Translator::exit_block() {
    b_.effect(Op::ExitBlock, 4);
    return Flow::End;
}

Flow Translator::fault(uint8_t vector) {
    b_.effect(Op::RaiseFault, 4, 0, 0, 0, vector);
    return Flow::End;
}

Flow Translator::fault(uint8_t vector, uint32_t error_code) {
    b_.effect(Op::RaiseFault, 4, 0, 0, 0, vector, c(1), error_code);
    return Flow::End;
}

}  // namespace vmm86
