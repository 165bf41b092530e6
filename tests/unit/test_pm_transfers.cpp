// Protected-mode control transfers: call gates with the TSS stack switch and parameter
// copy, far RET to an outer level, INT n gate privilege, IRET to an outer level, task
// switches (JMP, CALL + IRET with NT), V86 entry by IRET and interrupts from V86, the
// IOPL and I/O-bitmap checks, LAR/LSL/VERR/VERW/ARPL/STR, and #DF escalation.
#include "pm_harness.h"

namespace vmm86::test {
namespace {

struct PmXfer : PmHarness, ::testing::Test {
    void code_at(uint32_t a, std::initializer_list<uint8_t> b) {
        std::vector<uint8_t> v(b);
        mem().write_bytes(a, v.data(), v.size());
    }
    static std::vector<uint8_t> le32(uint32_t v) { return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }
    // Ring-3 code ends in a HLT, which is #GP(0) there: true when that is what stopped us.
    bool ring3_reached(uint32_t hlt_eip) { return vector_taken() == EXC_GP && error_code() == 0 && stack32(1) == hlt_eip; }
};

TEST_F(PmXfer, CallGateToRing0CopiesParametersAndRetfReturns) {
    set_desc(0x90, gate(SEL_CODE0, kCode + 0x100, 0xEC, 2));  // 32-bit call gate, DPL 3, 2 params
    code_at(kCode + 0x100, {0xF4});                             // ring 0: stop here first
    to_ring3();
    // push 22h; push 11h; call far 93h:0
    run({0x6A, 0x22, 0x6A, 0x11, 0x9A, 0, 0, 0, 0, 0x93, 0x00});
    EXPECT_EQ(s().seg[CS].selector, SEL_CODE0);
    EXPECT_EQ(s().seg[SS].selector, SEL_DATA0);
    EXPECT_EQ(uint32_t(s().gpr[ESP]), kStack0 - 24);
    EXPECT_EQ(stack32(0), kCode + 11);  // return EIP
    EXPECT_EQ(stack32(1), SEL_CODE3);
    EXPECT_EQ(stack32(2), 0x11u);
    EXPECT_EQ(stack32(3), 0x22u);
    EXPECT_EQ(stack32(4), kStack3 - 8);
    EXPECT_EQ(stack32(5), SEL_DATA3);
    // Now RETF 8 back to ring 3, which then stops at its HLT (#GP there).
    code_at(kCode + 0x100, {0xCA, 0x08, 0x00});
    s().gpr[ESP] = kStack0;
    to_ring3();
    run({0x6A, 0x22, 0x6A, 0x11, 0x9A, 0, 0, 0, 0, 0x93, 0x00});
    EXPECT_TRUE(ring3_reached(kCode + 11));
    EXPECT_EQ(stack32(4), kStack3);  // both stacks lost the parameters
}

TEST_F(PmXfer, CallGatePrivilegeAndPresence) {
    set_desc(0x90, gate(SEL_CODE0, kCode + 0x100, 0x8C, 0));  // DPL 0 gate
    to_ring3();
    run({0x9A, 0, 0, 0, 0, 0x93, 0x00});
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), 0x90u);
    set_desc(0x90, gate(SEL_CODE0, kCode + 0x100, 0x6C, 0));  // not present
    s().gpr[ESP] = kStack0;
    to_ring3();
    run({0x9A, 0, 0, 0, 0, 0x93, 0x00});
    EXPECT_EQ(vector_taken(), EXC_NP);
    EXPECT_EQ(error_code(), 0x90u);
}

TEST_F(PmXfer, FarJmpToMorePrivilegedCodeIsGp) {
    to_ring3();
    run({0xEA, 0, 0, 0, 0, SEL_CODE0, 0x00});
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), SEL_CODE0);
    EXPECT_EQ(stack32(1), kCode);
}

