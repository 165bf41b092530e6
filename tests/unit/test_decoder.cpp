// decoder/: the Zydis wrapper. Decoding in each CPU mode and the operand/address sizes
// that 66h and 67h select; NeedMoreBytes for every truncation of a valid instruction;
// Invalid for encodings a CPU rejects with #UD (what Zydis reports for each is noted:
// ILLEGAL_LOCK for LOCK on a non-lockable instruction or a register destination,
// DECODING_ERROR for bad ModRM forms, BAD_REGISTER for MOV CS / segment register 6-7);
// TooLong past the 15-byte limit; and the Intel-syntax formatting used by traces.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decoder/decoder.h"

namespace vmm86::test {
namespace {

using Bytes = std::vector<uint8_t>;

const char* mode_name(CpuMode m) {
    switch (m) {
    case CpuMode::Real16: return "Real16";
    case CpuMode::Protected16: return "Protected16";
    case CpuMode::Protected32: return "Protected32";
    case CpuMode::Long64: return "Long64";
    }
    return "?";
}

class DecoderTest : public testing::Test {
protected:
    DecodeStatus decode(CpuMode mode, const Bytes& b, uint64_t eip = 0x100) {
        return dec.decode(mode, b.data(), b.size(), eip, insn);
    }
    // Decodes `b` (which must be exactly one instruction) and returns its formatting.
    std::string ok(CpuMode mode, const Bytes& b, uint64_t runtime = 0x100) {
        DecodeStatus st = decode(mode, b, runtime);
        EXPECT_EQ(st, DecodeStatus::Ok) << mode_name(mode);
        if (st != DecodeStatus::Ok) return "";
        EXPECT_EQ(insn.length(), b.size());
        return dec.format(insn, runtime);
    }

