// Bit tests and scans, byte swap, compare-exchange, exchange-add, SETcc and CMOVcc.
//
// Undefined flags follow what Intel CPUs do (checked natively on the host):
// - BT/BTS/BTR/BTC change CF only; OF, SF, AF, PF and ZF keep their values.
// - BSF/BSR clear CF, OF, SF and AF, set ZF when the source is 0 and take PF from the
//   bit index found (from 0 when the source is 0). The destination keeps its value when
//   the source is 0.
#include "jit/frontend/condition.h"
#include "jit/frontend/lowering.h"

namespace vmm86 {
namespace {
using ir::Op;

unsigned log2_of(unsigned v) { return unsigned(__builtin_ctz(v)); }

bool is_mem(const ZydisDecodedOperand& op) { return op.type == ZYDIS_OPERAND_TYPE_MEMORY; }

// CF = bit; nothing else changes (see the note at the top).
void set_cf_only(Translator& t, ValueId bit) { t.b().effect(Op::SetFlagBits, 4, bit, 0, 0, FLAG_CF); }

enum class BitOp { Test, Set, Reset, Complement };

Flow bit_test(Translator& t, const DecodedInsn& d, BitOp kind) {
    ir::Builder& b = t.b();
    const unsigned size = t.op_size(0);
    const unsigned bits = size * 8;
    const ZydisDecodedOperand& offset_op = d.op(1);
    const bool imm = offset_op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE;

    ValueId index;  // bit number within the operand actually accessed
    ValueId value;
    MemRef where{};
    if (is_mem(d.op(0))) {
        where = t.mem(0);
        if (imm) {
            // An immediate offset is taken modulo the operand size: no address change.
            index = t.c(offset_op.imm.value.u & (bits - 1));
        } else {
            // A register offset is signed and selects the operand-sized unit at
            // EA + (offset SAR log2(bits)) * size, which may lie outside the operand.
            ValueId off = t.read(1);
            ValueId units = b.emit(Op::Sar, size, off, t.c(log2_of(bits)));
            ValueId delta = b.emit(Op::Shl, 8, b.sext(8, size, units), t.c(log2_of(size)));
            where.offset = b.add(d.address_bytes(), where.offset, delta);
            index = b.and_(size, off, t.c(bits - 1));
        }
        value = b.load(where.seg, size, where.offset);
    } else {
        index = imm ? t.c(offset_op.imm.value.u & (bits - 1)) : b.and_(size, t.read(1), t.c(bits - 1));
        value = t.read(0);
    }

    ValueId bit = b.and_(size, b.emit(Op::Shr, size, value, index), t.c(1));
    if (kind != BitOp::Test) {
        ValueId mask = b.emit(Op::Shl, size, t.c(1), index);
        ValueId result = kind == BitOp::Set     ? b.emit(Op::Or, size, value, mask)
                         : kind == BitOp::Reset ? b.and_(size, value, b.emit(Op::Not, size, mask))
                                                : b.emit(Op::Xor, size, value, mask);
        if (is_mem(d.op(0))) b.store(where.seg, size, where.offset, result);
        else t.write(0, result);
    }
    set_cf_only(t, bit);
    return Flow::Next;
}

// Pure helpers for BSF/BSR. They return 0 for a zero source, else the bit index | 0x100:
// recorded as a 16-bit LF_LOGIC result that gives exactly the flags Intel CPUs produce
// (ZF from the source, PF from the index, CF=OF=SF=AF=0). A Ctz/Clz IR op would let the
// JIT use the host instruction instead of a call.
uint64_t helper_bsf(Cpu&, uint64_t src, uint64_t, uint64_t) {
    return src ? (uint64_t(__builtin_ctzll(src)) | 0x100) : 0;
}

uint64_t helper_bsr(Cpu&, uint64_t src, uint64_t, uint64_t) {
    return src ? (uint64_t(63 - __builtin_clzll(src)) | 0x100) : 0;
}

Flow bit_scan(Translator& t, bool reverse) {
    ir::Builder& b = t.b();
    const unsigned size = t.op_size(0);
    ValueId src = t.read(1);  // the only access that can fault comes first
    ValueId found = t.call(reverse ? &helper_bsr : &helper_bsf, src);
    ValueId zero = b.emit(Op::CmpEq, size, src, t.c(0));
    ValueId old = t.read(0);
    t.write(0, b.emit(Op::Select, size, zero, old, b.and_(size, found, t.c(0xFF))));
    t.set_flags(LF_LOGIC, 2, found, found, found);
    return Flow::Next;
}

}  // namespace

Flow lower_bt(Translator& t, const DecodedInsn& d) { return bit_test(t, d, BitOp::Test); }
Flow lower_bts(Translator& t, const DecodedInsn& d) { return bit_test(t, d, BitOp::Set); }
Flow lower_btr(Translator& t, const DecodedInsn& d) { return bit_test(t, d, BitOp::Reset); }
Flow lower_btc(Translator& t, const DecodedInsn& d) { return bit_test(t, d, BitOp::Complement); }

// TZCNT/LZCNT share the BSF/BSR encodings (F3 0F BC/BD). Our CPUID reports neither BMI1
// nor ABM, so, as on the CPUs we model, the F3 prefix is ignored.
Flow lower_bsf(Translator& t, const DecodedInsn&) { return bit_scan(t, false); }
Flow lower_bsr(Translator& t, const DecodedInsn&) { return bit_scan(t, true); }

Flow lower_bswap(Translator& t, const DecodedInsn& d) {
    ir::Builder& b = t.b();
    if (t.op_size(0) != 4) {
        // 16-bit BSWAP is undefined; Intel CPUs (checked natively) leave 0 in the low word.
        t.write(0, t.c(0));
        return Flow::Next;
    }
    ValueId x = t.read(0);
    ValueId r = b.emit(Op::Or, 4, b.emit(Op::Shl, 4, x, t.c(24)), b.emit(Op::Shr, 4, x, t.c(24)));
    r = b.emit(Op::Or, 4, r, b.and_(4, b.emit(Op::Shl, 4, x, t.c(8)), t.c(0xFF0000)));
    r = b.emit(Op::Or, 4, r, b.and_(4, b.emit(Op::Shr, 4, x, t.c(8)), t.c(0xFF00)));
    t.write(0, r);
    return Flow::Next;
}

Flow lower_cmpxchg(Translator& t, const DecodedInsn& d) {
    ir::Builder& b = t.b();
    const unsigned size = t.op_size(0);
    ValueId dest = t.read(0);
    ValueId src = t.read(1);
    ValueId acc = t.read_gpr(EAX, size);
    ValueId equal = b.emit(Op::CmpEq, size, acc, dest);
    // Intel writes the destination either way (its own value when unequal), so a
    // read-only page faults even when the comparison fails.
    ValueId new_dest = b.emit(Op::Select, size, equal, src, dest);
    ValueId new_acc = b.emit(Op::Select, size, equal, acc, dest);
    if (is_mem(d.op(0))) {
        t.write(0, new_dest);
        t.write_gpr(EAX, size, new_acc);
    } else {
        // Accumulator first: with AL/AX/EAX as the destination the comparison is always
        // equal and the destination write must win.
        t.write_gpr(EAX, size, new_acc);
        t.write(0, new_dest);
    }
    t.set_flags(LF_SUB, size, b.sub(size, acc, dest), acc, dest);
    return Flow::Next;
}

Flow lower_cmpxchg8b(Translator& t, const DecodedInsn& d) {
    ir::Builder& b = t.b();
    if (!is_mem(d.op(0))) return t.fault(EXC_UD);
    MemRef m = t.mem(0);
    ValueId old = b.load(m.seg, 8, m.offset);
    ValueId eax = t.read_gpr(EAX, 4), edx = t.read_gpr(EDX, 4);
    ValueId expected = b.emit(Op::Or, 8, b.emit(Op::Shl, 8, edx, t.c(32)), eax);
    ValueId replacement = b.emit(Op::Or, 8, b.emit(Op::Shl, 8, t.read_gpr(ECX, 4), t.c(32)), t.read_gpr(EBX, 4));
    ValueId equal = b.emit(Op::CmpEq, 8, expected, old);
    b.store(m.seg, 8, m.offset, b.emit(Op::Select, 8, equal, replacement, old));
    t.write_gpr(EAX, 4, b.emit(Op::Select, 4, equal, eax, b.zext(4, old)));
    t.write_gpr(EDX, 4, b.emit(Op::Select, 4, equal, edx, b.emit(Op::Shr, 8, old, t.c(32))));
    // Only ZF changes.
    b.effect(Op::SetFlagBits, 4, b.emit(Op::Shl, 4, equal, t.c(6)), 0, 0, FLAG_ZF);
    return Flow::Next;
}

Flow lower_xadd(Translator& t, const DecodedInsn& d) {
    const unsigned size = t.op_size(0);
    ValueId dest = t.read(0), src = t.read(1);
    ValueId sum = t.b().add(size, dest, src);
    // The destination is written last (XADD AX, AX leaves the sum); a memory destination
    // is written first anyway, so a fault leaves the register alone.
    if (is_mem(d.op(0))) {
        t.write(0, sum);
        t.write(1, dest);
    } else {
        t.write(1, dest);
        t.write(0, sum);
    }
    t.set_flags(LF_ADD, size, sum, dest, src);
    return Flow::Next;
}

Flow lower_setcc(Translator& t, const DecodedInsn& d) {
    t.write(0, t.cond(condition_of(d.mnemonic())));
    return Flow::Next;
}

Flow lower_cmovcc(Translator& t, const DecodedInsn& d) {
    const unsigned size = t.op_size(0);
    ValueId src = t.read(1);  // a memory source is read (and may fault) whatever the condition
    ValueId old = t.read(0);
    // In 16- and 32-bit modes a false condition leaves the destination as it was; writing
    // its own value back is the same thing.
    t.write(0, t.b().emit(Op::Select, size, t.cond(condition_of(d.mnemonic())), src, old));
    return Flow::Next;
}

// POPCNT is not in our CPUID (F3 0F B8 is #UD on the CPUs we model).
Flow lower_bits_invalid(Translator& t, const DecodedInsn&) { return t.fault(EXC_UD); }

}  // namespace vmm86