TEST_F(PmXfer, FarJmpBeyondLimitIsGp0) {
    set_desc(0x90, descriptor(0, 0xFFFF, 0x9A, 0x4));
    run({0xEA, 0x00, 0x00, 0x01, 0x00, 0x90, 0x00});  // offset 10000h > limit
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), 0u);
}

TEST_F(PmXfer, IntFromRing3ChecksGateDplAndSwitchesStacks) {
    to_ring3();
    run({0xCD, 0x40});  // DPL 0 gate: #GP(40h*8+2)
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), 0x40u * 8 + 2);
    EXPECT_EQ(stack32(1), kCode);
    set_idt(0x40, gate(SEL_CODE0, kHandlers + 16 * 0x40, 0xEE));
    s().gpr[ESP] = kStack0;
    to_ring3();
    set_flags(FLAG_IF);
    run({0xCD, 0x40});
    EXPECT_EQ(vector_taken(), 0x40);
    EXPECT_EQ(stack32(0), kCode + 2);
    EXPECT_EQ(stack32(1), SEL_CODE3);
    EXPECT_EQ(stack32(2) & FLAG_IF, FLAG_IF);
    EXPECT_EQ(stack32(3), kStack3);
    EXPECT_EQ(stack32(4), SEL_DATA3);
    EXPECT_FALSE(flags() & FLAG_IF);  // interrupt gate
}

TEST_F(PmXfer, IretToRing3NullsInnerDataSegments) {
    set_idt(0x41, gate(SEL_CODE0, kCode + 0x300, 0xEE));
    code_at(kCode + 0x300, {0x66, 0xB8, SEL_DATA0, 0, 0x8E, 0xE0, 0xCF});  // mov fs, 10h; iretd
    to_ring3();
    run({0xCD, 0x41, 0xB8, 0x34, 0x12, 0, 0});
    EXPECT_TRUE(ring3_reached(kCode + 7));
    EXPECT_EQ(reg32(EAX), 0x1234u);
    EXPECT_EQ(s().seg[FS].selector, 0) << "FS (DPL 0) was nulled by IRET to ring 3";
    EXPECT_EQ(s().seg[DS].selector, SEL_DATA3);
}

TEST_F(PmXfer, CliAndIoAtCpl3FollowIoplAndTheBitmap) {
    to_ring3();
    run({0xFA});
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(stack32(1), kCode);
    s().gpr[ESP] = kStack0;
    to_ring3();
    set_flags(3u << 12);
    run({0xFA});
    EXPECT_TRUE(ring3_reached(kCode + 1));
    // IN AL, 80h: IOPL 0 and the port denied in the bitmap -> #GP(0); allowed -> runs.
    s().gpr[ESP] = kStack0;
    to_ring3();
    set_flags(0);
    run({0xE4, 0x80});
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(stack32(1), kCode);
    poke(kTss + 0x68 + 0x80 / 8, {0xFE});
    s().gpr[ESP] = kStack0;
    to_ring3();
    run({0xE4, 0x80});
    EXPECT_TRUE(ring3_reached(kCode + 2));
    // A word at 80h also needs port 81h.
    s().gpr[ESP] = kStack0;
    to_ring3();
    run({0x66, 0xE5, 0x80});
    EXPECT_EQ(stack32(1), kCode);
}

