// Failure reports: shrinking a failing case to a minimal reproducer, printing it, and
// writing it as a `vmm86 vectors` JSON line.
#pragma once
#include <ostream>

#include "tools/difftest/executor.h"

namespace vmm86::difftest {

// Simplifies `c` (drops leading instructions, zeroes registers, flags and memory bytes)
// as long as it keeps failing with the same signature. Returns the simplest case found
// and its outcome in `o`.
TestCase minimize(Executor& ex, TestCase c, Outcome& o);

// verdict: "FAIL", "PASS"...
void print_case(std::ostream& out, const char* verdict, const TestCase& c, const Outcome& o);

// One JSON object on one line, in the format tools/test_vector.h reads.
void write_vector_line(std::ostream& out, const TestVector& v);

}  // namespace vmm86::difftest
