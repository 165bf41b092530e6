// Guest instruction decoding: a thin wrapper over Zydis, one decoder per CPU mode. It
// turns bytes into decoded instructions and knows nothing of their semantics.
#pragma once
#include <Zydis/Zydis.h>

#include <cstdint>
#include <string>

namespace vmm86 {

enum class CpuMode : uint8_t { Real16, Protected16, Protected32, Long64 };

struct DecodedInsn {
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    uint64_t eip;      // offset of the instruction within CS
    uint8_t bytes[15];

    ZydisMnemonic mnemonic() const { return zi.mnemonic; }
    unsigned length() const { return zi.length; }
    unsigned operand_count() const { return zi.operand_count_visible; }
    const ZydisDecodedOperand& op(unsigned i) const { return ops[i]; }
    unsigned operand_bytes() const { return zi.operand_width / 8; }
    unsigned address_bytes() const { return zi.address_width / 8; }
    bool has(ZydisInstructionAttributes attr) const { return (zi.attributes & attr) != 0; }
    uint64_t next_eip() const { return eip + zi.length; }
};

// TooLong: more than 15 bytes (prefixes included), which raises #GP(0), not #UD.
enum class DecodeStatus : uint8_t { Ok, NeedMoreBytes, Invalid, TooLong };

class Decoder {
public:
    Decoder();
    // Decodes one instruction from `bytes` (up to `available` of them, at most 15 used).
    DecodeStatus decode(CpuMode mode, const uint8_t* bytes, size_t available, uint64_t eip, DecodedInsn& out) const;
    // Intel-syntax disassembly, for traces and block dumps.
    std::string format(const DecodedInsn& insn, uint64_t runtime_address) const;

private:
    ZydisDecoder decoders_[4];
    ZydisFormatter formatter_;
};

}  // namespace vmm86
