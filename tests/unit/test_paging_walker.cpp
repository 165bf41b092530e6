// The page walker alone, over a PhysicalMemory with hand-built page tables: translations,
// the exact #PF error code of every kind of fault, accessed/dirty bits, CR0.WP, PSE, PGE,
// PAE with 2 MiB pages, NX and reserved bits (Intel SDM vol. 3, chapter 4).
#include <gtest/gtest.h>

#include "memory/page_walker.h"

namespace vmm86 {
namespace {

constexpr uint64_t P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
constexpr uint64_t XD = 1ull << 63;
constexpr uint64_t CR0_PG_ = 1ull << 31, CR0_WP_ = 1ull << 16;
constexpr uint32_t PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_ID = 16;

class WalkerTest : public ::testing::Test {
protected:
    static constexpr uint32_t kPd = 0x10000, kPt = 0x11000;

    WalkerTest() : mem(8u << 20), walker(mem) { ctl.cr0 = CR0_PG_ | 1; ctl.cr3 = kPd; }

    void put32(uint32_t a, uint32_t v) { mem.write(a, 4, v); }
    void put64(uint32_t a, uint64_t v) { mem.write(a, 8, v); }
    uint32_t get32(uint32_t a) { return uint32_t(mem.read(a, 4)); }
    uint64_t get64(uint32_t a) { return mem.read(a, 8); }

    // 32-bit paging: linear 0x00400000 + n*4K -> the PTE at kPt + n*4.
    void map32(uint32_t linear, uint32_t phys, uint32_t pte_flags, uint32_t pde_flags = P | RW | US) {
        put32(kPd + (linear >> 22) * 4, kPt | pde_flags);
        put32(kPt + ((linear >> 12) & 0x3FF) * 4, phys | pte_flags);
    }
    uint32_t pde_of(uint32_t linear) { return get32(kPd + (linear >> 22) * 4); }
    uint32_t pte_of(uint32_t linear) { return get32(kPt + ((linear >> 12) & 0x3FF) * 4); }

    bool walk(uint32_t linear, WalkAccess kind, bool user = false) {
        error = 0xDEAD;
        return walker.walk(linear, kind, user, ctl, t, error);
    }
    // Walks that must fault: the error code.
    uint32_t fault(uint32_t linear, WalkAccess kind, bool user = false) {
        EXPECT_FALSE(walk(linear, kind, user)) << std::hex << linear;
        return error;
    }

    PhysicalMemory mem;
    PageWalker walker;
    PagingControl ctl;
    Translation t;
    uint32_t error = 0;
};

TEST_F(WalkerTest, FourKPageTranslatesAndSetsAccessedThenDirty) {
    map32(0x00401000, 0x00234000, P | RW);
    ASSERT_TRUE(walk(0x00401ABC, WalkAccess::Read));
    EXPECT_EQ(t.phys, 0x00234ABCu);
    EXPECT_EQ(t.page_size, 4096u);
    EXPECT_FALSE(t.user);
    EXPECT_TRUE(t.writable);
    EXPECT_FALSE(t.dirty);
    EXPECT_EQ(pde_of(0x00401000) & (A | D), A);
    EXPECT_EQ(pte_of(0x00401000) & (A | D), A);  // a read never sets D
    ASSERT_TRUE(walk(0x00401ABC, WalkAccess::Write));
    EXPECT_TRUE(t.dirty);
    EXPECT_EQ(pte_of(0x00401000) & (A | D), A | D);
    EXPECT_EQ(pde_of(0x00401000) & D, 0u);  // a PDE that points to a table has no D
    // The rest of the entries is untouched.
    EXPECT_EQ(pte_of(0x00401000), 0x00234000u | P | RW | A | D);
}

TEST_F(WalkerTest, NotPresentErrorCodes) {
    // Empty page directory: P = 0 in every error code, W/R and U/S from the access.
    EXPECT_EQ(fault(0x00401000, WalkAccess::Read), 0u);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Write), PF_W);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Read, true), PF_U);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Write, true), PF_U | PF_W);
    // Without PAE+NXE a fetch reports no I/D bit.
    EXPECT_EQ(fault(0x00401000, WalkAccess::Exec), 0u);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Exec, true), PF_U);
    // Present PDE, absent PTE: the same codes, and no A bit set in the PDE.
    put32(kPd + 4, kPt | P | RW | US);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Write, true), PF_U | PF_W);
    EXPECT_EQ(pde_of(0x00401000) & A, 0u);
}

