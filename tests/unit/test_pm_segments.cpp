// Protected-mode segment register loads and segment access checks: every check of
// MOV Sreg / POP Sreg and its error code, null selectors, the accessed bit, limits with
// granularity, expand-down segments and the NO_READ/NO_WRITE derived bits.
#include "pm_harness.h"

namespace vmm86::test {
namespace {

constexpr uint16_t S_RO = 0x30, S_XO = 0x38, S_ED = 0x40, S_NP = 0x48, S_CODE_R = 0x50, S_DPL3_CODE = 0x58,
                   S_SMALL = 0x60, S_GRAN = 0x68, S_DPL2 = 0x70, S_CONF = 0x78, S_SYS = 0x80;

struct PmSeg : PmHarness, ::testing::Test {
    PmSeg() {
        set_desc(S_RO, descriptor(0, 0xFFFFF, 0x90, 0xC));          // read-only data
        set_desc(S_XO, descriptor(0, 0xFFFFF, 0x98, 0xC));          // execute-only code
        set_desc(S_ED, descriptor(0x100000, 0x0FFF, 0x96, 0x4));    // expand-down RW, B=1
        set_desc(S_NP, descriptor(0, 0xFFFFF, 0x12, 0xC));          // not present
        set_desc(S_CODE_R, descriptor(0, 0xFFFFF, 0x9A, 0xC));      // readable code
        set_desc(S_DPL3_CODE, descriptor(0, 0xFFFFF, 0xFA, 0xC));
        set_desc(S_SMALL, descriptor(0x100000, 0xFF, 0x92, 0x4));   // 256-byte data
        set_desc(S_GRAN, descriptor(0x100000, 0x1, 0x92, 0xC));     // G=1: limit 1FFFh
        set_desc(S_DPL2, descriptor(0, 0xFFFFF, 0xD2, 0xC));        // DPL 2 data
        set_desc(S_CONF, descriptor(0, 0xFFFFF, 0x9E, 0xC));        // conforming readable code
        set_desc(S_SYS, descriptor(kTss, 0x67, 0x89, 0));           // a TSS (system)
    }
    // mov ax, sel ; mov sreg, ax
    RunResult load_run(unsigned sreg, uint16_t sel) {
        return run({0x66, 0xB8, uint8_t(sel), uint8_t(sel >> 8), 0x8E, uint8_t(0xC0 | (sreg << 3))});
    }
    void expect_fault(int vector, uint32_t error) {
        EXPECT_EQ(vector_taken(), vector);
        EXPECT_EQ(error_code(), error);
        EXPECT_EQ(stack32(1), kCode + 4);  // EIP of the faulting MOV Sreg (after the MOV AX)
    }
};

TEST_F(PmSeg, NullIntoDataRegistersIsAllowedButUsingItIsGp0) {
    load_run(DS, 0x0003);
    EXPECT_EQ(s().seg[DS].selector, 0x0003);
    // mov eax, [0] through the null DS: #GP(0).
    run({0xA1, 0, 0, 0, 0});
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), 0u);
    EXPECT_EQ(stack32(1), kCode);
}

TEST_F(PmSeg, FaultFramesHaveRfSetTrapAndInterruptFramesDoNot) {
    load_run(DS, 0x0003);
    run({0xA1, 0, 0, 0, 0});  // #GP through the null DS: a fault
    ASSERT_EQ(vector_taken(), EXC_GP);
    EXPECT_TRUE(stack32(3) & FLAG_RF) << std::hex << stack32(3);  // error code, EIP, CS, EFLAGS
    run({0xCD, 0x40});  // INT 40h: no RF in the image
    ASSERT_EQ(vector_taken(), 0x40);
    EXPECT_FALSE(stack32(2) & FLAG_RF) << std::hex << stack32(2);  // EIP, CS, EFLAGS
}

TEST_F(PmSeg, NullIntoSsIsGp0) {
    load_run(SS, 0);
    expect_fault(EXC_GP, 0);
    EXPECT_EQ(s().seg[SS].selector, SEL_DATA0);
}

TEST_F(PmSeg, SelectorBeyondGdtLimitIsGpSel) {
    s().gdtr.limit = 0x8F;
    load_run(DS, 0x90);
    expect_fault(EXC_GP, 0x90);
    EXPECT_EQ(s().seg[DS].selector, SEL_DATA0);
}

