#include "tools/difftest/test_case.h"

#include "decoder/decoder.h"

namespace vmm86::difftest {

std::vector<uint8_t> TestCase::code(bool code32) const {
    std::vector<uint8_t> v;
    for (const Insn& i : insns) {
        std::vector<uint8_t> b = i.encode(code32);
        v.insert(v.end(), b.begin(), b.end());
    }
    return v;
}

uint32_t effective_address(const Address& a, const Regs& r) {
    uint32_t ea = a.disp;
    if (a.base >= 0) ea += r.gpr[a.base];
    if (a.index >= 0) ea += r.gpr[a.index] << a.scale;
    return a.size == 16 ? (ea & 0xFFFF) : ea;
}

int operand_segment(const Insn& insn) {
    if (insn.seg_override >= 0) return insn.seg_override;
    return insn.addr.uses_ss ? kSs : kDs;
}

namespace {

void add_range(std::vector<MemKey>& out, int seg, uint32_t start, int before, unsigned bytes, int after) {
    for (int i = -before; i < int(bytes) + after; ++i) out.push_back(mem_key(seg, start + uint32_t(i)));
}

uint32_t index_reg(const Insn& insn, const Regs& r, Reg reg) {
    return insn.addrsize == 16 ? (r.gpr[reg] & 0xFFFF) : r.gpr[reg];
}

}  // namespace

void predicted_accesses(const Insn& insn, const Regs& r, std::vector<MemKey>& out) {
    const InsnDesc& d = *insn.desc;
    if (insn.mem) {
        uint32_t ea = effective_address(insn.addr, r);
        if (d.kind == Kind::Bt && d.layout == Layout::EG) {
            // A register bit offset is signed and may address another operand-sized unit.
            const int64_t off = insn.opsize == 16 ? int16_t(r.gpr[insn.reg]) : int32_t(r.gpr[insn.reg]);
            const int64_t units = off >> (insn.opsize == 16 ? 4 : 5);
            ea += uint32_t(units * (insn.opsize / 8));
        }
        add_range(out, operand_segment(insn), ea, 4, insn.mem_operand_bytes(), 4);
    }
    if (d.kind == Kind::Stack || d.kind == Kind::Popf) add_range(out, kSs, r.gpr[R_ESP], 40, 0, 40);
    if (d.kind == Kind::String) {
        const int src = insn.seg_override >= 0 ? insn.seg_override : kDs;
        if (d.string_use & kStrSrc) add_range(out, src, index_reg(insn, r, R_ESI), 8, 4, 8);
        if (d.string_use & kStrDst) add_range(out, kEs, index_reg(insn, r, R_EDI), 8, 4, 8);
    }
    if (d.kind == Kind::Xlat) {
        const int seg = insn.seg_override >= 0 ? insn.seg_override : kDs;
        add_range(out, seg, index_reg(insn, r, R_EBX) + (r.gpr[R_EAX] & 0xFF), 4, 1, 4);
    }
}

const char* mode_name(const TestCase& c) {
    if (c.mode == Mode::Real) return "real";
    return c.stack32 ? "pm32/ss32" : "pm32";
}

std::string disassemble(const Insn& insn, bool code32) {
    static const Decoder decoder;
    const std::vector<uint8_t> bytes = insn.encode(code32);
    DecodedInsn di;
    if (decoder.decode(code32 ? CpuMode::Protected32 : CpuMode::Real16, bytes.data(), bytes.size(), 0, di) !=
        DecodeStatus::Ok)
        return std::string("(undecodable ") + insn.desc->name + ")";
    return decoder.format(di, 0);
}

}  // namespace vmm86::difftest
