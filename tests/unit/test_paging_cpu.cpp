// Paging through the whole CPU: real page tables in guest RAM, 32-bit protected-mode code
// run by the engine. The protected-mode state (CR0.PE|PG, flat segment caches, CR3) is
// set directly in CpuState, so these tests do not depend on protected-mode segment loads.
// Faults are checked by what the architecture guarantees whatever the delivery does:
// CR2, and that the faulting instruction changed nothing; error codes come from the
// CPU's memory interface directly (Cpu::read_seg and friends record them).
#include <gtest/gtest.h>

#include "cpu_harness.h"
#include "memory/page_walker.h"

namespace vmm86 {
namespace {

constexpr uint32_t P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
constexpr uint32_t kPd = 0x10000, kPd2 = 0x11000, kPt = 0x12000;  // kPt: the table of 0-4 MiB
constexpr uint32_t kSentinelCr2 = 0xC2C2C2C2;

class PagingCpu : public ::testing::Test {
protected:
    PagingCpu() {
        // Identity map 0-4 MiB (supervisor, writable, already accessed and dirty so that
        // the code and stack pages do not disturb A/D checks of other pages).
        for (uint32_t i = 0; i < 1024; ++i) h.poke32(kPt + i * 4, (i << 12) | P | RW | A | D);
        h.poke32(kPd, kPt | P | RW | US | A);
        h.poke32(kPd2, kPt | P | RW | US | A);
        CpuState& s = h.s();
        const uint16_t code = SEG_ATTR_S | SEG_ATTR_CODE | SEG_ATTR_WRITABLE | SEG_ATTR_PRESENT | SEG_ATTR_ACCESSED |
                              SEG_ATTR_DB | SEG_ATTR_G;
        const uint16_t data = SEG_ATTR_S | SEG_ATTR_WRITABLE | SEG_ATTR_PRESENT | SEG_ATTR_ACCESSED | SEG_ATTR_DB |
                              SEG_ATTR_G;
        s.seg[CS] = flat_cs_ = SegmentCache{0, 0xFFFFFFFF, 0x08, code};
        for (unsigned r : {ES, SS, DS, FS, GS}) s.seg[r] = SegmentCache{0, 0xFFFFFFFF, 0x10, data};
        s.gpr[ESP] = 0x9000;
        s.eip = 0x1000;
        s.cr3 = kPd;
        s.cr2 = kSentinelCr2;
        s.cr0 = CR0_PE | CR0_ET | CR0_PG;
        h.cpu().flush_tlb();
    }
    // A 4 KiB page at `linear` in 4-8 MiB (table at kPt2) or anywhere in 0-4 MiB.
    void map(uint32_t linear, uint32_t phys, uint32_t flags, uint32_t pd = kPd) {
        uint32_t pt = linear < 0x400000 ? kPt : kPt2;
        h.poke32(pd + (linear >> 22) * 4, pt | P | RW | US);
        h.poke32(pt + ((linear >> 12) & 0x3FF) * 4, phys | flags);
    }
    uint32_t pte(uint32_t linear) { return h.peek32((linear < 0x400000 ? kPt : kPt2) + ((linear >> 12) & 0x3FF) * 4); }
    void user_mode() {
        h.s().seg[CS].selector = 0x1B;
        h.s().seg[CS].attributes |= 0x60;  // DPL 3
        for (unsigned r : {ES, SS, DS, FS, GS}) {
            h.s().seg[r].selector = 0x23;
            h.s().seg[r].attributes |= 0x60;
        }
    }
    // The #PF error code of one data access through the CPU's memory interface.
    uint32_t data_fault(uint32_t linear, bool write) {
        Cpu& cpu = h.cpu();
        uint64_t v = 0;
        bool ok = write ? cpu.write_seg(DS, linear, 4, 0x1234) : cpu.read_seg(DS, linear, 4, v);
        EXPECT_FALSE(ok);
        EXPECT_EQ(cpu.pending_exception, EXC_PF);
        EXPECT_EQ(h.s().cr2, linear);
        cpu.pending_exception = -1;
        return cpu.pending_error_code;
    }

    // Back to the fixture's CPL 0 flat state at `eip`, whatever a fault delivery did.
    void resume(uint32_t eip) {
        h.s().seg[CS] = flat_cs_;
        h.s().seg[SS] = h.s().seg[DS];
        h.s().gpr[ESP] = 0x9000;
        h.s().eip = eip;
        h.s().halted = 0;
        h.cpu().shutdown_reason = ExitReason::None;
    }

