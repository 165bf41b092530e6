// Runs one difftest case on the host and on vmm86 and compares them. The host's result
// becomes a TestVector (initial state, expected final state, flags mask) so that the
// comparison is the one `vmm86 vectors` makes and a failure can be saved as a vector.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tools/difftest/test_case.h"
#include "tools/difftest/vmm_runner.h"
#include "tools/test_vector.h"

namespace vmm86::difftest {

struct Outcome {
    TestVector vector;                    // the host's result as a vector
    std::vector<std::string> mismatches;  // empty: passed
    std::string host_fault, vmm_fault;    // "" or "#DE at 0800:0100"
    std::string skipped;                  // why the case cannot be judged, if it cannot
    // The vector is one `vmm86 vectors` can run: real mode, no x87 state, one instruction.
    bool writable = false;
    bool passed() const { return skipped.empty() && mismatches.empty(); }
    // What differs, for deciding whether a simplified case still fails the same way.
    std::vector<std::string> signature() const;
};

class Executor {
public:
    // strict_flags: compare the flags the SDM leaves undefined too (to match the host
    // CPU's choices), and judge instructions that consume them. complete_vectors: the
    // vectors list the IVT and handlers too, as `vmm86 vectors` needs them (VmmEngine
    // writes them itself).
    Executor(uint64_t seed, bool strict_flags, bool complete_vectors = false)
        : seed_(seed), strict_flags_(strict_flags), complete_vectors_(complete_vectors) {}
    Outcome execute(const TestCase& c);

private:
    NativeResult run_native(const TestCase& c, size_t insns, std::map<MemKey, uint8_t>* final_mem);

    uint64_t seed_;
    bool strict_flags_, complete_vectors_;
    NativeRunner native_;
    VmmEngine vmm_;
};

const char* vector_name(int vector);  // "#DE", "#GP", ... or "#<n>"

}  // namespace vmm86::difftest
