// Small chipset ports that reset the machine, gate A20 or carry debug output:
//   SystemControlPortA  0x92  fast A20 (bit 1) and fast reset (bit 0), PIIX3/PS/2
//   ResetControl        0xCF9 PIIX3 Reset Control Register (also the FADT RESET_REG)
//   PostPort            0x80  POST codes written by firmware (and Linux's I/O delay)
//   DebugConsole        0xE9  Bochs/QEMU debug console
//   ExitPort            QEMU isa-debug-exit (usually 0x501 or 0xF4): ends the run
// The callbacks are the board's: the devices only report what the guest asked for.
#pragma once
#include <cstdint>
#include <functional>

#include "devices/io_device.h"

namespace vmm86 {

struct SystemControlPortAState {
    static constexpr uint32_t kVersion = 1;
    uint8_t value = 0;  // PIIX3 reset value: A20 alternate gate off, no reset
};

// Port 0x92. On a PC its A20 bit is ORed with the keyboard controller's output port bit 1
// (PIIX3: "ALT_A20_GATE ... OR'd with the A20GATE input"); the board combines the two.
class SystemControlPortA final : public IoDevice {
public:
    uint32_t read(uint32_t offset, unsigned size) override;
    void write(uint32_t offset, unsigned size, uint32_t value) override;

    bool a20_enabled() const { return s_.value & 0x02; }
    std::function<void(bool)> on_a20_change;
    std::function<void()> on_reset_request;

    void reset() { s_ = {}; }
    const SystemControlPortAState& state() const { return s_; }
    void restore(const SystemControlPortAState& state) { s_ = state; }

private:
    SystemControlPortAState s_;
};

struct ResetControlState {
    static constexpr uint32_t kVersion = 1;
    uint8_t value = 0;  // bit 1 SRST (hard reset select), bit 3 full reset (ICH)
};

// Port 0xCF9 sits inside the PCI host's 0xCF8-0xCFB dword: PciHost forwards byte accesses
// at 0xCF9 here (see PciHost::set_reset_control), so the board does not map it itself.
class ResetControl final : public IoDevice {
public:
    uint32_t read(uint32_t offset, unsigned size) override;
    void write(uint32_t offset, unsigned size, uint32_t value) override;

    // Bit 2 (RCPU) going to 1 resets: hard (whole board) when bit 1 or bit 3 is set in
    // the same write, otherwise soft (INIT, CPU only). The callback can ask which.
    std::function<void()> on_reset_request;
    bool last_request_was_hard() const { return last_hard_; }

    void reset() { s_ = {}; }
    const ResetControlState& state() const { return s_; }
    void restore(const ResetControlState& state) { s_ = state; }

private:
    ResetControlState s_;
    bool last_hard_ = false;
};

struct PostPortState {
    static constexpr uint32_t kVersion = 1;
    uint8_t last_code = 0;
};

class PostPort final : public IoDevice {
public:
    // A POST card only listens: reads see the undriven bus.
    uint32_t read(uint32_t, unsigned size) override { return size >= 4 ? ~0u : (1u << (8 * size)) - 1; }
    void write(uint32_t offset, unsigned size, uint32_t value) override;

    // Called for every write; Linux's outb_p() delays write here constantly, so the
    // board should keep this cheap (e.g. log only changes).
    std::function<void(uint8_t)> on_post_code;
    uint8_t last_code() const { return s_.last_code; }

    const PostPortState& state() const { return s_; }
    void restore(const PostPortState& state) { s_ = state; }

private:
    PostPortState s_;
};

// Stateless: nothing to snapshot.
class DebugConsole final : public IoDevice {
public:
    static constexpr uint8_t kReadback = 0xE9;  // Bochs and QEMU: lets a guest detect the port
    uint32_t read(uint32_t offset, unsigned size) override;
    void write(uint32_t offset, unsigned size, uint32_t value) override;
    std::function<void(uint8_t)> on_output;
};

// Stateless. QEMU's isa-debug-exit: writing V exits with status (V << 1) | 1, so a guest
// can never produce status 0 and a plain crash cannot look like success. An access wider
// than the mapped range is split into bytes by IoBus: map it as wide as guests write.
class ExitPort final : public IoDevice {
public:
    uint32_t read(uint32_t, unsigned size) override { return size >= 4 ? ~0u : (1u << (8 * size)) - 1; }
    void write(uint32_t offset, unsigned size, uint32_t value) override;
    std::function<void(int status)> on_exit;
};

}  // namespace vmm86
