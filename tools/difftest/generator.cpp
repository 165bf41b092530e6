#include "tools/difftest/generator.h"

#include <algorithm>
#include <cstring>

#include "cpu/cpu_state.h"

namespace vmm86::difftest {

uint32_t get_reg(const Regs& regs, unsigned r, unsigned bits) {
    if (bits == 8) return r < 4 ? (regs.gpr[r] & 0xFF) : ((regs.gpr[r - 4] >> 8) & 0xFF);
    return bits == 16 ? (regs.gpr[r] & 0xFFFF) : regs.gpr[r];
}

void set_reg(Regs& regs, unsigned r, unsigned bits, uint32_t v) {
    if (bits == 8) {
        if (r < 4) regs.gpr[r] = (regs.gpr[r] & ~0xFFu) | (v & 0xFF);
        else regs.gpr[r - 4] = (regs.gpr[r - 4] & ~0xFF00u) | ((v & 0xFF) << 8);
    } else if (bits == 16) {
        regs.gpr[r] = (regs.gpr[r] & 0xFFFF0000u) | (v & 0xFFFF);
    } else {
        regs.gpr[r] = v;
    }
}

namespace {

constexpr uint32_t kBoundary[] = {0,      1,      2,          3,          0x7F,       0x80,      0x81,
                                  0xFE,   0xFF,   0x100,      0x7FFF,     0x8000,     0x8001,    0xFFFE,
                                  0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, 0xFFFFFFFF,
                                  0x55,   0xAA,   0x5555,     0xAAAA,     0x55555555, 0xAAAAAAAA, 0x12345678,
                                  0x99,   0x09,   0x0A,       0x0F,       0xF0,       0x9999};

uint32_t mask_of(unsigned bits) { return bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1; }

uint32_t address_regs(const Address& a) {
    uint32_t m = 0;
    if (a.base >= 0) m |= 1u << a.base;
    if (a.index >= 0) m |= 1u << a.index;
    return m;
}

// The registers an instruction's inputs are shaped through: its memory operand must not
// be addressed with them, or shaping would move the operand.
uint32_t shaped_regs(const InsnDesc& d) {
    uint32_t m = 0;
    if (d.count_cl == 1) m |= 1u << R_ECX;
    if (d.kind == Kind::Div) m |= (1u << R_EAX) | (1u << R_EDX);
    if (d.kind == Kind::Cmpxchg8b) m |= 0x0F;
    if (std::strcmp(d.name, "cmpxchg") == 0) m |= 1u << R_EAX;
    return m;
}

void write_mem(TestCase& c, int seg, uint32_t off, unsigned bytes, uint64_t v) {
    for (unsigned i = 0; i < bytes; ++i) c.mem[mem_key(seg, off + i)] = uint8_t(v >> (8 * i));
}

uint32_t rm_get(const Insn& i, const TestCase& c, unsigned bits) {
    if (!i.mem) return get_reg(c.regs, i.rm, bits);
    return c.read_input(operand_segment(i), effective_address(i.addr, c.regs), bits / 8);
}

void rm_set(const Insn& i, TestCase& c, unsigned bits, uint32_t v) {
    if (!i.mem) set_reg(c.regs, i.rm, bits, v);
    else write_mem(c, operand_segment(i), effective_address(i.addr, c.regs), bits / 8, v);
}

int64_t sext(uint64_t v, unsigned bits) { return int64_t(v << (64 - bits)) >> (64 - bits); }

}  // namespace

Generator::Generator(uint64_t seed, const std::vector<Group>& groups, unsigned max_insns, ModeChoice modes)
    : rng_(seed), modes_(modes), max_insns_(std::max(1u, max_insns)) {
    for (const InsnDesc& d : insn_table()) {
        if (std::find(groups.begin(), groups.end(), d.group) == groups.end()) continue;
        if (by_group_.empty() || by_group_.back().front()->group != d.group) by_group_.emplace_back();
        by_group_.back().push_back(&d);
        std::vector<unsigned> sizes;
        switch (d.width) {
            case Width::B: sizes = {8}; break;
            case Width::V: sizes = {16, 32}; break;
            case Width::D: sizes = {32}; break;
            case Width::None: sizes = {0}; break;
        }
        const bool modrm = d.layout == Layout::E || d.layout == Layout::EG;
        for (unsigned s : sizes) {
            if (!modrm || d.rm != RmUse::MemOnly) slots_.push_back({&d, s, false});
            if (modrm && d.rm != RmUse::RegOnly) slots_.push_back({&d, s, true});
        }
    }
}

uint32_t Generator::value(unsigned bits, bool boundary) {
    const uint32_t m = mask_of(bits);
    const unsigned pick = below(100);
    if (boundary || pick < 12) {
        uint32_t v = kBoundary[below(std::size(kBoundary))];
        // Boundaries of every width: also take the value as a sign-extended one.
        if (chance(25)) v = uint32_t(sext(v, bits == 32 ? 32 : bits));
        return v & m;
    }
    if (pick < 27) return below(16) & m;                   // small
    if (pick < 37) return (1u << below(bits)) & m;         // one bit
    if (pick < 47) return (0u - 1 - below(16)) & m;        // small negative
    return rnd() & m;
}

uint8_t Generator::count(unsigned bits, bool boundary) {
    static const uint8_t kCounts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 0xFF, 0xE1};
    if (boundary || chance(20)) return kCounts[below(std::size(kCounts))];
    if (chance(60)) return uint8_t(below(std::max(bits, 8u) + 2));
    return chance(50) ? uint8_t(below(32)) : uint8_t(rnd());
}

