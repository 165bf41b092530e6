#include "devices/io_bus.h"

#include <stdexcept>

namespace vmm86 {

void IoBus::map(uint64_t base, uint64_t length, IoDevice& device, std::string device_name) {
    if (length == 0) throw std::invalid_argument(name_ + ": empty range for " + device_name);
    auto next = ranges_.lower_bound(base);
    if (next != ranges_.end() && next->first < base + length)
        throw std::invalid_argument(name_ + ": " + device_name + " overlaps " + next->second.name);
    if (next != ranges_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second.length > base)
            throw std::invalid_argument(name_ + ": " + device_name + " overlaps " + prev->second.name);
    }
    ranges_.emplace(base, Range{length, &device, std::move(device_name)});
}

void IoBus::unmap(uint64_t base) { ranges_.erase(base); }

const std::pair<const uint64_t, IoBus::Range>* IoBus::find(uint64_t address) const {
    auto it = ranges_.upper_bound(address);
    if (it == ranges_.begin()) return nullptr;
    --it;
    if (address - it->first >= it->second.length) return nullptr;
    return &*it;
}

uint32_t IoBus::read(uint64_t address, unsigned size) {
    const auto* hit = find(address);
    if (hit && address + size <= hit->first + hit->second.length)
        return hit->second.device->read(uint32_t(address - hit->first), size);
    if (!hit && size == 1) return 0xFF;
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) value |= read(address + i, 1) << (8 * i);
    return value;
}

void IoBus::write(uint64_t address, unsigned size, uint32_t value) {
    const auto* hit = find(address);
    if (hit && address + size <= hit->first + hit->second.length) {
        hit->second.device->write(uint32_t(address - hit->first), size, value);
        return;
    }
    if (!hit && size == 1) return;
    for (unsigned i = 0; i < size; ++i) write(address + i, 1, (value >> (8 * i)) & 0xFF);
}

}  // namespace vmm86
