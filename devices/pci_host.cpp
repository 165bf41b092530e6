#include "devices/pci_host.h"

#include <stdexcept>

namespace vmm86 {

namespace {
uint32_t ones(unsigned size) { return size >= 4 ? ~0u : (1u << (8 * size)) - 1; }
constexpr uint32_t kConfigEnable = 0x80000000u;
}  // namespace

// ---- PciDevice ----------------------------------------------------------------------

PciDevice::PciDevice(uint16_t vendor_id, uint16_t device_id, uint32_t class_code,
                     uint8_t revision, uint8_t header_type) {
    set16(0x00, vendor_id);
    set16(0x02, device_id);
    set8(0x08, revision);
    set8(0x09, uint8_t(class_code));        // programming interface
    set8(0x0A, uint8_t(class_code >> 8));   // subclass
    set8(0x0B, uint8_t(class_code >> 16));  // base class
    set8(0x0E, header_type);
    // Command: I/O, memory, bus master, parity response, SERR#, interrupt disable are the
    // bits a generic function implements; the rest are hardwired 0 (PCI 3.0, 6.2.2).
    define_register(0x04, 2, 0x0000, 0x0547);
    // Status: the error bits are write-1-to-clear, the rest read-only.
    set_write1_clear(0x06, 2, 0xF900);
    define_register(0x0C, 1, 0, 0xFF);  // cache line size
    define_register(0x0D, 1, 0, 0xFF);  // latency timer
    define_register(0x3C, 1, 0, 0xFF);  // interrupt line: scratch for firmware
    save_power_on_state();
}

void PciDevice::set16(uint32_t offset, uint16_t value) {
    s_.config[offset] = uint8_t(value);
    s_.config[offset + 1] = uint8_t(value >> 8);
}

void PciDevice::set32(uint32_t offset, uint32_t value) {
    for (unsigned i = 0; i < 4; ++i) s_.config[offset + i] = uint8_t(value >> (8 * i));
}

void PciDevice::define_register(uint32_t offset, unsigned size, uint32_t reset_value,
                                uint32_t writable) {
    for (unsigned i = 0; i < size; ++i) {
        s_.config[offset + i] = uint8_t(reset_value >> (8 * i));
        writable_[offset + i] = uint8_t(writable >> (8 * i));
    }
}

void PciDevice::set_write1_clear(uint32_t offset, unsigned size, uint32_t mask) {
    for (unsigned i = 0; i < size; ++i) write1_clear_[offset + i] = uint8_t(mask >> (8 * i));
}

void PciDevice::define_bar(unsigned index, uint32_t size, PciBarKind kind) {
    const bool io = kind == PciBarKind::Io;
    if (index >= 6 || size == 0 || (size & (size - 1)) || size < (io ? 4u : 16u))
        throw std::invalid_argument("PCI BAR: bad index or size");
    const uint32_t type = io ? 0x1 : (kind == PciBarKind::Memory32Prefetchable ? 0x8 : 0x0);
    const uint32_t low_bits = io ? 0x3 : 0xF;
    // Address bits below the size are hardwired 0: they read back as 0 after the guest
    // writes all ones, which is how it learns the size.
    define_register(0x10 + 4 * index, 4, type, ~(size - 1) & ~low_bits);
    bar_size_[index] = size;
}

uint32_t PciDevice::bar_address(unsigned index) const {
    uint32_t value = 0;
    for (unsigned i = 0; i < 4; ++i) value |= uint32_t(s_.config[0x10 + 4 * index + i]) << (8 * i);
    return value & ((value & 1) ? ~0x3u : ~0xFu);
}

uint32_t PciDevice::config_read(uint32_t offset, unsigned size) {
    uint32_t value = 0;
    for (unsigned i = 0; i < size && offset + i < 256; ++i)
        value |= uint32_t(s_.config[offset + i]) << (8 * i);
    return value;
}

void PciDevice::config_write(uint32_t offset, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size && offset + i < 256; ++i) {
        const uint32_t o = offset + i;
        const uint8_t byte = uint8_t(value >> (8 * i));
        uint8_t next = uint8_t((s_.config[o] & ~writable_[o]) | (byte & writable_[o]));
        next &= uint8_t(~(byte & write1_clear_[o]));
        s_.config[o] = next;
    }
}

// ---- i440FX -------------------------------------------------------------------------

