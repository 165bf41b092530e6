#include "devices/i8042.h"

#include <algorithm>

namespace vmm86 {

namespace {

// Power-on command byte: keyboard and mouse interrupts on, both interfaces enabled, no
// translation (the value QEMU's 8042 resets to, which SeaBIOS and direct-boot Linux both
// reprogram). The SYS flag is clear until firmware passes its self-test.
constexpr uint8_t kResetCommandByte = I8042::kCmdKbdInt | I8042::kCmdAuxInt;

constexpr uint8_t kAck = 0xFA, kResend = 0xFE, kBatOk = 0xAA;

// Set 2 make code -> set 1 make code for every key of a 104/105-key keyboard plus the
// ACPI and Japanese keys (IBM PS/2 and Microsoft scancode tables). E0-extended keys reuse
// these: E0 75 (Up) becomes E0 48 through the KP8 entry, as the 8042 does it.
struct CodePair {
    uint8_t set2, set1;
};
constexpr CodePair kSet2ToSet1[] = {
    {0x00, 0xFF},  // key detection error / overrun
    {0x02, 0x41},  // the 8042 also maps 0x02 like F7, which is why "get set 2" reads 0x41
    {0x76, 0x01}, {0x16, 0x02}, {0x1E, 0x03}, {0x26, 0x04}, {0x25, 0x05}, {0x2E, 0x06},
    {0x36, 0x07}, {0x3D, 0x08}, {0x3E, 0x09}, {0x46, 0x0A}, {0x45, 0x0B}, {0x4E, 0x0C},
    {0x55, 0x0D}, {0x66, 0x0E}, {0x0D, 0x0F}, {0x15, 0x10}, {0x1D, 0x11}, {0x24, 0x12},
    {0x2D, 0x13}, {0x2C, 0x14}, {0x35, 0x15}, {0x3C, 0x16}, {0x43, 0x17}, {0x44, 0x18},
    {0x4D, 0x19}, {0x54, 0x1A}, {0x5B, 0x1B}, {0x5A, 0x1C}, {0x14, 0x1D}, {0x1C, 0x1E},
    {0x1B, 0x1F}, {0x23, 0x20}, {0x2B, 0x21}, {0x34, 0x22}, {0x33, 0x23}, {0x3B, 0x24},
    {0x42, 0x25}, {0x4B, 0x26}, {0x4C, 0x27}, {0x52, 0x28}, {0x0E, 0x29}, {0x12, 0x2A},
    {0x5D, 0x2B}, {0x1A, 0x2C}, {0x22, 0x2D}, {0x21, 0x2E}, {0x2A, 0x2F}, {0x32, 0x30},
    {0x31, 0x31}, {0x3A, 0x32}, {0x41, 0x33}, {0x49, 0x34}, {0x4A, 0x35}, {0x59, 0x36},
    {0x7C, 0x37}, {0x11, 0x38}, {0x29, 0x39}, {0x58, 0x3A}, {0x05, 0x3B}, {0x06, 0x3C},
    {0x04, 0x3D}, {0x0C, 0x3E}, {0x03, 0x3F}, {0x0B, 0x40}, {0x83, 0x41}, {0x0A, 0x42},
    {0x01, 0x43}, {0x09, 0x44}, {0x77, 0x45}, {0x7E, 0x46}, {0x6C, 0x47}, {0x75, 0x48},
    {0x7D, 0x49}, {0x7B, 0x4A}, {0x6B, 0x4B}, {0x73, 0x4C}, {0x74, 0x4D}, {0x79, 0x4E},
    {0x69, 0x4F}, {0x72, 0x50}, {0x7A, 0x51}, {0x70, 0x52}, {0x71, 0x53}, {0x84, 0x54},
    {0x61, 0x56}, {0x78, 0x57}, {0x07, 0x58}, {0x1F, 0x5B}, {0x27, 0x5C}, {0x2F, 0x5D},
    {0x37, 0x5E}, {0x3F, 0x5F}, {0x5E, 0x63}, {0x13, 0x70}, {0x51, 0x73}, {0x64, 0x79},
    {0x67, 0x7B}, {0x6A, 0x7D},
};

constexpr std::array<uint8_t, 256> make_translation_table() {
    std::array<uint8_t, 256> table{};
    for (unsigned i = 0; i < 256; ++i) table[i] = uint8_t(i);
    for (const CodePair& pair : kSet2ToSet1) table[pair.set2] = pair.set1;
    return table;
}
constexpr std::array<uint8_t, 256> kTranslation = make_translation_table();

}  // namespace

uint8_t I8042::translate_set2_to_set1(uint8_t code) { return kTranslation[code]; }

I8042::I8042(IrqLine& kbd_irq, IrqLine& aux_irq) : kbd_irq_(kbd_irq), aux_irq_(aux_irq) {
    reset();
}

void I8042::reset() {
    s_ = I8042State{};
    command_byte() = kResetCommandByte;
    update_irqs(true);
}

void I8042::restore(const I8042State& state) {
    s_ = state;
    update_irqs(true);
}

uint32_t I8042::read(uint32_t offset, unsigned size) {
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) {
        uint8_t byte = 0xFF;
        if (offset + i == kDataOffset) byte = read_data();
        if (offset + i == kCommandOffset) byte = read_status();
        value |= uint32_t(byte) << (8 * i);
    }
    return value;
}