TEST_F(WalkerTest, ProtectionErrorCodesAndNoBitsOnFault) {
    map32(0x00401000, 0x00234000, P);  // supervisor, read-only
    EXPECT_EQ(fault(0x00401000, WalkAccess::Read, true), PF_P | PF_U);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Write, true), PF_P | PF_W | PF_U);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Exec, true), PF_P | PF_U);
    EXPECT_EQ(pte_of(0x00401000) & (A | D), 0u);
    EXPECT_EQ(pde_of(0x00401000) & A, 0u);
    // User read-only page: user reads pass, user writes fault.
    map32(0x00402000, 0x00235000, P | US);
    EXPECT_TRUE(walk(0x00402000, WalkAccess::Read, true));
    EXPECT_TRUE(t.user);
    EXPECT_EQ(fault(0x00402000, WalkAccess::Write, true), PF_P | PF_W | PF_U);
}

TEST_F(WalkerTest, RightsCombineOverBothLevels) {
    // PTE user+writable under a supervisor read-only PDE: neither user nor writable.
    map32(0x00401000, 0x00234000, P | RW | US, P);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Read, true), PF_P | PF_U);
    ASSERT_TRUE(walk(0x00401000, WalkAccess::Read));
    EXPECT_FALSE(t.user);
    EXPECT_FALSE(t.writable);
    ctl.cr0 |= CR0_WP_;
    EXPECT_EQ(fault(0x00401000, WalkAccess::Write), PF_P | PF_W);
}

TEST_F(WalkerTest, SupervisorWritesToReadOnlyPagesFaultOnlyWithWp) {
    map32(0x00401000, 0x00234000, P | US);  // user read-only
    map32(0x00402000, 0x00235000, P);       // supervisor read-only
    EXPECT_TRUE(walk(0x00401000, WalkAccess::Write));
    EXPECT_TRUE(walk(0x00402000, WalkAccess::Write));
    EXPECT_EQ(pte_of(0x00402000) & D, D);  // the write happened: D is set
    ctl.cr0 |= CR0_WP_;
    put32(kPt + 1 * 4, 0x00234000 | P | US);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Write), PF_P | PF_W);
    EXPECT_EQ(pte_of(0x00401000) & (A | D), 0u);
    EXPECT_EQ(fault(0x00402000, WalkAccess::Write), PF_P | PF_W);
    EXPECT_TRUE(walk(0x00402000, WalkAccess::Read));
}

TEST_F(WalkerTest, FourMegPagesNeedPse) {
    put32(kPd + 2 * 4, 0x00400000 | P | RW | PS);  // linear 0x00800000-0x00BFFFFF
    // CR4.PSE clear: PS is ignored and the entry points to a "page table" at 0x00400000.
    put32(0x00400000 + 0x5 * 4, 0x00345000 | P | RW);
    ASSERT_TRUE(walk(0x00805123, WalkAccess::Read));
    EXPECT_EQ(t.phys, 0x00345123u);
    EXPECT_EQ(t.page_size, 4096u);
    ctl.cr4 = PageWalker::kCr4Pse;
    ASSERT_TRUE(walk(0x00905123, WalkAccess::Write));
    EXPECT_EQ(t.phys, 0x00505123u);
    EXPECT_EQ(t.page_size, 4u << 20);
    EXPECT_EQ(get32(kPd + 2 * 4) & (A | D), A | D);  // the 4 MiB PDE takes A and D
}

