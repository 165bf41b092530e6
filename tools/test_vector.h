// Single-instruction x86 test vectors in the format of the public SingleStepTests suites,
// read one at a time so that suites of hundreds of megabytes never sit in memory at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vmm86 {

struct TestVector {
  std::string name;
  std::vector<uint8_t> bytes;  // the instruction, for display; the engine fetches from RAM
  // final_regs and final_ram are deltas against the initial state (see expected_regs()).
  std::map<std::string, uint32_t> initial_regs, final_regs;
  std::vector<std::pair<uint32_t, uint8_t>> initial_ram, final_ram;
  std::optional<uint32_t> flags_mask;  // flag bits to compare; absent = all
  uint64_t line = 0;                   // where the vector starts in the file, for messages
};

// Register names whose value is 16 bits wide (compared and range-checked as 16 bits).
// Any other name (eax…, eip, eflags, and names an engine may add) is 32 bits wide.
bool is_16bit_register(const std::string& name);

// The register values a correct CPU ends with: final where given, else initial.
std::map<std::string, uint32_t> expected_regs(const TestVector& v);
// The RAM bytes a correct CPU ends with: every initial byte unless final lists it.
std::map<uint32_t, uint8_t> expected_ram(const TestVector& v);

// Reads a file of vectors: JSON lines, or one JSON array of objects (detected by a first
// non-space `[`), either plain or gzip-compressed (detected by zlib from the magic bytes).
// Every problem with the file throws std::runtime_error("FILE:LINE: what").
class TestVectorReader {
public:
  static constexpr std::size_t kDefaultMaxRecordBytes = std::size_t{64} << 20;

  explicit TestVectorReader(std::string path, std::size_t max_record_bytes = kDefaultMaxRecordBytes);
  ~TestVectorReader();
  TestVectorReader(const TestVectorReader&) = delete;
  TestVectorReader& operator=(const TestVectorReader&) = delete;

  // Fills v with the next vector; false at the end of the file. A file without any vector
  // is an error, thrown by the first call.
  bool next(TestVector& v);

  const std::string& path() const { return path_; }

private:
  enum class Layout { Unknown, Lines, Array, Done };

  int get();  // next decompressed byte, or -1 at the end
  int peek();
  [[noreturn]] void fail(uint64_t line, const std::string& what) const;
  bool next_record(std::string& text, uint64_t& line);
  bool next_line(std::string& text, uint64_t& line);
  bool next_array_element(std::string& text, uint64_t& line);
  void skip_space();
  void parse(const std::string& text, uint64_t line, TestVector& v) const;

  std::string path_;
  std::size_t max_record_bytes_;
  void* gz_ = nullptr;  // gzFile, kept out of this header so users need not include zlib
  std::vector<unsigned char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  uint64_t line_ = 1;  // line of the next byte get() returns
  Layout layout_ = Layout::Unknown;
  uint64_t count_ = 0;
};

}  // namespace vmm86