I440fxHostBridge::I440fxHostBridge() : PciDevice(0x8086, 0x1237, 0x060000, 0x02) {
    // Reset values from the 82441FX datasheet. Registers that only tune a real memory
    // controller (PMCCFG, DRAM timing, row boundaries, latency timers) are plain storage
    // so firmware can program them; they change nothing here.
    define_register(0x04, 2, 0x0006, 0x0146);  // memory and bus master always on
    set16(0x06, 0x0280);                       // medium DEVSEL, fast back-to-back
    define_register(0x50, 2, 0x0000, 0xFFFF);  // PMCCFG
    define_register(0x53, 1, 0x80, 0xFF);      // DBC
    define_register(0x54, 1, 0x00, 0xFF);      // AXC
    define_register(0x55, 2, 0x0000, 0xFFFF);  // DRAMR
    define_register(0x57, 1, 0x01, 0xFF);      // DRAMC
    define_register(0x58, 1, 0x10, 0xFF);      // DRAMT
    define_register(kPam0, 1, 0x00, 0x30);     // PAM0: only the 0xF0000 segment (bits 5:4)
    for (unsigned i = 1; i <= 6; ++i) define_register(kPam0 + i, 1, 0x00, 0x33);
    for (unsigned i = 0; i < 8; ++i) define_register(0x60 + i, 1, 0x01, 0xFF);  // DRB0-7
    define_register(0x68, 1, 0x00, 0xC0);      // FDHC
    define_register(0x70, 1, 0x20, 0xF8);      // MTT
    define_register(0x71, 1, 0x10, 0xFF);      // CLT
    define_register(kSmram, 1, 0x02, 0x78);    // C_BASE_SEG hardwired to 010 (0xA0000)
    define_register(0x90, 1, 0x00, 0xFF);      // ERRCMD
    set_write1_clear(0x91, 1, 0xFF);           // ERRSTS
    save_power_on_state();
}

void I440fxHostBridge::config_write(uint32_t offset, unsigned size, uint32_t value) {
    std::array<uint8_t, 7> old_pam;
    for (unsigned i = 0; i < 7; ++i) old_pam[i] = pam(i);
    const uint8_t old_smram = smram();
    PciDevice::config_write(offset, size, value);

    // SMRAM D_LCK: once set, D_OPEN is forced to 0 and D_LCK/G_SMRAME can no longer
    // change until reset (82441FX SMRAM register); setting it also closes D_OPEN.
    uint8_t next = smram();
    if (old_smram & kSmramLock) next = uint8_t((next & ~(kSmramLock | kSmramEnable)) |
                                                (old_smram & (kSmramLock | kSmramEnable)));
    if (next & kSmramLock) next &= ~kSmramOpen;
    set8(kSmram, next);

    for (unsigned i = 0; i < 7; ++i)
        if (pam(i) != old_pam[i] && on_pam_change) on_pam_change(i, pam(i));
    if (next != old_smram && on_smram_change) on_smram_change(next);
}

// ---- PIIX3 --------------------------------------------------------------------------

Piix3IsaBridge::Piix3IsaBridge() : PciDevice(0x8086, 0x7000, 0x060100, 0x00, 0x80) {
    // Header type bit 7: multifunction, so scanners look at 00:01.1 (IDE), .2 (USB) too.
    // Reset values from the 82371SB datasheet; all but PIRQRC are storage only here.
    define_register(0x04, 2, 0x0007, 0x0000);  // I/O, memory and bus master hardwired on
    set16(0x06, 0x0200);                       // medium DEVSEL
    define_register(0x4C, 1, 0x4D, 0xFF);      // IORT
    define_register(0x4E, 2, 0x0003, 0x07FF);  // XBCS
    for (unsigned i = 0; i < 4; ++i) define_register(kPirqRoute + i, 1, 0x80, 0x8F);
    define_register(0x69, 1, 0x02, 0xFF);      // TOM
    define_register(0x6A, 2, 0x0000, 0xFFFF);  // MSTAT
    define_register(0x70, 2, 0x8080, 0xCFCF);  // MBIRQ0/1
    define_register(0x76, 2, 0x0C0C, 0x8F8F);  // MBDMA0/1
    define_register(0x78, 2, 0x0002, 0xFFFF);  // PCSC
    define_register(0x80, 1, 0x00, 0x7F);      // APICBASE
    define_register(0x82, 1, 0x00, 0x0F);      // DLC
    define_register(0xA0, 1, 0x08, 0x1F);      // SMICNTL
    define_register(0xA2, 2, 0x0000, 0x00FF);  // SMIEN
    define_register(0xA4, 4, 0x00000000, 0xC00000FF);  // SEE
    define_register(0xA8, 1, 0x0F, 0xFF);      // FTMR
    define_register(0xAA, 2, 0x0000, 0x00FF);  // SMIREQ
    define_register(0xAC, 1, 0x00, 0xFF);      // CTLTMR
    define_register(0xAE, 1, 0x00, 0xFF);      // CTHTMR
    save_power_on_state();
}

