// Intel 8042 keyboard controller with a PS/2 keyboard and a minimal PS/2 mouse behind it.
// Ports 0x60 (data) and 0x64 (status/command); IRQ1 for the keyboard, IRQ12 for the mouse.
//
// Bytes from the keyboard and mouse wait in per-device queues; the controller moves one at
// a time into its single output buffer whenever the guest has emptied it, so each byte
// gets its own IRQ edge as on real hardware. Controller replies (to 0x20, 0xAA, ...) go
// ahead of device bytes, and device command replies (0xFA ACK, IDs) ahead of scancodes.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include "devices/io_device.h"

namespace vmm86 {

// A small ring that lives inside a plain state struct (trivially copyable).
template <typename T, unsigned N>
struct I8042Ring {
    std::array<T, N> data{};
    uint8_t head = 0;
    uint8_t count = 0;
    bool empty() const { return count == 0; }
    bool push(T value) {
        if (count == N) return false;
        data[(head + count) % N] = value;
        ++count;
        return true;
    }
    T pop() {
        T value = data[head];
        head = uint8_t((head + 1) % N);
        --count;
        return value;
    }
    void clear() { head = count = 0; }
};

struct I8042Byte {
    uint8_t value = 0;
    bool aux = false;  // reported with status bit 5 (AUXB) and IRQ12
};

struct I8042State {
    static constexpr uint32_t kVersion = 1;
    // Controller.
    std::array<uint8_t, 32> ram{};  // ram[0] is the command byte
    uint8_t output_port = 0xCF;     // reset line high (not in reset), A20 on, clock/data high
    uint8_t output_buffer = 0;
    bool obf = false;
    bool obf_aux = false;
    bool last_write_was_command = false;  // status bit 3
    uint8_t pending_command = 0;  // controller command waiting for its data byte
    bool xlat_break = false;      // a set-2 0xF0 prefix swallowed by translation
    I8042Ring<I8042Byte, 8> replies;
    // Keyboard.
    I8042Ring<uint8_t, 8> kbd_replies;
    I8042Ring<uint8_t, 64> kbd_keys;
    uint8_t kbd_pending = 0;  // command waiting for its argument (0xED, 0xF0, 0xF3)
    bool kbd_scanning = true;
    uint8_t kbd_set = 2;
    uint8_t kbd_leds = 0;
    uint8_t kbd_typematic = 0x2B;  // 10.9 cps, 500 ms: the PS/2 power-on default
    uint8_t kbd_last_sent = 0;     // for 0xFE (resend)
    // Mouse.
    I8042Ring<uint8_t, 8> aux_replies;
    I8042Ring<uint8_t, 48> aux_data;
    uint8_t aux_pending = 0;  // 0xF3 or 0xE8 waiting for its argument
    bool aux_reporting = false;
    bool aux_remote = false;
    bool aux_scaling_2to1 = false;
    uint8_t aux_rate = 100;
    uint8_t aux_resolution = 2;
    uint8_t aux_buttons = 0;
    uint8_t aux_last_sent = 0;
    // Lines as last driven.
    bool kbd_irq_level = false;
    bool aux_irq_level = false;
};

class I8042 final : public IoDevice {
public:
    // Offsets relative to port 0x60, so the device can be mapped as one 5-port range on a
    // board where 0x61-0x63 are free; data_port()/command_port() are 1-port views for the
    // PC board, where 0x61 is system control port B.
    static constexpr uint32_t kDataOffset = 0;
    static constexpr uint32_t kCommandOffset = 4;

    // Status register bits.
    static constexpr uint8_t kStatusObf = 0x01, kStatusIbf = 0x02, kStatusSys = 0x04,
                             kStatusCommand = 0x08, kStatusUnlocked = 0x10, kStatusAuxObf = 0x20;
    // Command byte bits.
    static constexpr uint8_t kCmdKbdInt = 0x01, kCmdAuxInt = 0x02, kCmdSys = 0x04,
                             kCmdKbdDisable = 0x10, kCmdAuxDisable = 0x20, kCmdTranslate = 0x40;

    I8042(IrqLine& kbd_irq, IrqLine& aux_irq);

    uint32_t read(uint32_t offset, unsigned size) override;
    void write(uint32_t offset, unsigned size, uint32_t value) override;

    IoDevice& data_port() { return data_port_; }
    IoDevice& command_port() { return command_port_; }

    // Host side: set-2 scancode bytes (make codes, 0xF0-prefixed breaks, 0xE0 extensions)
    // as a PS/2 keyboard sends them. Dropped while the guest has scanning disabled; bytes
    // beyond the keyboard's buffer are lost, as on a real keyboard.
    void press_key(std::span<const uint8_t> set2_bytes);
    // A stream-mode movement packet (buttons: bit 0 left, 1 right, 2 middle), if the guest
    // enabled reporting. Deltas are clamped to the 9-bit range of the packet.
    void move_mouse(int dx, int dy, uint8_t buttons);

    bool a20_enabled() const { return s_.output_port & 0x02; }

    // Output port bit 1 (A20 gate) changed. On a PC it is ORed with port 0x92's bit 1.
    std::function<void(bool)> on_a20_change;
    // The controller pulled the CPU reset line (output port bit 0 low, or 0xFE).
    std::function<void()> on_reset_request;

    void reset();
    const I8042State& state() const { return s_; }
    void restore(const I8042State& state);

    // The 8042's set 2 -> set 1 translation of one byte (bytes no key sends pass through).
    static uint8_t translate_set2_to_set1(uint8_t code);

private:
    class Port final : public IoDevice {
    public:
        Port(I8042& kbc, uint32_t offset) : kbc_(kbc), offset_(offset) {}
        uint32_t read(uint32_t, unsigned size) override { return kbc_.read(offset_, size); }
        void write(uint32_t, unsigned size, uint32_t value) override { kbc_.write(offset_, size, value); }

    private:
        I8042& kbc_;
        uint32_t offset_;
    };

    uint8_t read_data();
    uint8_t read_status() const;
    void write_data(uint8_t value);
    void write_command(uint8_t command);
    void reply(uint8_t value, bool aux = false) { s_.replies.push({value, aux}); }
    void set_output_port(uint8_t value);
    void keyboard_receive(uint8_t byte);
    void keyboard_send(uint8_t byte);
    void keyboard_defaults();
    void mouse_receive(uint8_t byte);
    void mouse_send(uint8_t byte);
    void mouse_defaults();
    void refill();
    void update_irqs(bool force = false);
    uint8_t& command_byte() { return s_.ram[0]; }

    IrqLine& kbd_irq_;
    IrqLine& aux_irq_;
    Port data_port_{*this, kDataOffset};
    Port command_port_{*this, kCommandOffset};
    I8042State s_;
};

}  // namespace vmm86
