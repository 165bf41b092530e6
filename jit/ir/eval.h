// The meaning of the pure IR ops, as one function: constant folding uses it, and the
// unit tests check the interpreter's inline versions against it.
#pragma once
#include <cstdint>
#include <optional>

#include "jit/ir/ir.h"

namespace vmm86::ir {

inline uint64_t size_mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

inline uint64_t sign_extend_from(uint64_t v, unsigned bytes) {
    unsigned shift = 64 - 8 * bytes;
    return uint64_t(int64_t(v << shift) >> shift);
}

// The result of pure op `op` at `size` on inputs a, b, c; nullopt for ops that are not pure.
inline std::optional<uint64_t> eval_pure(Op op, unsigned size, uint64_t a, uint64_t b, uint64_t c, uint64_t imm) {
    const uint64_t m = size_mask(size);
    switch (op) {
    case Op::Add: return (a + b) & m;
    case Op::Sub: return (a - b) & m;
    case Op::And: return a & b & m;
    case Op::Or: return (a | b) & m;
    case Op::Xor: return (a ^ b) & m;
    case Op::Shl: return b >= 64 ? 0 : (a << b) & m;
    case Op::Shr: return b >= 64 ? 0 : (a & m) >> b;
    case Op::Sar: return uint64_t(int64_t(sign_extend_from(a, size)) >> (b >= 64 ? 63 : b)) & m;
    case Op::Mul: return (a * b) & m;
    case Op::MulHighU: return uint64_t(((unsigned __int128)(a & m) * (b & m)) >> (8 * size)) & m;
    case Op::MulHighS:
        return uint64_t(((__int128)int64_t(sign_extend_from(a, size)) * int64_t(sign_extend_from(b, size))) >>
                        (8 * size)) & m;
    case Op::Not: return ~a & m;
    case Op::Neg: return (0 - a) & m;
    case Op::SExt: return sign_extend_from(a, unsigned(imm)) & m;
    case Op::ZExt: return a & m;
    case Op::Select: return a ? b : c;
    case Op::CmpEq: return (a & m) == (b & m);
    case Op::CmpNe: return (a & m) != (b & m);
    case Op::CmpLtU: return (a & m) < (b & m);
    case Op::CmpLeU: return (a & m) <= (b & m);
    case Op::CmpLtS: return int64_t(sign_extend_from(a, size)) < int64_t(sign_extend_from(b, size));
    case Op::CmpLeS: return int64_t(sign_extend_from(a, size)) <= int64_t(sign_extend_from(b, size));
    default: return std::nullopt;
    }
}

}  // namespace vmm86::ir