TEST_F(PmXfer, JmpToTssSwitchesTasks) {
    constexpr uint32_t kTss2 = 0x4000;
    set_desc(0x98, descriptor(kTss2, 0x67, 0x89, 0));
    poke32(kTss2 + 0x20, kCode + 0x200);
    poke32(kTss2 + 0x24, 0x2);
    poke32(kTss2 + 0x28, 0xAA);
    poke32(kTss2 + 0x38, 0x7000);
    for (unsigned i = 0; i < 6; ++i) poke32(kTss2 + 0x48 + 4 * i, i == CS ? SEL_CODE0 : SEL_DATA0);
    code_at(kCode + 0x200, {0xF4});
    s().gpr[EBX] = 0xBB;
    run({0xEA, 0, 0, 0, 0, 0x98, 0x00});
    EXPECT_EQ(s().eip, kCode + 0x201);
    EXPECT_EQ(s().tr.selector, 0x98);
    EXPECT_EQ(reg32(EAX), 0xAAu);
    EXPECT_EQ(reg32(ESP), 0x7000u);
    EXPECT_EQ(peek8(kGdt + SEL_TSS + 5), 0x89) << "old TSS no longer busy";
    EXPECT_EQ(peek8(kGdt + 0x98 + 5), 0x8B) << "new TSS busy";
    EXPECT_EQ(peek32(kTss + 0x20), kCode + 7) << "old EIP saved";
    EXPECT_EQ(peek32(kTss + 0x34), 0xBBu) << "old EBX saved";
    EXPECT_TRUE(s().cr0 & CR0_TS);
    EXPECT_FALSE(flags() & FLAG_NT);
}

TEST_F(PmXfer, CallToTssNestsAndIretReturns) {
    constexpr uint32_t kTss2 = 0x4000;
    set_desc(0x98, descriptor(kTss2, 0x67, 0x89, 0));
    poke32(kTss2 + 0x20, kCode + 0x200);
    poke32(kTss2 + 0x24, 0x2);
    poke32(kTss2 + 0x38, 0x7000);
    for (unsigned i = 0; i < 6; ++i) poke32(kTss2 + 0x48 + 4 * i, i == CS ? SEL_CODE0 : SEL_DATA0);
    code_at(kCode + 0x200, {0xF4, 0xB9, 0x55, 0, 0, 0, 0xCF});  // hlt; mov ecx, 55h; iretd
    run({0x9A, 0, 0, 0, 0, 0x98, 0x00});
    EXPECT_EQ(s().eip, kCode + 0x201);
    EXPECT_TRUE(flags() & FLAG_NT);
    EXPECT_EQ(peek16(kTss2), SEL_TSS) << "back link";
    EXPECT_EQ(peek8(kGdt + SEL_TSS + 5), 0x8B) << "caller stays busy";
    s().halted = 0;
    run_to_halt(100);  // iretd back to the caller, which halts after its CALL
    EXPECT_EQ(s().eip, kCode + 8);
    EXPECT_EQ(s().tr.selector, SEL_TSS);
    EXPECT_EQ(peek8(kGdt + 0x98 + 5), 0x89) << "IRET frees the nested task";
    EXPECT_FALSE(flags() & FLAG_NT);
    EXPECT_EQ(peek32(kTss2 + 0x2C), 0x55u) << "ECX saved in the nested task's TSS";
    EXPECT_EQ(peek32(kTss2 + 0x20), kCode + 0x207) << "the nested task resumes after its IRET";
}

// A second 32-bit TSS at 4000h (selector 98h) whose task starts at kCode + 200h with
// EAX = AAh, flat ring-0 segments and its own stack; `eflags` is its EFLAGS image.
void make_task2(PmXfer& h, uint32_t eflags, bool t_flag, std::initializer_list<uint8_t> code) {
    constexpr uint32_t kTss2 = 0x4000;
    h.set_desc(0x98, descriptor(kTss2, 0x67, 0x89, 0));
    h.poke32(kTss2 + 0x20, kCode + 0x200);
    h.poke32(kTss2 + 0x24, eflags | 0x2);
    h.poke32(kTss2 + 0x28, 0xAA);
    h.poke32(kTss2 + 0x38, 0x7000);
    for (unsigned i = 0; i < 6; ++i) h.poke32(kTss2 + 0x48 + 4 * i, i == CS ? SEL_CODE0 : SEL_DATA0);
    h.poke16(kTss2 + 0x64, t_flag ? 1 : 0);
    h.code_at(kCode + 0x200, code);
}