    static constexpr uint32_t kPt2 = 0x13000;
    test::CpuHarness h;
    SegmentCache flat_cs_;
};

TEST_F(PagingCpu, LoadsAndStoresGoThroughTheMapping) {
    map(0x00400000, 0x00200000, P | RW);
    h.poke32(0x00200010, 0xCAFEF00D);
    // mov eax, [0x400010]; mov dword [0x400020], 0x11223344; hlt
    h.code({0xA1, 0x10, 0x00, 0x40, 0x00, 0xC7, 0x05, 0x20, 0x00, 0x40, 0x00, 0x44, 0x33, 0x22, 0x11, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0xCAFEF00Du);
    EXPECT_EQ(h.peek32(0x00200020), 0x11223344u);
    EXPECT_EQ(h.peek32(0x00400020), 0u);  // the physical address 0x400020 is untouched
}

TEST_F(PagingCpu, ReadSetsAccessedAndTheFirstWriteSetsDirty) {
    map(0x00400000, 0x00200000, P | RW);
    // mov eax, [0x400000]; mov [0x400004], eax  (the read's TLB fill must not grant write)
    h.code({0xA1, 0x00, 0x00, 0x40, 0x00, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(pte(0x00400000) & (A | D), A);
    h.s().eip = 0x1000;
    h.s().halted = 0;
    h.code({0xA1, 0x00, 0x00, 0x40, 0x00, 0xA3, 0x04, 0x00, 0x40, 0x00, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(pte(0x00400000) & (A | D), A | D);
    // REP STOSD into a clean page sets D too (the string fast path probes first).
    map(0x00401000, 0x00201000, P | RW);
    h.s().eip = 0x1000;
    h.s().halted = 0;
    h.s().gpr[EDI] = 0x00401000;
    h.s().gpr[ECX] = 8;
    h.code({0xF3, 0xAB, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(pte(0x00401000) & (A | D), A | D);
}

TEST_F(PagingCpu, DataFaultErrorCodes) {
    map(0x00400000, 0x00200000, P);              // supervisor read-only
    map(0x00401000, 0x00201000, P | US);         // user read-only
    map(0x00402000, 0x00202000, P | RW | US);    // user writable
    EXPECT_EQ(data_fault(0x00403000, false), 0u);  // not present
    EXPECT_EQ(data_fault(0x00403000, true), PageWalker::kPfWrite);
    h.s().cr0 |= CR0_WP;
    h.cpu().flush_tlb();
    EXPECT_EQ(data_fault(0x00400000, true), PageWalker::kPfPresent | PageWalker::kPfWrite);
    EXPECT_EQ(data_fault(0x00401000, true), PageWalker::kPfPresent | PageWalker::kPfWrite);
    user_mode();
    EXPECT_EQ(data_fault(0x00400000, false), PageWalker::kPfPresent | PageWalker::kPfUser);
    EXPECT_EQ(data_fault(0x00401000, true),
              PageWalker::kPfPresent | PageWalker::kPfWrite | PageWalker::kPfUser);
    EXPECT_EQ(data_fault(0x00403004, true), PageWalker::kPfWrite | PageWalker::kPfUser);
    uint64_t v;
    EXPECT_TRUE(h.cpu().write_seg(DS, 0x00402000, 4, 7));
    EXPECT_TRUE(h.cpu().read_seg(DS, 0x00401000, 4, v));
    // A dword across into a non-present page: CR2 is the first byte of that page.
    EXPECT_FALSE(h.cpu().read_seg(DS, 0x00402FFE, 4, v));
    EXPECT_EQ(h.s().cr2, 0x00403000u);
    EXPECT_EQ(h.cpu().pending_error_code, PageWalker::kPfUser);
    h.cpu().pending_exception = -1;
}

TEST_F(PagingCpu, SupervisorWriteToReadOnlyPageFaultsOnlyWithWp) {
    map(0x00400000, 0x00200000, P | US);  // read-only
    // mov dword [0x400000], 0x55; hlt
    const std::initializer_list<uint8_t> store = {0xC7, 0x05, 0x00, 0x00, 0x40, 0x00, 0x55, 0x00, 0x00, 0x00, 0xF4};
    h.code(store);
    h.run_to_halt();
    EXPECT_EQ(h.peek32(0x00200000), 0x55u);
    // Set WP with MOV CR0 (which flushes the TLB), then store again: #PF.
    h.poke32(0x00200000, 0);
    resume(0x1000);
    h.s().gpr[EAX] = CR0_PE | CR0_ET | CR0_PG | CR0_WP;
    h.code({0x0F, 0x22, 0xC0});  // mov cr0, eax
    h.s().eip = 0x1000;
    h.step(1);
    EXPECT_EQ(h.s().cr0 & CR0_WP, CR0_WP);
    h.s().eip = 0x1000;
    h.code(store);
    h.step(1);
    EXPECT_EQ(h.s().cr2, 0x00400000u);
    EXPECT_EQ(h.peek32(0x00200000), 0u);
}

TEST_F(PagingCpu, FaultingLoadChangesNothing) {
    // mov eax, [0x400010]  -> #PF, EAX keeps its value
    h.s().gpr[EAX] = 0x600DF00D;
    h.code({0xA1, 0x10, 0x00, 0x40, 0x00, 0xF4});
    h.step(1);
    EXPECT_EQ(h.s().cr2, 0x00400010u);
    EXPECT_EQ(h.reg32(EAX), 0x600DF00Du);
}

TEST_F(PagingCpu, GlobalPagesSurviveCr3WritesButNotInvlpg) {
    h.s().cr4 = PageWalker::kCr4Pge;
    map(0x00400000, 0x00200000, P | RW | G);
    map(0x00401000, 0x00201000, P | RW);
    h.poke32(0x00200000, 0xAAAA);
    h.poke32(0x00201000, 0xBBBB);
    h.poke32(0x00300000, 0xCCCC);
    // mov eax,[0x400000]; mov ebx,[0x401000]; hlt  -- fills both
    h.code({0xA1, 0x00, 0x00, 0x40, 0x00, 0x8B, 0x1D, 0x00, 0x10, 0x40, 0x00, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0xAAAAu);
    // Remap both to 0x300000 in memory, then MOV CR3 (same directory) and read again.
    map(0x00400000, 0x00300000, P | RW | G);
    map(0x00401000, 0x00300000, P | RW);
    h.s().eip = 0x1000;
    h.s().halted = 0;
    h.s().gpr[ECX] = kPd;
    // mov cr3, ecx; mov eax,[0x400000]; mov ebx,[0x401000]; hlt
    h.code({0x0F, 0x22, 0xD9, 0xA1, 0x00, 0x00, 0x40, 0x00, 0x8B, 0x1D, 0x00, 0x10, 0x40, 0x00, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0xAAAAu);  // global: the old translation stays
    EXPECT_EQ(h.reg32(EBX), 0xCCCCu);  // not global: walked again
    // INVLPG drops the global page.
    h.s().eip = 0x1000;
    h.s().halted = 0;
    // invlpg [0x400000]; mov eax,[0x400000]; hlt
    h.code({0x0F, 0x01, 0x3D, 0x00, 0x00, 0x40, 0x00, 0xA1, 0x00, 0x00, 0x40, 0x00, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0xCCCCu);
}

TEST_F(PagingCpu, ClearingPgeFlushesGlobalPages) {
    h.s().cr4 = PageWalker::kCr4Pge;
    map(0x00400000, 0x00200000, P | RW | G);
    h.poke32(0x00200000, 0xAAAA);
    h.poke32(0x00300000, 0xCCCC);
    h.code({0xA1, 0x00, 0x00, 0x40, 0x00, 0xF4});
    h.run_to_halt();
    map(0x00400000, 0x00300000, P | RW | G);
    h.s().eip = 0x1000;
    h.s().halted = 0;
    h.s().gpr[ECX] = 0;
    // mov cr4, ecx; mov eax,[0x400000]; hlt
    h.code({0x0F, 0x22, 0xE1, 0xA1, 0x00, 0x00, 0x40, 0x00, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.s().cr4, 0u);
    EXPECT_EQ(h.reg32(EAX), 0xCCCCu);
}

TEST_F(PagingCpu, Cr4ReservedBitsAndPaeLoadChecks) {
    // mov cr4, ecx with an unimplemented bit (OSXMMEXCPT, bit 10): #GP, CR4 unchanged.
    h.s().gpr[ECX] = 1u << 10;
    h.s().cr2 = 0;
    h.code({0x0F, 0x22, 0xE1, 0xF4});
    h.step(1);
    EXPECT_EQ(h.s().cr4, 0u);
    // Entering PAE with CR3 at the 32-bit directory: its first entry, read as a PDPTE,
    // sets R/W, U/S and bit 5, reserved in PAE: #GP, CR4 unchanged.
    resume(0x1000);
    h.s().gpr[ECX] = uint32_t(PageWalker::kCr4Pae);
    h.step(1);
    EXPECT_EQ(h.s().cr4, 0u);
    // CR4.PSE and PGE are writable.
    resume(0x1000);
    h.s().gpr[ECX] = uint32_t(PageWalker::kCr4Pse | PageWalker::kCr4Pge);
    h.step(1);
    EXPECT_EQ(h.s().cr4, PageWalker::kCr4Pse | PageWalker::kCr4Pge);
}

TEST_F(PagingCpu, FourMegPagesAndInvlpgOfAnyPartOfThem) {
    h.s().cr4 = PageWalker::kCr4Pse;
    h.poke32(kPd + 2 * 4, 0x00C00000 | P | RW | PS);  // 0x00800000 -> 0x00C00000, 4 MiB
    h.poke32(0x00C01000, 0x1111);
    h.poke32(0x00C02000, 0x2222);
    h.poke32(0x00401000, 0x3333);  // where a remapped 4 MiB page puts 0x801000
    // mov eax,[0x801000]; mov ebx,[0x802000]; hlt
    h.code({0xA1, 0x00, 0x10, 0x80, 0x00, 0x8B, 0x1D, 0x00, 0x20, 0x80, 0x00, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0x1111u);
    EXPECT_EQ(h.reg32(EBX), 0x2222u);
    EXPECT_EQ(h.peek32(kPd + 2 * 4) & (A | D), A);
    // Remap the 4 MiB page to 0x400000 and INVLPG a third address inside it: the cached
    // pieces at 0x801000 must go too.
    h.poke32(kPd + 2 * 4, 0x00400000 | P | RW | PS);
    h.s().eip = 0x1000;
    h.s().halted = 0;
    // invlpg [0x803000]; mov eax,[0x801000]; hlt
    h.code({0x0F, 0x01, 0x3D, 0x00, 0x30, 0x80, 0x00, 0xA1, 0x00, 0x10, 0x80, 0x00, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0x3333u);
}

TEST_F(PagingCpu, A20AppliesToThePhysicalAddress) {
    map(0x00400000, 0x00100000, P | RW);
    h.poke32(0x00100000, 0x1111);
    h.poke32(0x00000000, 0x2222);
    h.cpu().set_a20(false);
    uint64_t v;
    ASSERT_TRUE(h.cpu().read_seg(DS, 0x00400000, 4, v));
    EXPECT_EQ(v, 0x2222u);
    h.cpu().set_a20(true);
    ASSERT_TRUE(h.cpu().read_seg(DS, 0x00400000, 4, v));
    EXPECT_EQ(v, 0x1111u);
}

TEST_F(PagingCpu, Cr3SwitchRunsTheCodeOfTheNewAddressSpace) {
    // Linear 0x400000 holds different code in two address spaces.
    map(0x00400000, 0x00200000, P | RW, kPd);
    // Address space 2: its own table for 4-8 MiB.
    const uint32_t pt_b = 0x16000;
    h.poke32(kPd2 + 4, pt_b | P | RW | US);
    h.poke32(pt_b, 0x00300000 | P | RW);
    // add ecx, imm32; jmp 0x1005 (rel32 from 0x400006+5)
    auto target = [&](uint32_t phys, uint32_t imm) {
        uint32_t rel = 0x1005 - (0x400000 + 6 + 5);
        h.poke(phys, {0x81, 0xC1, uint8_t(imm), uint8_t(imm >> 8), uint8_t(imm >> 16), uint8_t(imm >> 24), 0xE9,
                      uint8_t(rel), uint8_t(rel >> 8), uint8_t(rel >> 16), uint8_t(rel >> 24)});
    };
    target(0x00200000, 1);
    target(0x00300000, 0x100);
    // 0x1000: jmp 0x400000
    // 0x1005: mov eax, cr3; xchg eax, edx; mov cr3, eax; dec edi; jnz 0x1000; hlt
    uint32_t rel = 0x400000 - 0x1005;
    h.code({0xE9, uint8_t(rel), uint8_t(rel >> 8), uint8_t(rel >> 16), uint8_t(rel >> 24), 0x0F, 0x20, 0xD8, 0x92,
            0x0F, 0x22, 0xD8, 0x4F, 0x75, 0xF1, 0xF4});
    h.s().gpr[EDX] = kPd2;
    h.s().gpr[EDI] = 6;
    h.s().gpr[ECX] = 0;
    h.run_to_halt();
    EXPECT_EQ(h.reg32(ECX), 3u * 1 + 3u * 0x100);
}

TEST_F(PagingCpu, SelfModifyingCodeThroughAnAliasMapping) {
    // The code page 0x1000 is also mapped writable at 0x500000.
    map(0x00500000, 0x00001000, P | RW);
    // 0x1000: mov byte [0x50000C], 0x77   (C6 05 disp32 imm8: 7 bytes)
    // 0x1007: nop
    // 0x1008: nop x3
    // 0x100B: mov eax, imm32 (B8 at 0x100B, imm at 0x100C)
    // 0x1010: hlt
    h.code({0xC6, 0x05, 0x0C, 0x00, 0x50, 0x00, 0x77, 0x90, 0x90, 0x90, 0x90, 0xB8, 0x11, 0x00, 0x00, 0x00, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0x77u);
    // Run again: the patched code is what runs (and the store now writes the same byte).
    h.poke(0x100C, {0x22});
    h.s().eip = 0x1007;
    h.s().halted = 0;
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0x22u);
}

TEST_F(PagingCpu, CodeFetchFaults) {
    // jmp 0x400000 (not present): #PF with CR2 at the target.
    uint32_t rel = 0x400000 - 0x1005;
    h.code({0xE9, uint8_t(rel), uint8_t(rel >> 8), uint8_t(rel >> 16), uint8_t(rel >> 24)});
    h.step(2);
    EXPECT_EQ(h.s().cr2, 0x00400000u);
    uint32_t err = 0;
    TlbEntry* e;
    EXPECT_FALSE(h.cpu().tlb_fill(0x00400000, Access::Exec, e));
    err = h.cpu().pending_error_code;
    h.cpu().pending_exception = -1;
    EXPECT_EQ(err, 0u);
}

TEST_F(PagingCpu, InstructionStraddlingIntoAnAbsentPageFaultsAtThatPage) {
    map(0x00400000, 0x00200000, P | RW);  // 0x401000 stays absent
    // 0x400FFC: inc ebx; inc ebx; mov eax, imm32 (B8 at 0x400FFE, imm into 0x401000..)
    h.poke(0x00200FFC, {0x43, 0x43, 0xB8, 0x11});
    h.s().eip = 0x00400FFC;
    h.s().gpr[EAX] = 0x5A5A;
    h.s().gpr[EBX] = 0;
    h.step(3);
    EXPECT_EQ(h.reg32(EBX), 2u);
    EXPECT_EQ(h.reg32(EAX), 0x5A5Au);
    EXPECT_EQ(h.s().cr2, 0x00401000u);
    // Once the page is there, the same code runs to its end.
    map(0x00401000, 0x00201000, P | RW);
    h.poke(0x00201000, {0x22, 0x33, 0x44, 0xF4});
    resume(0x00400FFC);
    h.s().gpr[EBX] = 0;
    h.run_to_halt(100);
    EXPECT_EQ(h.reg32(EAX), 0x44332211u);
    EXPECT_EQ(h.reg32(EBX), 2u);
}

// ENTER faults when a write at its final stack pointer would (SDM vol. 2, ENTER): here the
// frame pointer is pushed into a writable page, but the allocation ends one byte into the
// supervisor read-only page below it (CR0.WP). ESP and EBP stay as they were; a frame that
// stays in the writable page completes. (Checked on an Intel CPU as well.)
TEST_F(PagingCpu, EnterFaultsWhenItsFinalStackPointerIsNotWritable) {
    map(0x00400000, 0x00200000, P);       // supervisor read-only
    map(0x00401000, 0x00201000, P | RW);  // writable
    h.s().cr0 |= CR0_WP;
    h.cpu().flush_tlb();
    h.s().gpr[ESP] = 0x00401004;
    h.s().gpr[EBP] = 0x12345678;
    h.code({0xC8, 0x01, 0x00, 0x00, 0xF4});  // enter 1, 0
    h.step(1);
    EXPECT_EQ(h.s().cr2, 0x00400FFFu);
    EXPECT_EQ(h.reg32(ESP), 0x00401004u);
    EXPECT_EQ(h.reg32(EBP), 0x12345678u);
    resume(0x1000);
    h.s().gpr[ESP] = 0x00401008;
    h.s().cr2 = kSentinelCr2;
    h.code({0xC8, 0x04, 0x00, 0x00, 0xF4});  // enter 4, 0: the frame ends at 0x401000
    h.run_to_halt();
    EXPECT_EQ(h.s().cr2, kSentinelCr2);
    EXPECT_EQ(h.reg32(ESP), 0x00401000u);
    EXPECT_EQ(h.reg32(EBP), 0x00401004u);
    EXPECT_EQ(h.peek32(0x00201004), 0x12345678u);
}

}  // namespace
}  // namespace vmm86
