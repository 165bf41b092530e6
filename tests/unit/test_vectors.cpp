// The vector reader and the `vmm86 vectors` comparison, driven by a fake engine whose
// "execution" is a scripted list of register and RAM writes.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "tools/test_vector.h"
#include "tools/vectors_command.h"

namespace vmm86 {
namespace {

namespace fs = std::filesystem;

struct Script {
  std::map<std::string, uint32_t> regs;
  std::map<uint32_t, uint8_t> ram;
  std::string error;
};

class FakeEngine : public VectorEngine {
public:
  std::deque<Script> scripts;  // one per run(); an empty queue means "changes nothing"
  std::map<std::string, uint32_t> regs_;
  std::map<uint32_t, uint8_t> ram_;
  int loads = 0;

  void load(const std::map<std::string, uint32_t>& regs,
            const std::vector<std::pair<uint32_t, uint8_t>>& ram) override {
    ++loads;
    regs_ = regs;
    ram_.clear();
    for (const auto& [a, b] : ram) ram_[a] = b;
  }
  std::string run() override {
    if (scripts.empty()) return "";
    Script s = scripts.front();
    scripts.pop_front();
    for (const auto& [n, v] : s.regs) regs_[n] = v;
    for (const auto& [a, b] : s.ram) ram_[a] = b;
    return s.error;
  }
  uint32_t reg(const std::string& name) override {
    auto it = regs_.find(name);
    if (it == regs_.end()) throw std::invalid_argument("unknown register " + name);
    return it->second;
  }
  uint8_t ram(uint32_t address) override { return ram_.count(address) ? ram_[address] : 0; }
};

// A vector in the SingleStepTests 8088 v2 shape, with its extra keys.
const char* kMovVector =
    R"({"idx":0,"name":"mov ax, 1234h","bytes":[184,52,18],)"
    R"("initial":{"regs":{"ax":1,"bx":2,"cx":3,"dx":4,"cs":0,"ss":0,"ds":0,"es":0,"sp":256,"bp":0,"si":0,"di":0,"ip":256,"flags":61442},)"
    R"("ram":[[256,184],[257,52],[258,18],[1000,7]],"queue":[]},)"
    R"("final":{"regs":{"ax":4660,"ip":259},"ram":[[1000,7]],"queue":[]},)"
    R"("cycles":[[1,2,"x"]],"hash":"abc"})";

Script mov_done() { return Script{{{"ax", 0x1234}, {"ip", 259}}, {}, ""}; }

class VectorsTest : public ::testing::Test {
protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::path(::testing::TempDir()) /
          ("vmm86_vectors_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string write(const std::string& name, const std::string& text) {
    std::string p = (dir / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string write_gz(const std::string& name, const std::string& text) {
    std::string p = (dir / name).string();
    gzFile g = gzopen(p.c_str(), "wb");
    EXPECT_NE(g, nullptr);
    EXPECT_EQ(gzwrite(g, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
    gzclose(g);
    return p;
  }

  std::vector<TestVector> read_all(const std::string& p, std::size_t max = TestVectorReader::kDefaultMaxRecordBytes) {
    TestVectorReader r(p, max);
    std::vector<TestVector> all;
    TestVector v;
    while (r.next(v)) all.push_back(v);
    return all;
  }
  std::string error_of(const std::string& p, std::size_t max = TestVectorReader::kDefaultMaxRecordBytes) {
    try {
      read_all(p, max);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "<no error>";
  }

  FakeEngine engine;
  std::ostringstream out, err;
  int run(const std::string& p, unsigned shown = 20) { return run_vectors(p, engine, out, err, shown); }
  std::string last_line() {
    std::string s = out.str(), line;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) line = l;
    return line;
  }
};

TEST_F(VectorsTest, ReadsFieldsAndIgnoresExtraKeys) {
  auto all = read_all(write("a.jsonl", std::string(kMovVector) + "\n"));
  ASSERT_EQ(all.size(), 1u);
  const TestVector& v = all[0];
  EXPECT_EQ(v.name, "mov ax, 1234h");
  EXPECT_EQ(v.bytes, (std::vector<uint8_t>{184, 52, 18}));
  EXPECT_EQ(v.initial_regs.size(), 14u);
  EXPECT_EQ(v.initial_regs.at("flags"), 61442u);
  EXPECT_EQ(v.final_regs.size(), 2u);
  EXPECT_EQ(v.initial_ram.size(), 4u);
  EXPECT_EQ(v.final_ram[0], (std::pair<uint32_t, uint8_t>{1000, 7}));
  EXPECT_FALSE(v.flags_mask);
  EXPECT_EQ(v.line, 1u);
}

TEST_F(VectorsTest, DeltaMergeOfRegisters) {
  auto p = write("a.jsonl", std::string(kMovVector) + "\n");
  engine.scripts = {mov_done()};
  EXPECT_EQ(run(p), 0);
  EXPECT_EQ(out.str(), "1 passed, 0 failed\n");

  // Not doing the move leaves ax and ip at their initial values: both mismatch.
  out.str("");
  engine.scripts = {Script{}};
  EXPECT_EQ(run(p), 1);
  EXPECT_NE(out.str().find("FAIL mov ax, 1234h (line 1; bytes b8 34 12)\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  ax: expected 0x1234 got 0x0001\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  ip: expected 0x0103 got 0x0100\n"), std::string::npos);
  EXPECT_EQ(last_line(), "0 passed, 1 failed");

  // A register absent from final must keep its initial value.
  out.str("");
  Script s = mov_done();
  s.regs["bx"] = 5;
  engine.scripts = {s};
  EXPECT_EQ(run(p), 1);
  EXPECT_NE(out.str().find("  bx: expected 0x0002 got 0x0005\n"), std::string::npos) << out.str();
}

TEST_F(VectorsTest, SixteenBitNamesCompareSixteenBits) {
  auto p = write("a.jsonl", std::string(kMovVector) + "\n");
  Script s = mov_done();
  s.regs["ax"] = 0xABCD1234;  // an engine keeping eax in the same slot
  engine.scripts = {s};
  EXPECT_EQ(run(p), 0) << out.str();
}

TEST_F(VectorsTest, ThirtyTwoBitNames) {
  auto p = write("a.jsonl",
                 R"({"name":"mov eax","initial":{"regs":{"eax":4294967295,"eip":0,"eflags":2}},"final":{"regs":{"eax":65536}}})"
                 "\n");
  engine.scripts = {Script{{{"eax", 0x10001}}, {}, ""}};
  EXPECT_EQ(run(p), 1);
  EXPECT_NE(out.str().find("  eax: expected 0x00010000 got 0x00010001\n"), std::string::npos) << out.str();
}

TEST_F(VectorsTest, FlagsMask) {
  std::string v =
      R"({"name":"add","initial":{"regs":{"flags":61442}},"final":{"regs":{"flags":61511}},"flags_mask":2261})";
  auto p = write("a.jsonl", v + "\n");  // 61511 = 0xf047, mask 0x8d5 = OF SF ZF AF PF CF
  engine.scripts = {Script{{{"flags", 0xF047 ^ 0x0100}}, {}, ""}};  // TF differs: not compared
  EXPECT_EQ(run(p), 0) << out.str();

  out.str("");
  engine.scripts = {Script{{{"flags", 0xF046}}, {}, ""}};
  EXPECT_EQ(run(p), 1);
  EXPECT_NE(out.str().find("  flags: expected 0xf047 got 0xf046 (differ: CF)\n"), std::string::npos) << out.str();

  // Without a mask every bit counts, and the decoding names each one.
  out.str("");
  auto q = write("b.jsonl", R"({"name":"x","initial":{"regs":{"flags":61442}},"final":{"regs":{"flags":61511}}})");
  engine.scripts = {Script{{{"flags", 0xF047 ^ 0x3D01}}, {}, ""}};
  EXPECT_EQ(run(q), 1);
  EXPECT_NE(out.str().find("(differ: CF TF DF OF IOPL)"), std::string::npos) << out.str();
  EXPECT_EQ(flag_names(0x0002 | 0x8000 | 0x400000), "bit1 bit15 bit22");
}

TEST_F(VectorsTest, RamComparison) {
  auto p = write("a.jsonl",
                 R"({"name":"stosb","initial":{"regs":{"ax":0},"ram":[[100,1],[101,2]]},"final":{"regs":{},"ram":[[100,9],[74565,3]]}})"
                 "\n");
  engine.scripts = {Script{{}, {{100, 9}, {74565, 3}}, ""}};
  EXPECT_EQ(run(p), 0) << out.str();

  out.str("");
  engine.scripts = {Script{{}, {{100, 9}, {101, 7}}, ""}};  // clobbers 101, forgets 74565
  EXPECT_EQ(run(p), 1);
  EXPECT_NE(out.str().find("  ram[0x00065]: expected 0x02 got 0x07\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  ram[0x12345]: expected 0x03 got 0x00\n"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("ram[0x00064]"), std::string::npos);
}

TEST_F(VectorsTest, GzipInputDetectedByMagicNotName) {
  std::string text = std::string(kMovVector) + "\n" + kMovVector + "\n";
  for (const char* name : {"a.jsonl.gz", "misnamed.jsonl"}) {
    auto p = write_gz(name, text);
    engine.scripts = {mov_done(), mov_done()};
    out.str("");
    EXPECT_EQ(run(p), 0) << name << ": " << err.str();
    EXPECT_EQ(last_line(), "2 passed, 0 failed");
  }
}

TEST_F(VectorsTest, JsonArrayInput) {
  // Pretty-printed, gzipped, with strings holding brackets and escaped quotes.
  std::string text = "[\n  " + std::string(kMovVector) + ",\n  " +
                     R"({"name":"odd \"]},[\" name","initial":{"regs":{"ax":1}},"final":{"regs":{"ax":2}}})" + "\n]\n";
  auto all = read_all(write_gz("a.json.gz", text));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].name, "odd \"]},[\" name");
  EXPECT_EQ(all[1].line, 3u);
  EXPECT_EQ(read_all(write("b.json", "\xEF\xBB\xBF[" + std::string(kMovVector) + "]")).size(), 1u);
}

TEST_F(VectorsTest, BadJsonNamesFileAndLine) {
  auto p = write("v.jsonl", std::string(kMovVector) + "\n\n{\"name\": oops}\n");
  std::string e = error_of(p);
  EXPECT_EQ(e.rfind(p + ":3: bad JSON: column 10: ", 0), 0u) << e;

  engine.scripts = {mov_done()};
  EXPECT_EQ(run(p), 2);
  EXPECT_EQ(err.str().rfind("vmm86 vectors: " + p + ":3: bad JSON", 0), 0u) << err.str();
  const std::string message = err.str();
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1);

