// A fresh real-mode machine for CPU unit tests: put a few code bytes at CS:IP, set
// registers, run a number of instructions (or to HLT), inspect registers, flags and
// memory. No firmware and nothing on the I/O bus unless a test maps it, or asks for the
// PC board (PIC, PIT, ...; guest time then counts instructions, for reproducible runs).
#pragma once
#include <cstring>
#include <initializer_list>
#include <vector>

#include "cpu/lazy_flags.h"
#include "vm/machine.h"

namespace vmm86::test {

class CpuHarness {
public:
    explicit CpuHarness(uint64_t ram_bytes = 16ull << 20, bool with_board = false) {
        MachineConfig config;
        config.ram_bytes = ram_bytes;
        config.board_ports = with_board;
        config.clock = VirtualClock::Mode::Instructions;
        machine_ = std::make_unique<Machine>(std::move(config));
        CpuState& st = s();
        // A convenient real-mode start: CS=0 (base 0), IP=0x100, stack at 0000:8000.
        st.seg[CS] = SegmentCache{0, 0xFFFF, 0, uint16_t(st.seg[DS].attributes | SEG_ATTR_CODE)};
        st.eip = 0x100;
        st.gpr[ESP] = 0x8000;
        st.gpr[EDX] = 0;
    }

    Machine& machine() { return *machine_; }
    Cpu& cpu() { return machine_->cpu(); }
    CpuState& s() { return machine_->cpu().s; }
    PhysicalMemory& mem() { return machine_->memory(); }

    // Writes code at CS:IP (the current ones).
    void code(std::initializer_list<uint8_t> bytes) { code(std::vector<uint8_t>(bytes)); }
    void code(const std::vector<uint8_t>& bytes) {
        mem().write_bytes(s().seg[CS].base + uint32_t(s().eip), bytes.data(), bytes.size());
    }
    void poke(uint32_t linear, std::initializer_list<uint8_t> bytes) {
        std::vector<uint8_t> v(bytes);
        mem().write_bytes(linear, v.data(), v.size());
    }
    void poke16(uint32_t linear, uint16_t v) { mem().write_bytes(linear, &v, 2); }
    void poke32(uint32_t linear, uint32_t v) { mem().write_bytes(linear, &v, 4); }
    uint8_t peek8(uint32_t linear) { return uint8_t(mem().read(linear, 1)); }
    uint16_t peek16(uint32_t linear) { return uint16_t(mem().read(linear, 2)); }
    uint32_t peek32(uint32_t linear) { return uint32_t(mem().read(linear, 4)); }

    void set_seg(unsigned seg, uint16_t selector) {
        s().seg[seg].selector = selector;
        s().seg[seg].base = uint32_t(selector) << 4;
    }
    void set_flags(uint32_t f) {
        s().eflags = f | FLAGS_FIXED1;
        s().lazy.op = LF_NONE;
    }
    uint32_t flags() { return read_eflags(s()); }
    uint32_t reg32(unsigned gpr) { return uint32_t(s().gpr[gpr]); }
    uint16_t reg16(unsigned gpr) { return uint16_t(s().gpr[gpr]); }

    // Installs an IVT entry (vector -> seg:off) in RAM at 0.
    void set_vector(uint8_t vector, uint16_t seg, uint16_t off) {
        poke16(vector * 4, off);
        poke16(vector * 4 + 2, seg);
    }

    // Runs exactly n instructions (an exception delivery counts as one step).
    RunResult step(uint64_t n = 1) { return machine_->run(n); }
    // Runs until HLT (or the limit). The CPU is then halted with EIP after the HLT.
    RunResult run_to_halt(uint64_t limit = 1000000) { return machine_->run(limit); }

private:
    std::unique_ptr<Machine> machine_;
};

}  // namespace vmm86::test