void I8042::write(uint32_t offset, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size; ++i) {
        const uint8_t byte = uint8_t(value >> (8 * i));
        if (offset + i == kDataOffset) write_data(byte);
        if (offset + i == kCommandOffset) write_command(byte);
    }
}

uint8_t I8042::read_status() const {
    uint8_t status = kStatusUnlocked;  // bit 4: keyboard not inhibited by the key lock
    if (s_.obf) status |= kStatusObf;
    if (s_.obf && s_.obf_aux) status |= kStatusAuxObf;
    if (s_.ram[0] & kCmdSys) status |= kStatusSys;  // status SYS mirrors command byte bit 2
    if (s_.last_write_was_command) status |= kStatusCommand;
    // IBF never shows: the controller consumes each byte before the guest's next access.
    return status;
}

uint8_t I8042::read_data() {
    if (!s_.obf) return s_.output_buffer;  // an empty buffer still reads its last byte
    s_.obf = false;
    // Drop the IRQ line before loading the next byte so the PIC sees a fresh edge.
    update_irqs();
    const uint8_t value = s_.output_buffer;
    refill();
    update_irqs();
    return value;
}

void I8042::write_data(uint8_t value) {
    s_.last_write_was_command = false;
    const uint8_t command = s_.pending_command;
    s_.pending_command = 0;
    if (command >= 0x60 && command <= 0x7F) {
        s_.ram[command & 0x1F] = value;  // 0x60: command byte; 0x61-0x7F: controller RAM
    } else if (command == 0xD1) {
        set_output_port(value);
        return;  // may have requested a reset: touch nothing after the callback
    } else if (command == 0xD2) {
        reply(value, false);  // "write keyboard output buffer": as if the keyboard sent it
    } else if (command == 0xD3) {
        reply(value, true);  // "write aux output buffer": Linux's AUX_LOOP probe
    } else if (command == 0xD4) {
        command_byte() &= ~kCmdAuxDisable;  // talking to the mouse enables its clock line
        mouse_receive(value);
    } else {
        command_byte() &= ~kCmdKbdDisable;  // likewise for the keyboard
        keyboard_receive(value);
    }
    refill();
    update_irqs();
}

void I8042::write_command(uint8_t command) {
    s_.last_write_was_command = true;
    s_.pending_command = 0;  // a new command abandons one still waiting for data
    uint8_t& cmd = command_byte();
    if (command >= 0x20 && command <= 0x3F) {
        reply(s_.ram[command & 0x1F]);
    } else if (command >= 0x60 && command <= 0x7F) {
        s_.pending_command = command;
    } else {
        switch (command) {
        case 0xA4: reply(0xF1); break;  // no password installed
        case 0xA7: cmd |= kCmdAuxDisable; break;
        case 0xA8: cmd &= ~kCmdAuxDisable; break;
        case 0xA9: reply(0x00); break;  // aux interface test: no error
        case 0xAA:
            // Self-test passes; firmware sees the SYS flag set afterwards.
            cmd |= kCmdSys;
            reply(0x55);
            break;
        case 0xAB: reply(0x00); break;  // keyboard interface test: no error
        case 0xAD: cmd |= kCmdKbdDisable; break;
        case 0xAE: cmd &= ~kCmdKbdDisable; break;
        case 0xC0: reply(0xA0); break;  // input port: key lock off, no manufacturing jumper
        case 0xD0: {
            // Output port bits 4/5 are the two output-buffer-full lines.
            uint8_t port = s_.output_port & 0xCF;
            if (s_.obf && !s_.obf_aux) port |= 0x10;
            if (s_.obf && s_.obf_aux) port |= 0x20;
            reply(port);
            break;
        }
        case 0xD1: case 0xD2: case 0xD3: case 0xD4:
            s_.pending_command = command;
            break;
        case 0xDD: set_output_port(s_.output_port & ~0x02); return;  // A20 off (HP Vectra)
        case 0xDF: set_output_port(s_.output_port | 0x02); return;   // A20 on
        case 0xE0: reply(0x00); break;  // test inputs
        default:
            // 0xF0-0xFF pulse the output port lines whose bit is 0 in the command's low
            // nibble for 6 us: bit 0 is the CPU reset. 0xFE resets, 0xFF is a no-op that
            // Linux's A20 code sends.
            if (command >= 0xF0 && !(command & 0x01)) {
                if (on_reset_request) on_reset_request();
                return;
            }
            break;  // unimplemented commands are ignored, as an 8042 ignores unknown ones
        }
    }
    refill();
    update_irqs();
}