// A random addressing mode, or (mode >= 0, systematic cases) the mode-th one: mod and
// r/m first, then the SIB fields, so that successive passes over a form walk them all.
Address Generator::make_address(unsigned size, uint32_t forbidden, int mode) {
    for (int attempt = 0;; ++attempt) {
        const bool walk = mode >= 0 && attempt == 0;
        Address a;
        a.size = size;
        a.mod = uint8_t(walk ? mode % 3 : below(3));
        a.rm = uint8_t(walk ? (mode / 3) % 8 : below(8));
        if (size == 16) {
            static const int kBase[8] = {R_EBX, R_EBX, R_EBP, R_EBP, -1, -1, R_EBP, R_EBX};
            static const int kIndex[8] = {R_ESI, R_EDI, R_ESI, R_EDI, R_ESI, R_EDI, -1, -1};
            a.base = kBase[a.rm];
            a.index = kIndex[a.rm];
            if (a.rm == 6 && a.mod == 0) a.base = -1;
            a.uses_ss = a.base == R_EBP;
            a.disp_bytes = a.mod == 1 ? 1 : a.mod == 2 || (a.mod == 0 && a.rm == 6) ? 2 : 0;
        } else {
            if (a.rm == 4) {
                a.has_sib = true;
                a.scale = walk ? (mode / 1536) % 4 : below(4);
                const unsigned base = walk ? (mode / 24) % 8 : below(8), index = walk ? (mode / 192) % 8 : below(8);
                a.sib = uint8_t((a.scale << 6) | (index << 3) | base);
                a.index = index == 4 ? -1 : int(index);
                a.base = (base == 5 && a.mod == 0) ? -1 : int(base);
                if (a.index < 0) a.scale = 0;
            } else {
                a.base = (a.rm == 5 && a.mod == 0) ? -1 : a.rm;
            }
            a.uses_ss = a.base == R_EBP || a.base == R_ESP;
            a.disp_bytes = a.mod == 1 ? 1 : (a.mod == 2 || a.base < 0) ? 4 : 0;
        }
        a.disp = a.disp_bytes == 0 ? 0 : a.disp_bytes == 1 ? uint32_t(int8_t(rnd())) : a.disp_bytes == 2 ? (rnd() & 0xFFFF) : rnd();
        if (!(address_regs(a) & forbidden) || attempt > 50) return a;
    }
}

