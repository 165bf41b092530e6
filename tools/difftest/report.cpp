#include "tools/difftest/report.h"

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "tools/vectors_command.h"

namespace vmm86::difftest {
namespace {

bool same_failure(const Outcome& a, const std::vector<std::string>& signature) {
    return !a.passed() && a.skipped.empty() && a.signature() == signature;
}

std::string hex_bytes(const std::vector<uint8_t>& b) {
    std::string s;
    char t[4];
    for (uint8_t x : b) {
        std::snprintf(t, sizeof t, "%s%02x", s.empty() ? "" : " ", x);
        s += t;
    }
    return s;
}

}  // namespace

TestCase minimize(Executor& ex, TestCase c, Outcome& o) {
    const std::vector<std::string> sig = o.signature();
    auto attempt = [&](TestCase t) {
        Outcome r = ex.execute(t);
        if (!same_failure(r, sig)) return false;
        c = std::move(t);
        o = std::move(r);
        return true;
    };
    // Leading instructions first: a single instruction is the best reproducer (and the
    // only kind a vector file can hold).
    for (size_t k = 0; k < c.insns.size() && c.insns.size() > 1;) {
        TestCase t = c;
        t.insns.erase(t.insns.begin() + long(k));
        if (!attempt(t)) ++k;
    }
    for (int g = 0; g < 8; ++g) {
        if (c.regs.gpr[g] == 0) continue;
        TestCase t = c;
        t.regs.gpr[g] = 0;
        if (attempt(t)) continue;
        t = c;
        t.regs.gpr[g] &= 0xFFFF;
        if (t.regs.gpr[g] != c.regs.gpr[g]) attempt(t);
    }
    for (uint32_t bit = 1; bit < (1u << 22); bit <<= 1) {
        if (!(c.regs.eflags & bit) || bit == 0x2 || bit == 0x200) continue;  // fixed 1, IF
        TestCase t = c;
        t.regs.eflags &= ~bit;
        attempt(t);
    }
    std::vector<MemKey> keys;
    for (const auto& kv : c.mem) keys.push_back(kv.first);
    for (MemKey k : keys) {  // an absent byte is a zero byte
        TestCase t = c;
        t.mem.erase(k);
        attempt(t);
    }
    o = ex.execute(c);
    return c;
}

void print_case(std::ostream& out, const char* verdict, const TestCase& c, const Outcome& o) {
    out << verdict << " case " << c.number << " [" << group_name(c.group()) << ", " << mode_name(c) << "]";
    for (size_t i = 0; i < c.insns.size(); ++i) out << (i ? "; " : " ") << disassemble(c.insns[i], c.code32());
    if (c.mode == Mode::Real)
        out << "\n  real-mode bytes: " << hex_bytes(c.code(false)) << "   host 32-bit bytes: " << hex_bytes(c.code(true));
    else
        out << "\n  32-bit bytes (guest and host): " << hex_bytes(c.code(true));
    out << "\n  in:";
    static const char* const kNames[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    char buf[64];
    for (int g = 0; g < 8; ++g) {
        std::snprintf(buf, sizeof buf, " %s=%08x", kNames[g], c.regs.gpr[g]);
        out << buf;
    }
    std::snprintf(buf, sizeof buf, " eflags=%08x", c.regs.eflags);
    out << buf << " (" << flag_names(c.regs.eflags & 0xCD5) << ")\n";
    if (c.x87) {
        const FxImage& f = c.fpu;
        std::snprintf(buf, sizeof buf, "  x87 in: fcw=%04x fsw=%04x (top %u) ftw=%02x fop=%03x", f.u16(0), f.u16(2),
                      (f.u16(2) >> 11) & 7, f.b[4], f.u16(6));
        out << buf;
        std::snprintf(buf, sizeof buf, " fip=%04x:%08x fdp=%04x:%08x\n", f.u16(12), f.u32(8), f.u16(20), f.u32(16));
        out << buf;
        const unsigned top = (f.u16(2) >> 11) & 7;
        for (unsigned st = 0; st < 8; ++st) {
            const uint8_t* r = f.b + 32 + 16 * st;
            uint64_t m;
            std::memcpy(&m, r, 8);
            std::snprintf(buf, sizeof buf, "%s st%u=%04x:%016llx%s", st % 4 ? "" : "   ", st,
                          unsigned(r[8] | r[9] << 8), static_cast<unsigned long long>(m),
                          (f.b[4] >> ((top + st) & 7) & 1) ? "" : " (empty)");
            out << buf << (st % 4 == 3 ? "\n" : "");
        }
    }
    if (!c.mem.empty()) {
        static const char* const kSeg[3] = {"ds", "es", "ss"};
        out << "  mem:";
        bool first = true;
        MemKey prev = 0;
        for (const auto& [key, byte] : c.mem) {
            if (first || key != prev + 1) {
                std::snprintf(buf, sizeof buf, "%s %s:%04x =", first ? "" : " |", kSeg[key >> 16], key & 0xFFFF);
                out << buf;
            }
            first = false;
            std::snprintf(buf, sizeof buf, " %02x", byte);
            out << buf;
            prev = key;
        }
        out << "\n";
    }
    if (o.host_fault != o.vmm_fault)
        out << "  fault: host " << (o.host_fault.empty() ? "none" : o.host_fault) << ", vmm86 "
            << (o.vmm_fault.empty() ? "none" : o.vmm_fault) << "\n";
    else if (!o.host_fault.empty())
        out << "  fault: " << o.host_fault << " on both\n";
    if (o.vector.flags_mask && (~*o.vector.flags_mask & 0xFFF))
        out << "  undefined flags (not compared): " << flag_names(~*o.vector.flags_mask & 0xFFF) << "\n";
    if (!o.skipped.empty()) out << "  skipped: " << o.skipped << "\n";
    const size_t kMaxLines = 16;
    for (size_t i = 0; i < o.mismatches.size() && i < kMaxLines; ++i) out << "  " << o.mismatches[i] << "\n";
    if (o.mismatches.size() > kMaxLines) out << "  ... and " << o.mismatches.size() - kMaxLines << " more\n";
}

void write_vector_line(std::ostream& out, const TestVector& v) {
    using nlohmann::json;
    auto ram = [](const std::vector<std::pair<uint32_t, uint8_t>>& r) {
        json a = json::array();
        for (const auto& [addr, byte] : r) a.push_back({addr, byte});
        return a;
    };
    json j;
    j["name"] = v.name;
    j["bytes"] = v.bytes;
    j["initial"] = {{"regs", v.initial_regs}, {"ram", ram(v.initial_ram)}};
    j["final"] = {{"regs", v.final_regs}, {"ram", ram(v.final_ram)}};
    if (v.flags_mask) j["flags_mask"] = *v.flags_mask;
    out << j.dump() << "\n";
}

}  // namespace vmm86::difftest
