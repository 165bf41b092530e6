#include "tools/test_vector.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace vmm86 {

using nlohmann::json;

namespace {

constexpr std::size_t kReadChunk = 256 * 1024;

gzFile gz(void* p) { return static_cast<gzFile>(p); }

bool is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string hex(uint64_t v) {
  char s[24];
  std::snprintf(s, sizeof s, "0x%llx", static_cast<unsigned long long>(v));
  return s;
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,
// column 7: "; the line and column are relative to one record, so we replace them with our
// own, and we cut the "last read" echo, which can be as long as a whole bad record.
std::string clean_parse_message(std::string m) {
  if (auto p = m.find("] "); m.rfind("[json.exception.", 0) == 0 && p != std::string::npos)
    m.erase(0, p + 2);
  if (m.rfind("parse error", 0) == 0)
    if (auto p = m.find(": "); p != std::string::npos) m.erase(0, p + 2);
  constexpr std::size_t kMax = 160;
  if (m.size() > kMax) m = m.substr(0, kMax) + "...";
  return m;
}

}  // namespace

bool is_16bit_register(const std::string& name) {
  static const char* const k16[] = {"ax", "bx", "cx", "dx", "si", "di", "bp",    "sp",
                                    "ip", "cs", "ds", "es", "ss", "fs", "gs", "flags"};
  return std::any_of(std::begin(k16), std::end(k16), [&](const char* n) { return name == n; });
}

std::map<std::string, uint32_t> expected_regs(const TestVector& v) {
  std::map<std::string, uint32_t> r = v.initial_regs;
  for (const auto& [name, value] : v.final_regs) r[name] = value;
  return r;
}

std::map<uint32_t, uint8_t> expected_ram(const TestVector& v) {
  std::map<uint32_t, uint8_t> r;
  for (const auto& [addr, byte] : v.initial_ram) r[addr] = byte;
  for (const auto& [addr, byte] : v.final_ram) r[addr] = byte;
  return r;
}

TestVectorReader::TestVectorReader(std::string path, std::size_t max_record_bytes)
    : path_(std::move(path)), max_record_bytes_(max_record_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path_, ec)) throw std::runtime_error(path_ + ": is a directory");
  errno = 0;
  // gzopen reads plain files transparently and recognises gzip by its magic bytes, so the
  // file name's extension does not matter.
  gz_ = gzopen(path_.c_str(), "rb");
  if (!gz_) {
    const char* why = errno ? std::strerror(errno) : "cannot open";
    throw std::runtime_error(path_ + ": cannot open: " + why);
  }
  gzbuffer(gz(gz_), kReadChunk);
  buf_.resize(kReadChunk);
}

TestVectorReader::~TestVectorReader() {
  if (gz_) gzclose(gz(gz_));
}

void TestVectorReader::fail(uint64_t line, const std::string& what) const {
  throw std::runtime_error(path_ + ":" + std::to_string(line) + ": " + what);
}

int TestVectorReader::peek() {
  if (pos_ == len_) {
    if (!gz_) return -1;
    int n = gzread(gz(gz_), buf_.data(), static_cast<unsigned>(buf_.size()));
    int errnum = Z_OK;
    const char* msg = gzerror(gz(gz_), &errnum);
    if (n < 0 || (errnum != Z_OK && errnum != Z_BUF_ERROR))
      fail(line_, std::string("read error: ") + (errnum == Z_ERRNO ? std::strerror(errno) : msg));
    if (n == 0) {
      // zlib reports a gzip stream cut short only as Z_BUF_ERROR at the end, not as -1.
      if (errnum == Z_BUF_ERROR) fail(line_, std::string("truncated gzip data: ") + msg);
      gzclose(gz(gz_));
      gz_ = nullptr;
      return -1;
    }
    pos_ = 0;
    len_ = static_cast<std::size_t>(n);
  }
  return buf_[pos_];
}

int TestVectorReader::get() {
  int c = peek();
  if (c >= 0) {
    ++pos_;
    if (c == '\n') ++line_;
  }
  return c;
}

