// The intermediate representation: one basic block of guest code as a list of typed
// operations on numbered values (SSA: each value is written once). Constants are values
// too, whose contents are known when the block is built. The op list comes from
// ir_ops.inc; see jit/README.md for the conventions.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vmm86::ir {

enum class Op : uint8_t {
#define IR_OP(name, kind) name,
#include "jit/ir/ir_ops.inc"
#undef IR_OP
    Count
};

enum class OpKind : uint8_t { Pure, State, Fault, Terminal };

OpKind op_kind(Op op);
const char* op_name(Op op);

using ValueId = uint16_t;
constexpr ValueId kNoValue = 0;  // value 0 is reserved: "no operand"

struct Inst {
    Op op;
    uint8_t size;   // operand size in bytes
    uint16_t insn;  // index of the guest instruction this op belongs to
    ValueId dst, a, b, c, d;
    uint64_t imm;
    uint64_t imm2;
};

struct GuestInsn {
    uint64_t eip;       // address of the instruction (offset in CS)
    uint8_t length;
};

struct Block {
    uint64_t start_eip = 0;
    std::vector<Inst> insts;
    std::vector<GuestInsn> guest;      // the guest instructions, in order
    std::vector<uint64_t> constants;   // value id -> value, for constant values
    std::vector<bool> is_constant;
    uint32_t value_count = 1;          // value 0 is kNoValue
    uint64_t end_eip = 0;              // address after the last instruction

    std::string dump() const;          // a readable listing, for --dump-blocks and tests
};

}  // namespace vmm86::ir
