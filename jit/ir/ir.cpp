#include "jit/ir/ir.h"

#include <cstdio>

namespace vmm86::ir {

OpKind op_kind(Op op) {
    static const OpKind kinds[] = {
#define IR_OP(name, kind) OpKind::kind,
#include "jit/ir/ir_ops.inc"
#undef IR_OP
    };
    return kinds[size_t(op)];
}

const char* op_name(Op op) {
    static const char* const names[] = {
#define IR_OP(name, kind) #name,
#include "jit/ir/ir_ops.inc"
#undef IR_OP
    };
    return names[size_t(op)];
}

std::string Block::dump() const {
    std::string out;
    char line[160];
    auto val = [&](ValueId v) -> std::string {
        if (v == kNoValue) return "";
        if (is_constant[v]) {
            char b[32];
            std::snprintf(b, sizeof b, "#%llx", (unsigned long long)constants[v]);
            return b;
        }
        return "v" + std::to_string(v);
    };
    uint16_t last_insn = 0xFFFF;
    for (const Inst& i : insts) {
        if (i.insn != last_insn && i.insn < guest.size()) {
            std::snprintf(line, sizeof line, "; %04llx\n", (unsigned long long)guest[i.insn].eip);
            out += line;
            last_insn = i.insn;
        }
        std::string args;
        for (ValueId v : {i.a, i.b, i.c, i.d})
            if (v != kNoValue) args += (args.empty() ? " " : ", ") + val(v);
        std::snprintf(line, sizeof line, "  %s%s%s.%u%s imm=%llx\n", i.dst ? val(i.dst).c_str() : "",
                      i.dst ? " = " : "", op_name(i.op), unsigned(i.size), args.c_str(),
                      (unsigned long long)i.imm);
        out += line;
    }
    return out;
}

}  // namespace vmm86::ir