void I8042::set_output_port(uint8_t value) {
    const bool old_a20 = a20_enabled();
    s_.output_port = value;
    update_irqs();
    if (a20_enabled() != old_a20 && on_a20_change) on_a20_change(a20_enabled());
    // Bit 0 drives the CPU reset line, active low.
    if (!(value & 0x01) && on_reset_request) on_reset_request();
}

// The controller moves the next waiting byte into its empty output buffer. With command
// byte bit 6 set, keyboard bytes pass through the set 2 -> set 1 translator, which eats
// the 0xF0 break prefix and sets bit 7 of the following code instead.
void I8042::refill() {
    while (!s_.obf) {
        if (!s_.replies.empty()) {
            I8042Byte byte = s_.replies.pop();
            s_.output_buffer = byte.value;
            s_.obf_aux = byte.aux;
            s_.obf = true;
            return;
        }
        const uint8_t cmd = command_byte();
        if (!(cmd & kCmdKbdDisable) && (!s_.kbd_replies.empty() || !s_.kbd_keys.empty())) {
            uint8_t byte = !s_.kbd_replies.empty() ? s_.kbd_replies.pop() : s_.kbd_keys.pop();
            if (cmd & kCmdTranslate) {
                if (byte == 0xF0) {
                    s_.xlat_break = true;
                    continue;
                }
                byte = translate_set2_to_set1(byte) | (s_.xlat_break ? 0x80 : 0);
                s_.xlat_break = false;
            }
            s_.output_buffer = byte;
            s_.obf_aux = false;
            s_.obf = true;
            return;
        }
        if (!(cmd & kCmdAuxDisable) && (!s_.aux_replies.empty() || !s_.aux_data.empty())) {
            s_.output_buffer = !s_.aux_replies.empty() ? s_.aux_replies.pop() : s_.aux_data.pop();
            s_.obf_aux = true;
            s_.obf = true;
            return;
        }
        return;
    }
}

void I8042::update_irqs(bool force) {
    const uint8_t cmd = command_byte();
    const bool kbd = s_.obf && !s_.obf_aux && (cmd & kCmdKbdInt);
    const bool aux = s_.obf && s_.obf_aux && (cmd & kCmdAuxInt);
    if (force || kbd != s_.kbd_irq_level) {
        s_.kbd_irq_level = kbd;
        kbd_irq_.set_level(kbd);
    }
    if (force || aux != s_.aux_irq_level) {
        s_.aux_irq_level = aux;
        aux_irq_.set_level(aux);
    }
}

// ---- PS/2 keyboard ------------------------------------------------------------------

void I8042::keyboard_send(uint8_t byte) {
    s_.kbd_last_sent = byte;
    s_.kbd_replies.push(byte);
}

void I8042::keyboard_defaults() {
    s_.kbd_set = 2;
    s_.kbd_typematic = 0x2B;
    s_.kbd_keys.clear();
}

void I8042::keyboard_receive(uint8_t byte) {
    if (s_.kbd_pending) {
        const uint8_t command = s_.kbd_pending;
        s_.kbd_pending = 0;
        if (command == 0xED) {
            s_.kbd_leds = byte & 0x07;
        } else if (command == 0xF3) {
            s_.kbd_typematic = byte & 0x7F;
        } else if (command == 0xF0) {
            if (byte == 0) {
                keyboard_send(kAck);
                keyboard_send(s_.kbd_set);  // the controller translates it (2 -> 0x41)
                return;
            }
            if (byte > 3) {
                keyboard_send(kResend);
                return;
            }
            s_.kbd_set = byte;
        }
        keyboard_send(kAck);
        return;
    }
    switch (byte) {
    case 0xED: case 0xF0: case 0xF3:
        s_.kbd_pending = byte;
        keyboard_send(kAck);
        break;
    case 0xEE: keyboard_send(0xEE); break;  // echo, no ACK
    case 0xF2:  // identify: MF2 keyboard
        keyboard_send(kAck);
        keyboard_send(0xAB);
        keyboard_send(0x83);
        break;
    case 0xF4:
        s_.kbd_keys.clear();
        s_.kbd_scanning = true;
        keyboard_send(kAck);
        break;
    case 0xF5:  // default disable
        keyboard_defaults();
        s_.kbd_scanning = false;
        keyboard_send(kAck);
        break;
    case 0xF6:
        keyboard_defaults();
        keyboard_send(kAck);
        break;
    case 0xF7: case 0xF8: case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0xFD:
        keyboard_send(kAck);  // set-3 key type commands: accepted, no effect
        break;
    case 0xFE: s_.kbd_replies.push(s_.kbd_last_sent); break;
    case 0xFF:  // reset: ACK, then the basic assurance test result
        keyboard_defaults();
        s_.kbd_replies.clear();
        s_.kbd_leds = 0;
        s_.kbd_scanning = true;
        keyboard_send(kAck);
        keyboard_send(kBatOk);
        break;
    default: keyboard_send(kResend); break;
    }
}

