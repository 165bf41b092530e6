#include "vm/pc_board.h"

#include <ctime>
#include <stdexcept>

namespace vmm86 {

int PcBoard::lpt_irq_for(uint16_t base) {
    switch (base) {
    case 0x378:
    case 0x3BC: return 7;
    case 0x278: return 5;
    default: return -1;
    }
}

PcBoard::PcBoard(IoBus& io, const Clock& clock, uint64_t ram_bytes, Callbacks callbacks, CharBackend* com1,
                 CharBackend* lpt1, uint16_t lpt1_base)
    : pit_(clock, pic_.line(0)),
      rtc_(clock, pic_.line(8), std::time(nullptr)),
      kbc_(pic_.line(1), pic_.line(12)),
      acpi_pm_(pic_.line(kSciIrq), clock, AcpiPmConfig{}),
      com1_(pic_.line(4), com1),
      com2_(pic_.line(3), nullptr) {
    io.map(0x20, 2, pic_.master_ports(), "PIC master");
    io.map(0xA0, 2, pic_.slave_ports(), "PIC slave");
    io.map(0x4D0, 2, pic_.elcr_ports(), "PIC ELCR");
    io.map(0x40, 4, pit_, "PIT");
    io.map(0x61, 1, pit_.port61(), "system control port B");
    io.map(0x70, 2, rtc_, "RTC/CMOS");
    io.map(0x72, 2, rtc_.extended_ports(), "CMOS extended bank");
    io.map(0x60, 1, kbc_.data_port(), "i8042 data");
    io.map(0x64, 1, kbc_.command_port(), "i8042 command");
    io.map(0xCF8, PciHost::kPorts, pci_, "PCI configuration");
    io.map(kAcpiPmBase, AcpiPm::kIoSize, acpi_pm_, "ACPI PM");
    io.map(0x3F8, Uart16550::kPorts, com1_, "COM1");
    io.map(0x2F8, Uart16550::kPorts, com2_, "COM2");
    if (lpt1) {
        const int irq = lpt_irq_for(lpt1_base);
        if (irq < 0) throw std::invalid_argument("a parallel port sits at 278h, 378h or 3BCh");
        lpt1_ = std::make_unique<ParallelPort>(pic_.line(unsigned(irq)), *lpt1);
        io.map(lpt1_base, ParallelPort::kPorts, *lpt1_, "LPT1");
    }
    pci_.attach(0, 0, host_bridge_);
    pci_.attach(1, 0, isa_bridge_);
    pci_.set_reset_control(&reset_control_);

    rtc_.set_memory_size(ram_bytes);
    pic_.on_intr_change = callbacks.intr;
    kbc_.on_a20_change = callbacks.a20;
    kbc_.on_reset_request = callbacks.reset;
    reset_control_.on_reset_request = callbacks.reset;
    acpi_pm_.on_power_off = callbacks.power_off;
    // The SCI is level triggered (PIIX4), so IRQ9 starts level-sensitive in the ELCR, as a
    // PC BIOS leaves it.
    pic_.elcr_ports().write(1, 1, 1u << (kSciIrq - 8));
    timed_ = {&pit_, &rtc_, &acpi_pm_};
}

}  // namespace vmm86
