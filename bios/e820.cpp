#include "bios/e820.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vmm86 {

namespace {

// Paints [r.addr, r.end()) with r.type: whatever was there is cut around it.
void paint(std::vector<E820Entry>& map, const E820Entry& r) {
    std::vector<E820Entry> out;
    for (const E820Entry& e : map) {
        if (e.end() <= r.addr || e.addr >= r.end()) {
            out.push_back(e);
            continue;
        }
        if (e.addr < r.addr) out.push_back({e.addr, r.addr - e.addr, e.type});
        if (e.end() > r.end()) out.push_back({r.end(), e.end() - r.end(), e.type});
    }
    out.push_back(r);
    std::sort(out.begin(), out.end(),
              [](const E820Entry& a, const E820Entry& b) { return a.addr < b.addr; });
    map = std::move(out);
}

// Neighbours of one type become one entry, so that the table stays short and the RAM
// from 1 MiB up is a single entry whenever the board left it whole.
void merge(std::vector<E820Entry>& map) {
    std::vector<E820Entry> out;
    for (const E820Entry& e : map) {
        if (!out.empty() && out.back().type == e.type && out.back().end() == e.addr)
            out.back().size += e.size;
        else
            out.push_back(e);
    }
    map = std::move(out);
}

}  // namespace

E820Map E820Map::build(uint64_t ram_bytes, std::span<const E820Entry> board) {
    if (ram_bytes < kHighMemStart + 0x1000)
        throw std::invalid_argument("e820: " + std::to_string(ram_bytes) +
                                    " bytes of RAM is less than 1 MiB + 4 KiB");
    E820Map m;
    m.entries = {{0, kEbdaStart, E820Type::Ram},
                 {kEbdaStart, kHighMemStart - kEbdaStart, E820Type::Reserved},
                 {kHighMemStart, ram_bytes - kHighMemStart, E820Type::Ram}};
    for (const E820Entry& r : board) {
        if (r.size == 0 || r.addr + r.size < r.addr)
            throw std::invalid_argument("e820: board range at " + std::to_string(r.addr) +
                                        " is empty or wraps around");
        paint(m.entries, r);
    }
    merge(m.entries);
    if (m.entries.size() > kMaxEntries)
        throw std::invalid_argument("e820: the map needs " + std::to_string(m.entries.size()) +
                                    " entries; boot_params holds 128");
    return m;
}

uint64_t E820Map::high_ram_end() const {
    for (const E820Entry& e : entries)
        if (e.type == E820Type::Ram && e.addr <= kHighMemStart && e.end() > kHighMemStart)
            return e.end();
    return 0;
}

bool E820Map::is_ram(uint64_t addr, uint64_t size) const {
    for (const E820Entry& e : entries)
        if (e.type == E820Type::Ram && addr >= e.addr && addr + size <= e.end()) return true;
    return false;
}

std::vector<uint8_t> E820Map::encode() const {
    std::vector<uint8_t> out(entries.size() * kEntryBytes);
    for (size_t i = 0; i < entries.size(); ++i) {
        uint8_t* p = out.data() + i * kEntryBytes;
        const uint64_t fields[2] = {entries[i].addr, entries[i].size};
        for (unsigned f = 0; f < 2; ++f)
            for (unsigned b = 0; b < 8; ++b) p[f * 8 + b] = uint8_t(fields[f] >> (8 * b));
        const uint32_t type = uint32_t(entries[i].type);
        for (unsigned b = 0; b < 4; ++b) p[16 + b] = uint8_t(type >> (8 * b));
    }
    return out;
}

}  // namespace vmm86