// SDM vol. 3, 17.3.1.5: a task switch into a TSS with the T flag raises #DB (DR6.BT) once
// the new task is loaded, before its first instruction runs; the frame on the new task's
// stack points at that instruction. (JmpToTssSwitchesTasks is the same switch without it.)
TEST_F(PmXfer, TFlagInTheNewTssRaisesDbBeforeItsFirstInstruction) {
    make_task2(*this, 0, true, {0x40, 0xF4});  // inc eax; hlt
    s().dr[6] = 0xFFFF0FF0;
    run({0xEA, 0, 0, 0, 0, 0x98, 0x00});
    EXPECT_EQ(vector_taken(), EXC_DB);
    EXPECT_EQ(s().tr.selector, 0x98) << "raised in the new task";
    EXPECT_EQ(stack32(0), kCode + 0x200) << "before the new task's first instruction";
    EXPECT_EQ(reg32(EAX), 0xAAu);
    EXPECT_TRUE(s().dr[6] & (1u << 15)) << "DR6.BT";
}

// The same through a task gate taken by an NMI, which the run loop delivers between
// instructions: the #DB still comes before the new task's first instruction.
TEST_F(PmXfer, TFlagTrapAfterAnNmiThroughATaskGate) {
    make_task2(*this, 0, true, {0x40, 0xF4});
    set_idt(EXC_NMI, gate(0x98, 0, 0x85));  // task gate
    code_at(kCode, {0xEB, 0xFE});          // the interrupted task spins
    s().eip = kCode;
    cpu().raise_nmi();
    run_to_halt(1000);
    EXPECT_EQ(vector_taken(), EXC_DB);
    EXPECT_EQ(s().tr.selector, 0x98);
    EXPECT_EQ(stack32(0), kCode + 0x200);
    EXPECT_EQ(reg32(EAX), 0xAAu);
    EXPECT_TRUE(s().dr[6] & (1u << 15));
}

// The EFLAGS image a task switch saves follows the rules for one pushed on a stack (SDM
// vol. 3, 17.3.1.1): RF = 1 for a fault (the saved EIP is the faulting instruction), RF as
// it was for a software interrupt or a trap.
TEST_F(PmXfer, FaultThroughATaskGateSavesRfInTheOldTasksImage) {
    make_task2(*this, 0, false, {0xF4});
    set_idt(EXC_GP, gate(0x98, 0, 0x85));
    run({0x66, 0xB8, 0x78, 0x56, 0x8E, 0xD8});  // mov ax, 5678h; mov ds, ax: #GP(5678h)
    EXPECT_EQ(s().tr.selector, 0x98);
    EXPECT_EQ(s().eip, kCode + 0x201);
    EXPECT_EQ(peek32(kTss + 0x20), kCode + 4) << "the faulting MOV";
    EXPECT_TRUE(peek32(kTss + 0x24) & FLAG_RF);
    EXPECT_EQ(peek32(0x7000 - 4), 0x5678u & 0xFFFC) << "error code on the new task's stack";
}

TEST_F(PmXfer, SoftwareInterruptThroughATaskGateSavesRfAsItWas) {
    make_task2(*this, 0, false, {0xF4});
    set_idt(0x40, gate(0x98, 0, 0x85));
    run({0xCD, 0x40});
    EXPECT_EQ(s().tr.selector, 0x98);
    EXPECT_EQ(peek32(kTss + 0x20), kCode + 2) << "after the INT";
    EXPECT_FALSE(peek32(kTss + 0x24) & FLAG_RF);
}

// RF loaded from the new task's TSS holds for its first instruction (SDM 17.3.1.1: task
// switches transfer the RF image to EFLAGS), so an instruction breakpoint there is
// skipped once, and RF is clear after it.
TEST_F(PmXfer, RfFromTheTssSuppressesTheFirstInstructionBreakpoint) {
    make_task2(*this, FLAG_RF, false, {0x40, 0x40, 0xF4});  // inc eax (breakpoint); inc eax; hlt
    s().dr[0] = kCode + 0x200;
    s().dr[7] = 0x401;  // L0, execute, 1 byte
    run({0xEA, 0, 0, 0, 0, 0x98, 0x00});
    EXPECT_EQ(vector_taken(), -1);
    EXPECT_EQ(s().eip, kCode + 0x203);
    EXPECT_EQ(reg32(EAX), 0xACu);
    EXPECT_FALSE(flags() & FLAG_RF);
}