void Piix3IsaBridge::config_write(uint32_t offset, unsigned size, uint32_t value) {
    std::array<uint8_t, 4> old;
    for (unsigned i = 0; i < 4; ++i) old[i] = get8(kPirqRoute + i);
    PciDevice::config_write(offset, size, value);
    for (unsigned i = 0; i < 4; ++i)
        if (get8(kPirqRoute + i) != old[i] && on_pirq_change) on_pirq_change(i, get8(kPirqRoute + i));
}

int Piix3IsaBridge::pirq_irq(unsigned pirq) const {
    const uint8_t value = get8(kPirqRoute + (pirq & 3));
    return (value & 0x80) ? -1 : int(value & 0x0F);
}

// ---- PciHost ------------------------------------------------------------------------

void PciHost::attach(unsigned device, unsigned function, PciDevice& function_device) {
    if (device >= 32 || function >= 8) throw std::invalid_argument("PCI: no such slot");
    if (functions_[device][function]) throw std::invalid_argument("PCI: slot already taken");
    functions_[device][function] = &function_device;
}

PciDevice* PciHost::function_at(unsigned device, unsigned function) const {
    return target(0, device, function);
}

PciDevice* PciHost::target(unsigned bus, unsigned device, unsigned function) const {
    if (bus != 0 || device >= 32 || function >= 8) return nullptr;
    return functions_[device][function];
}

uint32_t PciHost::config_read(unsigned bus, unsigned device, unsigned function, uint32_t offset,
                              unsigned size) {
    PciDevice* dev = target(bus, device, function);
    if (!dev || offset + size > 256) return ones(size);  // master abort: all ones
    return dev->config_read(offset, size);
}

void PciHost::config_write(unsigned bus, unsigned device, unsigned function, uint32_t offset,
                           unsigned size, uint32_t value) {
    PciDevice* dev = target(bus, device, function);
    if (dev && offset + size <= 256) dev->config_write(offset, size, value);
}

uint32_t PciHost::read(uint32_t offset, unsigned size) {
    if (offset < 4) {
        if (offset == 0 && size == 4) return s_.config_address;
        if (offset == 1 && size == 1 && reset_control_) return reset_control_->read(0, 1);
        return ones(size);
    }
    // With the enable bit clear, 0xCFC-0xCFF are plain I/O ports that nothing decodes.
    const uint32_t a = s_.config_address;
    if (!(a & kConfigEnable)) return ones(size);
    // IoBus splits accesses that run past 0xCFF, so offset..offset+size stays in the dword.
    return config_read((a >> 16) & 0xFF, (a >> 11) & 0x1F, (a >> 8) & 0x7,
                       (a & 0xFC) + (offset - 4), size);
}

void PciHost::write(uint32_t offset, unsigned size, uint32_t value) {
    if (offset < 4) {
        if (offset == 0 && size == 4) {
            // Bits 30:24 are reserved and bits 1:0 read 0: Linux's pci_check_type1()
            // writes 0x80000000 and expects exactly that back.
            s_.config_address = value & 0x80FFFFFCu;
        } else if (offset == 1 && size == 1 && reset_control_) {
            reset_control_->write(0, 1, value);
        }
        return;  // e.g. Linux's outb(0x01, 0xCFB) probe byte: nothing decodes it
    }
    const uint32_t a = s_.config_address;
    if (!(a & kConfigEnable)) return;
    config_write((a >> 16) & 0xFF, (a >> 11) & 0x1F, (a >> 8) & 0x7, (a & 0xFC) + (offset - 4),
                 size, value);
}

}  // namespace vmm86
