#include "tools/difftest/executor.h"

#include <algorithm>
#include <cstring>
#include <cstdio>
#include <set>

#include "cpu/cpu_state.h"
#include "tools/difftest/flags.h"
#include "tools/vectors_command.h"

namespace vmm86::difftest {
namespace {

constexpr const char* kGprNames[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
// Bits the two sides cannot agree on by construction: the host never shows VM/RF/VIF/VIP
// in a pushed or saved image the way real mode keeps them.
constexpr uint32_t kNeverCompared = FLAG_VM | FLAG_RF | FLAG_VIF | FLAG_VIP;

// Traps report the address after their instruction (INTO; #DB and #BP never arise here).
bool is_trap(int vector) { return vector == 1 || vector == 3 || vector == 4; }

std::string hex16(uint32_t v) {
    char s[8];
    std::snprintf(s, sizeof s, "%04x", v & 0xFFFF);
    return s;
}

}  // namespace

const char* vector_name(int vector) {
    static const char* const kNames[20] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#9",
                                           "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM"};
    if (vector >= 0 && vector < 20) return kNames[vector];
    return "#?";
}

std::vector<std::string> Outcome::signature() const {
    std::set<std::string> s;
    for (const std::string& line : mismatches) {
        std::string key = line.substr(0, line.find(':'));
        if (key.find("ram[") != std::string::npos) key = "ram";
        s.insert(key);
    }
    return {s.begin(), s.end()};
}

NativeResult Executor::run_native(const TestCase& c, size_t insns, std::map<MemKey, uint8_t>* final_mem) {
    for (const auto& [key, byte] : c.mem) native_.segment(int(key >> 16))[key & 0xFFFF] = byte;
    std::vector<uint8_t> code;
    for (size_t i = 0; i < insns; ++i) {
        std::vector<uint8_t> b = c.insns[i].encode(true);
        code.insert(code.end(), b.begin(), b.end());
    }
    NativeResult r = native_.run(code, c.regs);
    // Everything not in c.mem started as zero: the non-zero bytes now are the result,
    // and clearing them leaves the segments zeroed for the next run.
    if (final_mem)
        for (const auto& [key, byte] : c.mem) (*final_mem)[key] = 0;
    for (int seg = 0; seg < kDataSegs; ++seg) {
        uint8_t* p = native_.segment(seg);
        for (uint32_t a = 0; a < kSegBytes; a += 8) {
            uint64_t w;
            std::memcpy(&w, p + a, 8);
            if (!w) continue;
            for (uint32_t b = a; b < a + 8; ++b) {
                if (final_mem && p[b]) (*final_mem)[mem_key(seg, b)] = p[b];
                p[b] = 0;
            }
        }
    }
    return r;
}

Outcome Executor::execute(const TestCase& c) {
    Outcome o;
    TestVector& v = o.vector;
    const size_t n = c.insns.size();
    std::vector<uint32_t> native_off{0}, guest_off{0};
    for (const Insn& i : c.insns) {
        native_off.push_back(native_off.back() + uint32_t(i.encode(true).size()));
        guest_off.push_back(guest_off.back() + uint32_t(i.encode(false).size()));
    }
    v.bytes = c.code(false);
    v.name = "difftest seed " + std::to_string(seed_) + " case " + std::to_string(c.number) + " [" +
             group_name(c.group()) + "]:";
    for (size_t i = 0; i < n; ++i) v.name += (i ? "; " : " ") + disassemble(c.insns[i]);

    // Registers before each instruction (for count-dependent flag rules), from the host.
    std::vector<Regs> before{c.regs};
    for (size_t k = 1; k < n; ++k) before.push_back(run_native(c, k, nullptr).regs);
    std::map<MemKey, uint8_t> final_mem;
    const NativeResult host = run_native(c, n, &final_mem);

    // Where the host stopped: after all n instructions, or delivering an exception with
    // `done` instructions completed (a trap's instruction counts as completed).
    size_t done = n;
    unsigned steps = unsigned(n);
    if (host.vector >= 0) {
        auto at = std::find(native_off.begin(), native_off.end(), host.fault_ip);
        if (at == native_off.end()) {
            o.skipped = "host fault at a non-boundary offset " + std::to_string(host.fault_ip);
            return o;
        }
        done = size_t(at - native_off.begin());
        steps = unsigned(is_trap(host.vector) ? done : done + 1);
        // The SDM makes faults precise, but the host is not always: a POPA that faults on
        // its last pops has already loaded the first registers. Such a case has no
        // architectural answer to compare with.
        if (!is_trap(host.vector) && done < before.size() &&
            !std::equal(std::begin(host.regs.gpr), std::end(host.regs.gpr), std::begin(before[done].gpr))) {
            o.skipped = "the host's fault was not precise (registers changed)";
            return o;
        }
    }
    // Flags left undefined by the instructions that completed are not compared; an
    // instruction that consumes one has an undefined result itself.
    uint32_t undefined = 0;
    for (size_t k = 0; k < done && k < n; ++k) {
        if (!strict_flags_ && (flags_read(c.insns[k]) & undefined)) {
            o.skipped = "an instruction reads a flag an earlier one left undefined";
            return o;
        }
        const FlagEffect e = flag_effect(c.insns[k], before[k]);
        undefined = (undefined & ~e.modified) | e.undefined;
    }
    if (strict_flags_) undefined = 0;
    v.flags_mask = ~(undefined | kNeverCompared);

    // Initial state.
    for (int g = 0; g < 8; ++g) v.initial_regs[kGprNames[g]] = c.regs.gpr[g];
    v.initial_regs["eflags"] = c.regs.eflags;
    v.initial_regs["cs"] = kCodeSeg;
    v.initial_regs["ip"] = kCodeIp;
    v.initial_regs["ds"] = kGuestSeg[kDs];
    v.initial_regs["es"] = kGuestSeg[kEs];
    v.initial_regs["ss"] = kGuestSeg[kSs];
    for (unsigned vec = 0; vec < kHandledVectors; ++vec) {
        const uint32_t entry = (uint32_t(kHandlerSeg) << 16) | (2 * vec);
        for (int b = 0; b < 4; ++b) v.initial_ram.emplace_back(vec * 4 + b, uint8_t(entry >> (8 * b)));
    }
    for (unsigned b = 0; b < 2 * kHandledVectors; ++b)
        v.initial_ram.emplace_back((uint32_t(kHandlerSeg) << 4) + b, 0xF4);  // HLT
    for (size_t b = 0; b < v.bytes.size(); ++b)
        v.initial_ram.emplace_back((uint32_t(kCodeSeg) << 4) + kCodeIp + b, v.bytes[b]);
    for (const auto& [key, byte] : c.mem) v.initial_ram.emplace_back(guest_linear(int(key >> 16), key), byte);

    // Expected final state: the host's registers, flags and memory; on an exception, the
    // real-mode delivery of it (FLAGS, CS, IP pushed; IF, TF, AC cleared; CS:IP from the IVT).
    Regs fin = host.regs;
    uint16_t cs = kCodeSeg, ip = uint16_t(kCodeIp + guest_off[done]);
    if (host.vector >= 0) {
        const uint32_t sp = fin.gpr[R_ESP] & 0xFFFF;
        if (sp < 6 && (sp & 1)) {
            o.skipped = "the exception frame would not fit below SP (1, 3 or 5)";
            return o;
        }
        const uint32_t flags = fin.eflags & ~FLAG_RF;
        const uint16_t frame[3] = {ip, kCodeSeg, uint16_t(flags)};
        for (int w = 0; w < 3; ++w)
            for (int b = 0; b < 2; ++b)
                final_mem[mem_key(kSs, sp - 6 + 2 * w + b)] = uint8_t(frame[w] >> (8 * b));
        fin.gpr[R_ESP] = (fin.gpr[R_ESP] & 0xFFFF0000u) | ((sp - 6) & 0xFFFF);
        fin.eflags = flags & ~(FLAG_IF | FLAG_TF | FLAG_AC);
        cs = kHandlerSeg;
        ip = uint16_t(2 * host.vector);
        o.host_fault = std::string(vector_name(host.vector)) + " at " + hex16(kCodeSeg) + ":" +
                       hex16(kCodeIp + guest_off[done]);
    }
    for (int g = 0; g < 8; ++g)
        if (fin.gpr[g] != c.regs.gpr[g]) v.final_regs[kGprNames[g]] = fin.gpr[g];
    if (fin.eflags != c.regs.eflags) v.final_regs["eflags"] = fin.eflags;
    if (cs != kCodeSeg) v.final_regs["cs"] = cs;
    v.final_regs["ip"] = ip;
    std::map<MemKey, uint8_t> initial_mem = c.mem;
    for (const auto& [key, byte] : final_mem) {
        auto it = initial_mem.find(key);
        const uint8_t was = it == initial_mem.end() ? 0 : it->second;
        if (byte != was || it == initial_mem.end())
            v.final_ram.emplace_back(guest_linear(int(key >> 16), key), byte);
    }

    // vmm86.
    try {
        vmm_.load(v.initial_regs, v.initial_ram);
        vmm_.set_steps(steps);
        if (std::string error = vmm_.run(); !error.empty()) {
            o.mismatches.push_back("engine: " + error);
            return o;
        }
        if (host.vector >= 0 && (undefined & 0xFFFF)) {
            // The pushed FLAGS image holds the undefined flags too: take vmm86's bits there.
            for (auto& [addr, byte] : v.final_ram)
                for (uint32_t b = 0; b < 2; ++b)
                    if (addr == guest_linear(kSs, fin.gpr[R_ESP] + 4 + b)) {
                        const uint8_t m = uint8_t(undefined >> (8 * b));
                        byte = uint8_t((byte & ~m) | (vmm_.ram(addr) & m));
                    }
        }
        o.mismatches = compare_vector(v, vmm_);
        // A write the host did not make, anywhere in the data segments.
        std::map<uint32_t, uint8_t> expected = expected_ram(v);
        std::vector<uint32_t> written;
        vmm_.nonzero_bytes(guest_linear(kDs, 0), guest_linear(kSs, 0) + kSegBytes, written);
        for (uint32_t a : written) {
            if (expected.count(a)) continue;
            char line[96];
            std::snprintf(line, sizeof line, "  ram[0x%05x]: expected 0x00 got 0x%02x (the host wrote nothing there)",
                          a, vmm_.ram(a));
            o.mismatches.push_back(line);
            v.final_ram.emplace_back(a, 0);
        }
        if (uint32_t vcs = vmm_.reg("cs"); vcs == kHandlerSeg)
            o.vmm_fault = std::string(vector_name(int(vmm_.reg("ip") / 2))) + " (handler " + hex16(vcs) + ":" +
                          hex16(vmm_.reg("ip")) + ")";
    } catch (const std::exception& e) {
        o.mismatches.push_back(std::string("engine: ") + e.what());
    }
    for (std::string& line : o.mismatches)
        if (line.rfind("  ", 0) == 0) line.erase(0, 2);
    return o;
}

}  // namespace vmm86::difftest