void TestVectorReader::skip_space() {
  while (is_space(peek())) get();
}

bool TestVectorReader::next(TestVector& v) {
  std::string text;
  uint64_t line = 0;
  if (!next_record(text, line)) {
    if (count_ == 0) throw std::runtime_error("no test vectors in " + path_);
    return false;
  }
  parse(text, line, v);
  ++count_;
  return true;
}

bool TestVectorReader::next_record(std::string& text, uint64_t& line) {
  if (layout_ == Layout::Unknown) {
    // A UTF-8 byte order mark is harmless to JSON readers but would hide the '['.
    if (peek() == 0xEF) {
      get();
      if (get() != 0xBB || get() != 0xBF) fail(1, "bad JSON: not a JSON file");
    }
    skip_space();
    if (peek() == '[') {
      get();
      layout_ = Layout::Array;
      skip_space();
      if (peek() == ']') {
        get();
        skip_space();
        if (peek() >= 0) fail(line_, "bad JSON: unexpected data after the JSON array");
        layout_ = Layout::Done;
      }
    } else {
      layout_ = Layout::Lines;
    }
  }
  switch (layout_) {
    case Layout::Lines: return next_line(text, line);
    case Layout::Array: return next_array_element(text, line);
    default: return false;
  }
}

bool TestVectorReader::next_line(std::string& text, uint64_t& line) {
  for (;;) {
    if (peek() < 0) return false;
    text.clear();
    line = line_;
    bool ended = false;
    while (!ended && peek() >= 0) {
      // Copy up to the newline in one go: byte-at-a-time is too slow for big suites.
      const unsigned char* start = buf_.data() + pos_;
      const void* nl = std::memchr(start, '\n', len_ - pos_);
      std::size_t n = nl ? static_cast<const unsigned char*>(nl) - start : len_ - pos_;
      text.append(reinterpret_cast<const char*>(start), n);
      pos_ += n;
      if (nl) {
        ++pos_;
        ++line_;
        ended = true;
      }
      if (text.size() > max_record_bytes_)
        fail(line, "line longer than " + std::to_string(max_record_bytes_ >> 20) + " MiB (" +
                       std::to_string(max_record_bytes_) + " bytes)");
    }
    if (!std::all_of(text.begin(), text.end(), [](char c) { return is_space(c); })) return true;
  }
}

bool TestVectorReader::next_array_element(std::string& text, uint64_t& line) {
  skip_space();
  line = line_;
  text.clear();
  // Split the array into its elements by bracket depth, so that each element is parsed on
  // its own and a 100 MB array never becomes one 100 MB json value.
  int64_t depth = 0;
  bool in_string = false, escaped = false;
  for (;;) {
    int c = get();
    if (c < 0) fail(line_, "bad JSON: unexpected end of file inside the JSON array");
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    } else if (c == ']' || (c == ',' && depth == 0)) {
      if (c == ']') {
        skip_space();
        if (peek() >= 0) fail(line_, "bad JSON: unexpected data after the JSON array");
        layout_ = Layout::Done;
      }
      if (std::all_of(text.begin(), text.end(), [](char ch) { return is_space(ch); }))
        fail(line, "bad JSON: empty element in the JSON array");
      return true;
    }
    text.push_back(static_cast<char>(c));
    if (text.size() > max_record_bytes_)
      fail(line, "array element longer than " + std::to_string(max_record_bytes_ >> 20) + " MiB (" +
                     std::to_string(max_record_bytes_) + " bytes)");
  }
}

namespace {

// Field decoding with messages that name the field, e.g. "initial.regs.ax".
struct FieldReader {
  const std::string& path;
  uint64_t line;

  [[noreturn]] void fail(uint64_t l, const std::string& what) const {
    throw std::runtime_error(path + ":" + std::to_string(l) + ": " + what);
  }