TEST_F(PmSeg, LdtSelectorWithNullLdtrIsGpSel) {
    load_run(ES, 0x0C | 3);
    expect_fault(EXC_GP, 0x0C);
}

TEST_F(PmSeg, NotPresentIsNpSel_AndSsNotPresentIsSsSel) {
    load_run(DS, S_NP);
    expect_fault(EXC_NP, S_NP);
    set_desc(S_NP, descriptor(0, 0xFFFFF, 0x12, 0xC));
    s().gpr[ESP] = kStack0;
    load_run(SS, S_NP);
    expect_fault(EXC_SS, S_NP);
}

TEST_F(PmSeg, SsMustBeWritableDataAtCpl) {
    load_run(SS, S_RO);
    expect_fault(EXC_GP, S_RO);
    s().gpr[ESP] = kStack0;
    load_run(SS, S_CODE_R);
    expect_fault(EXC_GP, S_CODE_R);
    s().gpr[ESP] = kStack0;
    load_run(SS, SEL_DATA0 | 1);  // RPL != CPL
    expect_fault(EXC_GP, SEL_DATA0);
    s().gpr[ESP] = kStack0;
    load_run(SS, S_DPL2);  // DPL != CPL
    expect_fault(EXC_GP, S_DPL2);
}

TEST_F(PmSeg, DataRegisterTypeAndPrivilegeChecks) {
    load_run(DS, S_XO);  // execute-only code
    expect_fault(EXC_GP, S_XO);
    s().gpr[ESP] = kStack0;
    load_run(DS, S_SYS);  // system descriptor
    expect_fault(EXC_GP, S_SYS);
    s().gpr[ESP] = kStack0;
    // Readable code and conforming code may be loaded.
    load_run(DS, S_CODE_R);
    EXPECT_EQ(vector_taken(), -1);
    EXPECT_EQ(s().seg[DS].selector, S_CODE_R);
    load_run(FS, S_CONF | 3);
    EXPECT_EQ(vector_taken(), -1);
    // At CPL 3: a DPL 0 data segment is #GP(sel); RPL 3 > DPL 2 too.
    to_ring3();
    load_run(DS, SEL_DATA0);
    expect_fault(EXC_GP, SEL_DATA0);
}

TEST_F(PmSeg, RplAboveDplIsGp) {
    load_run(GS, S_DPL2 | 3);
    expect_fault(EXC_GP, S_DPL2);
    s().gpr[ESP] = kStack0;
    load_run(GS, S_DPL2 | 2);
    EXPECT_EQ(vector_taken(), -1);
}

TEST_F(PmSeg, AccessedBitIsWrittenBack) {
    EXPECT_EQ(peek8(kGdt + S_RO + 5), 0x90);
    load_run(DS, S_RO);
    EXPECT_EQ(peek8(kGdt + S_RO + 5), 0x91);
    EXPECT_EQ(s().seg[DS].attributes & 0xFF, 0x91);
}

TEST_F(PmSeg, WriteToReadOnlyDataIsGp0) {
    load(DS, S_RO);
    run({0xA3, 0, 0, 0, 0});  // mov [0], eax
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), 0u);
    s().gpr[ESP] = kStack0;
    s().gpr[EAX] = 0;
    poke32(0x10, 0x12345678);
    run({0xA1, 0x10, 0, 0, 0});  // reads are fine
    EXPECT_EQ(vector_taken(), -1);
    EXPECT_EQ(reg32(EAX), 0x12345678u);
}

TEST_F(PmSeg, CodeSegmentReadsAndWrites) {
    run({0x2E, 0xA3, 0, 0, 0, 0});  // mov cs:[0], eax: code is never writable
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), 0u);
    s().gpr[ESP] = kStack0;
    run({0x2E, 0xA1, 0, 0, 0, 0});  // readable code: fine
    EXPECT_EQ(vector_taken(), -1);
    load(ES, S_CODE_R);
    s().seg[ES] = make_cache(S_XO, read(S_XO));  // execute-only in ES (as if loaded in CS)
    run({0x26, 0xA1, 0, 0, 0, 0});
    EXPECT_EQ(vector_taken(), EXC_GP);
}