// Chooses an effective address and solves the address registers (or displacement) so
// that the operand lands there: mostly inside the segment, sometimes across its end or
// (32-bit addressing) beyond it, which must fault.
void Generator::place_address(Insn& insn, TestCase& c, int mode) {
    const InsnDesc& d = *insn.desc;
    insn.addr = make_address(insn.addrsize, shaped_regs(d), mode);
    Address& a = insn.addr;
    const unsigned bytes = insn.mem_operand_bytes();
    uint32_t target;
    const unsigned pick = below(100);
    if (d.kind == Kind::Bt && d.layout == Layout::EG) target = 0x1000 + below(0xE000);
    else if (pick < 4 && bytes > 1) target = 0x10000 - 1 - below(bytes - 1);  // crosses the limit
    else if (pick < 7 && a.size == 32) target = chance(50) ? 0x10000 + below(16) : rnd() | 0x10000;
    else target = below(0x10000 - bytes + 1);
    // FXSAVE/FXRSTOR need 16-byte alignment (else #GP): mostly aligned.
    if (d.kind == Kind::X87 && d.x87_fmt == X87Fmt::FxSave && pick >= 4 && chance(90)) target &= ~15u;
    Regs& r = c.regs;
    const uint32_t width = a.size == 16 ? 0xFFFF : 0xFFFFFFFF;
    const bool disp_solves = a.disp_bytes * 8 == a.size;
    if (disp_solves || (a.base < 0 && a.index < 0)) {
        uint32_t sum = 0;
        if (a.base >= 0) sum += r.gpr[a.base];
        if (a.index >= 0) sum += r.gpr[a.index] << a.scale;
        a.disp = (target - sum) & width;
        if (a.disp_bytes == 0) a.disp_bytes = a.size / 8;  // cannot happen: no-register forms carry a disp
    } else if (a.base >= 0 && a.base != a.index) {
        const uint32_t index = a.index >= 0 ? r.gpr[a.index] << a.scale : 0;
        const uint32_t v = target - a.disp - index;
        r.gpr[a.base] = (r.gpr[a.base] & ~width) | (v & width);
    } else {
        // Base and index are one register (or an index alone): solve approximately.
        const uint32_t factor = (a.base >= 0 ? 1 : 0) + (1u << a.scale);
        r.gpr[a.index] = (target - a.disp) / factor;
    }
}

void Generator::place_string(Insn& insn, TestCase& c) {
    auto offset = [&]() -> uint32_t {
        static const uint32_t kEdges[] = {0, 1, 2, 0xFFFC, 0xFFFD, 0xFFFE, 0xFFFF};
        uint32_t off = chance(10) ? kEdges[below(std::size(kEdges))] : 0x10 + below(0xFFE0);
        if (insn.addrsize == 16) return (rnd() & 0xFFFF0000u) | off;
        return chance(3) ? (off | (1u << (16 + below(16)))) : off;
    };
    const InsnDesc& d = *insn.desc;
    if (d.kind == Kind::Xlat) {
        const uint32_t al = c.regs.gpr[R_EAX] & 0xFF;
        c.regs.gpr[R_EBX] = offset() - al;  // BX + AL lands on the chosen offset
        return;
    }
    if (d.string_use & kStrSrc) c.regs.gpr[R_ESI] = offset();
    if (d.string_use & kStrDst) c.regs.gpr[R_EDI] = offset();
}

// A random form: groups are equally likely (alu alone has a third of the rows).
const InsnDesc* Generator::random_row() {
    const std::vector<const InsnDesc*>& rows = by_group_[below(uint32_t(by_group_.size()))];
    return rows[below(uint32_t(rows.size()))];
}

