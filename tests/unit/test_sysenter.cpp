// SYSENTER/SYSEXIT (SDM vol. 2B): flat segment caches derived from IA32_SYSENTER_CS, no
// descriptor reads, the #GP(0) conditions. Protected mode is set up directly in CpuState.
#include "sys_harness.h"

namespace vmm86::test {
namespace {

constexpr uint16_t kFlatCode0 = 0x9B | SEG_ATTR_DB | SEG_ATTR_G;  // P, DPL 0, S, code exec/read accessed

// 32-bit protected mode at CPL 0 with flat CS = 08h, SS = 10h, code at 0x1000. No GDT:
// SYSENTER/SYSEXIT must not need one.
void enter_pm32(SysHarness& h) {
    CpuState& s = h.s();
    s.cr0 |= CR0_PE;
    s.seg[CS] = SegmentCache{0, 0xFFFFFFFF, 0x08, kFlatCode0};
    s.seg[SS] = SegmentCache{0, 0xFFFFFFFF, 0x10, uint16_t(0x93 | SEG_ATTR_DB | SEG_ATTR_G)};
    s.eip = 0x1000;
    s.gpr[ESP] = 0x9000;
    s.msr.sysenter_cs = 0x0060;
    s.msr.sysenter_esp = 0x00123450;
    s.msr.sysenter_eip = 0x00002000;
}

TEST(Sysenter, LoadsFlatRing0SegmentsFromTheMsrs) {
    SysHarness h;
    enter_pm32(h);
    h.s().seg[CS] = SegmentCache{0, 0xFFFFFFFF, 0x23, uint16_t(kFlatCode0 | (3 << 5))};  // from ring 3
    h.poke(0x1000, {0x0F, 0x34});
    h.set_flags(FLAG_IF | FLAG_RF | FLAG_CF | FLAG_TF * 0);
    h.step(1);
    const CpuState& s = h.s();
    EXPECT_EQ(s.eip, 0x2000u);
    EXPECT_EQ(h.reg32(ESP), 0x123450u);
    EXPECT_EQ(s.seg[CS].selector, 0x60);
    EXPECT_EQ(s.seg[CS].base, 0u);
    EXPECT_EQ(s.seg[CS].limit, 0xFFFFFFFFu);
    EXPECT_EQ(s.seg[CS].attributes & 0xC0FF, 0xC09B);  // G, D, P, DPL 0, S, type 1011
    EXPECT_EQ(s.seg[SS].selector, 0x68);
    EXPECT_EQ(s.seg[SS].base, 0u);
    EXPECT_EQ(s.seg[SS].limit, 0xFFFFFFFFu);
    EXPECT_EQ(s.seg[SS].attributes & 0xC0FF, 0xC093);  // G, B, P, DPL 0, S, type 0011
    EXPECT_EQ(h.cpu().cpl(), 0u);
    EXPECT_EQ(h.flags() & (FLAG_IF | FLAG_RF | FLAG_VM), 0u);
    EXPECT_TRUE(h.flags() & FLAG_CF);  // other flags stay
}

TEST(Sysenter, SelectorRplBitsAreCleared) {
    SysHarness h;
    enter_pm32(h);
    h.s().msr.sysenter_cs = 0x0063;
    h.poke(0x1000, {0x0F, 0x34});
    h.step(1);
    EXPECT_EQ(h.s().seg[CS].selector, 0x60);
    EXPECT_EQ(h.s().seg[SS].selector, 0x68);
}

TEST(Sysenter, FromV86ModeClearsVm) {
    SysHarness h;
    enter_pm32(h);
    CpuState& s = h.s();
    // V86: 16-bit real-style segments, EFLAGS.VM, CPL 3.
    s.seg[CS] = SegmentCache{0x10000, 0xFFFF, 0x1000, 0xF3};
    s.eip = 0x0010;
    h.poke(0x10010, {0x0F, 0x34});
    h.set_flags(FLAG_VM | FLAG_IF);
    ASSERT_EQ(h.cpu().cpl(), 3u);
    h.step(1);
    EXPECT_EQ(s.eip, 0x2000u);
    EXPECT_EQ(h.flags() & FLAG_VM, 0u);
    EXPECT_EQ(h.cpu().cpl(), 0u);
}

TEST(Sysenter, GpInRealModeOrWithANullSysenterCs) {
    SysHarness h;
    h.s().msr.sysenter_cs = 0x60;
    h.code({0x0F, 0x34});
    h.step(1);  // real mode: #GP(0) through the IVT
    EXPECT_EQ(h.s().eip, 0x500u + 16 * EXC_GP);
    EXPECT_EQ(h.frame_ip(), 0x100);

    for (uint16_t cs : {0x0000, 0x0003}) {  // bits 15:2 zero
        SysHarness p;
        enter_pm32(p);
        p.s().msr.sysenter_cs = cs;
        p.poke(0x1000, {0x0F, 0x34});
        p.step(1);
        EXPECT_NE(p.s().eip, 0x2000u) << cs;
        EXPECT_NE(p.reg32(ESP), 0x123450u) << cs;
        EXPECT_NE(p.s().seg[CS].selector, 0) << cs;
    }
}

TEST(Sysexit, ReturnsToRing3WithEcxAndEdx) {
    SysHarness h;
    enter_pm32(h);
    h.poke(0x1000, {0x0F, 0x35});
    h.s().gpr[ECX] = 0x00BFFFF0;
    h.s().gpr[EDX] = 0x08048000;
    h.set_flags(FLAG_IF | FLAG_ZF);
    h.step(1);
    const CpuState& s = h.s();
    EXPECT_EQ(s.eip, 0x08048000u);
    EXPECT_EQ(h.reg32(ESP), 0x00BFFFF0u);
    EXPECT_EQ(s.seg[CS].selector, 0x73);  // 60h + 16, RPL 3
    EXPECT_EQ(s.seg[SS].selector, 0x7B);  // 60h + 24, RPL 3
    EXPECT_EQ(s.seg[CS].attributes & 0xC0FF, 0xC0FB);  // DPL 3
    EXPECT_EQ(s.seg[SS].attributes & 0xC0FF, 0xC0F3);
    EXPECT_EQ(s.seg[CS].limit, 0xFFFFFFFFu);
    EXPECT_EQ(h.cpu().cpl(), 3u);
    EXPECT_EQ(h.flags() & (FLAG_IF | FLAG_ZF), FLAG_IF | FLAG_ZF);  // EFLAGS untouched
}

TEST(Sysexit, GpAtCpl3InRealModeOrWithANullSysenterCs) {
    SysHarness h;
    h.s().msr.sysenter_cs = 0x60;
    h.code({0x0F, 0x35});
    h.step(1);
    EXPECT_EQ(h.s().eip, 0x500u + 16 * EXC_GP);

    SysHarness p;
    enter_pm32(p);
    p.s().seg[CS] = SegmentCache{0, 0xFFFFFFFF, 0x23, uint16_t(kFlatCode0 | (3 << 5))};
    p.poke(0x1000, {0x0F, 0x35});
    p.s().gpr[EDX] = 0x3000;
    p.step(1);
    EXPECT_NE(p.s().eip, 0x3000u);

    SysHarness n;
    enter_pm32(n);
    n.s().msr.sysenter_cs = 0;
    n.poke(0x1000, {0x0F, 0x35});
    n.s().gpr[EDX] = 0x3000;
    n.step(1);
    EXPECT_NE(n.s().eip, 0x3000u);
}

TEST(Sysenter, RoundTripThroughSysexit) {
    SysHarness h;
    enter_pm32(h);
    // Ring 0 entry point: SYSEXIT straight back to EDX with ESP = ECX.
    h.poke(0x2000, {0x0F, 0x35});
    h.poke(0x1000, {0x0F, 0x34});
    h.s().gpr[ECX] = 0x7000;
    h.s().gpr[EDX] = 0x1002;
    h.step(2);
    EXPECT_EQ(h.s().eip, 0x1002u);
    EXPECT_EQ(h.reg32(ESP), 0x7000u);
    EXPECT_EQ(h.cpu().cpl(), 3u);
}

}  // namespace
}  // namespace vmm86::test
