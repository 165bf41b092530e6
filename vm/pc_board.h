// The PC chipset around the CPU: where each device sits (ports, IRQ lines) is decided
// here and nowhere else. 8259A PIC pair, 8254 PIT (and port 61h), MC146818 RTC/CMOS,
// i8042 keyboard controller, PCI configuration mechanism #1 with an i440FX host bridge and
// a PIIX3 ISA bridge, the 0xCF9 reset register, and 16550A UARTs at COM1 (3F8h, IRQ4) and
// COM2 (2F8h, IRQ3), ACPI PM registers at 600h with the SCI on IRQ9, and, when a host
// end is given, a parallel port with a printer at 378h (LPT1, IRQ7; QEMU's first -parallel)
// or at another standard base (3BCh: the MDA card's port, IRQ7; 278h: IRQ5).
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "devices/acpi_pm.h"
#include "devices/clock.h"
#include "devices/cmos_rtc.h"
#include "devices/i8042.h"
#include "devices/io_bus.h"
#include "devices/parallel_port.h"
#include "devices/pci_host.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/system_control.h"
#include "devices/uart16550.h"

namespace vmm86 {

class PcBoard {
public:
    struct Callbacks {
        std::function<void(bool)> a20;     // the keyboard controller's A20 line
        std::function<void()> reset;       // i8042 pulse, port CF9h
        std::function<void(bool)> intr;    // the PIC's INTR output changed
        std::function<void()> power_off;   // ACPI S5 (SLP_TYP|SLP_EN)
    };
    // Where the ACPI PM registers sit (the FADT the firmware or loader builds must agree).
    static constexpr uint16_t kAcpiPmBase = 0x600;
    static constexpr unsigned kSciIrq = 9;
    static constexpr uint16_t kLpt1Base = 0x378;
    static constexpr unsigned kLpt1Irq = 7;
    // The IRQ a parallel port at a standard base uses (278h: 5, 378h and 3BCh: 7), or -1
    // for a base that is not one of the three.
    static int lpt_irq_for(uint16_t base);
    // com1 is the host end of the first serial port, lpt1 the printer on the first
    // parallel port (either may be null: nothing plugged in; LPT1 is then not there at all),
    // lpt1_base where that port sits (one of the standard bases, see lpt_irq_for).
    PcBoard(IoBus& io, const Clock& clock, uint64_t ram_bytes, Callbacks callbacks, CharBackend* com1,
            CharBackend* lpt1 = nullptr, uint16_t lpt1_base = kLpt1Base);

    Pic8259Pair& pic() { return pic_; }
    Uart16550& com1() { return com1_; }
    // Devices whose state changes with time, for the run loop's deadlines.
    const std::vector<TimedDevice*>& timed_devices() const { return timed_; }

private:
    Pic8259Pair pic_;
    Pit8254 pit_;
    CmosRtc rtc_;
    I8042 kbc_;
    PciHost pci_;
    I440fxHostBridge host_bridge_;
    Piix3IsaBridge isa_bridge_;
    ResetControl reset_control_;
    AcpiPm acpi_pm_;
    Uart16550 com1_;
    Uart16550 com2_;
    std::unique_ptr<ParallelPort> lpt1_;
    std::vector<TimedDevice*> timed_;
};

}  // namespace vmm86
