// `vmm86 vectors FILE`: runs every vector of a SingleStepTests-style file on an engine and
// reports the differences from the recorded hardware results.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "tools/test_vector.h"
#include "tools/vector_engine.h"

namespace vmm86 {

// Prints the first max_failures_shown failures to out, then exactly "N passed, M failed" as
// the last line. Returns 0 when every vector passed, 1 when some failed, and 2 (after one
// line "vmm86 vectors: <message>" on err) when the file cannot be read or is malformed.
int run_vectors(const std::string& path, VectorEngine& engine, std::ostream& out, std::ostream& err,
                unsigned max_failures_shown = 20);

// The mismatch lines for one vector after engine.run(), empty when it passed. Exposed so
// that other drivers (differential tests) can compare the same way.
std::vector<std::string> compare_vector(const TestVector& v, VectorEngine& engine);

// "CF ZF" for the flag bits set in bits; unnamed bits appear as "bit1", "bit22"...
std::string flag_names(uint32_t bits);

}  // namespace vmm86
