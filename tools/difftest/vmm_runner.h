// The vmm86 side of difftest: a bare real-mode machine (16 MiB RAM, nothing on the I/O
// bus) behind the VectorEngine interface, so that a case is a TestVector compared by
// tools/vectors_command's compare_vector and can be written to a file for `vmm86 vectors`
// unchanged. Unlike CpuVectorEngine it can run several instructions (one translated
// block for a sequence) and clears all of low memory between cases, so that a stray
// write cannot leak into the next case.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "tools/difftest/native_runner.h"
#include "tools/vector_engine.h"
#include "vm/machine.h"

namespace vmm86::difftest {

// Guest layout (real mode). DS, ES and SS are three separate 64 KiB segments so that
// using the wrong one shows; the code and the exception handlers lie outside them.
constexpr uint16_t kGuestSeg[kDataSegs] = {0x1000, 0x2000, 0x3000};  // DS, ES, SS
constexpr uint16_t kCodeSeg = 0x0800, kCodeIp = 0x0100;
constexpr uint16_t kHandlerSeg = 0x0C00;  // vector v: kHandlerSeg:(2 * v), a HLT
constexpr unsigned kHandledVectors = 20;
constexpr uint32_t kClearedBytes = 0x40000;  // IVT, code, handlers, the data segments

inline uint32_t guest_linear(int seg, uint32_t offset) { return (uint32_t(kGuestSeg[seg]) << 4) + (offset & 0xFFFF); }

class VmmEngine final : public VectorEngine {
public:
    VmmEngine();
    void load(const std::map<std::string, uint32_t>& regs,
              const std::vector<std::pair<uint32_t, uint8_t>>& ram) override;
    std::string run() override;  // runs steps() instructions
    uint32_t reg(const std::string& name) override;
    uint8_t ram(uint32_t address) override;

    void set_steps(unsigned n) { steps_ = n; }
    // Linear addresses in [lo, hi) whose byte is not zero.
    void nonzero_bytes(uint32_t lo, uint32_t hi, std::vector<uint32_t>& out);

private:
    std::unique_ptr<Machine> machine_;
    unsigned steps_ = 1;
};

}  // namespace vmm86::difftest