    Decoder dec;
    DecodedInsn insn{};
};

TEST_F(DecoderTest, RealModeDefaultsToSixteenBitOperandsAndAddresses) {
    const Bytes b = {0xB8, 0x34, 0x12, 0xCC, 0xCC};  // mov ax,1234h; trailing bytes are not part of it
    ASSERT_EQ(decode(CpuMode::Real16, b, 0x7C00), DecodeStatus::Ok);
    EXPECT_EQ(insn.mnemonic(), ZYDIS_MNEMONIC_MOV);
    EXPECT_EQ(insn.length(), 3u);
    EXPECT_EQ(insn.operand_bytes(), 2u);
    EXPECT_EQ(insn.address_bytes(), 2u);
    EXPECT_EQ(insn.eip, 0x7C00u);
    EXPECT_EQ(insn.next_eip(), 0x7C03u);
    EXPECT_EQ(insn.bytes[0], 0xB8);
    EXPECT_EQ(insn.bytes[1], 0x34);
    EXPECT_EQ(insn.bytes[2], 0x12);
    ASSERT_EQ(insn.operand_count(), 2u);
    EXPECT_EQ(insn.op(0).type, ZYDIS_OPERAND_TYPE_REGISTER);
    EXPECT_EQ(insn.op(0).reg.value, ZYDIS_REGISTER_AX);
    EXPECT_EQ(insn.op(1).type, ZYDIS_OPERAND_TYPE_IMMEDIATE);
    EXPECT_EQ(insn.op(1).imm.value.u, 0x1234u);
    EXPECT_EQ(dec.format(insn, 0x7C00), "mov ax, 0x1234");
}

struct SizeCase {
    CpuMode mode;
    Bytes bytes;
    unsigned operand_bytes, address_bytes;
    const char* text;
};

// mov r, [r] (8B 00) and mov r, imm in every mode, with and without 66h/67h.
TEST_F(DecoderTest, OperandAndAddressSizePrefixesInEveryMode) {
    const SizeCase cases[] = {
        {CpuMode::Real16, {0x8B, 0x00}, 2, 2, "mov ax, [bx+si*1]"},
        {CpuMode::Real16, {0x66, 0x8B, 0x00}, 4, 2, "mov eax, [bx+si*1]"},
        {CpuMode::Real16, {0x67, 0x8B, 0x00}, 2, 4, "mov ax, [eax]"},
        {CpuMode::Real16, {0x66, 0x67, 0x8B, 0x00}, 4, 4, "mov eax, [eax]"},
        {CpuMode::Real16, {0x66, 0xB8, 0x78, 0x56, 0x34, 0x12}, 4, 2, "mov eax, 0x12345678"},
        {CpuMode::Protected16, {0x8B, 0x00}, 2, 2, "mov ax, [bx+si*1]"},
        {CpuMode::Protected16, {0x66, 0x8B, 0x00}, 4, 2, "mov eax, [bx+si*1]"},
        {CpuMode::Protected16, {0x67, 0x8B, 0x00}, 2, 4, "mov ax, [eax]"},
        {CpuMode::Protected32, {0x8B, 0x00}, 4, 4, "mov eax, [eax]"},
        {CpuMode::Protected32, {0x66, 0x8B, 0x00}, 2, 4, "mov ax, [eax]"},
        {CpuMode::Protected32, {0x67, 0x8B, 0x00}, 4, 2, "mov eax, [bx+si*1]"},
        {CpuMode::Protected32, {0x66, 0x67, 0x8B, 0x00}, 2, 2, "mov ax, [bx+si*1]"},
        {CpuMode::Protected32, {0x66, 0xB8, 0x34, 0x12}, 2, 4, "mov ax, 0x1234"},
        {CpuMode::Long64, {0x8B, 0x00}, 4, 8, "mov eax, [rax]"},
        {CpuMode::Long64, {0x67, 0x8B, 0x00}, 4, 4, "mov eax, [eax]"},
        {CpuMode::Long64, {0x48, 0x8B, 0x00}, 8, 8, "mov rax, [rax]"},
        {CpuMode::Long64, {0x66, 0x8B, 0x00}, 2, 8, "mov ax, [rax]"},
    };
    for (const SizeCase& c : cases) {
        SCOPED_TRACE(std::string(mode_name(c.mode)) + ": " + c.text);
        EXPECT_EQ(ok(c.mode, c.bytes), c.text);
        EXPECT_EQ(insn.operand_bytes(), c.operand_bytes);
        EXPECT_EQ(insn.address_bytes(), c.address_bytes);
    }
    // 67h A1: a 32-bit moffs in real mode. (Zydis's formatter shows it cut to 16 bits,
    // "[0x5678]", but the decoded displacement, which the frontend uses, is whole.)
    ASSERT_EQ(decode(CpuMode::Real16, {0x67, 0xA1, 0x78, 0x56, 0x34, 0x12}), DecodeStatus::Ok);
    EXPECT_EQ(insn.length(), 6u);
    EXPECT_EQ(insn.operand_bytes(), 2u);
    EXPECT_EQ(insn.address_bytes(), 4u);
    EXPECT_EQ(insn.op(1).type, ZYDIS_OPERAND_TYPE_MEMORY);
    EXPECT_EQ(uint64_t(insn.op(1).mem.disp.value), 0x12345678u);
}

// The same bytes mean different things per mode: 40h is INC EAX or a REX prefix, 63h is
// ARPL (not recognised in real mode, SDM) or MOVSXD, AAA and PUSH CS do not exist in
// 64-bit mode, and 50h pushes the stack width's register.
TEST_F(DecoderTest, ModesDifferWhereTheArchitectureDoes) {
    EXPECT_EQ(ok(CpuMode::Protected32, {0x40}), "inc eax");
    EXPECT_EQ(ok(CpuMode::Real16, {0x40}), "inc ax");
    EXPECT_EQ(ok(CpuMode::Long64, {0x40, 0x90}), "nop");  // REX + NOP
    EXPECT_EQ(decode(CpuMode::Real16, {0x63, 0xC0}), DecodeStatus::Invalid);
    EXPECT_EQ(ok(CpuMode::Protected16, {0x63, 0xC0}), "arpl ax, ax");
    EXPECT_EQ(insn.mnemonic(), ZYDIS_MNEMONIC_ARPL);
    EXPECT_EQ(ok(CpuMode::Long64, {0x48, 0x63, 0xC0}), "movsxd rax, eax");
    EXPECT_EQ(ok(CpuMode::Protected32, {0x37}), "aaa");
    EXPECT_EQ(decode(CpuMode::Long64, {0x37}), DecodeStatus::Invalid);
    EXPECT_EQ(decode(CpuMode::Long64, {0x0E}), DecodeStatus::Invalid);
    EXPECT_EQ(ok(CpuMode::Real16, {0x50}), "push ax");
    EXPECT_EQ(ok(CpuMode::Protected32, {0x50}), "push eax");
    EXPECT_EQ(ok(CpuMode::Long64, {0x50}), "push rax");
    // VEX does not exist in real mode: C5 is LDS, and LDS with a register operand is #UD.
    EXPECT_EQ(decode(CpuMode::Real16, {0xC5, 0xF8, 0x77, 0x90, 0x90}), DecodeStatus::Invalid);
    EXPECT_EQ(ok(CpuMode::Real16, {0xC4, 0x07}), "les ax, dword ptr [bx]");
}

// Every strict prefix of a valid instruction asks for more bytes, in every mode; the
// whole instruction then decodes with exactly its own length.
TEST_F(DecoderTest, EveryTruncationOfAValidInstructionNeedsMoreBytes) {
    const std::pair<CpuMode, Bytes> cases[] = {
        {CpuMode::Real16, {0xB8, 0x34, 0x12}},
        {CpuMode::Real16, {0x66, 0xB8, 0x78, 0x56, 0x34, 0x12}},
        {CpuMode::Real16, {0x26, 0x66, 0x67, 0xC7, 0x84, 0x98, 0x78, 0x56, 0x34, 0x12, 0xEF, 0xBE, 0xAD, 0xDE}},
        {CpuMode::Real16, {0xEA, 0x00, 0x00, 0x00, 0xF0}},            // jmp far F000:0000
        {CpuMode::Real16, {0x66, 0x0F, 0x84, 0x00, 0x00, 0x00, 0x00}},  // jz rel32
        {CpuMode::Real16, {0xF0, 0x0F, 0xC7, 0x0F}},                  // lock cmpxchg8b [bx]
        {CpuMode::Protected16, {0x8B, 0x87, 0x34, 0x12}},
        {CpuMode::Protected32, {0x81, 0x84, 0x88, 0x78, 0x56, 0x34, 0x12, 0x01, 0x00, 0x00, 0x00}},
        {CpuMode::Protected32, {0x0F, 0xB6, 0x05, 0x00, 0x10, 0x00, 0x00}},
        {CpuMode::Long64, {0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8}},
    };
    for (const auto& [mode, bytes] : cases) {
        for (size_t n = 0; n < bytes.size(); ++n) {
            // Only the first n bytes are available (n = 0 included: nothing fetched yet).
            EXPECT_EQ(dec.decode(mode, bytes.data(), n, 0, insn), DecodeStatus::NeedMoreBytes)
                << mode_name(mode) << ": " << n << " of " << bytes.size() << " bytes";
        }
        ASSERT_EQ(decode(mode, bytes), DecodeStatus::Ok) << mode_name(mode);
        EXPECT_EQ(insn.length(), bytes.size());
    }
}

// Bad encodings: #UD on the CPU, Invalid here (never a guess at a meaning).
TEST_F(DecoderTest, BadEncodingsAreInvalid) {
    const std::pair<const char*, Bytes> cases[] = {
        {"lea with a register operand", {0x8D, 0xC0}},
        {"lds with a register operand", {0xC5, 0xC0, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90}},
        {"mov byte [bx],imm with reg=1", {0xC6, 0x08, 0x00}},
        {"group 5 /7", {0xFF, 0x38}},
        {"jmp far with a register operand", {0xFF, 0xE8}},
        {"mov cs, ax", {0x8E, 0xC8}},
        {"mov to segment register 7", {0x8E, 0xF8}},
        {"cmpxchg8b with a register operand", {0x0F, 0xC7, 0xC8}},
    };
    for (const auto& [what, bytes] : cases)
        for (CpuMode mode : {CpuMode::Real16, CpuMode::Protected16, CpuMode::Protected32})
            EXPECT_EQ(decode(mode, bytes), DecodeStatus::Invalid) << what << " in " << mode_name(mode);
    // Encodings that later CPUs gave to VEX, EVEX, XOP and 3DNow!, which an i686 does not
    // have: there they are LES/LDS/BOUND with a register operand, POP with reg != 0, or an
    // undefined 0F 0F, all #UD in every mode.
    const std::pair<const char*, Bytes> extensions[] = {
        {"VEX vzeroupper (C5 with mod=3)", {0xC5, 0xF8, 0x77, 0x90}},
        {"VEX vbroadcastss (C4 with mod=3)", {0xC4, 0xE2, 0x79, 0x18, 0x00, 0x90}},
        {"EVEX vmovups (62 with mod=3)", {0x62, 0xF1, 0x7C, 0x48, 0x10, 0x00, 0x90}},
        {"XOP (8F with reg=1)", {0x8F, 0xE9, 0x78, 0x80, 0xC1, 0x90}},
        {"3DNow! pfadd", {0x0F, 0x0F, 0xC1, 0x9E, 0x90}},
    };
    for (const auto& [what, bytes] : extensions)
        for (CpuMode mode : {CpuMode::Real16, CpuMode::Protected16, CpuMode::Protected32})
            EXPECT_EQ(decode(mode, bytes), DecodeStatus::Invalid) << what << " in " << mode_name(mode);
    // UD2 is an instruction (the frontend raises #UD for it), not a decoding failure.
    EXPECT_EQ(ok(CpuMode::Real16, {0x0F, 0x0B}), "ud2");
}

// LOCK is legal only on the read-modify-write instructions with a memory destination
// (SDM, LOCK): Zydis reports ZYDIS_STATUS_ILLEGAL_LOCK for the rest, which is Invalid.
TEST_F(DecoderTest, LockOnANonLockableInstructionIsInvalid) {
    const std::pair<const char*, Bytes> illegal[] = {
        {"lock nop", {0xF0, 0x90}},
        {"lock mov ax,ax", {0xF0, 0x89, 0xC0}},
        {"lock mov al,[bx]", {0xF0, 0x8A, 0x07}},
        {"lock add ax,ax (register destination)", {0xF0, 0x01, 0xC0}},
        {"lock inc ax", {0xF0, 0x40}},
        {"lock cmp [bx],ax", {0xF0, 0x39, 0x07}},
        {"lock cmp byte [bx],1", {0xF0, 0x80, 0x3F, 0x01}},
        {"lock test byte [bx],1", {0xF0, 0xF6, 0x07, 0x01}},
        {"lock bt [bx],ax", {0xF0, 0x0F, 0xA3, 0x07}},
        {"lock shl byte [bx],1", {0xF0, 0xD0, 0x27}},
        {"lock mov eax,cr0", {0xF0, 0x0F, 0x20, 0xC0}},
    };
    for (const auto& [what, bytes] : illegal)
        for (CpuMode mode : {CpuMode::Real16, CpuMode::Protected32})
            EXPECT_EQ(decode(mode, bytes), DecodeStatus::Invalid) << what << " in " << mode_name(mode);

    const std::pair<const char*, Bytes> legal[] = {
        {"lock add [bx], ax", {0xF0, 0x01, 0x07}},
        {"lock add byte ptr [bx], 0x01", {0xF0, 0x80, 0x07, 0x01}},
        {"lock xchg [bx], ax", {0xF0, 0x87, 0x07}},
        {"lock bts [bx], ax", {0xF0, 0x0F, 0xAB, 0x07}},
        {"lock not [bx]", {0xF0, 0xF6, 0x17}},
        {"lock cmpxchg [bx], ax", {0xF0, 0x0F, 0xB1, 0x07}},
        {"lock xadd [bx], ax", {0xF0, 0x0F, 0xC1, 0x07}},
        {"lock cmpxchg8b [bx]", {0xF0, 0x0F, 0xC7, 0x0F}},
    };
    for (const auto& [text, bytes] : legal) {
        EXPECT_EQ(ok(CpuMode::Real16, bytes), text);
        EXPECT_TRUE(insn.has(ZYDIS_ATTRIB_HAS_LOCK)) << text;
    }
    EXPECT_EQ(ok(CpuMode::Real16, {0x87, 0x07}), "xchg [bx], ax");
    EXPECT_FALSE(insn.has(ZYDIS_ATTRIB_HAS_LOCK));
}

// An instruction may be 15 bytes, prefixes included; one byte more raises #GP(0) on the
// 386 and later (not #UD), which is why it is a status of its own.
TEST_F(DecoderTest, FifteenByteLimit) {
    Bytes b(14, 0x66);
    b.push_back(0x90);
    EXPECT_EQ(ok(CpuMode::Real16, b), "nop");
    EXPECT_EQ(insn.length(), 15u);

    Bytes sixteen(15, 0x66);
    sixteen.push_back(0x90);
    EXPECT_EQ(decode(CpuMode::Real16, sixteen), DecodeStatus::TooLong);
    // Fourteen prefixes and an opcode whose immediate does not fit in 15 bytes.
    Bytes imm(14, 0x66);
    imm.insert(imm.end(), {0xB8, 0x34, 0x12});
    EXPECT_EQ(decode(CpuMode::Protected32, imm), DecodeStatus::TooLong);
    // Fewer than 15 bytes available: it may still be a valid instruction.
    EXPECT_EQ(decode(CpuMode::Real16, Bytes(14, 0x66)), DecodeStatus::NeedMoreBytes);
    // More than 15 bytes available never makes an instruction longer.
    Bytes many(40, 0x90);
    EXPECT_EQ(decode(CpuMode::Real16, many), DecodeStatus::Ok);
    EXPECT_EQ(insn.length(), 1u);
}

TEST_F(DecoderTest, AttributesOfPrefixes) {
    EXPECT_EQ(ok(CpuMode::Real16, {0xF3, 0xA4}), "rep movsb");
    EXPECT_TRUE(insn.has(ZYDIS_ATTRIB_HAS_REP));
    EXPECT_EQ(ok(CpuMode::Real16, {0x26, 0x88, 0x07}), "mov es:[bx], al");
    EXPECT_TRUE(insn.has(ZYDIS_ATTRIB_HAS_SEGMENT_ES));
    EXPECT_EQ(insn.op(0).mem.segment, ZYDIS_REGISTER_ES);
}

// Relative branch targets are formatted as absolute addresses from the runtime address
// given, wrapped at the operand size.
TEST_F(DecoderTest, FormattingOfBranchesAndSystemInstructions) {
    EXPECT_EQ(ok(CpuMode::Real16, {0xEB, 0xFE}, 0x100), "jmp 0x0100");
    EXPECT_EQ(ok(CpuMode::Real16, {0xE9, 0x00, 0x01}, 0x100), "jmp 0x0203");
    EXPECT_EQ(ok(CpuMode::Real16, {0xE8, 0x00, 0x10}, 0x100), "call 0x1103");
    EXPECT_EQ(ok(CpuMode::Real16, {0xEB, 0x10}, 0xFFFE), "jmp 0x0010");  // IP wraps at 64 KiB
    EXPECT_EQ(ok(CpuMode::Protected32, {0x0F, 0x84, 0x00, 0x00, 0x00, 0x00}, 0x100), "jz 0x00000106");
    EXPECT_EQ(ok(CpuMode::Protected32, {0xEB, 0x20}, 0xFFFFFFF0), "jmp 0x00000012");
    EXPECT_EQ(ok(CpuMode::Real16, {0xEA, 0x00, 0x00, 0x00, 0xF0}), "jmp far 0xF000:0x0000");
    EXPECT_EQ(ok(CpuMode::Real16, {0x0F, 0x20, 0xC0}), "mov eax, cr0");
    EXPECT_EQ(ok(CpuMode::Real16, {0xCC}), "int3");
    EXPECT_EQ(ok(CpuMode::Real16, {0x8A, 0x43, 0x05}), "mov al, [bp+di*1+0x05]");
    EXPECT_EQ(ok(CpuMode::Protected32, {0xEC}), "in al, dx");
}

TEST_F(DecoderTest, FormattingSomethingThatIsNoInstructionSaysBad) {
    DecodedInsn junk{};
    junk.zi.operand_count_visible = 3;  // three operands of type "unused"
    EXPECT_EQ(dec.format(junk, 0), "(bad)");
}

}  // namespace
}  // namespace vmm86::test