  // Inside a pretty-printed array the line is that of the error, not of the element.
  auto q = write("a.json", "[\n{\"name\":\"x\",\n \"initial\": nope}\n]");
  EXPECT_EQ(error_of(q).rfind(q + ":3: bad JSON: column 14: ", 0), 0u) << error_of(q);
}

TEST_F(VectorsTest, MissingFile) {
  auto p = (dir / "nope.jsonl").string();
  EXPECT_EQ(error_of(p), p + ": cannot open: No such file or directory");
  EXPECT_EQ(run(p), 2);
  EXPECT_EQ(err.str(), "vmm86 vectors: " + p + ": cannot open: No such file or directory\n");
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(error_of(dir.string()).find("is a directory"), std::string::npos);
}

TEST_F(VectorsTest, EmptyFile) {
  for (const char* text : {"", "\n  \n", "[]", " [ ]\n"}) {
    auto p = write("e.jsonl", text);
    EXPECT_EQ(error_of(p), "no test vectors in " + p) << text;
    err.str("");
    EXPECT_EQ(run(p), 2);
    EXPECT_EQ(err.str(), "vmm86 vectors: no test vectors in " + p + "\n");
  }
  EXPECT_EQ(error_of(write_gz("e.jsonl.gz", "")), "no test vectors in " + (dir / "e.jsonl.gz").string());
}

TEST_F(VectorsTest, MissingFieldsAndRanges) {
  auto check = [&](const std::string& line, const std::string& want) {
    std::string e = error_of(write("f.jsonl", line));
    EXPECT_NE(e.find(":1: "), std::string::npos) << line << " -> " << e;
    EXPECT_NE(e.find(want), std::string::npos) << line << " -> " << e;
  };
  check(R"({"initial":{"regs":{}},"final":{}})", R"(missing "name")");
  check(R"({"name":"x","final":{}})", R"(missing "initial")");
  check(R"({"name":"x","initial":{},"final":{}})", R"(missing "initial.regs")");
  check(R"({"name":"x","initial":{"regs":{}}})", R"(missing "final")");
  check(R"({"name":"x","initial":{"regs":[]},"final":{}})", R"("initial.regs": expected an object, got array)");
  check(R"({"name":"x","initial":{"regs":{"ax":65536}},"final":{}})", R"("initial.regs.ax": value 65536 out of range (max 0xffff))");
  check(R"({"name":"x","initial":{"regs":{"eax":4294967296}},"final":{}})", "out of range (max 0xffffffff)");
  check(R"({"name":"x","initial":{"regs":{"ax":-1}},"final":{}})", "out of range (negative)");
  check(R"({"name":"x","initial":{"regs":{"ax":1.5}},"final":{}})", "expected an unsigned integer, got number");
  check(R"({"name":"x","initial":{"regs":{"ax":"1"}},"final":{}})", "expected an unsigned integer, got string");
  check(R"({"name":"x","initial":{"regs":{},"ram":[[1,256]]},"final":{}})", R"("initial.ram[0][1]": value 256 out of range)");
  check(R"({"name":"x","initial":{"regs":{},"ram":[[1]]},"final":{}})", R"("initial.ram[0]": expected [address, byte])");
  check(R"({"name":"x","initial":{"regs":{}},"final":{},"bytes":[300]})", R"("bytes[0]": value 300)");
  check(R"({"name":"x","initial":{"regs":{}},"final":{},"flags_mask":-5})", R"("flags_mask")");
  check(R"({"name":"x","initial":{"regs":{"a x":1}},"final":{}})", "bad register name");
  check(R"([1,2])", "bad JSON: expected an object, got number");
  check("42", "bad JSON: expected an object, got number");
}

TEST_F(VectorsTest, OverlongLineIsRefused) {
  std::string line = std::string(kMovVector);
  EXPECT_EQ(read_all(write("ok.jsonl", line), line.size()).size(), 1u);
  std::string e = error_of(write("long.jsonl", line + "\n" + line + " \n"), line.size());
  EXPECT_NE(e.find(":2: line longer than"), std::string::npos) << e;
  e = error_of(write("long.json", "[" + line + ", " + line + " ]"), line.size());
  EXPECT_NE(e.find(":1: array element longer than"), std::string::npos) << e;
}

TEST_F(VectorsTest, EngineErrorsAndFailureCap) {
  std::string text;
  for (int i = 0; i < 4; ++i) text += std::string(kMovVector) + "\n";
  auto p = write("a.jsonl", text);
  engine.scripts = {Script{{}, {}, "unimplemented instruction"}, mov_done(), Script{}, Script{}};
  EXPECT_EQ(run(p, 1), 1);
  EXPECT_NE(out.str().find("FAIL mov ax, 1234h (line 1;"), std::string::npos);
  EXPECT_NE(out.str().find("  engine: unimplemented instruction\n"), std::string::npos);
  EXPECT_EQ(out.str().find("(line 3"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("(2 more failures not shown)\n"), std::string::npos);
  EXPECT_EQ(last_line(), "1 passed, 3 failed");
  EXPECT_EQ(engine.loads, 4);

  // A register the engine does not model fails the vector rather than passing unchecked.
  out.str("");
  auto q = write("b.jsonl", R"({"name":"x","initial":{"regs":{"cr0":16}},"final":{}})");
  struct Picky : FakeEngine {
    uint32_t reg(const std::string& n) override {
      if (n == "cr0") throw std::invalid_argument("register cr0 not supported");
      return FakeEngine::reg(n);
    }
  } engine2;
  EXPECT_EQ(run_vectors(q, engine2, out, err), 1);
  EXPECT_NE(out.str().find("  engine: register cr0 not supported\n"), std::string::npos) << out.str();
}

TEST_F(VectorsTest, MalformedFilesNeverCrash) {
  const std::string cases[] = {
      "[",      "[{}",     "[{},]",  "[,]",     "[{}] x", "[{]}", "{",          "}\n]",
      "\x1f\x8b", "\x1f\x8b\x08\x00garbage", "[" + std::string(200000, '['), std::string(200000, '[') + "\n",
      "{\"name\":\"\xff\"}", std::string("\0\0\0", 3), "\xEF\xBB", "[\"\\\"]",
  };
  for (const auto& c : cases) {
    auto p = write("m.jsonl", c);
    EXPECT_NE(error_of(p), "<no error>") << c.substr(0, 20);
  }
  // A gzip stream cut short is reported, not read as a short file.
  std::string text;
  for (int i = 0; i < 200; ++i) text += std::string(kMovVector) + "\n";
  auto whole = write_gz("t.jsonl.gz", text);
  std::string bytes;
  {
    std::ifstream in(whole, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string e = error_of(write("cut.jsonl.gz", bytes.substr(0, bytes.size() / 2)));
  EXPECT_NE(e.find("gzip"), std::string::npos) << e;

  // Random damage to a valid line: each outcome is a vector or a clear error.
  std::mt19937 rng(1234);
  std::string base = kMovVector;
  for (int i = 0; i < 600; ++i) {
    std::string s = base;
    for (int k = 0, n = 1 + rng() % 4; k < n; ++k) s[rng() % s.size()] = static_cast<char>(rng() % 256);
    if (rng() % 4 == 0) s.resize(rng() % s.size());
    auto p = write("r.jsonl", s);
    try {
      read_all(p);
    } catch (const std::runtime_error& ex) {
      EXPECT_EQ(std::string(ex.what()).rfind(p + ":", 0) == 0 ||
                    std::string(ex.what()).rfind("no test vectors", 0) == 0,
                true)
          << ex.what();
    }
  }
}

}  // namespace
}  // namespace vmm86
