#include "devices/uart16550.h"

#include <algorithm>

namespace vmm86 {

namespace {
constexpr uint8_t kIerRda = 0x01, kIerThre = 0x02, kIerRls = 0x04, kIerMsi = 0x08;
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kIirNoInt = 0x01, kIirMsi = 0x00, kIirThre = 0x02, kIirRda = 0x04,
                  kIirRls = 0x06, kIirTimeout = 0x0C, kIirFifoEnabled = 0xC0;
constexpr uint8_t kLsrErrors = Uart16550::kLsrOe | Uart16550::kLsrPe | Uart16550::kLsrFe |
                               Uart16550::kLsrBi;
}  // namespace

Uart16550::Uart16550(IrqLine& irq, CharBackend* backend) : irq_(irq), backend_(backend) {
    reset();
}

void Uart16550::reset() {
    // Master reset clears everything but the divisor latch and the scratch register
    // (16550D table IV); the host's modem inputs are the cable's, not ours.
    Uart16550State fresh;
    fresh.divisor = s_.divisor;
    fresh.scr = s_.scr;
    fresh.host_lines = s_.host_lines;
    fresh.msr_lines = s_.host_lines & 0xF0;  // MSR 4-7 follow the inputs, deltas start at 0
    s_ = fresh;
    update_irq(true);
}

void Uart16550::restore(const Uart16550State& state) {
    s_ = state;
    s_.rx_head &= 15;
    s_.rx_count = std::min<uint8_t>(s_.rx_count, 16);
    update_irq(true);
}

// The UART is a byte-wide ISA device: a wider access is a run of byte accesses at
// consecutive ports, as the ISA bus splits it.
uint32_t Uart16550::read(uint32_t offset, unsigned size) {
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i)
        value |= uint32_t(offset + i < kPorts ? read_byte(offset + i) : 0xFF) << (8 * i);
    return value;
}

void Uart16550::write(uint32_t offset, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size; ++i)
        if (offset + i < kPorts) write_byte(offset + i, uint8_t(value >> (8 * i)));
}

uint8_t Uart16550::read_byte(uint32_t offset) {
    const bool dlab = s_.lcr & kLcrDlab;
    switch (offset) {
    case kRbrThr: {
        if (dlab) return uint8_t(s_.divisor);
        uint8_t byte = pop_rx();
        if (s_.rx_count == 0) s_.lsr &= ~kLsrFifoErr;
        update_irq();
        return byte;
    }
    case kIer:
        return dlab ? uint8_t(s_.divisor >> 8) : s_.ier;
    case kIirFcr: {
        uint8_t iir = compute_iir();
        // Reading IIR acknowledges a THRE interrupt only when IIR names it (16550D:
        // "reading the IIR register (if source of interrupt)").
        if ((iir & 0x0F) == kIirThre) {
            s_.thr_interrupt = false;
            update_irq();
        }
        return iir;
    }
    case kLcr:
        return s_.lcr;
    case kMcr:
        return s_.mcr;
    case kLsr: {
        uint8_t lsr = s_.lsr | (s_.rx_count ? kLsrDr : 0);
        // OE, PE, FE and BI (and the FIFO error summary) clear when LSR is read.
        s_.lsr &= ~(kLsrErrors | kLsrFifoErr);
        update_irq();
        return lsr;
    }
    case kMsr: {
        uint8_t msr = s_.msr_lines | s_.msr_deltas;
        s_.msr_deltas = 0;
        update_irq();
        return msr;
    }
    default:
        return s_.scr;
    }
}

void Uart16550::write_byte(uint32_t offset, uint8_t value) {
    const bool dlab = s_.lcr & kLcrDlab;
    switch (offset) {
    case kRbrThr:
        if (dlab) {
            s_.divisor = uint16_t((s_.divisor & 0xFF00) | value);
            return;
        }
        transmit(value);
        return;
    case kIer: {
        if (dlab) {
            s_.divisor = uint16_t((s_.divisor & 0x00FF) | (value << 8));
            return;
        }
        const uint8_t old = s_.ier;
        // Bits 4-7 are always 0 on a 16550; Linux's autoconfig tells chips apart by them.
        s_.ier = value & 0x0F;
        // Enabling ETBEI while THR is empty raises the THRE interrupt at once: Linux's
        // startup test ("UART_BUG_THRE") and its __start_tx rely on it.
        if ((s_.ier & kIerThre) && !(old & kIerThre) && (s_.lsr & kLsrThre))
            s_.thr_interrupt = true;
        update_irq();
        return;
    }
    case kIirFcr:
        write_fcr(value);
        return;
    case kLcr:
        // Break (bit 6) has nowhere to go on a virtual line; the rest is framing we need
        // not apply because bytes travel whole.
        s_.lcr = value;
        return;
    case kMcr:
        set_mcr(value & 0x1F);
        return;
    case kLsr:
    case kMsr:
        return;  // LSR writes are a factory test mode; MSR is read-only
    default:
        s_.scr = value;
        return;
    }
}

void Uart16550::write_fcr(uint8_t value) {
    const bool was_enabled = fifo_enabled();
    if (!(value & 0x01)) {
        // Clearing FCR0 leaves 16450 mode and empties both FIFOs; the other bits are not
        // programmed unless FCR0 is 1 in the same write (16550D FCR description).
        if (was_enabled) clear_rx();
        s_.fcr = 0;
        update_irq();
        return;
    }
    if (!was_enabled || (value & 0x02)) clear_rx();  // mode change or RCVR FIFO reset
    // Bit 2 (XMIT FIFO reset) has nothing to clear: transmission is immediate.
    s_.fcr = value & 0xC9;  // enable, DMA mode select, trigger level; bit 5 is 16750-only
    update_irq();
}