Insn Generator::make_insn(const InsnDesc& d, unsigned opsize, bool mem, int pass, TestCase& c) {
    const bool boundary = pass >= 0;
    Insn i;
    i.desc = &d;
    i.opsize = opsize;
    i.mem = mem;
    i.digit = uint8_t(d.digit >= 0 ? d.digit : 0);
    if (d.group == Group::SetCC && chance(25)) i.digit = uint8_t(below(8));  // reg field ignored
    i.reg = uint8_t(below(8));
    i.rm = uint8_t(below(8));
    if (d.layout == Layout::O && d.opcode[0] == 0x90) i.reg = uint8_t(1 + below(7));  // 90h is NOP
    i.addrsize = pass >= 0 ? (pass % 2 ? 32 : 16) : (chance(50) ? 16 : 32);
    const bool addresses = mem || d.kind == Kind::String || d.kind == Kind::Xlat;
    if (chance(addresses ? 20 : 3)) i.seg_override = int(below(kDataSegs));
    const bool modrm = d.layout == Layout::E || d.layout == Layout::EG;
    i.lock = modrm && chance(4);
    // 66h/67h where they change nothing: byte and size-less forms, no memory operand.
    // (Not on size-less forms with 16/32-bit variants such as PUSHA: those are Width::V.)
    i.redundant_66 = (d.width == Width::B || d.width == Width::None) && d.opcode[0] != 0x0F && chance(3);
    i.redundant_67 = !addresses && chance(3);
    if (d.imm == Imm::B) {
        i.imm_bytes = 1;
        i.imm = value(8, boundary);
    } else if (d.imm == Imm::Z) {
        i.imm_bytes = opsize / 8;
        i.imm = value(opsize, boundary);
    }
    if (mem) place_address(i, c, pass >= 0 ? pass / 2 : -1);
    if (d.kind == Kind::String || d.kind == Kind::Xlat) place_string(i, c);
    // Register operands that are shaped must not be address registers (shaping them
    // would move the memory operand).
    if (mem && (d.kind == Kind::Bt || d.kind == Kind::Bound) && d.layout == Layout::EG)
        for (int n = 0; n < 16 && (address_regs(i.addr) >> i.reg & 1); ++n) i.reg = uint8_t(below(8));
    return i;
}

// Inputs that random values rarely hit: counts, non-faulting divisions, BCD immediates,
// equal compare-exchange operands, bounds, zero bit-scan sources, a POPF image.
void Generator::shape(Insn& i, TestCase& c, bool boundary) {
    const InsnDesc& d = *i.desc;
    const unsigned w = i.opsize;
    if (d.count_cl || d.kind == Kind::ShiftD) {
        uint8_t n = count(w, boundary);
        if (d.kind == Kind::ShiftD && w == 16 && (n & 31) > 16) n = uint8_t((n & 0xE0) | below(17));
        if (d.count_cl == 1) set_reg(c.regs, R_ECX, 8, n);
        else if (d.count_cl == 0) i.imm = n;
    }
    if (d.kind == Kind::AamAad) i.imm = chance(55) ? 10 : chance(15) ? 0 : value(8, boundary);
    if (d.kind == Kind::Bt && d.layout == Layout::EG && i.mem) {
        const uint32_t off = uint32_t(int32_t(below(1024)) - 512);
        set_reg(c.regs, i.reg, w, off);
    }
}