void I8042::press_key(std::span<const uint8_t> set2_bytes) {
    if (!s_.kbd_scanning) return;
    bool is_break = false;
    for (uint8_t byte : set2_bytes) {
        if (s_.kbd_set == 1) {
            // The guest asked the keyboard itself for set 1 (no 8042 translation).
            if (byte == 0xF0) {
                is_break = true;
                continue;
            }
            byte = translate_set2_to_set1(byte) | (is_break ? 0x80 : 0);
            is_break = false;
        }
        // Set 3 is accepted by 0xF0 but keys still arrive in set 2: no guest we run
        // depends on set 3.
        s_.kbd_keys.push(byte);
    }
    refill();
    update_irqs();
}

// ---- PS/2 mouse ---------------------------------------------------------------------

void I8042::mouse_send(uint8_t byte) {
    s_.aux_last_sent = byte;
    s_.aux_replies.push(byte);
}

void I8042::mouse_defaults() {
    s_.aux_reporting = false;
    s_.aux_remote = false;
    s_.aux_scaling_2to1 = false;
    s_.aux_rate = 100;
    s_.aux_resolution = 2;
    s_.aux_data.clear();
}

void I8042::mouse_receive(uint8_t byte) {
    if (s_.aux_pending) {
        if (s_.aux_pending == 0xF3) s_.aux_rate = byte;
        if (s_.aux_pending == 0xE8) s_.aux_resolution = byte & 0x03;
        s_.aux_pending = 0;
        mouse_send(kAck);
        return;
    }
    switch (byte) {
    case 0xE6: s_.aux_scaling_2to1 = false; mouse_send(kAck); break;
    case 0xE7: s_.aux_scaling_2to1 = true; mouse_send(kAck); break;
    case 0xE8: case 0xF3:
        s_.aux_pending = byte;
        mouse_send(kAck);
        break;
    case 0xE9:  // status request
        mouse_send(kAck);
        mouse_send(uint8_t((s_.aux_remote ? 0x40 : 0) | (s_.aux_reporting ? 0x20 : 0) |
                           (s_.aux_scaling_2to1 ? 0x10 : 0) | (s_.aux_buttons & 0x07)));
        mouse_send(s_.aux_resolution);
        mouse_send(s_.aux_rate);
        break;
    case 0xEA: s_.aux_remote = false; mouse_send(kAck); break;
    case 0xEB:  // read data: one packet with no movement
        mouse_send(kAck);
        mouse_send(uint8_t(0x08 | (s_.aux_buttons & 0x07)));
        mouse_send(0);
        mouse_send(0);
        break;
    case 0xEC: case 0xEE: mouse_send(kAck); break;  // wrap mode is not modelled
    case 0xF0: s_.aux_remote = true; mouse_send(kAck); break;
    case 0xF2: mouse_send(kAck); mouse_send(0x00); break;  // ID 0: standard PS/2 mouse
    case 0xF4: s_.aux_reporting = true; mouse_send(kAck); break;
    case 0xF5: s_.aux_reporting = false; mouse_send(kAck); break;
    case 0xF6: mouse_defaults(); mouse_send(kAck); break;
    case 0xFE: s_.aux_replies.push(s_.aux_last_sent); break;
    case 0xFF:
        mouse_defaults();
        s_.aux_replies.clear();
        mouse_send(kAck);
        mouse_send(kBatOk);
        mouse_send(0x00);
        break;
    default: mouse_send(kResend); break;
    }
}

void I8042::move_mouse(int dx, int dy, uint8_t buttons) {
    s_.aux_buttons = buttons & 0x07;
    if (!s_.aux_reporting || s_.aux_remote) return;
    dx = std::clamp(dx, -256, 255);
    dy = std::clamp(dy, -256, 255);
    if (s_.aux_data.count + 3u > s_.aux_data.data.size()) return;  // mouse buffer full
    s_.aux_data.push(uint8_t(0x08 | s_.aux_buttons | (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0)));
    s_.aux_data.push(uint8_t(dx));
    s_.aux_data.push(uint8_t(dy));
    refill();
    update_irqs();
}

}  // namespace vmm86