void Uart16550::set_mcr(uint8_t value) {
    s_.mcr = value;
    update_modem_lines();
    update_irq();
}

void Uart16550::transmit(uint8_t byte) {
    // Writing THR acknowledges a pending THRE interrupt; the byte then leaves at once,
    // THR and the shift register empty again and the THRE interrupt is re-armed.
    s_.thr_interrupt = false;
    if (s_.mcr & kMcrLoop) {
        // Loopback: the transmitter output is wired to the receiver input inside the chip
        // and the serial output pin is held marking.
        push_rx(byte, 0);
    } else if (backend_) {
        backend_->write(byte);
    }
    s_.lsr |= kLsrThre | kLsrTemt;
    s_.thr_interrupt = true;
    update_irq();
}

void Uart16550::receive(std::span<const uint8_t> bytes) {
    if (s_.mcr & kMcrLoop) return;  // the serial input pin is disconnected in loopback
    for (uint8_t byte : bytes) push_rx(byte, 0);
}

bool Uart16550::can_receive() const {
    return !(s_.mcr & kMcrLoop) && s_.rx_count < rx_capacity();
}

void Uart16550::receive_break() {
    if (s_.mcr & kMcrLoop) return;
    push_rx(0x00, kLsrBi);
}

void Uart16550::set_modem_inputs(uint8_t msr_high_bits) {
    s_.host_lines = msr_high_bits & 0xF0;
    update_modem_lines();
    update_irq();
}

void Uart16550::push_rx(uint8_t byte, uint8_t error_bits) {
    if (s_.rx_count >= rx_capacity()) {
        s_.lsr |= kLsrOe;
        // 16450 mode: the new character overwrites RBR. FIFO mode: the FIFO is kept and
        // the character in the shift register is lost (16550D LSR bit 1).
        if (!fifo_enabled()) s_.rx_fifo[s_.rx_head] = byte;
        update_irq();
        return;
    }
    s_.rx_fifo[(s_.rx_head + s_.rx_count) % 16] = byte;
    ++s_.rx_count;
    // Simplification: an error is reported as soon as its character enters the FIFO,
    // not when it reaches the top.
    s_.lsr |= error_bits;
    if (error_bits && fifo_enabled()) s_.lsr |= kLsrFifoErr;
    update_irq();
}

uint8_t Uart16550::pop_rx() {
    if (s_.rx_count == 0) return s_.rbr_last;
    s_.rbr_last = s_.rx_fifo[s_.rx_head];
    s_.rx_head = (s_.rx_head + 1) % 16;
    --s_.rx_count;
    return s_.rbr_last;
}

void Uart16550::clear_rx() {
    s_.rx_head = 0;
    s_.rx_count = 0;
}

unsigned Uart16550::rx_trigger() const {
    static constexpr unsigned kLevels[4] = {1, 4, 8, 14};
    return kLevels[s_.fcr >> 6];
}

// Interrupt priority from the 16550D IIR table: line status, then received data (or the
// FIFO character timeout, same level), then THR empty, then modem status.
uint8_t Uart16550::compute_iir() const {
    uint8_t id = kIirNoInt;
    if ((s_.ier & kIerRls) && (s_.lsr & kLsrErrors)) {
        id = kIirRls;
    } else if ((s_.ier & kIerRda) && s_.rx_count > 0) {
        id = (!fifo_enabled() || s_.rx_count >= rx_trigger()) ? kIirRda : kIirTimeout;
    } else if ((s_.ier & kIerThre) && s_.thr_interrupt) {
        id = kIirThre;
    } else if ((s_.ier & kIerMsi) && s_.msr_deltas) {
        id = kIirMsi;
    }
    return id | (fifo_enabled() ? kIirFifoEnabled : 0);
}

void Uart16550::update_modem_lines() {
    uint8_t lines;
    if (s_.mcr & kMcrLoop) {
        // Loopback wires RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD internally.
        lines = ((s_.mcr & kMcrRts) ? kMsrCts : 0) | ((s_.mcr & kMcrDtr) ? kMsrDsr : 0) |
                ((s_.mcr & kMcrOut1) ? kMsrRi : 0) | ((s_.mcr & kMcrOut2) ? kMsrDcd : 0);
    } else {
        lines = s_.host_lines & 0xF0;
    }
    const uint8_t changed = lines ^ s_.msr_lines;
    if (changed & kMsrCts) s_.msr_deltas |= kMsrDcts;
    if (changed & kMsrDsr) s_.msr_deltas |= kMsrDdsr;
    if (changed & kMsrDcd) s_.msr_deltas |= kMsrDdcd;
    // TERI is the trailing edge of RI only: RI going from on to off.
    if ((s_.msr_lines & kMsrRi) && !(lines & kMsrRi)) s_.msr_deltas |= kMsrTeri;
    s_.msr_lines = lines;
}

void Uart16550::update_irq(bool force) {
    const bool pending = !(compute_iir() & kIirNoInt);
    // On a PC the INTR output reaches the PIC only through a buffer enabled by the OUT2
    // pin. Loopback forces the OUT2 pin inactive, so the IRQ is cut off there as well.
    const bool level = pending && (s_.mcr & kMcrOut2) && !(s_.mcr & kMcrLoop);
    if (force || level != s_.irq_level) {
        s_.irq_level = level;
        irq_.set_level(level);
    }
}

}  // namespace vmm86
