#include "tools/difftest/difftest.h"

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "tools/difftest/executor.h"
#include "tools/difftest/generator.h"
#include "tools/difftest/report.h"

namespace vmm86::difftest {

std::vector<Group> all_groups() {
    std::vector<Group> g;
    for (size_t i = 0; i < size_t(Group::kCount); ++i) g.push_back(Group(i));
    return g;
}

std::vector<Group> default_groups() { return all_groups(); }

std::vector<Group> parse_groups(const std::string& list) {
    std::vector<Group> out;
    std::stringstream ss(list);
    std::string name;
    while (std::getline(ss, name, ',')) {
        if (name.empty()) continue;
        if (name == "all") {
            for (Group g : all_groups()) out.push_back(g);
            continue;
        }
        if (name == "default") {
            for (Group g : default_groups()) out.push_back(g);
            continue;
        }
        bool found = false;
        for (Group g : all_groups())
            if (name == group_name(g)) out.push_back(g), found = true;
        if (!found) {
            std::string known;
            for (Group g : all_groups()) known += std::string(known.empty() ? "" : ", ") + group_name(g);
            throw std::invalid_argument("unknown group '" + name + "' (groups: " + known + ", all, default)");
        }
    }
    if (out.empty()) throw std::invalid_argument("no group given");
    return out;
}

ModeChoice parse_mode(const std::string& name) {
    if (name == "real") return ModeChoice::Real;
    if (name == "pm32") return ModeChoice::Pm32;
    if (name == "both") return ModeChoice::Both;
    throw std::invalid_argument("unknown mode '" + name + "' (modes: real, pm32, both)");
}

int run_difftest(const Options& opt, std::ostream& out, std::ostream& err) {
    if (std::string why = NativeRunner::unavailable_reason(); !why.empty()) {
        err << "vmm86 difftest: cannot run here: " << why << "\n";
        return 77;
    }
    std::unique_ptr<std::ofstream> vectors;
    if (!opt.vectors_path.empty()) {
        vectors = std::make_unique<std::ofstream>(opt.vectors_path);
        if (!*vectors) {
            err << "vmm86 difftest: cannot write " << opt.vectors_path << "\n";
            return 2;
        }
    }
    const std::vector<Group> groups = opt.groups.empty() ? default_groups() : opt.groups;
    Generator gen(opt.seed, groups, opt.max_insns, opt.mode);
    Executor ex(opt.seed, opt.strict_flags, !opt.vectors_path.empty());
    uint64_t passed = 0, failed = 0, skipped = 0, written = 0, unwritable = 0;
    std::map<std::string, uint64_t> failures_by_form, host_faults, skip_reasons;
    const uint64_t cases = opt.only_case ? *opt.only_case + 1 : opt.count;
    for (uint64_t i = 0; i < cases; ++i) {
        TestCase c = gen.next();
        if (opt.only_case && c.number != *opt.only_case) continue;  // generated, not run
        Outcome o = ex.execute(c);
        if (opt.only_case && !o.passed()) print_case(out, o.skipped.empty() ? "FAIL (as generated)" : "SKIP", c, o);
        if (opt.only_case && o.passed()) print_case(out, "PASS", c, o);
        if (!o.host_fault.empty()) ++host_faults[o.host_fault.substr(0, o.host_fault.find(' '))];
        if (!o.skipped.empty()) {
            ++skipped;
            ++skip_reasons[o.skipped];
            if (opt.only_case) err << "vmm86 difftest: case skipped: " << o.skipped << "\n";
            continue;
        }
        if (o.passed()) {
            ++passed;
            continue;
        }
        ++failed;
        if (failed <= opt.show || vectors) {
            c = minimize(ex, std::move(c), o);
            if (failed <= opt.show) print_case(out, "FAIL", c, o);
            if (vectors) {
                // `vmm86 vectors` runs one real-mode instruction per vector, without x87 state.
                if (o.writable) write_vector_line(*vectors, o.vector), ++written;
                else ++unwritable;
            }
        }
        // Counted after minimising (when it ran): the instruction left is the culprit.
        ++failures_by_form[std::string(group_name(c.group())) + " " + c.insns.back().desc->name];
    }
    if (failed > opt.show) out << "(" << failed - opt.show << " more failures not shown)\n";
    if (!failures_by_form.empty()) {
        out << "failures by instruction:";
        for (const auto& [form, n] : failures_by_form) out << " " << form << "=" << n;
        out << "\n";
    }
    if (vectors) {
        out << "wrote " << written << " vectors to " << opt.vectors_path;
        if (unwritable)
            out << " (" << unwritable
                << " failing cases are sequences, protected-mode or x87 cases, which vectors cannot hold)";
        out << "\n";
    }
    if (!host_faults.empty()) {
        out << "exceptions raised on the host:";
        for (const auto& [name, n] : host_faults) out << " " << name << "=" << n;
        out << "\n";
    }
    if (skipped) {
        out << "(" << skipped << " cases skipped, without an architectural result to compare:";
        for (const auto& [why, n] : skip_reasons) out << " " << n << " " << why << ";";
        out << ")\n";
    }
    out << passed << " passed, " << failed << " failed\n";
    return failed ? 1 : 0;
}

}  // namespace vmm86::difftest