  const json& member(const json& obj, const char* key, const std::string& where, bool required,
                     json::value_t type) const {
    static const json kNull;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required) fail(line, "missing \"" + where + "\"");
      return kNull;
    }
    if (it->type() != type) {
      const char* want = type == json::value_t::object ? "an object"
                         : type == json::value_t::array ? "an array"
                                                        : "a string";
      fail(line, "\"" + where + "\": expected " + want + ", got " + it->type_name());
    }
    return *it;
  }

  uint32_t number(const json& x, uint64_t max, const std::string& where) const {
    if (x.is_number_unsigned() || (x.is_number_integer() && x.get<int64_t>() >= 0)) {
      uint64_t n = x.get<uint64_t>();
      if (n > max) fail(line, "\"" + where + "\": value " + std::to_string(n) + " out of range (max " + hex(max) + ")");
      return static_cast<uint32_t>(n);
    }
    if (x.is_number_integer())
      fail(line, "\"" + where + "\": value " + std::to_string(x.get<int64_t>()) + " out of range (negative)");
    fail(line, "\"" + where + "\": expected an unsigned integer, got " + x.type_name());
  }

  void regs(const json& obj, const std::string& where, std::map<std::string, uint32_t>& out) const {
    for (const auto& [key, value] : obj.items()) {
      std::string name = key;
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      bool ok = !name.empty() && name.size() <= 16 &&
                std::all_of(name.begin(), name.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                });
      if (!ok) fail(line, "\"" + where + "\": bad register name \"" + key.substr(0, 32) + "\"");
      out[name] = number(value, is_16bit_register(name) ? 0xFFFF : 0xFFFFFFFF, where + "." + name);
    }
  }

  void ram(const json& arr, const std::string& where, std::vector<std::pair<uint32_t, uint8_t>>& out) const {
    out.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const json& e = arr[i];
      std::string at = where + "[" + std::to_string(i) + "]";
      if (!e.is_array() || e.size() != 2) fail(line, "\"" + at + "\": expected [address, byte]");
      out.emplace_back(number(e[0], 0xFFFFFFFF, at + "[0]"),
                       static_cast<uint8_t>(number(e[1], 0xFF, at + "[1]")));
    }
  }
};

}  // namespace

void TestVectorReader::parse(const std::string& text, uint64_t line, TestVector& v) const {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    // Turn the offset inside the record into a line and column of the file.
    std::size_t at = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    uint64_t err_line = line + std::count(text.begin(), text.begin() + at, '\n');
    std::size_t bol = at == 0 ? std::string::npos : text.rfind('\n', at - 1);
    std::string where;
    // An array element starts mid-line, so its first line has no file column we know.
    if (layout_ == Layout::Lines || bol != std::string::npos)
      where = "column " + std::to_string(bol == std::string::npos ? at + 1 : at - bol) + ": ";
    fail(err_line, "bad JSON: " + where + clean_parse_message(e.what()));
  }
  if (!j.is_object()) fail(line, std::string("bad JSON: expected an object, got ") + j.type_name());

  FieldReader f{path_, line};
  using T = json::value_t;
  v = TestVector{};
  v.line = line;
  v.name = f.member(j, "name", "name", true, T::string).get<std::string>();
  const json& bytes = f.member(j, "bytes", "bytes", false, T::array);
  for (std::size_t i = 0; i < bytes.size(); ++i)
    v.bytes.push_back(static_cast<uint8_t>(f.number(bytes[i], 0xFF, "bytes[" + std::to_string(i) + "]")));

  const json& initial = f.member(j, "initial", "initial", true, T::object);
  f.regs(f.member(initial, "regs", "initial.regs", true, T::object), "initial.regs", v.initial_regs);
  f.ram(f.member(initial, "ram", "initial.ram", false, T::array), "initial.ram", v.initial_ram);
  const json& fin = f.member(j, "final", "final", true, T::object);
  f.regs(f.member(fin, "regs", "final.regs", false, T::object), "final.regs", v.final_regs);
  f.ram(f.member(fin, "ram", "final.ram", false, T::array), "final.ram", v.final_ram);

  if (auto it = j.find("flags_mask"); it != j.end() && !it->is_null())
    v.flags_mask = f.number(*it, 0xFFFFFFFF, "flags_mask");
}

}  // namespace vmm86
