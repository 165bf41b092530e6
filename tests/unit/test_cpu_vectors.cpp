// `vmm86 vectors` end to end on the real engine: SingleStepTests-style vectors (final
// registers as a delta, RAM as address/byte pairs) pass when the CPU is right and fail,
// with the register named, when the recorded result differs.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tools/cpu_vector_engine.h"
#include "tools/vectors_command.h"

namespace vmm86 {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
    std::string path = ::testing::TempDir() + name;
    std::ofstream(path) << text;
    return path;
}

// CS:IP = 1000:0100 -> linear 10100. The instruction is followed by a HLT.
const char* kVectors =
    // add ax, bx: 0x7FFF + 1 = 0x8000 sets OF, SF, AF, PF (flags 0x0896 from 0x0002)
    R"({"name":"add ax,bx","bytes":[1,216],"initial":{"regs":{"ax":32767,"bx":1,"cx":0,"dx":0,"si":0,"di":0,"bp":0,"sp":256,"cs":4096,"ds":0,"es":0,"ss":0,"ip":256,"flags":2},"ram":[[65792,1],[65793,216],[65794,244]]},"final":{"regs":{"ax":32768,"ip":258,"flags":2198},"ram":[]}})"
    "\n"
    // mov [bx+si], al with DS=2000: writes linear 20000 + 0x10 + 0x20 = 0x20030
    R"({"name":"mov [bx+si],al","bytes":[136,0],"initial":{"regs":{"ax":171,"bx":16,"cx":0,"dx":0,"si":32,"di":0,"bp":0,"sp":256,"cs":4096,"ds":8192,"es":0,"ss":0,"ip":256,"flags":2},"ram":[[65792,136],[65793,0],[65794,244],[131120,0]]},"final":{"regs":{"ip":258},"ram":[[131120,171]]}})"
    "\n"
    // div bl by zero: #DE through IVT[0] = 0000:0400, pushing FLAGS, CS, IP of the DIV
    R"({"name":"div bl #DE","bytes":[246,243],"initial":{"regs":{"ax":100,"bx":0,"cx":0,"dx":0,"si":0,"di":0,"bp":0,"sp":256,"cs":4096,"ds":0,"es":0,"ss":0,"ip":256,"flags":514},"ram":[[0,0],[1,4],[2,0],[3,0],[1024,244],[65792,246],[65793,243]]},"final":{"regs":{"cs":0,"ip":1024,"sp":250,"flags":2},"ram":[[250,0],[251,1],[252,0],[253,16],[254,2],[255,2]]},"flags_mask":2261})"
    "\n"
    // rep stosb with CX=5000 (more than one chunk of the string helper) at ES:DI = 3000:0000
    R"({"name":"rep stosb","bytes":[243,170],"initial":{"regs":{"ax":90,"bx":0,"cx":5000,"dx":0,"si":0,"di":0,"bp":0,"sp":256,"cs":4096,"ds":0,"es":12288,"ss":0,"ip":256,"flags":2},"ram":[[65792,243],[65793,170],[65794,244],[196608,0],[201607,0],[201608,7]]},"final":{"regs":{"cx":0,"di":5000,"ip":258},"ram":[[196608,90],[201607,90],[201608,7]]}})"
    "\n";

// The 80286 suite's conventions: bytes end with the terminating HLT, the final IP is the
// one after that HLT (also at a jump target, where the suite injects it), and the initial
// FLAGS may carry IOPL/NT bits that real mode never holds.
const char* k286StyleVectors =
    R"({"name":"add ax,bx","bytes":[1,216,244],"initial":{"regs":{"ax":1,"bx":2,"cx":0,"dx":0,"si":0,"di":0,"bp":0,"sp":256,"cs":4096,"ds":0,"es":0,"ss":0,"ip":256,"flags":61442},"ram":[[65792,1],[65793,216],[65794,244]]},"final":{"regs":{"ax":3,"ip":259,"flags":6},"ram":[]}})"
    "\n"
    R"({"name":"jmp short","bytes":[235,16,244],"initial":{"regs":{"ax":0,"bx":0,"cx":0,"dx":0,"si":0,"di":0,"bp":0,"sp":256,"cs":4096,"ds":0,"es":0,"ss":0,"ip":256,"flags":2},"ram":[[65792,235],[65793,16],[65794,244]]},"final":{"regs":{"ip":275},"ram":[]}})"
    "\n"
    R"({"name":"hlt","bytes":[244],"initial":{"regs":{"ax":0,"bx":0,"cx":0,"dx":0,"si":0,"di":0,"bp":0,"sp":256,"cs":4096,"ds":0,"es":0,"ss":0,"ip":256,"flags":2},"ram":[[65792,244]]},"final":{"regs":{"ip":257},"ram":[]}})"
    "\n";

TEST(CpuVectors, TerminatingHaltConventionOf286Suite) {
    std::string path = write_file("cpu_vectors_286.jsonl", k286StyleVectors);
    CpuVectorEngine engine;
    std::ostringstream out, err;
    EXPECT_EQ(run_vectors(path, engine, out, err), 0) << out.str() << err.str();
    EXPECT_NE(out.str().find("3 passed, 0 failed"), std::string::npos) << out.str();
}

TEST(CpuVectors, RecordedResultsPass) {
    std::string path = write_file("cpu_vectors_ok.jsonl", kVectors);
    CpuVectorEngine engine;
    std::ostringstream out, err;
    EXPECT_EQ(run_vectors(path, engine, out, err), 0) << out.str() << err.str();
    EXPECT_NE(out.str().find("4 passed, 0 failed"), std::string::npos) << out.str();
}

TEST(CpuVectors, AWrongRecordedResultFailsNamingTheRegister) {
    std::string text = kVectors;
    text.replace(text.find("\"ax\":32768"), 10, "\"ax\":32769");
    std::string path = write_file("cpu_vectors_bad.jsonl", text);
    CpuVectorEngine engine;
    std::ostringstream out, err;
    EXPECT_EQ(run_vectors(path, engine, out, err), 1);
    EXPECT_NE(out.str().find("ax: expected 0x8001 got 0x8000"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("3 passed, 1 failed"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace vmm86
