// A near branch to a target past the CS limit raises #GP(0) at the branch itself, with
// nothing of the branch done: no push (CALL), no pop (RET), no ECX decrement (LOOP).
// (SDM vol. 2: JMP, CALL, RET, LOOP.) Falling through past the limit is instead the next
// instruction's fetch fault.
#include <gtest/gtest.h>

#include "cpu_harness.h"

namespace vmm86::test {
namespace {

constexpr uint32_t kLimit = 0x1FF;  // CS = 0000 with a 512-byte limit
constexpr uint16_t kHandler = 0x180;

struct LimitHarness : CpuHarness {
    LimitHarness() {
        set_vector(13, 0x0000, kHandler);
        poke(kHandler, {0xF4});
        s().seg[CS].limit = kLimit;
    }
    uint16_t pushed_ip() { return peek16(0x8000 - 6); }
    bool took_gp() { return s().eip == kHandler + 1u; }
};

TEST(BranchLimit, JmpPastTheLimitFaultsAtTheJmp) {
    LimitHarness h;
    h.code({0xE9, 0xFD, 0x01});  // jmp 0x300
    h.run_to_halt(100);
    EXPECT_TRUE(h.took_gp());
    EXPECT_EQ(h.pushed_ip(), 0x100);
}

TEST(BranchLimit, TakenJccFaultsNotTakenFallsThrough) {
    LimitHarness h;
    // xor ax,ax (ZF=1); jnz 0x300 (not taken); jz 0x300 (taken: #GP)
    h.code({0x31, 0xC0, 0x0F, 0x85, 0xFA, 0x01, 0x0F, 0x84, 0xF6, 0x01});
    h.run_to_halt(100);
    EXPECT_TRUE(h.took_gp());
    EXPECT_EQ(h.pushed_ip(), 0x106);
}

TEST(BranchLimit, CallPastTheLimitPushesNothing) {
    LimitHarness h;
    h.code({0xE8, 0xFD, 0x01});  // call 0x300
    h.run_to_halt(100);
    EXPECT_TRUE(h.took_gp());
    // The #GP frame sits right below the original SP: no return address was pushed.
    EXPECT_EQ(h.pushed_ip(), 0x100);
    EXPECT_EQ(h.reg16(ESP), 0x8000 - 6);
}

TEST(BranchLimit, RetPastTheLimitLeavesSpAlone) {
    LimitHarness h;
    h.s().gpr[ESP] = 0x7FFE;
    h.poke16(0x7FFE, 0x0300);
    h.code({0xC3});  // ret -> 0x300
    h.run_to_halt(100);
    EXPECT_TRUE(h.took_gp());
    EXPECT_EQ(h.peek16(0x7FFE - 6), 0x100);  // frame below the unpopped return address
}

TEST(BranchLimit, LoopPastTheLimitKeepsEcx) {
    LimitHarness h;
    h.s().gpr[ECX] = 5;
    h.s().eip = 0x1F0;
    h.code({0x67, 0xE2, 0x20});  // a32 loop: target 0x1F3 + 0x20 = 0x213 > 0x1FF
    h.run_to_halt(100);
    EXPECT_TRUE(h.took_gp());
    EXPECT_EQ(h.pushed_ip(), 0x1F0);
    EXPECT_EQ(h.reg32(ECX), 5u);
}

TEST(BranchLimit, BranchesWithinTheLimitStillWork) {
    LimitHarness h;
    // mov cx,3; l: loop l; call 0x10A (+0); ret-free: jmp to hlt at 0x10B
    h.code({0xB9, 0x03, 0x00, 0xE2, 0xFE, 0xE8, 0x00, 0x00, 0xEB, 0x00, 0xF4});
    h.run_to_halt(100);
    EXPECT_EQ(h.s().eip, 0x10Bu);
    EXPECT_EQ(h.reg16(ECX), 0);
}

}  // namespace
}  // namespace vmm86::test
