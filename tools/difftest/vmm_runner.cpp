#include "tools/difftest/vmm_runner.h"

#include <cstring>
#include <stdexcept>

#include "cpu/fpu/fpu_state.h"
#include "cpu/lazy_flags.h"
#include "cpu/segmentation.h"

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

uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags /* G D/B 0 AVL */) {
    return uint64_t(limit & 0xFFFF) | uint64_t(base & 0xFFFFFF) << 16 | uint64_t(access) << 40 |
           uint64_t((limit >> 16) & 0xF) << 48 | uint64_t(flags & 0xF) << 52 | uint64_t(base >> 24) << 56;
}

void put_bytes(std::vector<std::pair<uint32_t, uint8_t>>& ram, uint32_t at, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) ram.emplace_back(at + i, uint8_t(v >> (8 * i)));
}

}  // namespace

void mode_background(Mode mode, std::vector<std::pair<uint32_t, uint8_t>>& ram) {
    for (unsigned b = 0; b < 2 * kHandledVectors; ++b) ram.emplace_back(kHandlerBase + b, 0xF4);  // HLT
    if (mode == Mode::Real) {
        for (unsigned vec = 0; vec < kHandledVectors; ++vec)
            put_bytes(ram, 4 * vec, (uint32_t(kHandlerSeg) << 16) | (2 * vec), 4);
        return;
    }
    // Accessed bits preset: the CPU need not write the GDT.
    const uint64_t gdt[] = {
        0,
        descriptor(kHandlerBase, 0xFFFF, 0x9B, 0x4),   // 08: ring-0 code, 32-bit (the handlers)
        descriptor(0, 0xFFFFF, 0x93, 0xC),             // 10: ring-0 stack, flat, B = 1
        descriptor(kTss, 0x67, 0x8B, 0),               // 18: the TSS (busy: it is TR)
        descriptor(kPmCodeBase, 0xFFFF, 0xFB, 0x4),    // 23: the test code, 32-bit, DPL 3
        descriptor(uint32_t(kGuestSeg[kDs]) << 4, 0xFFFF, 0xF3, 0),  // 2B: DS
        descriptor(uint32_t(kGuestSeg[kEs]) << 4, 0xFFFF, 0xF3, 0),  // 33: ES
        descriptor(uint32_t(kGuestSeg[kSs]) << 4, 0xFFFF, 0xF3, 0),  // 3B: SS, B = 0
        descriptor(uint32_t(kGuestSeg[kSs]) << 4, 0xFFFF, 0xF3, 0x4),  // 43: SS, B = 1
    };
    static_assert(sizeof gdt == kGdtLimit + 1);
    for (unsigned i = 0; i < std::size(gdt); ++i) put_bytes(ram, kGdt + 8 * i, gdt[i], 8);
    for (unsigned v = 0; v < kHandledVectors; ++v) {
        // 32-bit interrupt gate, DPL 3, to kSelHandler:2v.
        const uint32_t off = 2 * v;
        const uint64_t gate = uint64_t(off & 0xFFFF) | uint64_t(kSelHandler) << 16 | uint64_t(0xEE) << 40 |
                              uint64_t(off >> 16) << 48;
        put_bytes(ram, kIdt + 8 * v, gate, 8);
    }
    put_bytes(ram, kTss + 4, kRing0StackTop, 4);  // ESP0
    put_bytes(ram, kTss + 8, kSelRing0Stack, 2);  // SS0
    put_bytes(ram, kTss + 0x66, 0x68, 2);         // no I/O bitmap
}

VmmEngine::VmmEngine() {
    MachineConfig config;
    config.ram_bytes = kRam;
    config.board_ports = false;
    machine_ = std::make_unique<Machine>(std::move(config));
    mode_background(Mode::Real, background_[0]);
    mode_background(Mode::Pm32, background_[1]);
}