// A protected-mode IRETD whose image has RF: the instruction it returns to runs once past
// its breakpoint, as in real mode (and an IRET ends NMI blocking in protected mode too).
TEST_F(PmXfer, ProtectedModeIretdLoadsRfForTheNextInstruction) {
    code_at(kCode + 0x200, {0x40, 0x40, 0xF4});
    s().dr[0] = kCode + 0x200;
    s().dr[1] = kCode + 0x201;
    s().dr[7] = 0x405;  // L0, L1, execute
    s().gpr[ESP] = kStack0 - 12;
    poke32(kStack0 - 12, kCode + 0x200);
    poke32(kStack0 - 8, SEL_CODE0);
    poke32(kStack0 - 4, FLAG_RF | 0x2);
    s().nmi_blocked = 1;
    s().gpr[EAX] = 0;
    run({0xCF});
    EXPECT_EQ(vector_taken(), EXC_DB);
    EXPECT_EQ(stack32(0), kCode + 0x201) << "the first INC ran under RF, the second one's breakpoint fired";
    EXPECT_EQ(reg32(EAX), 1u);
    EXPECT_EQ(s().dr[6] & 0xF, 2u);
    EXPECT_EQ(s().nmi_blocked, 0u);
}

TEST_F(PmXfer, JmpToBusyTssIsGp) {
    run({0xEA, 0, 0, 0, 0, SEL_TSS, 0x00});
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), SEL_TSS);
}

// Enters V86 at 6000:0000 with IRETD from ring 0.
struct PmV86 : PmXfer {
    void enter(uint32_t iopl, std::initializer_list<uint8_t> v86_code) {
        code_at(0x60000, v86_code);
        std::vector<uint8_t> c;
        // push gs, fs, ds, es, ss, esp, eflags, cs, eip (as dwords), then iretd
        for (uint32_t v : {0x7000u, 0x7000u, 0x5000u, 0x4000u, 0x3000u, 0x0100u,
                           FLAG_VM | (iopl << 12) | FLAGS_FIXED1, 0x6000u, 0u}) {
            c.push_back(0x68);
            for (uint8_t b : le32(v)) c.push_back(b);
        }
        c.push_back(0xCF);
        mem().write_bytes(kCode, c.data(), c.size());
        s().eip = kCode;
        s().halted = 0;
        run_to_halt(1000);
    }
};

TEST_F(PmV86, IretEntersV86AndIntGoesToRing0WithSegmentsPushed) {
    set_idt(0x42, gate(SEL_CODE0, kHandlers + 16 * 0x42, 0xEE));
    enter(3, {0xB8, 0x34, 0x12, 0xCD, 0x42});  // mov ax, 1234h; int 42h
    EXPECT_EQ(vector_taken(), 0x42);
    EXPECT_EQ(reg16(EAX), 0x1234);
    EXPECT_EQ(stack32(0), 5u);  // IP after INT
    EXPECT_EQ(stack32(1), 0x6000u);
    EXPECT_TRUE(stack32(2) & FLAG_VM);
    EXPECT_EQ(stack32(3), 0x100u);
    EXPECT_EQ(stack32(4), 0x3000u);
    EXPECT_EQ(stack32(5), 0x4000u);  // ES
    EXPECT_EQ(stack32(6), 0x5000u);  // DS
    EXPECT_EQ(stack32(7), 0x7000u);  // FS
    EXPECT_EQ(stack32(8), 0x7000u);  // GS
    EXPECT_EQ(s().seg[DS].selector, 0);
    EXPECT_EQ(s().seg[ES].selector, 0);
    EXPECT_FALSE(s().eflags & FLAG_VM);
    EXPECT_EQ(uint32_t(s().gpr[ESP]), kStack0 - 36);
}

