// Flag forwarding: a flag read (GetCF, EvalCond) that follows a SetFlags in the same
// block, with nothing in between that changes flags, is rewritten as a pure comparison
// of the recorded values. The SetFlags then often has no observer left, and dead-flag
// elimination removes it: `dec cx; jnz` becomes a subtract and a compare with zero.
#include "cpu/lazy_flags.h"
#include "jit/ir/opt/passes.h"

namespace vmm86::ir {
namespace {

struct Recorded {
    bool known = false;
    LazyFlagOp op;
    unsigned size;
    ValueId result, src1, src2, aux;
};

// Ops that change flags other than through SetFlags.
bool clobbers_flags(Op op) { return op == Op::SetFlagBits || op == Op::CallHelper; }

class Rewriter {
public:
    explicit Rewriter(Block& b) : b_(b) {}

    // Rewrites `in` (a GetCF or EvalCond) as pure ops appended to `out`; false if the
    // recorded operation does not give that flag cheaply.
    bool rewrite(const Inst& in, const Recorded& r, std::vector<Inst>& out) {
        out_ = &out;
        insn_ = in.insn;
        const unsigned n = r.size;
        if (in.op == Op::GetCF) return carry(in.dst, r);
        const Condition cc = Condition(in.imm);
        const ValueId d = in.dst;
        const bool sub = r.op == LF_SUB, logic = r.op == LF_LOGIC;
        // ZF is "result == 0" for every record but MUL's, whose ZF is always clear.
        if (r.op == LF_MUL && (cc == CC_E || cc == CC_NE)) return false;
        // Each condition and its negation as one comparison (operands swapped for the
        // negated form: !(a < b) is b <= a).
        switch (cc) {
        case CC_E: emit(Op::CmpEq, n, d, sub ? r.src1 : r.result, sub ? r.src2 : zero()); return true;
        case CC_NE: emit(Op::CmpNe, n, d, sub ? r.src1 : r.result, sub ? r.src2 : zero()); return true;
        case CC_S: emit(Op::CmpLtS, n, d, r.result, zero()); return true;
        case CC_NS: emit(Op::CmpLeS, n, d, zero(), r.result); return true;
        default: break;
        }
        if (sub) {
            switch (cc) {
            case CC_B: emit(Op::CmpLtU, n, d, r.src1, r.src2); return true;
            case CC_AE: emit(Op::CmpLeU, n, d, r.src2, r.src1); return true;
            case CC_BE: emit(Op::CmpLeU, n, d, r.src1, r.src2); return true;
            case CC_A: emit(Op::CmpLtU, n, d, r.src2, r.src1); return true;
            case CC_L: emit(Op::CmpLtS, n, d, r.src1, r.src2); return true;
            case CC_GE: emit(Op::CmpLeS, n, d, r.src2, r.src1); return true;
            case CC_LE: emit(Op::CmpLeS, n, d, r.src1, r.src2); return true;
            case CC_G: emit(Op::CmpLtS, n, d, r.src2, r.src1); return true;
            default: return false;
            }
        }
        if (logic) {  // CF = OF = 0
            switch (cc) {
            case CC_B: emit(Op::ZExt, 1, d, zero(), 0); return true;
            case CC_AE: emit(Op::ZExt, 1, d, one(), 0); return true;
            case CC_BE: emit(Op::CmpEq, n, d, r.result, zero()); return true;
            case CC_A: emit(Op::CmpNe, n, d, r.result, zero()); return true;
            case CC_L: emit(Op::CmpLtS, n, d, r.result, zero()); return true;
            case CC_GE: emit(Op::CmpLeS, n, d, zero(), r.result); return true;
            case CC_LE: emit(Op::CmpLeS, n, d, r.result, zero()); return true;
            case CC_G: emit(Op::CmpLtS, n, d, zero(), r.result); return true;
            default: return false;
            }
        }
        if (cc == CC_B) return carry(d, r);
        return false;
    }


private:
    bool carry(ValueId dst, const Recorded& r) {
        switch (r.op) {
        case LF_SUB: emit(Op::CmpLtU, r.size, dst, r.src1, r.src2); return true;
        case LF_ADD: emit(Op::CmpLtU, r.size, dst, r.result, r.src1); return true;
        case LF_LOGIC: emit(Op::ZExt, 1, dst, zero(), 0); return true;
        case LF_INC:
        case LF_DEC: emit(Op::ZExt, 1, dst, r.aux, 0); return true;
        default: return false;
        }
    }
    void emit(Op op, unsigned size, ValueId dst, ValueId a, ValueId b) {
        out_->push_back(Inst{op, uint8_t(size), insn_, dst, a, b, 0, 0, 0, 0});
    }
    ValueId fresh() {
        b_.constants.push_back(0);
        b_.is_constant.push_back(false);
        return ValueId(b_.value_count++);
    }
    ValueId constant(uint64_t v) {
        ValueId id = fresh();
        b_.constants[id] = v;
        b_.is_constant[id] = true;
        return id;
    }
    ValueId zero() { return zero_ ? zero_ : (zero_ = constant(0)); }
    ValueId one() { return one_ ? one_ : (one_ = constant(1)); }

    Block& b_;
    std::vector<Inst>* out_ = nullptr;
    uint16_t insn_ = 0;
    ValueId zero_ = 0, one_ = 0;
};

}  // namespace

void forward_flags(Block& block) {
    if (block.value_count > 60000) return;  // no room for new values
    Rewriter rw(block);
    Recorded last;
    std::vector<Inst> out;
    out.reserve(block.insts.size() + 8);
    for (const Inst& in : block.insts) {
        if (in.op == Op::SetFlags) {
            last = Recorded{true, LazyFlagOp(in.imm & 0xFF), in.size, in.a, in.b, in.c, in.d};
        } else if (clobbers_flags(in.op)) {
            last.known = false;
        } else if ((in.op == Op::GetCF || in.op == Op::EvalCond) && last.known) {
            if (rw.rewrite(in, last, out)) continue;
        }
        out.push_back(in);
    }
    block.insts = std::move(out);
}

}  // namespace vmm86::ir
