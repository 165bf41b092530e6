// The subcommands of the vmm86 binary. Each parses its own options (argv[0] is the
// command name) and returns the process exit status.
#pragma once

namespace vmm86 {

int run_command(int argc, char** argv);
int vectors_command(int argc, char** argv);
int difftest_command(int argc, char** argv);

}  // namespace vmm86
