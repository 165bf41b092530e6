#include "tools/vectors_command.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <stdexcept>

namespace vmm86 {

namespace {

// Cap on lines per failing vector: a wrong segment base can mismatch every RAM byte.
constexpr std::size_t kMaxLinesPerVector = 24;

bool is_flags(const std::string& name) { return name == "flags" || name == "eflags"; }

// Registers in the order people read them, not alphabetical.
int register_rank(const std::string& name) {
  static const char* const kOrder[] = {"eax", "ax", "ebx", "bx", "ecx", "cx", "edx", "dx",
                                       "esi", "si", "edi", "di", "ebp", "bp", "esp", "sp",
                                       "cs",  "ds", "es",  "ss", "fs",  "gs", "eip", "ip",
                                       "eflags", "flags"};
  for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i)
    if (name == kOrder[i]) return i;
  return static_cast<int>(std::size(kOrder));
}

std::string format_value(uint32_t v, bool wide) {
  char s[16];
  std::snprintf(s, sizeof s, wide ? "0x%08x" : "0x%04x", v);
  return s;
}

std::string describe(const TestVector& v) {
  std::string s = "FAIL " + v.name + " (line " + std::to_string(v.line);
  if (!v.bytes.empty()) {
    s += "; bytes";
    char b[4];
    for (uint8_t byte : v.bytes) {
      std::snprintf(b, sizeof b, " %02x", byte);
      s += b;
    }
  }
  return s + ")";
}

}  // namespace

std::string flag_names(uint32_t bits) {
  static const char* const kNames[32] = {"CF", nullptr, "PF", nullptr, "AF", nullptr, "ZF", "SF",
                                         "TF", "IF", "DF", "OF", "IOPL", "IOPL", "NT", nullptr,
                                         "RF", "VM", "AC", "VIF", "VIP", "ID"};
  std::string s;
  for (int bit = 0; bit < 32; ++bit) {
    if (!(bits & (1u << bit))) continue;
    if (bit == 13 && (bits & (1u << 12))) continue;  // IOPL is one two-bit field
    if (!s.empty()) s += ' ';
    s += kNames[bit] ? kNames[bit] : "bit" + std::to_string(bit);
  }
  return s;
}

std::vector<std::string> compare_vector(const TestVector& v, VectorEngine& engine) {
  std::vector<std::string> lines;
  std::vector<std::pair<std::string, uint32_t>> regs;
  for (const auto& r : expected_regs(v)) regs.push_back(r);
  std::stable_sort(regs.begin(), regs.end(), [](const auto& a, const auto& b) {
    return register_rank(a.first) < register_rank(b.first);
  });
  for (const auto& [name, want] : regs) {
    bool wide = !is_16bit_register(name);
    uint32_t width = wide ? 0xFFFFFFFFu : 0xFFFFu;
    uint32_t got = engine.reg(name) & width;
    uint32_t compared = width;
    // flags_mask exists because some flags are undefined after some instructions and the
    // recorded CPU's values for them are not part of the architecture.
    if (is_flags(name) && v.flags_mask) compared &= *v.flags_mask;
    uint32_t differ = (want ^ got) & compared;
    if (!differ) continue;
    std::string line = "  " + name + ": expected " + format_value(want, wide) + " got " + format_value(got, wide);
    if (is_flags(name)) line += " (differ: " + flag_names(differ) + ")";
    lines.push_back(std::move(line));
  }
  for (const auto& [address, want] : expected_ram(v)) {
    uint8_t got = engine.ram(address);
    if (got == want) continue;
    char s[80];
    std::snprintf(s, sizeof s, "  ram[0x%05x]: expected 0x%02x got 0x%02x", address, want, got);
    lines.push_back(s);
  }
  return lines;
}

int run_vectors(const std::string& path, VectorEngine& engine, std::ostream& out, std::ostream& err,
                unsigned max_failures_shown) {
  uint64_t passed = 0, failed = 0;
  try {
    TestVectorReader reader(path);
    TestVector v;
    while (reader.next(v)) {
      std::vector<std::string> lines;
      try {
        engine.set_bytes(v.bytes);
        engine.load(v.initial_regs, v.initial_ram);
        std::string error = engine.run();
        // After an internal failure the machine state means nothing; comparing it would
        // bury the one useful line under a list of mismatches.
        if (!error.empty()) lines.push_back("  engine: " + error);
        else lines = compare_vector(v, engine);
      } catch (const std::exception& e) {
        lines = {std::string("  engine: ") + e.what()};
      }
      if (lines.empty()) {
        ++passed;
        continue;
      }
      if (failed++ >= max_failures_shown) continue;
      out << describe(v) << '\n';
      for (std::size_t i = 0; i < lines.size() && i < kMaxLinesPerVector; ++i) out << lines[i] << '\n';
      if (lines.size() > kMaxLinesPerVector)
        out << "  ... and " << lines.size() - kMaxLinesPerVector << " more differences\n";
    }
  } catch (const std::exception& e) {
    // The file is at fault, not the engine: a partial count would read like a result.
    out.flush();
    err << "vmm86 vectors: " << e.what() << '\n';
    return 2;
  }
  if (failed > max_failures_shown)
    out << "(" << failed - max_failures_shown << " more failures not shown)\n";
  out << passed << " passed, " << failed << " failed\n";
  return failed == 0 && passed > 0 ? 0 : 1;
}

}  // namespace vmm86
