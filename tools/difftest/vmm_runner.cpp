#include "tools/difftest/vmm_runner.h"

#include <cstring>
#include <stdexcept>

#include "cpu/lazy_flags.h"

namespace vmm86::difftest {
namespace {

constexpr uint64_t kRam = 16ull << 20;

int gpr_named(const std::string& n) {
    static const char* const names[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    for (int i = 0; i < 8; ++i)
        if (n == names[i]) return i;
    return -1;
}

int seg_named(const std::string& n) {
    static const char* const names[] = {"es", "cs", "ss", "ds", "fs", "gs"};
    for (int i = 0; i < 6; ++i)
        if (n == names[i]) return i;
    return -1;
}

}  // namespace

VmmEngine::VmmEngine() {
    MachineConfig config;
    config.ram_bytes = kRam;
    config.board_ports = false;
    machine_ = std::make_unique<Machine>(std::move(config));
}

// The same register semantics as CpuVectorEngine (what `vmm86 vectors` runs the written
// files on), for the register names difftest writes.
void VmmEngine::load(const std::map<std::string, uint32_t>& regs,
                     const std::vector<std::pair<uint32_t, uint8_t>>& ram) {
    PhysicalMemory& mem = machine_->memory();
    std::memset(mem.ram(), 0, kClearedBytes);
    machine_->engine().flush();  // the memset bypassed code-page tracking
    machine_->reset();
    CpuState& s = machine_->cpu().s;
    s.eip = 0;
    s.seg[CS] = SegmentCache{0, 0xFFFF, 0, uint16_t(s.seg[DS].attributes | SEG_ATTR_CODE)};
    for (const auto& [name, value] : regs) {
        if (int g = gpr_named(name); g >= 0) {
            s.gpr[g] = value;
        } else if (int seg = seg_named(name); seg >= 0) {
            s.seg[seg].selector = uint16_t(value);
            s.seg[seg].base = uint32_t(uint16_t(value)) << 4;
        } else if (name == "ip" || name == "eip") {
            s.eip = name == "ip" ? (value & 0xFFFF) : value;
        } else if (name == "eflags") {
            s.eflags = (value | FLAGS_FIXED1) & ~0x8028u;
            s.lazy.op = LF_NONE;
        } else {
            throw std::invalid_argument("register '" + name + "' is not modelled");
        }
    }
    for (const auto& [addr, byte] : ram) {
        if (addr >= kClearedBytes) throw std::invalid_argument("difftest RAM byte beyond its area");
        mem.ram()[addr] = byte;
    }
}

std::string VmmEngine::run() {
    RunResult r = machine_->run(steps_);
    if (r.reason == StopReason::Unimplemented || r.reason == StopReason::Shutdown) return r.message;
    return "";
}

uint32_t VmmEngine::reg(const std::string& name) {
    const CpuState& s = machine_->cpu().s;
    if (int g = gpr_named(name); g >= 0) return uint32_t(s.gpr[g]);
    if (int seg = seg_named(name); seg >= 0) return s.seg[seg].selector;
    if (name == "ip") return uint32_t(s.eip & 0xFFFF);
    if (name == "eip") return uint32_t(s.eip);
    if (name == "eflags") return read_eflags(s);
    throw std::invalid_argument("register '" + name + "' is not modelled");
}

uint8_t VmmEngine::ram(uint32_t address) {
    if (address >= kRam) return 0xFF;
    return machine_->memory().ram()[address];
}

void VmmEngine::nonzero_bytes(uint32_t lo, uint32_t hi, std::vector<uint32_t>& out) {
    const uint8_t* p = machine_->memory().ram();
    for (uint32_t a = lo; a < hi; a += 8) {
        uint64_t w;
        std::memcpy(&w, p + a, 8);
        if (!w) continue;
        for (uint32_t b = a; b < a + 8 && b < hi; ++b)
            if (p[b]) out.push_back(b);
    }
}

}  // namespace vmm86::difftest