TEST_F(PmSeg, StackLimitIsSs0) {
    // At CPL 3, so that the #SS handler runs on the ring-0 stack from the TSS.
    set_desc(0x88, descriptor(0x100000, 0xFF, 0xF2, 0x4));
    to_ring3();
    load(SS, 0x8B);
    s().gpr[ESP] = 2;
    run({0x50});  // push eax at ESP = 2 wraps to FFFFFFFE, beyond the limit
    EXPECT_EQ(vector_taken(), EXC_SS);
    EXPECT_EQ(error_code(), 0u);
    EXPECT_EQ(stack32(1), kCode);
    EXPECT_EQ(stack32(4), 2u);      // the faulting ESP, unchanged
    EXPECT_EQ(stack32(5), 0x8Bu);   // and SS
    EXPECT_EQ(s().seg[SS].selector, SEL_DATA0);
    EXPECT_EQ(uint32_t(s().gpr[ESP]), kStack0 - 24);
}

TEST_F(PmSeg, LoadsInRing3UseRing3Rules) {
    to_ring3();
    load_run(DS, SEL_DATA3);
    // The closing HLT is privileged: #GP(0) at the HLT means the load went through.
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(stack32(1), kCode + 6);
    EXPECT_EQ(s().gpr[ESP] + 24, kStack0);  // error, EIP, CS, EFLAGS, ESP, SS
    to_ring3();
    load_run(SS, SEL_DATA0 | 3);  // DPL 0 stack at CPL 3
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), SEL_DATA0);
}

TEST_F(PmSeg, DataLimitIsGp0AndGranularityScales) {
    load(DS, S_SMALL);
    run({0xA1, 0xFC, 0, 0, 0});  // dword at FCh: last byte FFh = limit, fine
    EXPECT_EQ(vector_taken(), -1);
    run({0xA1, 0xFD, 0, 0, 0});
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), 0u);
    s().gpr[ESP] = kStack0;
    load_run(DS, S_GRAN);
    EXPECT_EQ(s().seg[DS].limit, 0x1FFFu);
}

TEST_F(PmSeg, ExpandDownValidAboveLimit) {
    load(DS, S_ED);
    run({0xA1, 0x00, 0x10, 0, 0});  // offset 1000h > limit FFFh: valid
    EXPECT_EQ(vector_taken(), -1);
    run({0xA1, 0xFF, 0x0F, 0, 0});  // offset FFFh: invalid
    EXPECT_EQ(vector_taken(), EXC_GP);
}

TEST_F(PmSeg, PopSegmentFaultKeepsEsp) {
    poke32(kStack0 - 4, S_NP);
    s().gpr[ESP] = kStack0 - 4;
    mem().write_bytes(kCode, std::vector<uint8_t>{0x1F, 0xF4}.data(), 2);  // pop ds
    s().eip = kCode;
    run_to_halt(100);
    EXPECT_EQ(vector_taken(), EXC_NP);
    EXPECT_EQ(error_code(), S_NP);
    // The handler's frame sits right below the unchanged ESP.
    EXPECT_EQ(uint32_t(s().gpr[ESP]) + 16, kStack0 - 4);
}

TEST_F(PmSeg, RealModeLoadClearsDerivedBits) {
    load(DS, S_RO);
    EXPECT_TRUE(s().seg[DS].attributes & SEG_ATTR_NO_WRITE);
    s().cr0 &= ~CR0_PE;
    load(CS, SEL_CODE0);
    s().seg[CS] = SegmentCache{0, 0xFFFF, 0, uint16_t(SEG_ATTR_PRESENT | SEG_ATTR_S | SEG_ATTR_CODE | 2)};
    s().seg[SS] = SegmentCache{0, 0xFFFF, 0, 0x93};
    s().gpr[ESP] = 0x8000;
    s().eip = 0x100;
    poke(0x100, {0x8E, 0xD8, 0xF4});  // mov ds, ax (real mode)
    s().gpr[EAX] = 0;
    run_to_halt(10);
    EXPECT_FALSE(s().seg[DS].attributes & SEG_ATTR_DERIVED);
}

}  // namespace
}  // namespace vmm86::test