TEST_F(WalkerTest, FourMegPageReservedBits) {
    ctl.cr4 = PageWalker::kCr4Pse;
    ctl.pat = false;
    // Bits 21:13 (no PSE-36) and, without PAT, bit 12 are reserved: #PF with RSVD and P.
    for (uint32_t bit : {12u, 13u, 20u, 21u}) {
        put32(kPd + 2 * 4, 0x00C00000 | P | RW | PS | (1u << bit));
        EXPECT_EQ(fault(0x00800000, WalkAccess::Read), PF_P | PF_RSVD) << bit;
        EXPECT_EQ(fault(0x00800000, WalkAccess::Write, true), PF_P | PF_RSVD | PF_W | PF_U) << bit;
    }
    ctl.pat = true;  // bit 12 is PAT then
    put32(kPd + 2 * 4, 0x00C00000 | P | RW | PS | (1u << 12));
    EXPECT_TRUE(walk(0x00800000, WalkAccess::Read));
    // 32-bit paging checks no reserved bits in 4 KiB PTEs or in PDEs that point to tables.
    map32(0x00401000, 0x00234000 | 0x80 | 0xE00, P);  // PAT bit and ignored bits set
    EXPECT_TRUE(walk(0x00401000, WalkAccess::Read));
}

TEST_F(WalkerTest, GlobalOnlyWithPge) {
    map32(0x00401000, 0x00234000, P | RW | G);
    ASSERT_TRUE(walk(0x00401000, WalkAccess::Read));
    EXPECT_FALSE(t.global);
    ctl.cr4 = PageWalker::kCr4Pge;
    ASSERT_TRUE(walk(0x00401000, WalkAccess::Read));
    EXPECT_TRUE(t.global);
    // G in a PDE that points to a table means nothing.
    map32(0x00402000, 0x00235000, P | RW, P | RW | US | G);
    ASSERT_TRUE(walk(0x00402000, WalkAccess::Read));
    EXPECT_FALSE(t.global);
}

// --- PAE ---------------------------------------------------------------------------------

class PaeWalkerTest : public WalkerTest {
protected:
    static constexpr uint32_t kPdpt = 0x12000, kPaePd = 0x13000, kPaePt = 0x14000;
    PaeWalkerTest() {
        ctl.cr3 = kPdpt;
        ctl.cr4 = PageWalker::kCr4Pae;
        put64(kPdpt + 0 * 8, kPaePd | P);
    }
    // Linear addresses below 1 GiB (PDPTE 0); one page table for the PDE of `linear`.
    void map(uint32_t linear, uint64_t phys, uint64_t pte_flags, uint64_t pde_flags = P | RW | US) {
        put64(kPaePd + ((linear >> 21) & 0x1FF) * 8, kPaePt | pde_flags);
        put64(kPaePt + ((linear >> 12) & 0x1FF) * 8, phys | pte_flags);
    }
    uint64_t pde(uint32_t linear) { return get64(kPaePd + ((linear >> 21) & 0x1FF) * 8); }
    uint64_t pte(uint32_t linear) { return get64(kPaePt + ((linear >> 12) & 0x1FF) * 8); }
};

TEST_F(PaeWalkerTest, ThreeLevelsWithAccessedAndDirty) {
    map(0x00401000, 0x00234000, P | RW | US);
    ASSERT_TRUE(walk(0x00401ABC, WalkAccess::Write, true));
    EXPECT_EQ(t.phys, 0x00234ABCu);
    EXPECT_EQ(pte(0x00401000) & (A | D), A | D);
    EXPECT_EQ(pde(0x00401000) & (A | D), A);
    EXPECT_EQ(get64(kPdpt) & A, 0u);  // PAE PDPTEs have no accessed bit
    // Linear addresses above 1 GiB use another PDPTE: absent here.
    EXPECT_EQ(fault(0x40000000, WalkAccess::Read), 0u);
}

TEST_F(PaeWalkerTest, TwoMegPagesRegardlessOfPse) {
    put64(kPaePd + 3 * 8, 0x00600000 | P | RW | PS);
    ASSERT_TRUE(walk(0x006ABCDE, WalkAccess::Write));
    EXPECT_EQ(t.phys, 0x006ABCDEu);
    EXPECT_EQ(t.page_size, 2u << 20);
    EXPECT_EQ(pde(0x00600000) & (A | D), A | D);
    // Above 4 GiB: the translation says so (36-bit physical addresses).
    put64(kPaePd + 4 * 8, 0x900000000ull | P | RW | PS);
    ASSERT_TRUE(walk(0x00812345, WalkAccess::Read));
    EXPECT_EQ(t.phys, 0x900012345ull);
}

