// The CPU side of `vmm86 vectors`: whatever executes one test instruction (interpreter, JIT,
// KVM) implements this, and tools/vectors_command compares what it reports.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vmm86 {

struct VectorMachineState {
  std::map<std::string, uint32_t> regs;
};

// Register names are lower case, as in the vector files: ax bx cx dx si di bp sp ip flags,
// cs ds es ss fs gs (16 bits), and eax ebx ecx edx esi edi ebp esp eip eflags (32 bits).
// A file may name other registers; an engine that does not model one should throw
// std::invalid_argument from load() or reg(): the vector then fails with that message
// instead of passing without the register being checked.
class VectorEngine {
public:
  virtual ~VectorEngine() = default;
  // Resets the machine (real mode, 16 MiB RAM zeroed, I/O reads return 0xFF), loads registers
  // (names as in the file: ax..di, cs/ds/es/ss/fs/gs, ip, flags, and 32-bit names) and RAM bytes.
  virtual void load(const std::map<std::string, uint32_t>& regs,
                    const std::vector<std::pair<uint32_t, uint8_t>>& ram) = 0;
  // The vector's instruction bytes, given before load(). Suites differ in how a test ends:
  // the 80286 suite's bytes end with the HLT (F4) that terminates each test, and its final
  // IP is the one after that HLT; the 8088 suite stops right after the instruction.
  virtual void set_bytes(const std::vector<uint8_t>& bytes) { (void)bytes; }
  // Executes the test instruction. Returns an empty string, or a description of an internal
  // failure (e.g. "unimplemented instruction").
  virtual std::string run() = 0;
  virtual uint32_t reg(const std::string& name) = 0;  // same names
  virtual uint8_t ram(uint32_t address) = 0;
};

}  // namespace vmm86
