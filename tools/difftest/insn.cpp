#include "tools/difftest/insn.h"

#include "tools/difftest/native_runner.h"

namespace vmm86::difftest {

unsigned Insn::mem_operand_bytes() const {
    if (desc->kind == Kind::X87) {
        switch (desc->x87_fmt) {
            case X87Fmt::F32: case X87Fmt::I32: return 4;
            case X87Fmt::F64: case X87Fmt::I64: return 8;
            case X87Fmt::F80: case X87Fmt::Bcd: return 10;
            case X87Fmt::I16: case X87Fmt::Word: return 2;
            case X87Fmt::Env: return opsize == 32 ? 28 : 14;
            case X87Fmt::Save: return opsize == 32 ? 108 : 94;
            case X87Fmt::FxSave: return 512;
            case X87Fmt::None: return 0;
        }
    }
    if (desc->mem_bytes) return desc->mem_bytes;
    if (desc->kind == Kind::Bound) return 2 * opsize / 8;
    return desc->width == Width::B ? 1 : opsize / 8;
}

std::vector<uint8_t> Insn::encode(bool code32) const {
    const InsnDesc& d = *desc;
    std::vector<uint8_t> v;
    v.reserve(16);  // (also keeps GCC 12 from a false -Wstringop-overflow)
    static const uint8_t kSegPrefix[kDataSegs] = {0x3E, 0x26, 0x36};  // DS, ES, SS
    if (lock) v.push_back(0xF0);
    if (seg_override >= 0) v.push_back(kSegPrefix[seg_override]);
    if (d.width == Width::V || d.width == Width::D) {
        if ((opsize == 32) != code32) v.push_back(0x66);
    } else if (redundant_66) {
        v.push_back(0x66);
    }
    const bool uses_address = mem || d.kind == Kind::String || d.kind == Kind::Xlat;
    if (uses_address && (addrsize == 32) != code32) v.push_back(0x67);
    else if (!uses_address && redundant_67) v.push_back(0x67);
    v.insert(v.end(), d.opcode.begin(), d.opcode.end());
    if (d.layout == Layout::O) v.back() = uint8_t(v.back() + reg);
    if (d.layout == Layout::E || d.layout == Layout::EG) {
        const uint8_t regfield = d.layout == Layout::E ? digit : reg;
        if (!mem) {
            v.push_back(uint8_t(0xC0 | (regfield << 3) | rm));
        } else {
            v.push_back(uint8_t((addr.mod << 6) | (regfield << 3) | addr.rm));
            if (addr.has_sib) v.push_back(addr.sib);
            for (unsigned i = 0; i < addr.disp_bytes; ++i) v.push_back(uint8_t(addr.disp >> (8 * i)));
        }
    }
    for (unsigned i = 0; i < imm_bytes; ++i) v.push_back(uint8_t(imm >> (8 * i)));
    return v;
}

}  // namespace vmm86::difftest
