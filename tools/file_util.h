// Reading user-supplied files with the checks and messages the command line needs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vmm86 {

// Reads the whole file. Throws std::runtime_error("<what> FILE: <reason>") when it is
// missing, unreadable, empty, or larger than max_bytes.
std::vector<uint8_t> read_file_checked(const std::string& path, const std::string& what, uint64_t max_bytes);

}  // namespace vmm86
