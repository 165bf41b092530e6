// Builds an ir::Block. The frontend talks to this class only; it knows nothing of x86.
#pragma once
#include "jit/ir/ir.h"

namespace vmm86::ir {

class Builder {
public:
    explicit Builder(Block& block) : b_(block) {
        if (b_.constants.empty()) {
            b_.constants.push_back(0);
            b_.is_constant.push_back(false);
        }
    }

    void set_insn(uint16_t index) { insn_ = index; }
    uint16_t insn() const { return insn_; }

    ValueId constant(uint64_t v) {
        ValueId id = new_value();
        b_.constants[id] = v;
        b_.is_constant[id] = true;
        return id;
    }
    bool is_constant(ValueId v) const { return v != kNoValue && b_.is_constant[v]; }
    uint64_t constant_value(ValueId v) const { return b_.constants[v]; }

    // Emits an op with a result.
    ValueId emit(Op op, unsigned size, ValueId a = kNoValue, ValueId b = kNoValue, ValueId c = kNoValue,
                 uint64_t imm = 0, ValueId d = kNoValue) {
        ValueId dst = new_value();
        push(Inst{op, uint8_t(size), insn_, dst, a, b, c, d, imm, 0});
        return dst;
    }
    // Emits an op without a result.
    void effect(Op op, unsigned size, ValueId a = kNoValue, ValueId b = kNoValue, ValueId c = kNoValue,
                uint64_t imm = 0, ValueId d = kNoValue, uint64_t imm2 = 0) {
        push(Inst{op, uint8_t(size), insn_, kNoValue, a, b, c, d, imm, imm2});
    }

    // Shorthands.
    ValueId get_reg(unsigned reg, unsigned size) { return emit(Op::GetReg, size, 0, 0, 0, reg); }
    void set_reg(unsigned reg, unsigned size, ValueId v) { effect(Op::SetReg, size, v, 0, 0, reg); }
    ValueId binop(Op op, unsigned size, ValueId a, ValueId b) { return emit(op, size, a, b); }
    ValueId add(unsigned size, ValueId a, ValueId b) { return emit(Op::Add, size, a, b); }
    ValueId sub(unsigned size, ValueId a, ValueId b) { return emit(Op::Sub, size, a, b); }
    ValueId and_(unsigned size, ValueId a, ValueId b) { return emit(Op::And, size, a, b); }
    ValueId zext(unsigned size, ValueId a) { return emit(Op::ZExt, size, a); }
    ValueId sext(unsigned to, unsigned from, ValueId a) { return emit(Op::SExt, to, a, 0, 0, from); }
    ValueId load(unsigned seg, unsigned size, ValueId offset) { return emit(Op::Load, size, offset, 0, 0, seg); }
    void store(unsigned seg, unsigned size, ValueId offset, ValueId value) {
        effect(Op::Store, size, offset, value, 0, seg);
    }
    void set_flags(uint32_t lazy_op, unsigned size, ValueId result, ValueId src1, ValueId src2,
                   ValueId aux = kNoValue) {
        effect(Op::SetFlags, size, result, src1, src2, lazy_op, aux);
    }
    // fn is a helper's address (see Op::CallHelper).
    ValueId call(uint64_t fn, ValueId a = kNoValue, ValueId b = kNoValue, ValueId c = kNoValue) {
        return emit(Op::CallHelper, 8, a, b, c, fn);
    }

private:
    ValueId new_value() {
        b_.constants.push_back(0);
        b_.is_constant.push_back(false);
        return ValueId(b_.value_count++);
    }
    void push(const Inst& i) { b_.insts.push_back(i); }

    Block& b_;
    uint16_t insn_ = 0;
};

}  // namespace vmm86::ir