void Generator::shape_memory(Insn& i, TestCase& c, bool boundary) {
    const InsnDesc& d = *i.desc;
    const unsigned w = i.opsize;
    Regs& r = c.regs;
    switch (d.kind) {
        case Kind::Div: {
            // Half the divisions are made not to overflow: dividend = quotient * divisor +
            // remainder with the quotient in range (the rest are random, mostly #DE).
            const bool overlaps = !i.mem && (w == 8 ? (i.rm == 0 || i.rm == 4) : (i.rm == R_EAX || i.rm == R_EDX));
            if (overlaps || chance(40)) break;
            const bool is_signed = std::strcmp(d.name, "idiv") == 0;
            const uint32_t m = mask_of(w);
            uint64_t dividend;
            uint32_t divisor = value(w, boundary) & m;
            if (divisor == 0) divisor = 1 + below(m);
            if (!is_signed) {
                const uint64_t q = value(w, boundary) & m, rem = below(divisor);
                dividend = q * divisor + rem;
            } else {
                const int64_t dv = sext(divisor, w);
                const int64_t q = sext(value(w, boundary) & m, w);
                const int64_t prod = q * dv;
                const int64_t rem = int64_t(below(uint32_t(dv < 0 ? -dv : dv)));
                const bool negative = prod < 0 || (prod == 0 && chance(50));
                dividend = uint64_t(negative ? prod - rem : prod + rem);
            }
            rm_set(i, c, w, divisor);
            if (w == 8) {
                set_reg(r, R_EAX, 16, uint32_t(dividend));
            } else {
                set_reg(r, R_EAX, w, uint32_t(dividend));
                set_reg(r, R_EDX, w, uint32_t(dividend >> w));
            }
            break;
        }
        case Kind::BitScan:
            if (chance(20)) rm_set(i, c, w, 0);
            break;
        case Kind::Popf: {
            // What user mode on the host cannot set differently from real mode is fixed:
            // TF off (a trap), IOPL 0 and IF 1 (kept by CPL 3), AC/VM/RF/VIF/VIP off.
            uint32_t v = value(w, boundary) | (rnd() & (w == 32 ? 0xFFFFFFFFu : 0xFFFFu));
            v = (v & ~(FLAG_TF | FLAG_IOPL | FLAG_RF | FLAG_VM | FLAG_AC | FLAG_VIF | FLAG_VIP)) | FLAG_IF;
            write_mem(c, kSs, r.gpr[R_ESP], w / 8, v);
            break;
        }
        case Kind::Bound: {
            const uint32_t m = mask_of(w);
            int64_t lo = sext(value(w, boundary) & m, w), hi = sext(value(w, boundary) & m, w);
            if (lo > hi && chance(70)) std::swap(lo, hi);
            int64_t idx;
            const unsigned pick = below(100);
            if (pick < 35 && hi >= lo) idx = lo + int64_t(below(uint32_t(std::min<int64_t>(hi - lo, 0x7FFFFFFF)) + 1));
            else if (pick < 65) idx = (pick % 4 == 0) ? lo : (pick % 4 == 1) ? hi : (pick % 4 == 2) ? lo - 1 : hi + 1;
            else idx = sext(value(w, false) & m, w);
            const uint32_t ea = effective_address(i.addr, r);
            write_mem(c, operand_segment(i), ea, w / 8, uint64_t(lo));
            write_mem(c, operand_segment(i), ea + w / 8, w / 8, uint64_t(hi));
            set_reg(r, i.reg, w, uint32_t(idx));
            break;
        }
        case Kind::X87:
            shape_x87(i, c, boundary);
            break;
        case Kind::Cmpxchg8b:
            if (chance(50)) {
                const int seg = operand_segment(i);
                const uint32_t ea = effective_address(i.addr, r);
                r.gpr[R_EAX] = c.read_input(seg, ea, 4);
                r.gpr[R_EDX] = c.read_input(seg, ea + 4, 4);
            }
            break;
        default:
            if (std::strcmp(d.name, "cmpxchg") == 0 && chance(50)) set_reg(r, R_EAX, w, rm_get(i, c, w));
            break;
    }
}

void Generator::fill_memory(TestCase& c) {
    std::vector<MemKey> keys;
    for (const Insn& i : c.insns) predicted_accesses(i, c.regs, keys);
    for (MemKey k : keys)
        if (!c.mem.count(k)) c.mem[k] = uint8_t(value(8, false));
}

