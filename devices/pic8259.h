// The PC/AT pair of Intel 8259A programmable interrupt controllers: the master answers
// IRQ0-7 and takes the slave's INT output on its IR2; the slave answers IRQ8-15. The
// PIIX-style edge/level control registers (ELCR) pick the trigger mode per line.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <type_traits>

#include "devices/io_device.h"

namespace vmm86 {

// One 8259A. Field names follow the datasheet's register and ICW/OCW bit names.
struct Pic8259ChipState {
    uint8_t irr = 0;            // interrupt request register
    uint8_t isr = 0;            // in-service register
    uint8_t imr = 0;            // interrupt mask register (OCW1)
    uint8_t input_levels = 0;   // last level seen on each IR pin, for edge detection
    uint8_t elcr = 0;           // 1 = level triggered (ELCR port)
    uint8_t vector_base = 0;    // ICW2 bits 7-3
    uint8_t icw3 = 0;           // master: slave bitmap; slave: its cascade identity
    uint8_t lowest_priority = 7;  // rotation: IR(lowest_priority + 1) has top priority
    uint8_t init_step = 0;      // 0 ready; 2, 3, 4: the ICW expected next
    bool icw4_needed = false;   // ICW1 IC4
    bool single = false;        // ICW1 SNGL
    bool level_triggered = false;  // ICW1 LTIM: every line of this chip level-sensed
    bool auto_eoi = false;      // ICW4 AEOI
    bool special_fully_nested = false;  // ICW4 SFNM
    bool rotate_on_auto_eoi = false;    // OCW2 R=1 SL=0 EOI=0
    bool read_isr = false;      // OCW3 RR/RIS: command port reads ISR instead of IRR
    bool poll = false;          // OCW3 P: the next read is the poll word
    bool special_mask = false;  // OCW3 ESMM/SMM
};

struct Pic8259State {
    static constexpr uint32_t kVersion = 1;
    Pic8259ChipState master;
    Pic8259ChipState slave;
};
static_assert(std::is_trivially_copyable_v<Pic8259State>);

class Pic8259Pair {
public:
    // ELCR bits that exist on a PIIX: IRQ0, 1, 2, 8 and 13 are always edge triggered.
    static constexpr uint8_t kMasterElcrMask = 0xF8;
    static constexpr uint8_t kSlaveElcrMask = 0xDE;

    Pic8259Pair();
    Pic8259Pair(const Pic8259Pair&) = delete;
    Pic8259Pair& operator=(const Pic8259Pair&) = delete;

    // Where the board maps them: master 0x20-0x21, slave 0xA0-0xA1, ELCR 0x4D0-0x4D1.
    IoDevice& master_ports() { return master_ports_; }
    IoDevice& slave_ports() { return slave_ports_; }
    IoDevice& elcr_ports() { return elcr_ports_; }

    // Device side. Line 2 is the cascade input inside the pair; nothing on a PC drives
    // it from outside (the ISA bus's IRQ2 pin is wired to IRQ9), so it is ignored.
    void set_irq(unsigned line, bool level);
    IrqLine& line(unsigned n) { return lines_[n & 15]; }

    // CPU side: the INTR pin and the two-pulse INTA cycle, which returns the vector.
    bool interrupt_pending() const { return intr_; }
    uint8_t acknowledge();
    std::function<void(bool)> on_intr_change;

    const Pic8259State& state() const { return state_; }
    void restore(const Pic8259State& state);

private:
    class ChipPorts final : public IoDevice {
    public:
        ChipPorts(Pic8259Pair& pair, bool is_slave) : pair_(pair), is_slave_(is_slave) {}
        uint32_t read(uint32_t offset, unsigned size) override;
        void write(uint32_t offset, unsigned size, uint32_t value) override;

    private:
        Pic8259Pair& pair_;
        bool is_slave_;
    };
    class ElcrPorts final : public IoDevice {
    public:
        explicit ElcrPorts(Pic8259Pair& pair) : pair_(pair) {}
        uint32_t read(uint32_t offset, unsigned size) override;
        void write(uint32_t offset, unsigned size, uint32_t value) override;

    private:
        Pic8259Pair& pair_;
    };
    class Input final : public IrqLine {
    public:
        void set_level(bool high) override { pair_->set_irq(n_, high); }
        Pic8259Pair* pair_ = nullptr;
        unsigned n_ = 0;
    };

    Pic8259ChipState& chip(bool is_slave) { return is_slave ? state_.slave : state_.master; }
    uint8_t read_chip(bool is_slave, uint32_t offset);
    void write_chip(bool is_slave, uint32_t offset, uint8_t value);
    // Re-evaluates the slave's INT into master IR2 and the master's INT into INTR.
    void update();

    Pic8259State state_;
    bool intr_ = false;
    ChipPorts master_ports_{*this, false};
    ChipPorts slave_ports_{*this, true};
    ElcrPorts elcr_ports_{*this};
    std::array<Input, 16> lines_;
};

}  // namespace vmm86
