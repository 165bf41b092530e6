// `vmm86 difftest`: option parsing around difftest::run_difftest().
#include <boost/program_options.hpp>
#include <iostream>

#include "tools/commands.h"
#include "tools/difftest/difftest.h"

namespace po = boost::program_options;

namespace vmm86 {

int difftest_command(int argc, char** argv) {
    difftest::Options opt;
    std::string groups = "default", mode = "both";
    po::options_description opts(
        "usage: vmm86 difftest [options]\n\n"
        "Runs generated instruction sequences on the host CPU (x86-64 Linux; 32-bit code) and on\n"
        "vmm86 (real mode or 32-bit protected mode) and compares registers, EFLAGS (minus the\n"
        "flags the SDM leaves undefined), the x87 state, memory and exceptions. Prints each\n"
        "failure as a minimal reproducer and, last, 'N passed, M failed'.\n\n"
        "options");
    opts.add_options()("help,h", "show this help")(
        "seed", po::value<uint64_t>(&opt.seed)->default_value(1), "random seed (same seed, same cases)")(
        "count", po::value<uint64_t>(&opt.count)->default_value(10000), "number of cases")(
        "group", po::value<std::string>(&groups)->default_value("default"),
        "comma-separated groups: alu incdec negnot shift rotate shiftd muldiv bcd bit bitscan setcc cmov "
        "xchg movx flags string stack trap x87, or all, or default")(
        "mode", po::value<std::string>(&mode)->default_value("both"),
        "the guest's mode: real (16-bit code, 66h/67h flipped), pm32 (32-bit protected mode, the "
        "host's bytes) or both (either, per case)")(
        "max-insns", po::value<unsigned>(&opt.max_insns)->default_value(3),
        "longest instruction sequence (1: single instructions only)")(
        "strict-flags", po::bool_switch(&opt.strict_flags),
        "also compare the flags the SDM leaves undefined (as this host's CPU sets them)")(
        "show", po::value<unsigned>(&opt.show)->default_value(10), "failures to print in full")(
        "case", po::value<uint64_t>(), "run only case N and print it, passing or not (same --seed, --group, --mode and --max-insns as the run that reported it)")(
        "write-vectors", po::value<std::string>(&opt.vectors_path),
        "write failing single-instruction cases to FILE (JSON lines for 'vmm86 vectors')");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
        po::notify(vm);
        opt.groups = difftest::parse_groups(groups);
        opt.mode = difftest::parse_mode(mode);
    } catch (const std::exception& e) {
        std::cerr << "vmm86 difftest: " << e.what() << "\n";
        return 2;
    }
    if (vm.count("case")) opt.only_case = vm["case"].as<uint64_t>();
    if (vm.count("help")) {
        std::cout << opts << "\n";
        return 0;
    }
    return difftest::run_difftest(opt, std::cout, std::cerr);
}

}  // namespace vmm86
