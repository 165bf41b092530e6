#include "devices/pic8259.h"

namespace vmm86 {
namespace {

constexpr unsigned kCascadeLine = 2;  // the PC/AT wires the slave's INT to master IR2

uint8_t level_mask(const Pic8259ChipState& c) { return c.level_triggered ? 0xFF : c.elcr; }

// Priority 0 is the highest. After a rotation IR(lowest_priority + 1) is at priority 0,
// which is how the datasheet describes rotation: the priorities move, the pins do not.
unsigned priority_of(const Pic8259ChipState& c, uint8_t mask) {
    if (mask == 0) return 8;
    unsigned p = 0;
    while (!(mask & (1u << ((p + c.lowest_priority + 1) & 7)))) ++p;
    return p;
}

unsigned line_at_priority(const Pic8259ChipState& c, unsigned p) {
    return (p + c.lowest_priority + 1) & 7;
}

// The line this chip would present on INT, or -1. A request is accepted only above the
// priority of everything in service, except that special mask mode lets a masked
// in-service level stop blocking, and special fully nested mode lets the master accept
// a higher-priority request from a slave whose cascade line is already in service.
int pending_line(const Pic8259ChipState& c, bool is_master) {
    unsigned request = priority_of(c, c.irr & ~c.imr);
    if (request == 8) return -1;
    uint8_t in_service = c.isr;
    if (c.special_mask) in_service &= ~c.imr;
    if (is_master && c.special_fully_nested) in_service &= ~(1u << kCascadeLine);
    if (request >= priority_of(c, in_service)) return -1;
    return int(line_at_priority(c, request));
}

void input(Pic8259ChipState& c, unsigned n, bool level) {
    const uint8_t bit = uint8_t(1u << n);
    if (level_mask(c) & bit) {
        // Level sensed: IRR follows the pin, so a request that goes away before INTA
        // is gone (and the INTA sees a spurious IR7).
        c.irr = level ? (c.irr | bit) : (c.irr & ~bit);
    } else if (level && !(c.input_levels & bit)) {
        // Edge sensed: the rising edge sets the latch, which stays set after the pin
        // drops, until the INTA cycle (or ICW1) clears it.
        c.irr |= bit;
    }
    c.input_levels = level ? (c.input_levels | bit) : (c.input_levels & ~bit);
}

// The first INTA pulse: the chosen level moves from IRR to ISR. In auto-EOI mode the
// second pulse clears the ISR bit again, so it is never set.
void acknowledge_line(Pic8259ChipState& c, unsigned n) {
    const uint8_t bit = uint8_t(1u << n);
    if (c.auto_eoi) {
        if (c.rotate_on_auto_eoi) c.lowest_priority = uint8_t(n);
    } else {
        c.isr |= bit;
    }
    if (!(level_mask(c) & bit)) c.irr &= ~bit;
}

void write_icw1(Pic8259ChipState& c, uint8_t v) {
    // Datasheet, ICW1: IMR cleared, IR7 lowest priority, special mask mode cleared,
    // status read set to IRR, edge-sense latches reset (a pin already high must drop
    // and rise again), and everything ICW4 selects is zero until ICW4 says otherwise.
    const uint8_t elcr = c.elcr;
    const uint8_t pins = c.input_levels;
    c = Pic8259ChipState{};
    c.elcr = elcr;
    c.input_levels = pins;
    c.icw4_needed = v & 0x01;
    c.single = v & 0x02;
    c.level_triggered = v & 0x08;
    c.irr = pins & level_mask(c);
    c.init_step = 2;
}

void write_init_word(Pic8259ChipState& c, uint8_t v) {
    switch (c.init_step) {
    case 2:
        // ICW2 bits 2-0 are the line number in 8086 mode, not part of the base.
        c.vector_base = v & 0xF8;
        c.init_step = c.single ? (c.icw4_needed ? 4 : 0) : 3;
        break;
    case 3:
        c.icw3 = v;
        c.init_step = c.icw4_needed ? 4 : 0;
        break;
    default:
        // ICW4: uPM (bit 0) selects 8086 vectors, the only mode an x86 PC uses; BUF and
        // M/S (bits 3, 2) only matter for bus buffers and change nothing here.
        c.auto_eoi = v & 0x02;
        c.special_fully_nested = v & 0x10;
        c.init_step = 0;
        break;
    }
}

void write_ocw2(Pic8259ChipState& c, uint8_t v) {
    const unsigned level = v & 7;
    switch (v >> 5) {
    case 0: c.rotate_on_auto_eoi = false; break;
    case 4: c.rotate_on_auto_eoi = true; break;
    case 1:    // non-specific EOI
    case 5: {  // rotate on non-specific EOI
        // In special mask mode a masked in-service level is not the one a
        // non-specific EOI ends (datasheet note to OCW2).
        const uint8_t candidates = c.special_mask ? (c.isr & ~c.imr) : c.isr;
        const unsigned p = priority_of(c, candidates);
        if (p == 8) break;
        const unsigned n = line_at_priority(c, p);
        c.isr &= ~(1u << n);
        if ((v >> 5) == 5) c.lowest_priority = uint8_t(n);
        break;
    }
    case 3: c.isr &= ~(1u << level); break;  // specific EOI
    case 7:                                   // rotate on specific EOI
        c.isr &= ~(1u << level);
        c.lowest_priority = uint8_t(level);
        break;
    case 6: c.lowest_priority = uint8_t(level); break;  // set priority
    default: break;                                      // 2: no operation
    }
}

void write_ocw3(Pic8259ChipState& c, uint8_t v) {
    if (v & 0x04) c.poll = true;
    if (v & 0x02) c.read_isr = v & 0x01;
    if (v & 0x40) c.special_mask = v & 0x20;
}

}  // namespace

Pic8259Pair::Pic8259Pair() {
    for (unsigned n = 0; n < lines_.size(); ++n) {
        lines_[n].pair_ = this;
        lines_[n].n_ = n;
    }
}

void Pic8259Pair::set_irq(unsigned line, bool level) {
    line &= 15;
    if (line == kCascadeLine) return;
    if (line < 8)
        input(state_.master, line, level);
    else
        input(state_.slave, line - 8, level);
    update();
}

void Pic8259Pair::update() {
    // The slave's INT drives master IR2 like any other pin, through the master's trigger
    // logic: an edge-triggered master latches the rising edge, so a slave request that
    // vanishes afterwards still reaches the INTA, where the slave answers IRQ15.
    input(state_.master, kCascadeLine, pending_line(state_.slave, false) >= 0);

    const bool intr = pending_line(state_.master, true) >= 0;
    if (intr != intr_) {
        intr_ = intr;
        if (on_intr_change) on_intr_change(intr);
    }
}

uint8_t Pic8259Pair::acknowledge() {
    Pic8259ChipState& m = state_.master;
    Pic8259ChipState& s = state_.slave;
    uint8_t vector;
    const int line = pending_line(m, true);
    if (line < 0) {
        // The request vanished between INTR and INTA (a level line dropped): the 8259A
        // answers with IR7's vector and sets no ISR bit, the spurious IRQ7 Linux counts.
        vector = uint8_t(m.vector_base | 7);
    } else if (unsigned(line) == kCascadeLine && !m.single) {
        acknowledge_line(m, kCascadeLine);
        const int sline = pending_line(s, false);
        if (sline < 0) {
            // Spurious on the slave: IRQ15's vector, slave ISR untouched, but the master
            // did put IR2 in service, which is why Linux sends the master an EOI for it.
            vector = uint8_t(s.vector_base | 7);
        } else {
            acknowledge_line(s, unsigned(sline));
            vector = uint8_t(s.vector_base | unsigned(sline));
        }
        // The slave's INT falls during its INTA cycle; if it still has an acceptable
        // request (auto-EOI, special masks) INT rises again and that is a new edge.
        m.input_levels &= uint8_t(~(1u << kCascadeLine));
    } else {
        acknowledge_line(m, unsigned(line));
        vector = uint8_t(m.vector_base | unsigned(line));
    }
    update();
    return vector;
}

uint8_t Pic8259Pair::read_chip(bool is_slave, uint32_t offset) {
    Pic8259ChipState& c = chip(is_slave);
    if (c.poll) {
        // Poll mode: the read is the INTA. Bit 7 says whether a request was there, bits
        // 2-0 which; the request is acknowledged as an INTA would.
        c.poll = false;
        const int line = pending_line(c, !is_slave);
        if (line < 0) return 0x00;
        acknowledge_line(c, unsigned(line));
        update();
        return uint8_t(0x80 | line);
    }
    if (offset == 0) return c.read_isr ? c.isr : c.irr;
    return c.imr;
}

void Pic8259Pair::write_chip(bool is_slave, uint32_t offset, uint8_t value) {
    Pic8259ChipState& c = chip(is_slave);
    if (offset == 0) {
        if (value & 0x10)
            write_icw1(c, value);
        else if (value & 0x08)
            write_ocw3(c, value);
        else
            write_ocw2(c, value);
    } else if (c.init_step != 0) {
        write_init_word(c, value);
    } else {
        c.imr = value;  // OCW1
    }
    update();
}

void Pic8259Pair::restore(const Pic8259State& state) {
    state_ = state;
    update();
}

uint32_t Pic8259Pair::ChipPorts::read(uint32_t offset, unsigned size) {
    // A 16-bit access on the 8-bit ISA bus is two byte cycles at consecutive ports.
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i)
        value |= uint32_t(offset + i < 2 ? pair_.read_chip(is_slave_, offset + i) : 0xFF) << (8 * i);
    return value;
}

void Pic8259Pair::ChipPorts::write(uint32_t offset, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size; ++i)
        if (offset + i < 2) pair_.write_chip(is_slave_, offset + i, uint8_t(value >> (8 * i)));
}

uint32_t Pic8259Pair::ElcrPorts::read(uint32_t offset, unsigned size) {
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) {
        const unsigned o = offset + i;
        const uint8_t b = o == 0 ? pair_.state_.master.elcr : o == 1 ? pair_.state_.slave.elcr : 0xFF;
        value |= uint32_t(b) << (8 * i);
    }
    return value;
}

void Pic8259Pair::ElcrPorts::write(uint32_t offset, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size; ++i) {
        const unsigned o = offset + i;
        if (o > 1) continue;
        Pic8259ChipState& c = o == 0 ? pair_.state_.master : pair_.state_.slave;
        c.elcr = uint8_t(value >> (8 * i)) & (o == 0 ? kMasterElcrMask : kSlaveElcrMask);
        // A line switched to level sensing shows its pin in IRR at once.
        const uint8_t lvl = level_mask(c);
        c.irr = uint8_t((c.irr & ~lvl) | (c.input_levels & lvl));
    }
    pair_.update();
}

}  // namespace vmm86
