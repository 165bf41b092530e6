#include "tools/file_util.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace vmm86 {

std::vector<uint8_t> read_file_checked(const std::string& path, const std::string& what, uint64_t max_bytes) {
    auto fail = [&](const std::string& why) { throw std::runtime_error(what + " " + path + ": " + why); };
    struct stat st;
    if (stat(path.c_str(), &st) != 0) fail(std::strerror(errno));
    if (S_ISDIR(st.st_mode)) fail("is a directory");
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) fail(std::strerror(errno));
    std::vector<uint8_t> data;
    uint8_t buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
        if (data.size() + n > max_bytes) fail("too large (more than " + std::to_string(max_bytes) + " bytes)");
        data.insert(data.end(), buf, buf + n);
    }
    if (std::ferror(f.get())) fail(std::strerror(errno));
    if (data.empty()) fail("is empty");
    return data;
}

}  // namespace vmm86