TEST_F(PmV86, IoplSensitiveInstructionsFaultBelowIopl3) {
    for (std::initializer_list<uint8_t> insn : {std::initializer_list<uint8_t>{0xFA}, {0xFB}, {0x9C}, {0x9D}, {0xCD, 0x21}, {0xCF}}) {
        s().gpr[ESP] = kStack0;
        load(CS, SEL_CODE0);
        s().eflags = FLAGS_FIXED1;
        enter(0, insn);
        EXPECT_EQ(vector_taken(), EXC_GP);
        EXPECT_EQ(error_code(), 0u);
        EXPECT_EQ(stack32(1), 0u);  // IP of the instruction
        EXPECT_EQ(stack32(2), 0x6000u);
    }
}

TEST_F(PmV86, V86SegmentsAreRealModeStyle) {
    set_idt(0x42, gate(SEL_CODE0, kHandlers + 16 * 0x42, 0xEE));
    poke16(0x50000 + 0x10, 0xBEEF);
    enter(3, {0xA1, 0x10, 0x00, 0xCD, 0x42});  // mov ax, [10h] (DS = 5000h)
    EXPECT_EQ(reg16(EAX), 0xBEEF);
}

TEST_F(PmXfer, DescriptorInspection) {
    s().gpr[EBX] = SEL_DATA0;
    s().gpr[EAX] = 0;
    run({0x0F, 0x02, 0xC3});  // lar eax, ebx
    EXPECT_EQ(reg32(EAX), 0x00C09200u);
    EXPECT_TRUE(flags() & FLAG_ZF);
    run({0x0F, 0x03, 0xC3});  // lsl eax, ebx
    EXPECT_EQ(reg32(EAX), 0xFFFFFFFFu);
    s().gpr[EBX] = 0;
    s().gpr[EAX] = 0x77;
    run({0x0F, 0x02, 0xC3});
    EXPECT_EQ(reg32(EAX), 0x77u);
    EXPECT_FALSE(flags() & FLAG_ZF);
    set_desc(0x90, descriptor(0, 0xFFFFF, 0x90, 0xC));  // read-only
    s().gpr[EBX] = 0x90;
    run({0x0F, 0x00, 0xE3});  // verr bx
    EXPECT_TRUE(flags() & FLAG_ZF);
    run({0x0F, 0x00, 0xEB});  // verw bx
    EXPECT_FALSE(flags() & FLAG_ZF);
    run({0x0F, 0x00, 0xC8});  // str ax
    EXPECT_EQ(reg16(EAX), SEL_TSS);
    s().gpr[EBX] = 0x10;
    s().gpr[ECX] = 0x03;
    run({0x63, 0xCB});  // arpl bx, cx
    EXPECT_EQ(reg16(EBX), 0x13);
    EXPECT_TRUE(flags() & FLAG_ZF);
    run({0x63, 0xCB});
    EXPECT_FALSE(flags() & FLAG_ZF);
}

// ARPL with a memory destination writes only when it raises the RPL (SDM pseudocode), so
// a selector in a read-only segment that needs no change is read without a fault, and one
// that does need it raises #GP(0). Intel CPUs behave so (checked in compatibility mode).
TEST_F(PmXfer, ArplWritesMemoryOnlyWhenItRaisesTheRpl) {
    set_desc(0x90, descriptor(0, 0xFFFFF, 0x90, 0xC));  // read-only data
    load(DS, 0x90);
    poke16(0x7000, 0xFFF2);
    s().gpr[ECX] = 2;
    run({0x63, 0x0D, 0x00, 0x70, 0x00, 0x00});  // arpl [0x7000], cx: RPL 2 is not below 2
    EXPECT_EQ(vector_taken(), -1);
    EXPECT_FALSE(flags() & FLAG_ZF);
    EXPECT_EQ(peek16(0x7000), 0xFFF2u);
    s().gpr[ECX] = 3;
    run({0x63, 0x0D, 0x00, 0x70, 0x00, 0x00});  // RPL 2 -> 3 needs a write: #GP(0)
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), 0u);
    EXPECT_EQ(peek16(0x7000), 0xFFF2u);
    load(DS, SEL_DATA0);
    s().gpr[ESP] = kStack0;
    run({0x63, 0x0D, 0x00, 0x70, 0x00, 0x00});  // writable: raised to 3, ZF = 1
    EXPECT_TRUE(flags() & FLAG_ZF);
    EXPECT_EQ(peek16(0x7000), 0xFFF3u);
}

