// One difftest case: a short instruction sequence and its inputs (registers, EFLAGS, the
// x87 state and the non-zero bytes of the three data segments; everything else is zero on
// both sides), and the mode the guest runs it in.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/difftest/insn.h"
#include "tools/difftest/native_runner.h"

namespace vmm86::difftest {

// A byte of a data segment: (segment << 16) | offset.
using MemKey = uint32_t;
inline MemKey mem_key(int seg, uint32_t offset) { return (uint32_t(seg) << 16) | (offset & 0xFFFF); }

enum Reg : uint8_t { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };

// How the guest runs a case: real mode (16-bit code: the host's bytes with 66h/67h
// flipped) or 32-bit protected mode at CPL 3 (the host's bytes), with a 16-bit (B = 0)
// or a 32-bit (B = 1) stack segment.
enum class Mode : uint8_t { Real, Pm32 };

struct TestCase {
    uint64_t number = 0;
    std::vector<Insn> insns;
    Regs regs;                       // inputs
    std::map<MemKey, uint8_t> mem;   // initial non-zero (or deliberately chosen) bytes
    Mode mode = Mode::Real;
    bool stack32 = false;  // Pm32: SS is a 32-bit segment (the host's too)
    bool x87 = false;      // the case has an x87 instruction: the x87 state is compared
    FxImage fpu;           // the initial x87/SSE state (registers in ST order)

    Group group() const { return insns.back().desc->group; }
    bool code32() const { return mode == Mode::Pm32; }
    std::vector<uint8_t> code(bool code32) const;
    std::vector<uint8_t> guest_code() const { return code(code32()); }
    // The little-endian value of `bytes` input bytes at seg:off (offsets wrap at 64 KiB).
    uint32_t read_input(int seg, uint32_t off, unsigned bytes) const {
        uint32_t v = 0;
        for (unsigned i = 0; i < bytes; ++i) {
            auto it = mem.find(mem_key(seg, off + i));
            v |= uint32_t(it == mem.end() ? 0 : it->second) << (8 * i);
        }
        return v;
    }
};

const char* mode_name(const TestCase& c);  // "real", "pm32", "pm32/ss32"

// The effective address of a memory operand with the given registers (masked to 16 bits
// for 16-bit addressing; 32-bit sums may exceed the 64 KiB segment, which faults).
uint32_t effective_address(const Address& a, const Regs& r);
// The data segment a memory operand of `insn` uses.
int operand_segment(const Insn& insn);

// Byte ranges an instruction is expected to access with registers `r`, widened by a few
// bytes either side; the generator fills them with data.
void predicted_accesses(const Insn& insn, const Regs& r, std::vector<MemKey>& out);

// Disassembly of the 16-bit (real-mode) or 32-bit encoding, for reports.
std::string disassemble(const Insn& insn, bool code32 = false);

}  // namespace vmm86::difftest