TestCase Generator::next() {
    TestCase c;
    c.number = number_++;
    const bool systematic = (c.number % 2) == 0;
    Slot slot;
    uint64_t pass = 0;  // how many times the systematic walk has gone over every slot
    if (systematic) {
        pass = systematic_ / slots_.size();
        slot = slots_[systematic_++ % slots_.size()];
    } else {
        const InsnDesc* d = random_row();
        unsigned size = d->width == Width::B ? 8 : d->width == Width::D ? 32 : d->width == Width::None ? 0
                                                                                  : (chance(50) ? 16 : 32);
        const bool modrm = d->layout == Layout::E || d->layout == Layout::EG;
        bool mem = modrm && (d->rm == RmUse::MemOnly || (d->rm == RmUse::Any && chance(50)));
        slot = {d, size, mem};
    }
    const bool boundary = systematic;
    c.mode = modes_ == ModeChoice::Real ? Mode::Real
             : modes_ == ModeChoice::Pm32 ? Mode::Pm32
                                          : (chance(50) ? Mode::Pm32 : Mode::Real);
    c.stack32 = c.mode == Mode::Pm32 && chance(50);
    for (uint32_t& g : c.regs.gpr) g = value(32, boundary);
    // SP: usually even and away from the ends; the edges (but not 1, 3, 5: a push there
    // shuts a real-mode CPU down, which the host cannot show) sometimes.
    static const uint32_t kSp[] = {0, 2, 4, 6, 0xFFFE, 0xFFFF, 0xFFFC, 0x8000, 0x7FFF};
    const uint32_t sp = chance(8) ? kSp[below(std::size(kSp))] : (0x100 + below(0xFE00)) & ~1u;
    c.regs.gpr[R_ESP] = (rnd() & 0xFFFF0000u) | sp;
    // A 32-bit stack uses all of ESP: mostly within the 64 KiB segment.
    if (c.stack32 && chance(90)) c.regs.gpr[R_ESP] = sp;
    c.regs.eflags = (rnd() & (FLAGS_ARITH | FLAG_DF)) | 0x202;
    if (slot.desc->group == Group::Flags) c.regs.eflags |= rnd() & (FLAG_NT | FLAG_ID);

    // POPF stays alone: its image is sanitised for what user mode can show (IF, IOPL, TF),
    // which an earlier instruction moving SP would defeat.
    // The x87 environment loads come first in a sequence and the stores last, so that the
    // image a load reads is the generated one and a store's image is the final memory.
    unsigned n = 1;
    if (!systematic && max_insns_ > 1 && slot.desc->kind != Kind::Popf && chance(25)) n = 2 + below(max_insns_ - 1);
    if (slot.desc->kind == Kind::X87 && slot.desc->x87_class == X87Class::LoadEnv) n = 1;
    for (unsigned k = 0; k + 1 < n; ++k) {
        const InsnDesc* d = sequence_row(*slot.desc, k == 0);
        unsigned size = d->width == Width::B ? 8 : d->width == Width::D ? 32 : d->width == Width::None ? 0
                                                                                  : (chance(50) ? 16 : 32);
        const bool modrm = d->layout == Layout::E || d->layout == Layout::EG;
        const bool mem = modrm && (d->rm == RmUse::MemOnly || (d->rm == RmUse::Any && chance(30)));
        c.insns.push_back(make_insn(*d, size, mem, -1, c));
    }
    c.insns.push_back(make_insn(*slot.desc, slot.opsize, slot.mem, systematic ? int(pass) : -1, c));
    for (Insn& i : c.insns) shape(i, c, boundary);
    c.x87 = std::any_of(c.insns.begin(), c.insns.end(), [](const Insn& i) { return i.is_x87(); });
    if (c.x87) {
        random_fpu(c, boundary);
    } else {  // FNINIT's state (not compared)
        c.fpu.put16(0, 0x037F);
        c.fpu.put32(24, 0x1F80);
    }
    fill_memory(c);
    for (Insn& i : c.insns) shape_memory(i, c, boundary);
    return c;
}

// An instruction to go before `last` in a sequence (at the start if `first`): after an x87
// instruction mostly another one.
const InsnDesc* Generator::sequence_row(const InsnDesc& last, bool first) {
    for (;;) {
        const InsnDesc* d = nullptr;
        if (last.kind == Kind::X87 && chance(75)) {
            for (const auto& rows : by_group_)
                if (rows.front()->group == Group::X87) d = rows[below(uint32_t(rows.size()))];
        }
        if (!d) d = random_row();
        if (d->kind == Kind::Popf) continue;
        if (d->kind == Kind::X87 && (d->x87_class == X87Class::StoreEnv || d->x87_class == X87Class::StoreSave))
            continue;
        if (d->kind == Kind::X87 && d->x87_class == X87Class::LoadEnv && !first) continue;
        return d;
    }
}

}  // namespace vmm86::difftest
