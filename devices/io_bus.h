// A bus is an ordered map of non-overlapping ranges, each owned by one device. Port I/O
// and MMIO are two instances of the same class.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "devices/io_device.h"

namespace vmm86 {

class IoBus {
public:
    explicit IoBus(std::string name) : name_(std::move(name)) {}

    // Throws std::invalid_argument when [base, base+length) overlaps a range already
    // mapped: two devices answering one address is a board bug, not a guest's.
    void map(uint64_t base, uint64_t length, IoDevice& device, std::string device_name);
    void unmap(uint64_t base);

    // Accesses to unmapped addresses read as all ones and drop writes, as on a PC.
    // An access that spans the end of a device's range is split into bytes.
    uint32_t read(uint64_t address, unsigned size);
    void write(uint64_t address, unsigned size, uint32_t value);

    bool is_mapped(uint64_t address) const { return find(address) != nullptr; }

private:
    struct Range {
        uint64_t length;
        IoDevice* device;
        std::string name;
    };
    const std::pair<const uint64_t, Range>* find(uint64_t address) const;

    std::string name_;
    std::map<uint64_t, Range> ranges_;
};

}  // namespace vmm86
