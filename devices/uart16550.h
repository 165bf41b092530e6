// National Semiconductor PC16550D UART, as found at COM1-COM4 on every PC.
// The board maps it at 8 consecutive ports (COM1 0x3F8/IRQ4, COM2 0x2F8/IRQ3).
//
// Timing model: the line is infinitely fast. A byte written to THR reaches the host
// backend at once, so THRE/TEMT are set again before the guest's next instruction and the
// THR-empty interrupt is raised immediately (Linux's 8250 driver and SeaBIOS both cope:
// real UARTs at 115200 baud are merely slower). The receive FIFO's character timeout
// (16550D: "no characters removed from or input to the FIFO during the last 4 character
// times") is modelled as already elapsed: a FIFO holding fewer bytes than the trigger
// level reports IIR=0x0C at once, so no byte ever waits for a timer that does not exist.
#pragma once
#include <array>
#include <cstdint>
#include <span>

#include "devices/io_device.h"

namespace vmm86 {

// Host side of a serial line. Transmitted bytes go out through write(); received bytes
// are pushed by the board with Uart16550::receive().
class CharBackend {
public:
    virtual ~CharBackend() = default;
    virtual void write(uint8_t byte) = 0;
};

struct Uart16550State {
    static constexpr uint32_t kVersion = 1;
    uint16_t divisor = 12;  // DLM:DLL; 115200/12 = 9600 baud (the datasheet leaves it undefined)
    uint8_t ier = 0;
    uint8_t lcr = 0;
    uint8_t mcr = 0;
    uint8_t lsr = 0x60;      // THRE | TEMT
    uint8_t msr_deltas = 0;  // MSR bits 0-3, cleared by reading MSR
    uint8_t msr_lines = 0;   // MSR bits 4-7 as last seen, for delta detection
    uint8_t host_lines = 0xB0;  // modem inputs from the host: DCD | DSR | CTS (cable present)
    uint8_t scr = 0;
    uint8_t fcr = 0;         // bits 0 (FIFO enable) and 6-7 (trigger) as last written
    uint8_t rbr_last = 0;    // what RBR reads once the FIFO is empty
    bool thr_interrupt = false;  // THRE interrupt latched, cleared by IIR read or THR write
    bool irq_level = false;      // what we last drove onto the IRQ line
    std::array<uint8_t, 16> rx_fifo{};
    uint8_t rx_head = 0;
    uint8_t rx_count = 0;
};

class Uart16550 final : public IoDevice {
public:
    static constexpr uint32_t kPorts = 8;
    static constexpr uint32_t kClockHz = 1'843'200;  // 16x 115200 baud, the PC crystal

    // Register offsets.
    enum : uint32_t { kRbrThr = 0, kIer = 1, kIirFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7 };
    // LSR bits.
    static constexpr uint8_t kLsrDr = 0x01, kLsrOe = 0x02, kLsrPe = 0x04, kLsrFe = 0x08,
                             kLsrBi = 0x10, kLsrThre = 0x20, kLsrTemt = 0x40, kLsrFifoErr = 0x80;
    // MCR bits.
    static constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08,
                             kMcrLoop = 0x10;
    // MSR bits.
    static constexpr uint8_t kMsrDcts = 0x01, kMsrDdsr = 0x02, kMsrTeri = 0x04, kMsrDdcd = 0x08,
                             kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;

    // backend may be null (bytes are dropped, as with nothing plugged in).
    explicit Uart16550(IrqLine& irq, CharBackend* backend = nullptr);

    uint32_t read(uint32_t offset, unsigned size) override;
    void write(uint32_t offset, unsigned size, uint32_t value) override;

    // Host side.
    void set_backend(CharBackend* backend) { backend_ = backend; }
    // Bytes arriving on the serial input. Bytes beyond the FIFO's room are lost with an
    // overrun, as on the wire: ask can_receive() first to apply flow control.
    void receive(std::span<const uint8_t> bytes);
    bool can_receive() const;
    // A break condition on the line: a zero character with BI set.
    void receive_break();
    // Modem status inputs from the host (bits as MSR 4-7: CTS, DSR, RI, DCD).
    void set_modem_inputs(uint8_t msr_high_bits);
    // 115200 / divisor; 0 while the divisor is 0.
    uint32_t baud_rate() const { return s_.divisor ? kClockHz / 16 / s_.divisor : 0; }

    void reset();
    const Uart16550State& state() const { return s_; }
    void restore(const Uart16550State& state);

private:
    uint8_t read_byte(uint32_t offset);
    void write_byte(uint32_t offset, uint8_t value);
    void write_fcr(uint8_t value);
    void set_mcr(uint8_t value);
    void transmit(uint8_t byte);
    void push_rx(uint8_t byte, uint8_t error_bits);
    uint8_t pop_rx();
    void clear_rx();
    bool fifo_enabled() const { return s_.fcr & 0x01; }
    unsigned rx_capacity() const { return fifo_enabled() ? 16u : 1u; }
    unsigned rx_trigger() const;
    uint8_t compute_iir() const;
    void update_modem_lines();
    void update_irq(bool force = false);

    IrqLine& irq_;
    CharBackend* backend_;
    Uart16550State s_;
};

}  // namespace vmm86
