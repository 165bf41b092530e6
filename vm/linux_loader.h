// Starting a machine the way a boot loader hands over to Linux: the boot plan's blobs go
// into guest RAM, ACPI tables into the BIOS area, and the CPU is left in the state of the
// 32-bit boot protocol (bios/linux_boot.h decides all of it; this file only applies it).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bios/linux_boot.h"
#include "vm/machine.h"

namespace vmm86 {

struct LinuxBootFiles {
    std::string kernel_path, initrd_path, cmdline;
};

// Reads and checks the files, plans the boot for the machine's RAM, writes it into the
// machine and sets the CPU's entry state. Throws std::runtime_error with a message for
// the user when a file is missing, truncated or not a kernel/initrd vmm86 can boot.
// Returns the plan's one-line summary.
std::string boot_linux(Machine& machine, const LinuxBootFiles& files);

}  // namespace vmm86
