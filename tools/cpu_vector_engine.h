// VectorEngine over a bare vmm86 machine (real mode, 16 MiB of RAM, nothing on the I/O
// bus): what `vmm86 vectors` runs test vectors on.
#pragma once
#include <memory>

#include "tools/vector_engine.h"
#include "vm/machine.h"

namespace vmm86 {

class CpuVectorEngine final : public VectorEngine {
public:
    CpuVectorEngine();
    void set_bytes(const std::vector<uint8_t>& bytes) override;
    void load(const std::map<std::string, uint32_t>& regs,
              const std::vector<std::pair<uint32_t, uint8_t>>& ram) override;
    std::string run() override;
    uint32_t reg(const std::string& name) override;
    uint8_t ram(uint32_t address) override;

private:
    std::unique_ptr<Machine> machine_;
    std::vector<uint32_t> touched_pages_;
    bool halt_terminates_ = false;  // the bytes end with a terminating HLT after the instruction
};

}  // namespace vmm86
