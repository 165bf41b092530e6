// The vmm86 side of difftest: a bare machine (16 MiB RAM, nothing on the I/O bus) behind
// the VectorEngine interface, so that a case is a TestVector compared by
// tools/vectors_command's compare_vector (and, for a real-mode case without x87 state, can
// be written to a file for `vmm86 vectors` unchanged). Unlike CpuVectorEngine it can run
// several instructions (one translated block for a sequence), runs a case in real mode or
// in 32-bit protected mode, starts from a given x87 state and reports it as registers named
// "x87.*", and keeps the areas a case uses zeroed between cases, so that a stray write
// cannot leak into the next case.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "tools/difftest/native_runner.h"
#include "tools/difftest/test_case.h"
#include "tools/vector_engine.h"
#include "vm/machine.h"

namespace vmm86::difftest {

// Guest layout. Real mode: DS, ES and SS are three separate 64 KiB segments so that using
// the wrong one shows; the code and the exception handlers lie outside them.
constexpr uint16_t kGuestSeg[kDataSegs] = {0x1000, 0x2000, 0x3000};  // DS, ES, SS
constexpr uint16_t kCodeSeg = 0x0800, kCodeIp = 0x0100;
constexpr uint16_t kHandlerSeg = 0x0C00;  // vector v: kHandlerSeg:(2 * v), a HLT
constexpr unsigned kHandledVectors = 20;
constexpr uint32_t kLowBytes = 0x10000;  // IVT/GDT/IDT/TSS, ring-0 stack, code, handlers
constexpr uint32_t kClearedBytes = 0x40000;  // that and the data segments

// 32-bit protected mode at CPL 3: the same linear addresses for code, handlers and data.
// CS is a 32-bit code segment based at 8000h (EIP kCodeIp), DS/ES/SS 16-bit data segments
// (limit FFFFh, B = 0; or SS with B = 1) over the real-mode segments' memory. Exceptions go
// through 32-bit interrupt gates (DPL 3, so that INTO reaches its handler) to a ring-0
// code segment based at C000h (offset 2 * v, the same HLT), on the TSS's ring-0 stack.
constexpr uint32_t kGdt = 0x0800, kIdt = 0x0900, kTss = 0x0A00, kRing0StackTop = 0x7000;
constexpr uint32_t kPmCodeBase = 0x8000, kHandlerBase = 0xC000;
constexpr uint16_t kSelHandler = 0x08, kSelRing0Stack = 0x10, kSelTss = 0x18, kSelCode = 0x23;
constexpr uint16_t kSelData[kDataSegs] = {0x2B, 0x33, 0x3B};  // DS, ES, SS (B = 0)
constexpr uint16_t kSelStack32 = 0x43;                        // SS with B = 1
constexpr uint32_t kGdtLimit = 0x47;

inline uint32_t guest_linear(int seg, uint32_t offset) { return (uint32_t(kGuestSeg[seg]) << 4) + (offset & 0xFFFF); }
// The selector of data segment `seg` in the case's mode (the real-mode segment value).
inline uint16_t guest_selector(const TestCase& c, int seg) {
    if (c.mode == Mode::Real) return kGuestSeg[seg];
    return seg == kSs && c.stack32 ? kSelStack32 : kSelData[seg];
}
inline uint16_t guest_code_selector(const TestCase& c) { return c.mode == Mode::Real ? kCodeSeg : kSelCode; }

// What every case in `mode` has in memory besides its code and data: the IVT (real mode)
// or the GDT, IDT and TSS (protected mode), and the handlers' HLTs.
void mode_background(Mode mode, std::vector<std::pair<uint32_t, uint8_t>>& ram);

class VmmEngine final : public VectorEngine {
public:
    VmmEngine();
    // How the next load() sets the machine up: the mode (in protected mode the segment
    // registers' names give selectors into the GDT, which must be in the RAM given) and the
    // x87 state (nullptr: the reset state). CR0.NE is set, so #MF is vector 16.
    void set_mode(Mode mode) { mode_ = mode; }
    void set_fpu(const FxImage* fpu) { fpu_ = fpu; }
    void load(const std::map<std::string, uint32_t>& regs,
              const std::vector<std::pair<uint32_t, uint8_t>>& ram) override;
    std::string run() override;  // runs steps() instructions
    // GPRs, eip/ip, eflags, segment selectors; x87.fcw fsw ftw (abridged) tags (full tag
    // word) fop fip fcs fdp fds mxcsr, x87.r<i>.lo/.hi/.ex (physical register i).
    uint32_t reg(const std::string& name) override;
    uint8_t ram(uint32_t address) override;

    void set_steps(unsigned n) { steps_ = n; }
    // Linear addresses in [lo, hi) whose byte is not zero, which are then zeroed (the data
    // segments are kept zeroed this way between cases).
    void take_nonzero_bytes(uint32_t lo, uint32_t hi, std::vector<std::pair<uint32_t, uint8_t>>& out);

private:
    std::unique_ptr<Machine> machine_;
    std::vector<std::pair<uint32_t, uint8_t>> background_[2];  // by Mode
    unsigned steps_ = 1;
    Mode mode_ = Mode::Real;
    const FxImage* fpu_ = nullptr;
    bool data_dirty_ = true;  // the data segments may hold bytes of an earlier case
};

// Scans [p, p + n) (p 8-byte aligned, n a multiple of 256) for non-zero bytes, calls
// found(offset, byte) for each and zeroes it. (The tester's hot loop: 192 KiB per run on
// each side; whole 256-byte blocks are ORed together first.)
template <typename F>
void take_nonzero(uint8_t* p, uint32_t n, F&& found);

}  // namespace vmm86::difftest

namespace vmm86::difftest {

template <typename F>
void take_nonzero(uint8_t* p, uint32_t n, F&& found) {
    using Word = uint64_t __attribute__((may_alias, aligned(8)));
    for (uint32_t a = 0; a < n; a += 256) {
        const Word* w = reinterpret_cast<const Word*>(p + a);
        uint64_t any = 0;
        for (int i = 0; i < 32; ++i) any |= w[i];
        if (!any) continue;
        for (uint32_t b = a; b < a + 256; ++b)
            if (p[b]) {
                found(b, p[b]);
                p[b] = 0;
            }
    }
}

}  // namespace vmm86::difftest
