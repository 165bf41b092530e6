// PCI configuration mechanism #1 (ports 0xCF8-0xCFF), the configuration space every PCI
// function has, and the two functions a PIIX3 board always carries: the i440FX host
// bridge (00:00.0) and the PIIX3 PCI-to-ISA bridge (00:01.0).
//
// Only bus 0 exists: there are no PCI-to-PCI bridges, so accesses to other buses, like
// accesses to empty slots, read all ones (the master abort a PCI host returns).
#pragma once
#include <array>
#include <cstdint>
#include <functional>

#include "devices/io_device.h"

namespace vmm86 {

struct PciConfigState {
    static constexpr uint32_t kVersion = 1;
    std::array<uint8_t, 256> config{};
};

enum class PciBarKind { Io, Memory32, Memory32Prefetchable };

// One PCI function's 256-byte configuration space. Writes go through a per-byte mask of
// writable bits and a mask of write-1-to-clear bits, so read-only fields (IDs, class,
// header type, BAR type bits, the low bits of a BAR below its size) keep their values:
// that is what makes BAR sizing work (write all ones, read back ~(size-1) | type bits).
class PciDevice {
public:
    PciDevice(uint16_t vendor_id, uint16_t device_id, uint32_t class_code, uint8_t revision,
              uint8_t header_type = 0x00);
    virtual ~PciDevice() = default;

    // offset + size stays within the 256 bytes (the host keeps accesses inside a dword).
    virtual uint32_t config_read(uint32_t offset, unsigned size);
    virtual void config_write(uint32_t offset, unsigned size, uint32_t value);

    // A BAR of power-of-two size (at least 4 bytes for I/O, 16 for memory).
    void define_bar(unsigned index, uint32_t size, PciBarKind kind);
    uint32_t bar_address(unsigned index) const;
    uint16_t command() const { return uint16_t(s_.config[4] | (s_.config[5] << 8)); }
    bool multifunction() const { return s_.config[0x0E] & 0x80; }

    // Back to the values the constructor set (subclasses call save_power_on_state() at
    // the end of their constructors).
    void reset() { s_ = power_on_; }
    const PciConfigState& state() const { return s_; }
    virtual void restore(const PciConfigState& state) { s_ = state; }

protected:
    uint8_t get8(uint32_t offset) const { return s_.config[offset]; }
    void set8(uint32_t offset, uint8_t value) { s_.config[offset] = value; }
    void set16(uint32_t offset, uint16_t value);
    void set32(uint32_t offset, uint32_t value);
    // Initial value and writable bits of a register of `size` bytes.
    void define_register(uint32_t offset, unsigned size, uint32_t reset_value, uint32_t writable);
    void set_write1_clear(uint32_t offset, unsigned size, uint32_t mask);
    void save_power_on_state() { power_on_ = s_; }

private:
    PciConfigState s_;
    PciConfigState power_on_;
    std::array<uint8_t, 256> writable_{};
    std::array<uint8_t, 256> write1_clear_{};
    std::array<uint32_t, 6> bar_size_{};
};

// Intel 82441FX PMC (i440FX host bridge), 8086:1237.
class I440fxHostBridge final : public PciDevice {
public:
    static constexpr uint8_t kPam0 = 0x59;  // PAM0..PAM6 at 0x59-0x5F
    static constexpr uint8_t kSmram = 0x72;
    // SMRAM bits.
    static constexpr uint8_t kSmramOpen = 0x40, kSmramClose = 0x20, kSmramLock = 0x10,
                             kSmramEnable = 0x08;

    I440fxHostBridge();
    void config_write(uint32_t offset, unsigned size, uint32_t value) override;

    // PAM index 0 holds only the 0xF0000-0xFFFFF attributes (bits 5:4); PAM1-6 cover two
    // 16 KiB segments each from 0xC0000 up (low nibble lower segment, high nibble upper).
    // In each nibble bit 0 = reads go to DRAM, bit 1 = writes go to DRAM.
    uint8_t pam(unsigned index) const { return get8(kPam0 + index); }
    uint8_t smram() const { return get8(kSmram); }

    // Called after the guest changed a PAM register, so the board can remap shadow RAM.
    std::function<void(unsigned index, uint8_t value)> on_pam_change;
    std::function<void(uint8_t value)> on_smram_change;
};

// Intel 82371SB PIIX3 function 0, the PCI-to-ISA bridge, 8086:7000.
class Piix3IsaBridge final : public PciDevice {
public:
    static constexpr uint8_t kPirqRoute = 0x60;  // PIRQA..PIRQD route control, 0x60-0x63

    Piix3IsaBridge();
    void config_write(uint32_t offset, unsigned size, uint32_t value) override;

    // The ISA IRQ PIRQ[n] is steered to, or -1 when routing is disabled (bit 7).
    int pirq_irq(unsigned pirq) const;
    std::function<void(unsigned pirq, uint8_t value)> on_pirq_change;
};

struct PciHostState {
    static constexpr uint32_t kVersion = 1;
    uint32_t config_address = 0;
};

// Maps at 0xCF8 with length 8. CONFIG_ADDRESS answers dword accesses only; byte and word
// accesses to 0xCF8-0xCFB are ordinary I/O, where the chipset's Reset Control register
// answers at 0xCF9 (bytes only).
class PciHost final : public IoDevice {
public:
    static constexpr uint32_t kPorts = 8;

    // Bus 0 only. Throws std::invalid_argument for a taken or impossible slot.
    void attach(unsigned device, unsigned function, PciDevice& function_device);
    PciDevice* function_at(unsigned device, unsigned function) const;
    void set_reset_control(IoDevice* reset_control) { reset_control_ = reset_control; }

    uint32_t read(uint32_t offset, unsigned size) override;
    void write(uint32_t offset, unsigned size, uint32_t value) override;

    // Direct configuration access, for the board (e.g. firmware-less boot) and tests.
    uint32_t config_read(unsigned bus, unsigned device, unsigned function, uint32_t offset,
                         unsigned size);
    void config_write(unsigned bus, unsigned device, unsigned function, uint32_t offset,
                      unsigned size, uint32_t value);

    void reset() { s_ = {}; }
    const PciHostState& state() const { return s_; }
    void restore(const PciHostState& state) { s_ = state; }

private:
    PciDevice* target(unsigned bus, unsigned device, unsigned function) const;

    PciHostState s_;
    std::array<std::array<PciDevice*, 8>, 32> functions_{};
    IoDevice* reset_control_ = nullptr;
};

}  // namespace vmm86
