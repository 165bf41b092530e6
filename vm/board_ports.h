// Small fixed-function ports of the board: the debug console (port E9h, as Bochs and
// QEMU have it), the POST code port, QEMU's isa-debug-exit, and System Control Port A
// (port 92h: fast A20 gate and reset).
#pragma once
#include <functional>

#include "devices/io_device.h"

namespace vmm86 {

// Each written byte goes to `sink`. Reads return E9h, which is how guests detect it.
class DebugConsolePort final : public IoDevice {
public:
    explicit DebugConsolePort(std::function<void(uint8_t)> sink) : sink_(std::move(sink)) {}
    uint32_t read(uint32_t, unsigned) override { return 0xE9; }
    void write(uint32_t, unsigned size, uint32_t value) override {
        for (unsigned i = 0; i < size; ++i)
            if (sink_) sink_(uint8_t(value >> (8 * i)));
    }

private:
    std::function<void(uint8_t)> sink_;
};

// Writing V ends the run with exit status (V << 1) | 1.
class ExitPort final : public IoDevice {
public:
    explicit ExitPort(std::function<void(int)> on_exit) : on_exit_(std::move(on_exit)) {}
    uint32_t read(uint32_t, unsigned) override { return 0xFFFFFFFF; }
    void write(uint32_t, unsigned size, uint32_t value) override {
        uint32_t v = size == 1 ? value & 0xFF : size == 2 ? value & 0xFFFF : value;
        on_exit_(int((v << 1) | 1));
    }

private:
    std::function<void(int)> on_exit_;
};

// Port 92h: bit 1 = A20 enabled, bit 0 = writing 1 resets the CPU.
class SystemControlPortA final : public IoDevice {
public:
    SystemControlPortA(std::function<void(bool)> on_a20, std::function<void()> on_reset)
        : on_a20_(std::move(on_a20)), on_reset_(std::move(on_reset)) {}
    uint32_t read(uint32_t, unsigned) override { return value_; }
    void write(uint32_t, unsigned, uint32_t value) override {
        value_ = uint8_t(value & 0x02);
        on_a20_(value & 0x02);
        if (value & 0x01) on_reset_();
    }
    void set_a20_bit(bool on) { value_ = uint8_t((value_ & ~0x02) | (on ? 0x02 : 0)); }

private:
    uint8_t value_ = 0x02;  // A20 is enabled at power-on on the boards we model
    std::function<void(bool)> on_a20_;
    std::function<void()> on_reset_;
};

}  // namespace vmm86