TEST_F(PmXfer, PrivilegedInstructionsNeedCpl0) {
    for (std::initializer_list<uint8_t> insn : {std::initializer_list<uint8_t>{0x0F, 0x00, 0xD0},  // lldt ax
                                                {0x0F, 0x00, 0xD8},                                // ltr ax
                                                {0x0F, 0x20, 0xC0},                                // mov eax, cr0
                                                {0x0F, 0x22, 0xD8},                                // mov cr3, eax
                                                {0x0F, 0x01, 0x15, 0, 0, 0, 0},                   // lgdt [0]
                                                {0x0F, 0x01, 0x1D, 0, 0, 0, 0},                   // lidt [0]
                                                {0x0F, 0x01, 0xF0},                                // lmsw ax
                                                {0x0F, 0x06},                                      // clts
                                                {0x0F, 0x09}}) {                                  // wbinvd
        s().gpr[ESP] = kStack0;
        to_ring3();
        run(insn);
        EXPECT_EQ(vector_taken(), EXC_GP);
        EXPECT_EQ(error_code(), 0u);
        EXPECT_EQ(stack32(1), kCode);
    }
}

TEST_F(PmXfer, LtrMarksBusyLldtLoadsLdt) {
    set_desc(0x98, descriptor(0x4000, 0x67, 0x89, 0));
    s().gpr[EAX] = 0x98;
    run({0x0F, 0x00, 0xD8});  // ltr ax
    EXPECT_EQ(s().tr.selector, 0x98);
    EXPECT_EQ(peek8(kGdt + 0x98 + 5), 0x8B);
    run({0x0F, 0x00, 0xD8});  // now busy: #GP(sel)
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), 0x98u);
    // An LDT with one data segment; then DS = 0Ch (LDT index 1) works.
    set_desc(0xA0, descriptor(0x6000, 0x0F, 0x82, 0));
    poke32(0x6008, 0x0000FFFF);
    poke32(0x600C, 0x00CF9200);
    s().gpr[ESP] = kStack0;
    s().gpr[EAX] = 0xA0;
    s().gpr[EBX] = 0x0C;
    run({0x0F, 0x00, 0xD0, 0x8E, 0xDB});  // lldt ax; mov ds, bx
    EXPECT_EQ(s().ldtr.selector, 0xA0);
    EXPECT_EQ(s().seg[DS].selector, 0x0C);
    s().gpr[EAX] = SEL_DATA0;  // not an LDT descriptor
    run({0x0F, 0x00, 0xD0});
    EXPECT_EQ(vector_taken(), EXC_GP);
    EXPECT_EQ(error_code(), SEL_DATA0);
}

TEST_F(PmXfer, FaultDeliveringAFaultIsDoubleFault) {
    s().idtr.limit = 13 * 8 - 1;  // #GP's gate is outside the IDT
    s().seg[DS] = null_cache(0);
    run({0xA1, 0, 0, 0, 0});
    EXPECT_EQ(vector_taken(), EXC_DF);
    EXPECT_EQ(error_code(), 0u);
    EXPECT_EQ(stack32(1), kCode);
}

}  // namespace
}  // namespace vmm86::test