// The same register semantics as CpuVectorEngine (what `vmm86 vectors` runs the written
// files on), for the register names difftest writes.
void VmmEngine::load(const std::map<std::string, uint32_t>& regs,
                     const std::vector<std::pair<uint32_t, uint8_t>>& ram) {
    PhysicalMemory& mem = machine_->memory();
    // The data segments were zeroed when the last case's writes were taken from them.
    std::memset(mem.ram(), 0, data_dirty_ ? kClearedBytes : kLowBytes);
    data_dirty_ = true;
    machine_->engine().flush();  // the memset bypassed code-page tracking
    machine_->reset();
    Cpu& cpu = machine_->cpu();
    CpuState& s = cpu.s;
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
    for (const auto& [addr, byte] : background_[mode_ == Mode::Pm32]) mem.ram()[addr] = byte;
    for (const auto& [addr, byte] : ram) {
        if (addr >= kClearedBytes) throw std::invalid_argument("difftest RAM byte beyond its area");
        mem.ram()[addr] = byte;
    }
    // x87 exceptions as #MF (vector 16), as on the host; MP as the host has it.
    s.cr0 |= CR0_NE | CR0_MP;
    s.cr4 |= CR4_OSFXSR;
    if (mode_ == Mode::Pm32) {
        s.cr0 |= CR0_PE;
        s.gdtr = {kGdt, kGdtLimit};
        s.idtr = {kIdt, kHandledVectors * 8 - 1};
        auto desc = [&](uint16_t sel) {
            Descriptor d;
            std::memcpy(&d.lo, mem.ram() + kGdt + (sel & ~7u), 4);
            std::memcpy(&d.hi, mem.ram() + kGdt + (sel & ~7u) + 4, 4);
            return d;
        };
        for (unsigned seg : {ES, CS, SS, DS}) s.seg[seg] = make_cache(s.seg[seg].selector, desc(s.seg[seg].selector));
        s.seg[FS] = null_cache(0);
        s.seg[GS] = null_cache(0);
        s.tr = make_cache(kSelTss, desc(kSelTss));
        cpu.flush_tlb();
    }
    if (fpu_) {
        // FXRSTOR's view of the image: registers in ST order become physical slots.
        uint8_t* a = s.fxsave_area;
        std::memcpy(a, fpu_->b, 512);
        const unsigned top = (fpu_->u16(2) >> 11) & 7;
        for (unsigned i = 0; i < 8; ++i) {
            uint8_t* slot = a + 32 + 16 * ((top + i) & 7);
            std::memset(slot, 0, 16);
            std::memcpy(slot, fpu_->b + 32 + 16 * i, 10);
        }
        a[5] = 0;
    }
}

std::string VmmEngine::run() {
    RunResult r = machine_->run(steps_);
    if (r.reason == StopReason::Unimplemented || r.reason == StopReason::Shutdown) return r.message;
    return "";
}

uint32_t VmmEngine::reg(const std::string& name) {
    CpuState& s = machine_->cpu().s;
    if (int g = gpr_named(name); g >= 0) return uint32_t(s.gpr[g]);
    if (int seg = seg_named(name); seg >= 0) return s.seg[seg].selector;
    if (name == "ip") return uint32_t(s.eip & 0xFFFF);
    if (name == "eip") return uint32_t(s.eip);
    if (name == "eflags") return read_eflags(s);
    if (name.size() > 4 && name.compare(0, 4, "x87.") == 0) {
        FpuState f(s);
        const std::string k = name.substr(4);
        if (k == "fcw") return f.fcw();
        if (k == "fsw") return f.fsw();
        if (k == "ftw") return f.abridged_tag();
        if (k == "tags") return f.full_tag();
        if (k == "fop") return f.fop();
        if (k == "fip") return f.fip();
        if (k == "fcs") return f.fcs();
        if (k == "fdp") return f.fdp();
        if (k == "fds") return f.fds();
        if (k == "mxcsr") return f.mxcsr();
        if (k.size() >= 5 && k[0] == 'r' && k[1] >= '0' && k[1] <= '7' && k[2] == '.') {
            const uint8_t* p = s.fxsave_area + 32 + 16 * unsigned(k[1] - '0');
            uint32_t lo, hi;
            uint16_t ex;
            std::memcpy(&lo, p, 4);
            std::memcpy(&hi, p + 4, 4);
            std::memcpy(&ex, p + 8, 2);
            const std::string part = k.substr(3);
            if (part == "lo") return lo;
            if (part == "hi") return hi;
            if (part == "ex") return ex;
        }
    }
    throw std::invalid_argument("register '" + name + "' is not modelled");
}

uint8_t VmmEngine::ram(uint32_t address) {
    if (address >= kRam) return 0xFF;
    return machine_->memory().ram()[address];
}

void VmmEngine::take_nonzero_bytes(uint32_t lo, uint32_t hi, std::vector<std::pair<uint32_t, uint8_t>>& out) {
    uint8_t* p = machine_->memory().ram();
    take_nonzero(p + lo, hi - lo, [&](uint32_t off, uint8_t byte) { out.emplace_back(lo + off, byte); });
    if (lo <= kLowBytes && hi >= kClearedBytes) data_dirty_ = false;
}

}  // namespace vmm86::difftest
