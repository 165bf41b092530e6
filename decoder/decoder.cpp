#include "decoder/decoder.h"

#include <cstring>

namespace vmm86 {

Decoder::Decoder() {
    ZydisDecoderInit(&decoders_[0], ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16);
    ZydisDecoderInit(&decoders_[1], ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
    ZydisDecoderInit(&decoders_[2], ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    ZydisDecoderInit(&decoders_[3], ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    // Decode as an i686 does: without these extensions, 0F 1A/1B are hint NOPs rather
    // than MPX, F3 0F BC/BD are BSF/BSR rather than TZCNT/LZCNT, and so on.
    for (ZydisDecoder& d : decoders_)
        for (ZydisDecoderMode m : {ZYDIS_DECODER_MODE_MPX, ZYDIS_DECODER_MODE_CET, ZYDIS_DECODER_MODE_LZCNT,
                                   ZYDIS_DECODER_MODE_TZCNT, ZYDIS_DECODER_MODE_CLDEMOTE,
                                   ZYDIS_DECODER_MODE_WBNOINVD})
            ZydisDecoderEnableMode(&d, m, ZYAN_FALSE);
    ZydisFormatterInit(&formatter_, ZYDIS_FORMATTER_STYLE_INTEL);
}

DecodeStatus Decoder::decode(CpuMode mode, const uint8_t* bytes, size_t available, uint64_t eip,
                             DecodedInsn& out) const {
    size_t n = available < 15 ? available : 15;
    ZyanStatus st = ZydisDecoderDecodeFull(&decoders_[int(mode)], bytes, n, &out.zi, out.ops);
    if (st == ZYDIS_STATUS_NO_MORE_DATA) return n < 15 ? DecodeStatus::NeedMoreBytes : DecodeStatus::TooLong;
    if (st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) return DecodeStatus::TooLong;
    // Zydis refuses SYSENTER/SYSEXIT in real mode, where they are #GP(0), not #UD (and V86
    // mode, also decoded as Real16, runs them): decode them as 16-bit protected mode.
    if (!ZYAN_SUCCESS(st) && mode == CpuMode::Real16 && n >= 2 && bytes[0] == 0x0F &&
        (bytes[1] == 0x34 || bytes[1] == 0x35))
        st = ZydisDecoderDecodeFull(&decoders_[1], bytes, n, &out.zi, out.ops);
    if (!ZYAN_SUCCESS(st)) return DecodeStatus::Invalid;
    // An i686 has no VEX/EVEX/XOP/3DNow!: C4/C5 with a register operand are LES/LDS and
    // 8F /1-7 is POP with a bad reg field, all #UD, which Zydis would decode as AVX or XOP.
    if (out.zi.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY) return DecodeStatus::Invalid;
    out.eip = eip;
    std::memcpy(out.bytes, bytes, out.zi.length);
    return DecodeStatus::Ok;
}

std::string Decoder::format(const DecodedInsn& insn, uint64_t runtime_address) const {
    char buf[256];
    if (!ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&formatter_, &insn.zi, insn.ops, insn.zi.operand_count_visible,
                                                      buf, sizeof buf, runtime_address, ZYAN_NULL)))
        return "(bad)";
    return buf;
}

}  // namespace vmm86