TEST_F(PaeWalkerTest, ReservedBits) {
    ctl.pat = false;
    map(0x00401000, 0x00234000, P | RW);
    // Bits 62:36 of a PTE and of a PDE.
    put64(kPaePt + 1 * 8, 0x00234000 | P | RW | (1ull << 36));
    EXPECT_EQ(fault(0x00401000, WalkAccess::Read), PF_P | PF_RSVD);
    put64(kPaePt + 1 * 8, 0x00234000 | P | RW | (1ull << 62));
    EXPECT_EQ(fault(0x00401000, WalkAccess::Write), PF_P | PF_RSVD | PF_W);
    // PAT (bit 7 of a PTE) is reserved without PAT.
    put64(kPaePt + 1 * 8, 0x00234000 | P | RW | 0x80);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Read), PF_P | PF_RSVD);
    put64(kPaePt + 1 * 8, 0x00234000 | P | RW);
    put64(kPaePd + 2 * 8, kPaePt | P | RW | (1ull << 40));
    EXPECT_EQ(fault(0x00401000, WalkAccess::Read, true), PF_P | PF_RSVD | PF_U);
    // XD is reserved while EFER.NXE is clear.
    put64(kPaePd + 2 * 8, kPaePt | P | RW | XD);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Read), PF_P | PF_RSVD);
    // A 2 MiB PDE: bits 20:13 (and 12 without PAT).
    put64(kPaePd + 3 * 8, 0x00600000 | P | RW | PS | (1u << 13));
    EXPECT_EQ(fault(0x00600000, WalkAccess::Read), PF_P | PF_RSVD);
    put64(kPaePd + 3 * 8, 0x00600000 | P | RW | PS | (1u << 12));
    EXPECT_EQ(fault(0x00600000, WalkAccess::Read), PF_P | PF_RSVD);
    // A PDPTE: bits 2:1 and 8:5 are reserved in PAE paging, so is bit 63.
    for (uint64_t bit : {1ull << 1, 1ull << 2, 1ull << 5, 1ull << 8, 1ull << 63}) {
        put64(kPdpt, kPaePd | P | bit);
        EXPECT_EQ(fault(0x00401000, WalkAccess::Read), PF_P | PF_RSVD) << std::hex << bit;
        EXPECT_FALSE(walker.pdptes_valid(kPdpt));
    }
    put64(kPdpt, kPaePd | P);
    EXPECT_TRUE(walker.pdptes_valid(kPdpt));
    // Nothing was marked accessed by the faulting walks.
    EXPECT_EQ(pde(0x00401000) & A, 0u);
}

TEST_F(PaeWalkerTest, ExecuteDisableWithNxe) {
    ctl.efer = PageWalker::kEferNxe;
    map(0x00401000, 0x00234000, P | RW | US | XD);
    ASSERT_TRUE(walk(0x00401000, WalkAccess::Read, true));
    EXPECT_FALSE(t.executable);
    ASSERT_TRUE(walk(0x00401000, WalkAccess::Write));
    // A fetch faults in either mode, with P and I/D.
    EXPECT_EQ(fault(0x00401000, WalkAccess::Exec), PF_P | PF_ID);
    EXPECT_EQ(fault(0x00401000, WalkAccess::Exec, true), PF_P | PF_ID | PF_U);
    // XD in the PDE covers the whole table.
    map(0x00402000, 0x00235000, P | RW | US, P | RW | US | XD);
    EXPECT_EQ(fault(0x00402000, WalkAccess::Exec), PF_P | PF_ID);
    // With NXE, every fetch fault reports I/D, a not-present one too; data faults do not.
    EXPECT_EQ(fault(0x00A00000, WalkAccess::Exec), PF_ID);
    EXPECT_EQ(fault(0x00A00000, WalkAccess::Read), 0u);
    map(0x00403000, 0x00236000, P | RW | US);
    put64(kPaePd + 2 * 8, kPaePt | P | RW | US);
    ASSERT_TRUE(walk(0x00403000, WalkAccess::Exec));
    EXPECT_TRUE(t.executable);
}

}  // namespace
}  // namespace vmm86
