// The system family: flag instructions (compared with the host CPU natively), NOPs and
// hints, HLT, INT n/INT3/INT1/INTO and IRET round trips through an IVT in RAM, BOUND,
// CPUID, RDTSC, the invalid opcodes and LOCK.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "cpu/cpuid.h"
#include "cpu_harness.h"
#include "jit/frontend/lower_system_helpers.h"
#include "native_x86.h"

namespace vmm86::test {
namespace {

using Bytes = std::vector<uint8_t>;

struct Sys : CpuHarness {
    Sys() : CpuHarness(1 << 20) {}
    // Runs code + HLT at 0000:0100.
    RunResult run(const Bytes& code) {
        Bytes c = code;
        c.push_back(0xF4);
        s().eip = 0x100;
        s().halted = 0;
        this->code(c);
        return run_to_halt(1000);
    }
    // Vector -> a HLT at 0000:(0x400 + 0x10 * vector); returns that handler's HLT address.
    uint32_t halt_handler(uint8_t vector) {
        uint16_t off = uint16_t(0x400 + 0x10 * vector);
        set_vector(vector, 0x0000, off);
        poke(off, {0xF4});
        return off;
    }
    // EIP after the HLT of halt_handler(vector): proof that `vector` was delivered.
    static uint32_t in_handler(uint8_t vector) { return 0x400 + 0x10 * vector + 1; }
    uint16_t stack16(unsigned i) { return peek16(s().seg[SS].base + uint32_t(s().gpr[ESP] & 0xFFFF) + 2 * i); }
};

#define SKIP_WITHOUT_NATIVE() \
    if (!native::native_available()) GTEST_SKIP() << "no native x86 (IA-32 compatibility mode) on this host"

TEST(System, CarryAndAhFlagInstructionsMatchHost) {
    SKIP_WITHOUT_NATIVE();
    Sys h;
    const uint32_t flag_of_bit[6] = {FLAG_CF, FLAG_PF, FLAG_AF, FLAG_ZF, FLAG_SF, FLAG_OF};
    const Bytes forms[] = {{0xF8}, {0xF9}, {0xF5}, {0x9F}, {0x9E}, {0x9F, 0x9E}};
    for (const Bytes& code : forms) {
        for (uint32_t bits = 0; bits < 64; ++bits) {
            for (uint32_t ah : {0x00u, 0xFFu, 0x2Au, 0xD5u, 0x41u}) {
                native::Regs in;
                for (int i = 0; i < 6; ++i)
                    if (bits & (1u << i)) in.eflags |= flag_of_bit[i];
                in.eax = 0x12340077 | (ah << 8);
                h.s().gpr[EAX] = in.eax;
                h.set_flags(in.eflags);
                h.run(code);
                native::Regs n = native::run(code, in);
                SCOPED_TRACE(testing::Message() << std::hex << "opcode " << int(code[0]) << " flags " << in.eflags
                                                << " eax " << in.eax);
                EXPECT_EQ(h.reg32(EAX), n.eax);
                EXPECT_EQ(h.flags() & native::kArithFlags, n.eflags & native::kArithFlags);
            }
        }
    }
}

TEST(System, DirectionAndInterruptFlags) {
    Sys h;
    h.set_flags(FLAG_CF | FLAG_ZF);
    h.run({0xFD});  // std
    EXPECT_EQ(h.flags(), FLAG_CF | FLAG_ZF | FLAG_DF | FLAGS_FIXED1);
    h.run({0xFC});  // cld
    EXPECT_EQ(h.flags(), FLAG_CF | FLAG_ZF | FLAGS_FIXED1);
    h.run({0xFB});  // sti
    EXPECT_EQ(h.flags(), FLAG_CF | FLAG_ZF | FLAG_IF | FLAGS_FIXED1);
    h.run({0xFA});  // cli
    EXPECT_EQ(h.flags(), FLAG_CF | FLAG_ZF | FLAGS_FIXED1);
}

TEST(System, StiSetsTheInterruptShadowOnlyWhenItEnablesInterrupts) {
    Sys h;
    h.set_flags(0);
    helper_sti(h.cpu(), 0, 0, 0);
    EXPECT_EQ(h.s().interrupt_shadow, 1u);
    EXPECT_TRUE(h.flags() & FLAG_IF);
    h.s().interrupt_shadow = 0;
    helper_sti(h.cpu(), 0, 0, 0);  // IF already 1: no shadow
    EXPECT_EQ(h.s().interrupt_shadow, 0u);
}

TEST(System, StiEndsTheBlock) {
    Sys h;
    h.code({0xFB, 0x90, 0xF4});  // sti; nop; hlt
    std::string ir = h.machine().engine().describe_block(h.cpu());
    EXPECT_NE(ir.find("CallHelper"), std::string::npos) << ir;
    EXPECT_NE(ir.find("Jump.4 imm=101"), std::string::npos) << ir;
    EXPECT_EQ(ir.find("; 0101"), std::string::npos) << "the NOP must start a new block:\n" << ir;
}

TEST(System, NopsAndHintsChangeNothingAndNeverTouchMemory) {
    Sys h;
    const Bytes code = {
        0x90,                                            // nop
        0xF3, 0x90,                                      // pause
        0x66, 0x90,                                      // nop (xchg eax, eax)
        0x0F, 0x1F, 0x00,                                // nop [bx+si]
        0x66, 0x0F, 0x1F, 0x44, 0x00,                    // nop dword [si+0]
        0x67, 0x0F, 0x1F, 0x80, 0x00, 0x00, 0x02, 0x00,  // nop [eax+20000h]: past the limit
        0x0F, 0x1F, 0xC0,                                // nop ax, ax
        0x0F, 0x18, 0x00, 0x0F, 0x18, 0x08,              // prefetchnta, prefetcht0
        0x0F, 0x18, 0x10, 0x0F, 0x18, 0x18,              // prefetcht1, prefetcht2
        0x0F, 0x18, 0x20, 0x0F, 0x19, 0xC0,              // hint nops
        0x0F, 0x1C, 0x00, 0x0F, 0x1D, 0x00, 0x0F, 0x1E, 0x00,
        0xF3, 0x0F, 0x1E, 0xFB,                          // endbr32
        0x0F, 0x0D, 0x00, 0x0F, 0x0D, 0x08,              // prefetch, prefetchw
        0x0F, 0x09, 0x0F, 0x08,                          // wbinvd, invd
    };
    h.halt_handler(EXC_GP);
    h.halt_handler(EXC_UD);
    for (unsigned r = 0; r < 8; ++r) h.s().gpr[r] = r == ESP ? 0x8000 : 0x11111111u * r;
    h.s().gpr[EAX] = 0x10000;
    h.set_flags(FLAG_CF | FLAG_OF | FLAG_IF);
    RunResult res = h.run(code);
    EXPECT_EQ(res.reason, StopReason::HaltedForever);
    EXPECT_EQ(h.s().eip, 0x100 + code.size() + 1);
    EXPECT_EQ(h.reg32(EAX), 0x10000u);
    for (unsigned r = 1; r < 8; ++r) EXPECT_EQ(h.reg32(r), r == ESP ? 0x8000 : 0x11111111u * r);
    EXPECT_EQ(h.flags(), FLAG_CF | FLAG_OF | FLAG_IF | FLAGS_FIXED1);
}

TEST(System, HltStopsAfterTheInstruction) {
    Sys h;
    RunResult r = h.run({0x90});
    EXPECT_EQ(r.reason, StopReason::HaltedForever);
    EXPECT_EQ(h.s().halted, 1u);
    EXPECT_EQ(h.s().eip, 0x102u);
}

TEST(System, IntPushesFlagsCsIpAndEntersTheHandlerWithIfClear) {
    Sys h;
    h.set_vector(0x21, 0x0050, 0x0010);
    h.poke(0x510, {0xF4});
    h.set_seg(CS, 0x0000);
    h.set_flags(FLAG_IF | FLAG_CF);
    h.run({0xCD, 0x21});
    EXPECT_EQ(h.s().seg[CS].selector, 0x50);
    EXPECT_EQ(h.s().eip, 0x11u);
    EXPECT_EQ(h.reg16(ESP), 0x8000 - 6);
    EXPECT_EQ(h.stack16(0), 0x102);  // return IP: the next instruction
    EXPECT_EQ(h.stack16(1), 0x0000);
    EXPECT_EQ(h.stack16(2), FLAG_IF | FLAG_CF | FLAGS_FIXED1);
    EXPECT_EQ(h.flags() & FLAG_IF, 0u);
}

TEST(System, IntAndIretRoundTrip) {
    Sys h;
    h.set_vector(0x21, 0x0050, 0x0010);
    h.poke(0x510, {0xB8, 0x42, 0x42, 0xF9, 0xCF});  // mov ax,4242h; stc; iret
    h.set_flags(FLAG_IF | FLAG_ZF);
    RunResult r = h.run({0xCD, 0x21, 0x40});  // int 21h; inc ax
    EXPECT_EQ(r.reason, StopReason::HaltedForever);
    EXPECT_EQ(h.reg16(EAX), 0x4243);
    EXPECT_EQ(h.s().seg[CS].selector, 0);
    EXPECT_EQ(h.s().eip, 0x104u);
    EXPECT_EQ(h.reg16(ESP), 0x8000);
    // IRET restored the flags pushed by INT (the handler's STC is gone); INC left CF.
    EXPECT_EQ(h.flags() & (FLAG_IF | FLAG_ZF | FLAG_CF), FLAG_IF);
}

TEST(System, Int3AndInt1AreTrapsToVectors3And1) {
    Sys h;
    h.halt_handler(EXC_BP);
    h.halt_handler(EXC_DB);
    h.run({0x90, 0xCC});
    EXPECT_EQ(h.s().eip, Sys::in_handler(EXC_BP));
    EXPECT_EQ(h.stack16(0), 0x102);
    h.s().gpr[ESP] = 0x8000;
    h.run({0xF1});
    EXPECT_EQ(h.s().eip, Sys::in_handler(EXC_DB));
    EXPECT_EQ(h.stack16(0), 0x101);
}

TEST(System, IntoInterruptsOnlyWhenOverflowIsSet) {
    Sys h;
    h.halt_handler(EXC_OF);
    h.set_flags(0);
    h.run({0xCE});
    EXPECT_EQ(h.s().eip, 0x102u);  // fell through to the HLT
    EXPECT_EQ(h.reg16(ESP), 0x8000);
    h.set_flags(FLAG_OF);
    h.run({0xCE});
    EXPECT_EQ(h.s().eip, Sys::in_handler(EXC_OF));
    EXPECT_EQ(h.stack16(0), 0x101);
    // OF from a lazily recorded ADD: 7FFFh + 1 overflows.
    h.s().gpr[ESP] = 0x8000;
    h.s().gpr[EAX] = 0x7FFF;
    h.run({0x05, 0x01, 0x00, 0xCE});  // add ax, 1; into
    EXPECT_EQ(h.s().eip, Sys::in_handler(EXC_OF));
    EXPECT_EQ(h.stack16(0), 0x104);
}

TEST(System, Iret16LoadsTheLowFlagsWordAndKeepsTheUpperHalf) {
    Sys h;
    h.s().gpr[ESP] = 0x7000;
    h.poke16(0x7000, 0x0200);  // IP
    h.poke16(0x7002, 0x0000);  // CS
    h.poke16(0x7004, 0xFEFF);  // FLAGS: everything but TF
    h.poke(0x200, {0xF4});
    h.set_flags(FLAG_AC);
    h.run({0xCF});
    EXPECT_EQ(h.s().eip, 0x201u);
    EXPECT_EQ(h.reg16(ESP), 0x7006);
    // Bits 1 (always 1), 3, 5 and 15 (always 0) are fixed; IOPL and NT load in real mode.
    EXPECT_EQ(h.flags(), FLAG_AC | 0x7ED7u);
}

TEST(System, Iretd32PopsDwordsAndMasksFlags) {
    Sys h;
    h.s().gpr[ESP] = 0x7000;
    h.poke32(0x7000, 0x00000200);  // EIP
    h.poke32(0x7004, 0xABCD0000);  // CS: the high word is discarded
    h.poke32(0x7008, 0xFFFFFEFF);  // EFLAGS (TF clear)
    h.poke(0x200, {0xF4});
    h.set_flags(0);
    h.run({0x66, 0xCF});
    EXPECT_EQ(h.s().eip, 0x201u);
    EXPECT_EQ(h.s().seg[CS].selector, 0);
    EXPECT_EQ(h.reg16(ESP), 0x700C);
    // SDM: (popped AND 257FD5h) OR (EFLAGS AND 1A0000h): VM, VIF and VIP are not loaded.
    EXPECT_EQ(h.flags(), 0x257ED7u);
}

TEST(System, IretdWithEipBeyondTheCsLimitRaisesGpAtTheIret) {
    Sys h;
    h.halt_handler(EXC_GP);
    h.s().gpr[ESP] = 0x7000;
    h.poke32(0x7000, 0x00010000);
    h.poke32(0x7004, 0);
    h.poke32(0x7008, 0x2);
    h.set_flags(FLAG_CF);
    h.run({0x66, 0xCF});
    EXPECT_EQ(h.s().eip, Sys::in_handler(EXC_GP));
    EXPECT_EQ(h.reg16(ESP), 0x7000 - 6);  // nothing was popped
    EXPECT_EQ(h.stack16(0), 0x100);
    EXPECT_EQ(h.stack16(2), FLAG_CF | FLAGS_FIXED1);
}

TEST(System, IretPopPastTheStackLimitRaisesSs) {
    Sys h;
    h.halt_handler(EXC_SS);
    h.s().gpr[ESP] = 0xFFFF;  // the word at FFFFh crosses the limit
    h.run({0xCF});
    EXPECT_EQ(h.s().eip, Sys::in_handler(EXC_SS));
    EXPECT_EQ(h.reg16(ESP), 0xFFFF - 6);
    EXPECT_EQ(h.stack16(0), 0x100);
}

TEST(System, Bound16SignedRange) {
    Sys h;
    h.halt_handler(EXC_BR);
    h.set_seg(DS, 0x2000);
    h.poke16(0x20000 + 0x10, 0xFFFB);  // lower = -5
    h.poke16(0x20000 + 0x12, 0x0005);  // upper = 5
    h.s().gpr[EBX] = 0x10;
    for (uint16_t ax : {uint16_t(0xFFFD), uint16_t(0xFFFB), uint16_t(5), uint16_t(0)}) {
        h.s().gpr[EAX] = ax;
        h.run({0x62, 0x07});  // bound ax, [bx]
        EXPECT_EQ(h.s().eip, 0x103u) << ax;
    }
    for (uint16_t ax : {uint16_t(6), uint16_t(0xFFF0), uint16_t(0x8000), uint16_t(0x7FFF)}) {
        h.s().gpr[ESP] = 0x8000;
        h.s().gpr[EAX] = ax;
        h.run({0x62, 0x07});
        EXPECT_EQ(h.s().eip, Sys::in_handler(EXC_BR)) << ax;
        EXPECT_EQ(h.stack16(0), 0x100);  // a fault: IP of the BOUND
        EXPECT_EQ(h.reg16(EAX), ax);
    }
}

TEST(System, Bound32SignedRange) {
    Sys h;
    h.halt_handler(EXC_BR);
    h.poke32(0x3000, 10);
    h.poke32(0x3004, 20);
    h.s().gpr[EBX] = 0x3000;
    for (uint32_t eax : {10u, 15u, 20u}) {
        h.s().gpr[EAX] = eax;
        h.run({0x66, 0x62, 0x07});  // bound eax, [bx]
        EXPECT_EQ(h.s().eip, 0x104u) << eax;
    }
    for (uint32_t eax : {9u, 21u, 0x80000000u, 0xFFFFFFFFu}) {
        h.s().gpr[ESP] = 0x8000;
        h.s().gpr[EAX] = eax;
        h.run({0x66, 0x62, 0x07});
        EXPECT_EQ(h.s().eip, Sys::in_handler(EXC_BR)) << eax;
    }
    // A range that spans zero: -100..100 (upper half of EAX matters for 32-bit BOUND).
    h.poke32(0x3000, uint32_t(-100));
    h.poke32(0x3004, 100);
    h.s().gpr[EAX] = uint32_t(-50);
    h.run({0x66, 0x62, 0x07});
    EXPECT_EQ(h.s().eip, 0x104u);
}

TEST(System, BoundRegisterOperandIsInvalid) {
    Sys h;
    h.halt_handler(EXC_UD);
    h.run({0x62, 0xC0});
    EXPECT_EQ(h.s().eip, Sys::in_handler(EXC_UD));
}

struct CpuidOut { uint32_t eax, ebx, ecx, edx; };

CpuidOut guest_cpuid(Sys& h, uint32_t leaf) {
    h.s().gpr[EAX] = leaf;
    h.s().gpr[ECX] = 0;
    h.run({0x0F, 0xA2});
    return {h.reg32(EAX), h.reg32(EBX), h.reg32(ECX), h.reg32(EDX)};
}

TEST(System, CpuidVendorSignatureAndFeatures) {
    Sys h;
    CpuidOut l0 = guest_cpuid(h, 0);
    EXPECT_EQ(l0.eax, 1u);
    char vendor[13] = {};
    std::memcpy(vendor, &l0.ebx, 4);
    std::memcpy(vendor + 4, &l0.edx, 4);
    std::memcpy(vendor + 8, &l0.ecx, 4);
    EXPECT_STREQ(vendor, "GenuineIntel");

    CpuidOut l1 = guest_cpuid(h, 1);
    EXPECT_EQ((l1.eax >> 8) & 0xF, 6u);  // family 6
    EXPECT_EQ(l1.eax, cpuid_signature());
    EXPECT_EQ(l1.ebx, 0u);
    EXPECT_EQ(l1.ecx, 0u);
    EXPECT_EQ(l1.edx, cpuid_query(1).edx);  // the one table (its bits: tests/unit/test_msr.cpp)
    EXPECT_EQ(l1.edx & (CPUID_1_EDX_TSC | CPUID_1_EDX_CX8 | CPUID_1_EDX_CMOV),
              CPUID_1_EDX_TSC | CPUID_1_EDX_CX8 | CPUID_1_EDX_CMOV);
    EXPECT_EQ(l1.edx & (CPUID_1_EDX_MMX | CPUID_1_EDX_SSE | CPUID_1_EDX_SSE2), 0u);  // x87 only
}

TEST(System, CpuidExtendedLeavesAndBrandString) {
    Sys h;
    EXPECT_EQ(guest_cpuid(h, 0x80000000).eax, 0x80000004u);
    CpuidOut e1 = guest_cpuid(h, 0x80000001);
    EXPECT_EQ(e1.edx, CPUID_80000001_EDX_RDTSCP | CPUID_80000001_EDX_NX);  // no SYSCALL or long mode
    EXPECT_EQ(e1.ecx, 0u);
    char brand[49] = {};
    for (uint32_t i = 0; i < 3; ++i) {
        CpuidOut o = guest_cpuid(h, 0x80000002 + i);
        std::memcpy(brand + 16 * i, &o, 16);
    }
    EXPECT_STREQ(brand, "vmm86 virtual CPU");
    for (int i = 17; i < 48; ++i) EXPECT_EQ(brand[i], 0) << i;
}

TEST(System, CpuidUnknownLeavesReturnTheHighestBasicLeaf) {
    Sys h;
    CpuidOut l1 = guest_cpuid(h, 1);
    for (uint32_t leaf : {2u, 7u, 0x40000000u, 0x80000005u, 0xFFFFFFFFu}) {
        CpuidOut o = guest_cpuid(h, leaf);
        EXPECT_EQ(o.eax, l1.eax) << std::hex << leaf;
        EXPECT_EQ(o.edx, l1.edx) << std::hex << leaf;
    }
}

TEST(System, CpuidTableIsSortedAndAnswersEachLeaf) {
    auto table = cpuid_table();
    ASSERT_FALSE(table.empty());
    for (size_t i = 1; i < table.size(); ++i) EXPECT_LT(table[i - 1].leaf, table[i].leaf);
    for (const CpuidLeaf& l : table) {
        CpuidLeaf q = cpuid_query(l.leaf);
        EXPECT_EQ(q.eax, l.eax);
        EXPECT_EQ(q.ebx, l.ebx);
        EXPECT_EQ(q.ecx, l.ecx);
        EXPECT_EQ(q.edx, l.edx);
    }
}

TEST(System, RdtscReadsTheEngineCount) {
    Sys h;
    const uint64_t start = 0x123456789ABCDEF0ull;
    h.s().tsc = start;
    h.s().gpr[EAX] = 0xFFFFFFFF;
    // rdtsc; mov esi,eax; mov edi,edx; rdtsc
    h.run({0x0F, 0x31, 0x66, 0x89, 0xC6, 0x66, 0x89, 0xD7, 0x0F, 0x31});
    const uint64_t first = (uint64_t(h.reg32(EDI)) << 32) | h.reg32(ESI);
    const uint64_t second = (uint64_t(h.reg32(EDX)) << 32) | h.reg32(EAX);
    EXPECT_GE(first, start);
    EXPECT_LE(first, start + 1);
    EXPECT_GE(second, first);
    EXPECT_LE(second, start + 4);
    EXPECT_GT(h.s().tsc, start);  // the engine counted the instructions
}

TEST(System, InvalidOpcodesRaiseUdAtTheInstruction) {
    const Bytes forms[] = {
        {0x0F, 0x0B},              // ud2
        {0x0F, 0xFF, 0x00},        // ud0
        {0x0F, 0xB9, 0x00},        // ud1
        {0xF3, 0x0F, 0xB8, 0xC8},  // popcnt: not in our CPUID
        {0xF0, 0x0F, 0xA3, 0x07},  // lock bt: BT cannot be locked
        {0xF0, 0x90},              // lock nop
        {0xF0, 0x01, 0xC8},        // lock add with a register destination
        {0xF0, 0x0F, 0xA2},        // lock cpuid
    };
    for (const Bytes& code : forms) {
        Sys h;
        h.halt_handler(EXC_UD);
        h.s().gpr[EAX] = 0x1234;
        h.run(code);
        EXPECT_EQ(h.s().eip, Sys::in_handler(EXC_UD)) << std::hex << int(code[0]) << " " << int(code[1]);
        EXPECT_EQ(h.stack16(0), 0x100);
        EXPECT_EQ(h.reg16(EAX), 0x1234);
    }
}

TEST(System, LockOnLockableMemoryFormsIsAccepted) {
    Sys h;
    h.halt_handler(EXC_UD);
    h.s().gpr[EBX] = 0x3000;
    h.s().gpr[EAX] = 3;
    h.s().gpr[ESI] = 0x3010;
    h.run({0xF0, 0x0F, 0xAB, 0x07,    // lock bts [bx], ax
           0xF0, 0x0F, 0xC1, 0x07,    // lock xadd [bx], ax
           0xF0, 0x0F, 0xC7, 0x0C});  // lock cmpxchg8b [si]
    EXPECT_EQ(h.s().eip, 0x10Du);
    EXPECT_EQ(h.peek16(0x3000), 0x0008 + 3);
    // CMPXCHG8B: EDX:EAX = 0:8 differs from the zero qword, which it then loads.
    EXPECT_EQ(h.reg32(EAX), 0u);
    EXPECT_EQ(h.flags() & FLAG_ZF, 0u);
}

TEST(System, InterruptDeliveryThatCannotSucceedShutsDown) {
    Sys h;
    // IVT limit 0Fh: vectors 0..3 only. INT 21h -> #GP -> #DF -> triple fault.
    h.s().idtr.limit = 0x0F;
    RunResult r = h.run({0xCD, 0x21});
    EXPECT_EQ(r.reason, StopReason::Shutdown);
}

}  // namespace
}  // namespace vmm86::test
