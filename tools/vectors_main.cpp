// `vmm86 vectors FILE`: option parsing around run_vectors().
#include <boost/program_options.hpp>
#include <iostream>

#include "tools/commands.h"
#include "tools/cpu_vector_engine.h"
#include "tools/vectors_command.h"

namespace po = boost::program_options;

namespace vmm86 {

int vectors_command(int argc, char** argv) {
    po::options_description opts("usage: vmm86 vectors [options] FILE\n\n"
                                 "Runs single-instruction real-mode test vectors (JSON lines or a JSON array, "
                                 "optionally gzipped)\nand prints the first failures and 'N passed, M failed'.\n\n"
                                 "options");
    unsigned show = 20;
    std::string accel = "interp";
    opts.add_options()("help,h", "show this help")(
        "show-failures", po::value<unsigned>(&show)->default_value(20), "how many failures to print in full")(
        "accel", po::value<std::string>(&accel)->default_value("interp"), "engine: interp");
    po::options_description hidden;
    std::string file;
    hidden.add_options()("file", po::value<std::string>(&file));
    po::positional_options_description pos;
    pos.add("file", 1);
    po::options_description all;
    all.add(opts).add(hidden);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "vmm86 vectors: " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts << "\n";
        return 0;
    }
    if (file.empty()) {
        std::cerr << "vmm86 vectors: no vector file given (see --help)\n";
        return 2;
    }
    if (accel != "interp") {
        std::cerr << "vmm86 vectors: --accel " << accel << " is not available (only interp)\n";
        return 2;
    }
    CpuVectorEngine engine;
    return run_vectors(file, engine, std::cout, std::cerr, show);
}

}  // namespace vmm86
