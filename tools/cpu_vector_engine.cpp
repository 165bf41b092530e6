#include "tools/cpu_vector_engine.h"

#include <cstring>
#include <stdexcept>

#include "cpu/lazy_flags.h"
#include "decoder/decoder.h"

namespace vmm86 {
namespace {

constexpr uint64_t kRam = 16ull << 20;

struct RegName {
    const char* name;
    int gpr;       // -1 if not a GPR
    unsigned size;
};

constexpr RegName kGprs[] = {
    {"ax", EAX, 2}, {"cx", ECX, 2}, {"dx", EDX, 2}, {"bx", EBX, 2}, {"sp", ESP, 2}, {"bp", EBP, 2},
    {"si", ESI, 2}, {"di", EDI, 2}, {"eax", EAX, 4}, {"ecx", ECX, 4}, {"edx", EDX, 4}, {"ebx", EBX, 4},
    {"esp", ESP, 4}, {"ebp", EBP, 4}, {"esi", ESI, 4}, {"edi", EDI, 4},
};

int seg_named(const std::string& n) {
    static const char* names[] = {"es", "cs", "ss", "ds", "fs", "gs"};
    for (int i = 0; i < 6; ++i)
        if (n == names[i]) return i;
    return -1;
}

}  // namespace

CpuVectorEngine::CpuVectorEngine() {
    MachineConfig config;
    config.ram_bytes = kRam;
    config.board_ports = false;
    machine_ = std::make_unique<Machine>(std::move(config));
}

void CpuVectorEngine::set_bytes(const std::vector<uint8_t>& bytes) {
    // A trailing F4 beyond the instruction itself is the suite's terminating HLT.
    static const Decoder decoder;
    DecodedInsn d;
    halt_terminates_ = false;
    if (!bytes.empty() && bytes.back() == 0xF4 &&
        decoder.decode(CpuMode::Real16, bytes.data(), bytes.size(), 0, d) == DecodeStatus::Ok)
        halt_terminates_ = d.length() < bytes.size();
}

void CpuVectorEngine::load(const std::map<std::string, uint32_t>& regs,
                           const std::vector<std::pair<uint32_t, uint8_t>>& ram) {
    PhysicalMemory& mem = machine_->memory();
    // Only the pages the previous vector touched need clearing (16 MiB memset per vector
    // would dominate the run time).
    for (uint32_t page : touched_pages_) std::memset(mem.ram() + page, 0, PhysicalMemory::kPageSize);
    touched_pages_.clear();
    machine_->engine().flush();  // the memset above bypassed code-page tracking
    machine_->reset();
    Cpu& cpu = machine_->cpu();
    CpuState& s = cpu.s;
    s.eip = 0;
    s.seg[CS] = SegmentCache{0, 0xFFFF, 0, uint16_t(s.seg[DS].attributes | SEG_ATTR_CODE)};
    for (const auto& [name, value] : regs) {
        bool done = false;
        for (const RegName& r : kGprs)
            if (name == r.name) {
                uint64_t mask = r.size == 2 ? 0xFFFF : 0xFFFFFFFF;
                s.gpr[r.gpr] = (s.gpr[r.gpr] & ~mask) | (value & mask);
                done = true;
            }
        if (done) continue;
        if (int seg = seg_named(name); seg >= 0) {
            s.seg[seg].selector = uint16_t(value);
            s.seg[seg].base = uint32_t(uint16_t(value)) << 4;
        } else if (name == "ip" || name == "eip") {
            s.eip = name == "ip" ? (value & 0xFFFF) : value;
        } else if (name == "flags" || name == "eflags") {
            // A 16-bit FLAGS image is loaded without bits 12-15: the 80286 suite records
            // LOADALL values there that real mode never holds (its README says to mask them).
            uint32_t v = name == "flags" ? (s.eflags & 0xFFFF0000u) | (value & 0x0FFF) : value;
            s.eflags = (v | FLAGS_FIXED1) & ~0x8028u;  // bits 3, 5, 15 always read 0
            s.lazy.op = LF_NONE;
        } else {
            throw std::invalid_argument("register '" + name + "' is not modelled");
        }
    }
    for (const auto& [addr, byte] : ram) {
        if (addr >= kRam) throw std::invalid_argument("RAM address beyond 16 MiB");
        uint32_t page = addr & ~(PhysicalMemory::kPageSize - 1);
        if (touched_pages_.empty() || touched_pages_.back() != page) touched_pages_.push_back(page);
        mem.write_bytes(addr, &byte, 1);
    }
}

std::string CpuVectorEngine::run() {
    // One instruction: step until CS:IP leaves it (a REP string instruction re-executes
    // itself in chunks), an event is delivered (a fault stops at its handler's entry), or
    // the CPU halts. The step limit only guards against an instruction that jumps to itself.
    Cpu& cpu = machine_->cpu();
    const uint64_t start_ip = cpu.s.eip;
    const uint16_t start_cs = cpu.s.seg[CS].selector;
    const uint64_t events = cpu.events_delivered;
    for (int step = 0; step < 1000000; ++step) {
        RunResult r = machine_->run(1);
        if (r.reason == StopReason::Unimplemented || r.reason == StopReason::Shutdown) return r.message;
        if (cpu.s.eip != start_ip || cpu.s.seg[CS].selector != start_cs || cpu.events_delivered != events ||
            cpu.s.halted || r.instructions == 0)
            break;
    }
    // The suite's HLT runs next, wherever the instruction went (the 286 suite injects it at
    // a jump target or exception handler too): the final IP is the one after it.
    if (halt_terminates_ && !cpu.s.halted) cpu.s.eip = (cpu.s.eip + 1) & 0xFFFF;
    return "";
}

uint32_t CpuVectorEngine::reg(const std::string& name) {
    const CpuState& s = machine_->cpu().s;
    for (const RegName& r : kGprs)
        if (name == r.name) return uint32_t(s.gpr[r.gpr] & (r.size == 2 ? 0xFFFF : 0xFFFFFFFF));
    if (int seg = seg_named(name); seg >= 0) return s.seg[seg].selector;
    if (name == "ip") return uint32_t(s.eip & 0xFFFF);
    if (name == "eip") return uint32_t(s.eip);
    if (name == "flags") return read_eflags(s) & 0xFFFF;
    if (name == "eflags") return read_eflags(s);
    throw std::invalid_argument("register '" + name + "' is not modelled");
}

uint8_t CpuVectorEngine::ram(uint32_t address) {
    if (address >= kRam) return 0xFF;
    return machine_->memory().ram()[address];
}

}  // namespace vmm86
