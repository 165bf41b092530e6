// vmm86: one binary, one subcommand per job.
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/commands.h"

namespace {

void usage(FILE* out) {
    std::fputs(
        "usage: vmm86 <command> [options]\n"
        "\n"
        "commands:\n"
        "  run       boot a machine (firmware image with --bios)\n"
        "  vectors   run single-instruction test vectors (.jsonl / .jsonl.gz)\n"
        "  difftest  compare generated instructions with the host CPU\n"
        "\n"
        "'vmm86 <command> --help' describes each command's options.\n",
        out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs("vmm86: no command given (try 'vmm86 --help')\n", stderr);
        return 2;
    }
    const std::string cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        usage(stdout);
        return 0;
    }
    if (cmd == "run") return vmm86::run_command(argc - 1, argv + 1);
    if (cmd == "vectors") return vmm86::vectors_command(argc - 1, argv + 1);
    if (cmd == "difftest") return vmm86::difftest_command(argc - 1, argv + 1);
    std::fprintf(stderr, "vmm86: unknown command '%s' (try 'vmm86 --help')\n", cmd.c_str());
    return 2;
}
