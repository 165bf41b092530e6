// The bits family (BT*, BSF/BSR, BSWAP, CMPXCHG, CMPXCHG8B, XADD, SETcc, CMOVcc): register
// forms are compared with the host CPU run natively (results and all six arithmetic
// flags, undefined ones included); memory forms, which the native runner cannot set up,
// assert hand-computed results.
#include <gtest/gtest.h>

#include <vector>

#include "cpu_harness.h"
#include "native_x86.h"

namespace vmm86::test {
namespace {

using Bytes = std::vector<uint8_t>;

// Runs `code` + HLT from 0000:0100 on a harness that is reused (the translation of the
// same bytes is too), with the registers of `in`.
native::Regs run_guest(CpuHarness& h, const Bytes& code, const native::Regs& in) {
    Bytes c = code;
    c.push_back(0xF4);
    h.s().eip = 0x100;
    h.s().halted = 0;
    h.code(c);
    const uint32_t in_regs[7] = {in.eax, in.ecx, in.edx, in.ebx, in.esi, in.edi, in.ebp};
    const unsigned gprs[7] = {EAX, ECX, EDX, EBX, ESI, EDI, EBP};
    for (int i = 0; i < 7; ++i) h.s().gpr[gprs[i]] = in_regs[i];
    h.set_flags(in.eflags & native::kArithFlags);
    h.run_to_halt(1000);
    EXPECT_EQ(h.s().eip, 0x100 + c.size()) << "did not run to the HLT";
    native::Regs o;
    o.eax = h.reg32(EAX); o.ecx = h.reg32(ECX); o.edx = h.reg32(EDX); o.ebx = h.reg32(EBX);
    o.esi = h.reg32(ESI); o.edi = h.reg32(EDI); o.ebp = h.reg32(EBP);
    o.eflags = h.flags();
    return o;
}

// `body` is the instruction without an operand-size prefix; size selects its form. Real
// mode needs 66h for 32-bit operands, the native (32-bit) run for 16-bit ones.
void compare_with_host(CpuHarness& h, const Bytes& body, unsigned size, const native::Regs& in,
                       const char* what) {
    Bytes guest = body, host = body;
    if (size == 4) guest.insert(guest.begin(), 0x66);
    if (size == 2) host.insert(host.begin(), 0x66);
    native::Regs g = run_guest(h, guest, in);
    native::Regs n = native::run(host, in);
    SCOPED_TRACE(testing::Message() << what << " size " << size << std::hex << " in: eax=" << in.eax
                                    << " ecx=" << in.ecx << " edx=" << in.edx << " flags=" << in.eflags);
    EXPECT_EQ(g.eax, n.eax);
    EXPECT_EQ(g.ecx, n.ecx);
    EXPECT_EQ(g.edx, n.edx);
    EXPECT_EQ(g.ebx, n.ebx);
    EXPECT_EQ(g.eflags & native::kArithFlags, n.eflags & native::kArithFlags);
}

const uint32_t kValues[] = {0,          1,          2,          3,          0x0F,       0x10,
                            0x1F,       0x20,       0x21,       0x7FFF,     0x8000,     0xFFFF,
                            0x10000,    0x12345678, 0x80000000, 0x80000001, 0xFFFFFFFF, 0xFFFFFFE0,
                            0x00F0F000, 0xDEADBEEF};

// Inputs: EAX and ECX from kValues, EDX a fixed pattern, flags all clear and all set.
template <typename F>
void for_inputs(F&& f) {
    for (uint32_t a : kValues)
        for (uint32_t c : kValues)
            for (uint32_t fl : {0u, native::kArithFlags}) {
                native::Regs in;
                in.eax = a;
                in.ecx = c;
                in.edx = 0xA5A55A5A;
                in.ebx = 0x13579BDF;
                in.eflags = fl;
                f(in);
            }
}

#define SKIP_WITHOUT_NATIVE() \
    if (!native::native_available()) GTEST_SKIP() << "no native x86 (IA-32 compatibility mode) on this host"

TEST(Bits, BitTestRegisterFormsMatchHost) {
    SKIP_WITHOUT_NATIVE();
    CpuHarness h(1 << 20);
    struct Form { Bytes body; const char* name; };
    const Form forms[] = {
        {{0x0F, 0xA3, 0xC8}, "bt eax, ecx"},   {{0x0F, 0xAB, 0xC8}, "bts eax, ecx"},
        {{0x0F, 0xB3, 0xC8}, "btr eax, ecx"},  {{0x0F, 0xBB, 0xC8}, "btc eax, ecx"},
        {{0x0F, 0xBA, 0xE0, 0x05}, "bt eax, 5"}, {{0x0F, 0xBA, 0xE8, 0x1F}, "bts eax, 31"},
        {{0x0F, 0xBA, 0xF0, 0x13}, "btr eax, 19"}, {{0x0F, 0xBA, 0xF8, 0x2A}, "btc eax, 42 (masked)"},
        {{0x0F, 0xBA, 0xE0, 0xFF}, "bt eax, 255 (masked)"},
    };
    for (const Form& f : forms)
        for (unsigned size : {2u, 4u}) for_inputs([&](const native::Regs& in) { compare_with_host(h, f.body, size, in, f.name); });
}

TEST(Bits, BitScanRegisterFormsMatchHost) {
    SKIP_WITHOUT_NATIVE();
    CpuHarness h(1 << 20);
    // bsf/bsr eax, ecx: also checks that EAX keeps its value when ECX is 0.
    for (unsigned size : {2u, 4u}) {
        for_inputs([&](const native::Regs& in) { compare_with_host(h, {0x0F, 0xBC, 0xC1}, size, in, "bsf eax, ecx"); });
        for_inputs([&](const native::Regs& in) { compare_with_host(h, {0x0F, 0xBD, 0xC1}, size, in, "bsr eax, ecx"); });
    }
}

TEST(Bits, ExchangeFormsMatchHost) {
    SKIP_WITHOUT_NATIVE();
    CpuHarness h(1 << 20);
    struct Form { Bytes body; bool byte; const char* name; };
    const Form forms[] = {
        {{0x0F, 0xB1, 0xD1}, false, "cmpxchg ecx, edx"}, {{0x0F, 0xB0, 0xD1}, true, "cmpxchg cl, dl"},
        {{0x0F, 0xB0, 0xE1}, true, "cmpxchg cl, ah"},    {{0x0F, 0xB0, 0xCC}, true, "cmpxchg ah, cl"},
        {{0x0F, 0xB1, 0xC8}, false, "cmpxchg eax, ecx"}, {{0x0F, 0xB0, 0xC1}, true, "cmpxchg cl, al"},
        {{0x0F, 0xC1, 0xC1}, false, "xadd ecx, eax"},    {{0x0F, 0xC0, 0xC1}, true, "xadd cl, al"},
        {{0x0F, 0xC1, 0xC0}, false, "xadd eax, eax"},    {{0x0F, 0xC0, 0xE0}, true, "xadd al, ah"},
    };
    for (const Form& f : forms) {
        for (unsigned size : {2u, 4u}) {
            if (f.byte && size == 4) continue;
            for_inputs([&](native::Regs in) {
                // Make the accumulator equal the destination for half of the cases.
                if (in.ecx & 1) in.eax = in.ecx;
                compare_with_host(h, f.body, f.byte ? 1 : size, in, f.name);
            });
        }
    }
}

TEST(Bits, SetccAndCmovccMatchHostForEveryConditionAndFlagCombination) {
    SKIP_WITHOUT_NATIVE();
    CpuHarness h(1 << 20);
    for (uint8_t cc = 0; cc < 16; ++cc) {
        for (uint32_t bits = 0; bits < 64; ++bits) {
            // The six arithmetic flags in every combination.
            const uint32_t flag_of_bit[6] = {FLAG_CF, FLAG_PF, FLAG_AF, FLAG_ZF, FLAG_SF, FLAG_OF};
            native::Regs in;
            for (int i = 0; i < 6; ++i)
                if (bits & (1u << i)) in.eflags |= flag_of_bit[i];
            in.eax = 0x11223344;
            in.ecx = 0x99AABBCC;
            in.ebx = 0xFFFFFFFF;
            compare_with_host(h, {0x0F, uint8_t(0x90 + cc), 0xC3}, 1, in, "setcc bl");
            compare_with_host(h, {0x0F, uint8_t(0x90 + cc), 0xE0}, 1, in, "setcc ah");
            compare_with_host(h, {0x0F, uint8_t(0x40 + cc), 0xC1}, 2, in, "cmovcc ax, cx");
            compare_with_host(h, {0x0F, uint8_t(0x40 + cc), 0xC1}, 4, in, "cmovcc eax, ecx");
        }
    }
}

TEST(Bits, FlagReadsInTheSameBlockMatchHost) {
    // SETcc right after the flag-setting instruction, in one block: the IR's flag
    // forwarding rewrites these reads, and must agree with the lazily computed flags.
    SKIP_WITHOUT_NATIVE();
    CpuHarness h(1 << 20);
    const Bytes readers = {0x0F, 0x94, 0xC3,   // setz bl
                           0x0F, 0x9A, 0xC7,   // setp bh
                           0x0F, 0x92, 0xC2,   // setb dl
                           0x0F, 0x9E, 0xC6};  // setle dh
    const Bytes writers[] = {{0x0F, 0xBC, 0xC1}, {0x0F, 0xBD, 0xC1}, {0x0F, 0xB1, 0xD1},
                             {0x0F, 0xC1, 0xC1}, {0x0F, 0xA3, 0xC8}, {0x0F, 0xBB, 0xC8}};
    for (const Bytes& w : writers) {
        Bytes body = w;
        body.insert(body.end(), readers.begin(), readers.end());
        for (unsigned size : {2u, 4u})
            for_inputs([&](native::Regs in) {
                if (in.ecx & 1) in.eax = in.ecx;
                compare_with_host(h, body, size, in, "writer + setcc");
            });
    }
}

TEST(Bits, BswapMatchesHostIncludingUndefined16BitForm) {
    SKIP_WITHOUT_NATIVE();
    CpuHarness h(1 << 20);
    for (uint8_t r : {0, 1, 2, 3})
        for (unsigned size : {2u, 4u})
            for_inputs([&](const native::Regs& in) { compare_with_host(h, {0x0F, uint8_t(0xC8 + r)}, size, in, "bswap"); });
}

// --- memory forms ------------------------------------------------------------------------

struct MemCase : CpuHarness {
    MemCase() : CpuHarness(1 << 20) {
        set_seg(DS, 0x1000);  // DS base 0x10000
        set_vector(13, 0x0000, 0x0400);  // #GP handler: HLT
        poke(0x400, {0xF4});
    }
    static constexpr uint32_t kDs = 0x10000;
    void run(const Bytes& code) {
        Bytes c = code;
        c.push_back(0xF4);
        this->code(c);
        run_to_halt(1000);
    }
};

TEST(Bits, BitStringWithNegativeWordOffsetAddressesBelowTheOperand) {
    MemCase h;
    h.poke16(MemCase::kDs + 0x1FE, 0x8000);
    h.s().gpr[EBX] = 0x200;
    h.s().gpr[EAX] = 0xFFFF;  // -1: bit 15 of the word at BX-2
    h.set_flags(FLAG_ZF | FLAG_SF | FLAG_OF | FLAG_PF | FLAG_AF);
    h.run({0x0F, 0xB3, 0x07});  // btr [bx], ax
    EXPECT_EQ(h.peek16(MemCase::kDs + 0x1FE), 0x0000);
    EXPECT_EQ(h.flags() & native::kArithFlags, FLAG_CF | FLAG_ZF | FLAG_SF | FLAG_OF | FLAG_PF | FLAG_AF);
}

TEST(Bits, BitStringWithPositiveWordOffsetAddressesAboveTheOperand) {
    MemCase h;
    h.s().gpr[EBX] = 0x200;
    h.s().gpr[EAX] = 17;  // word at BX+2, bit 1
    h.run({0x0F, 0xAB, 0x07});  // bts [bx], ax
    EXPECT_EQ(h.peek16(MemCase::kDs + 0x202), 0x0002);
    EXPECT_EQ(h.peek16(MemCase::kDs + 0x200), 0x0000);
    EXPECT_EQ(h.flags() & FLAG_CF, 0u);
}

TEST(Bits, BitStringWithDwordOffsets) {
    MemCase h;
    h.s().gpr[EBX] = 0x200;
    h.s().gpr[EAX] = 37;  // dword at BX+4, bit 5
    h.run({0x66, 0x0F, 0xBB, 0x07});  // btc dword [bx], eax
    EXPECT_EQ(h.peek32(MemCase::kDs + 0x204), 0x20u);
    h.s().eip = 0x100;
    h.s().halted = 0;
    h.s().gpr[EAX] = uint32_t(-33);  // SAR 5 = -2: dword at BX-8, bit 31
    h.poke32(MemCase::kDs + 0x1F8, 0x80000000);
    h.run({0x66, 0x0F, 0xA3, 0x07});  // bt dword [bx], eax
    EXPECT_EQ(h.flags() & FLAG_CF, FLAG_CF);
}

TEST(Bits, BitStringOffsetWrapsAtThe16BitAddressSize) {
    MemCase h;
    h.s().gpr[EBX] = 0x0002;
    h.s().gpr[EAX] = 0xFFC0;  // -64 bits = -8 bytes: (2 - 8) & FFFF = FFFA
    h.run({0x0F, 0xAB, 0x07});  // bts [bx], ax
    EXPECT_EQ(h.peek16(MemCase::kDs + 0xFFFA), 0x0001);
}

TEST(Bits, BitStringWordOffsetWith32BitAddressing) {
    MemCase h;
    h.s().gpr[EBX] = 0x2000;
    h.s().gpr[EAX] = 0x8000;  // -32768 bits = -4096 bytes
    h.poke16(MemCase::kDs + 0x1000, 0x0001);
    h.run({0x67, 0x0F, 0xA3, 0x03});  // bt [ebx], ax
    EXPECT_EQ(h.flags() & FLAG_CF, FLAG_CF);
}

TEST(Bits, BitTestImmediateOnMemoryIsMaskedAndStaysInTheOperand) {
    MemCase h;
    h.s().gpr[EBX] = 0x200;
    h.run({0x0F, 0xBA, 0x2F, 0x13});  // bts word [bx], 0x13 -> bit 3
    EXPECT_EQ(h.peek16(MemCase::kDs + 0x200), 0x0008);
    EXPECT_EQ(h.peek16(MemCase::kDs + 0x202), 0x0000);
}

TEST(Bits, BitStringFaultLeavesFlagsAndMemoryUntouched) {
    MemCase h;
    h.s().gpr[EBX] = 0xFFF0;
    h.s().gpr[EAX] = 0x100;  // +32 bytes: word at 0x10010 > limit with 32-bit addressing
    h.set_flags(FLAG_CF);
    h.run({0x67, 0x0F, 0xB3, 0x03});  // btr [ebx], ax -> #GP
    EXPECT_EQ(h.s().eip, 0x401u);
    EXPECT_EQ(h.peek16(0x8000 - 6), 0x100);  // the faulting instruction
    EXPECT_EQ(h.peek16(0x8000 - 2) & FLAG_CF, FLAG_CF);  // flags pushed unchanged
}

TEST(Bits, BsfMemorySourceAndZeroKeepsDestination) {
    MemCase h;
    h.poke16(MemCase::kDs + 0x300, 0x0000);
    h.s().gpr[EBX] = 0x300;
    h.s().gpr[ECX] = 0xCAFE;
    h.run({0x0F, 0xBD, 0x0F});  // bsr cx, [bx]
    EXPECT_EQ(h.reg16(ECX), 0xCAFE);
    EXPECT_EQ(h.flags() & native::kArithFlags, FLAG_ZF | FLAG_PF);
}

TEST(Bits, RepPrefixedBitScanIsBsfOnOurCpu) {
    // F3 0F BC/BD are TZCNT/LZCNT only with BMI1/ABM, which our CPUID does not report.
    MemCase h;
    h.s().gpr[EAX] = 0x0010;
    h.s().gpr[ECX] = 0x7777;
    h.run({0xF3, 0x0F, 0xBC, 0xC8});  // bsf cx, ax
    EXPECT_EQ(h.reg16(ECX), 4);
    h.s().eip = 0x100;
    h.s().halted = 0;
    h.s().gpr[EAX] = 0;
    h.run({0xF3, 0x0F, 0xBD, 0xC8});  // bsr cx, ax: source 0
    EXPECT_EQ(h.reg16(ECX), 4);
    EXPECT_EQ(h.flags() & FLAG_ZF, FLAG_ZF);
    EXPECT_EQ(h.flags() & FLAG_CF, 0u);
}

TEST(Bits, CmpxchgMemoryEqualStoresSource) {
    MemCase h;
    h.poke16(MemCase::kDs + 0x100, 0x1234);
    h.s().gpr[EBX] = 0x100;
    h.s().gpr[EAX] = 0x1234;
    h.s().gpr[ECX] = 0xBEEF;
    h.run({0x0F, 0xB1, 0x0F});  // cmpxchg [bx], cx
    EXPECT_EQ(h.peek16(MemCase::kDs + 0x100), 0xBEEF);
    EXPECT_EQ(h.reg16(EAX), 0x1234);
    EXPECT_EQ(h.flags() & native::kArithFlags, FLAG_ZF | FLAG_PF);
}

TEST(Bits, CmpxchgMemoryUnequalLoadsAccumulatorAndStillWrites) {
    MemCase h;
    h.poke32(MemCase::kDs + 0x100, 0x00000005);
    h.s().gpr[EBX] = 0x100;
    h.s().gpr[EAX] = 0x00000007;
    h.s().gpr[ECX] = 0xBEEF;
    h.run({0x66, 0x0F, 0xB1, 0x0F});  // cmpxchg [bx], ecx
    EXPECT_EQ(h.peek32(MemCase::kDs + 0x100), 5u);
    EXPECT_EQ(h.reg32(EAX), 5u);
    EXPECT_EQ(h.flags() & native::kArithFlags, 0u);  // 7 - 5 = 2: no flags
    // The write happens even when unequal: at the segment limit it faults.
    h.s().eip = 0x100;
    h.s().halted = 0;
    h.s().gpr[EBX] = 0xFFFE;
    h.s().gpr[EAX] = 0x11;
    h.run({0x66, 0x0F, 0xB1, 0x0F});  // dword at FFFE crosses the limit -> #GP
    EXPECT_EQ(h.s().eip, 0x401u);
    EXPECT_EQ(h.reg32(EAX), 0x11u);
}

TEST(Bits, Cmpxchg8bEqualAndUnequalChangeOnlyZf) {
    MemCase h;
    const uint32_t others = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_SF | FLAG_OF;
    h.poke32(MemCase::kDs + 0x80, 0x89ABCDEF);
    h.poke32(MemCase::kDs + 0x84, 0x01234567);
    h.s().gpr[EBX] = 0x80;
    h.s().gpr[EAX] = 0x89ABCDEF;
    h.s().gpr[EDX] = 0x01234567;
    h.s().gpr[ECX] = 0xCAFEBABE;
    h.s().gpr[EDI] = 0;
    h.set_flags(others);
    // cmpxchg8b [bx] with EBX as the low half of the new value: use a BX-free address.
    h.s().gpr[ESI] = 0x80;
    h.s().gpr[EBX] = 0xDEADBEEF;
    h.run({0x0F, 0xC7, 0x0C});  // cmpxchg8b [si]
    EXPECT_EQ(h.peek32(MemCase::kDs + 0x80), 0xDEADBEEFu);
    EXPECT_EQ(h.peek32(MemCase::kDs + 0x84), 0xCAFEBABEu);
    EXPECT_EQ(h.flags() & native::kArithFlags, others | FLAG_ZF);

    h.s().eip = 0x100;
    h.s().halted = 0;
    h.set_flags(others | FLAG_ZF);
    h.run({0x0F, 0xC7, 0x0C});  // EDX:EAX no longer equal: loaded from memory
    EXPECT_EQ(h.reg32(EAX), 0xDEADBEEFu);
    EXPECT_EQ(h.reg32(EDX), 0xCAFEBABEu);
    EXPECT_EQ(h.peek32(MemCase::kDs + 0x80), 0xDEADBEEFu);
    EXPECT_EQ(h.flags() & native::kArithFlags, others);
}

TEST(Bits, Cmpxchg8bRegisterFormIsInvalid) {
    MemCase h;
    h.set_vector(6, 0x0000, 0x0500);
    h.poke(0x500, {0xF4});
    h.run({0x0F, 0xC7, 0xC8});
    EXPECT_EQ(h.s().eip, 0x501u);
}

TEST(Bits, XaddMemory) {
    MemCase h;
    h.poke(MemCase::kDs + 0x10, {0xF0});
    h.s().gpr[EBX] = 0x10;
    h.s().gpr[EAX] = 0x20;
    h.run({0x0F, 0xC0, 0x07});  // xadd [bx], al
    EXPECT_EQ(h.peek8(MemCase::kDs + 0x10), 0x10);
    EXPECT_EQ(h.reg16(EAX) & 0xFF, 0xF0);
    EXPECT_EQ(h.flags() & native::kArithFlags, FLAG_CF);  // F0 + 20 = 1_10: only CF
}

TEST(Bits, SetccMemory) {
    MemCase h;
    h.poke(MemCase::kDs + 0x20, {0xAA, 0xBB});
    h.s().gpr[EBX] = 0x20;
    h.set_flags(FLAG_ZF);
    h.run({0x0F, 0x94, 0x07, 0x0F, 0x95, 0x47, 0x01});  // setz [bx]; setnz [bx+1]
    EXPECT_EQ(h.peek8(MemCase::kDs + 0x20), 1);
    EXPECT_EQ(h.peek8(MemCase::kDs + 0x21), 0);
}

TEST(Bits, CmovMemorySourceIsReadEvenWhenTheConditionIsFalse) {
    MemCase h;
    h.poke16(MemCase::kDs + 0x40, 0x5555);
    h.s().gpr[EBX] = 0x40;
    h.s().gpr[EAX] = 0xAAAA1111;
    h.set_flags(0);
    h.run({0x0F, 0x44, 0x07, 0x0F, 0x45, 0x4F, 0x00});  // cmovz ax, [bx] (false); cmovnz cx, [bx+0]
    EXPECT_EQ(h.reg32(EAX), 0xAAAA1111u);
    EXPECT_EQ(h.reg16(ECX), 0x5555);
    // False condition, source past the segment limit: still #GP.
    h.s().eip = 0x100;
    h.s().halted = 0;
    h.s().gpr[EBX] = 0xFFFF;
    h.run({0x0F, 0x44, 0x07});
    EXPECT_EQ(h.s().eip, 0x401u);
    EXPECT_EQ(h.peek16(0x8000 - 6), 0x100);
}

}  // namespace
}  // namespace vmm86::test
