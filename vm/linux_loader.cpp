#include "vm/linux_loader.h"

#include "bios/acpi_tables.h"
#include "cpu/lazy_flags.h"
#include "vm/pc_board.h"

namespace vmm86 {
namespace {

SegmentCache to_cache(const BootSegment& b) { return SegmentCache{b.base, b.limit, b.selector, b.attributes}; }

// The ACPI tables Linux finds by scanning the BIOS area for "RSD PTR ": they describe the
// board's PM block (power-off, PM timer) and reset register.
uint32_t install_acpi_tables(Machine& machine) {
    AcpiConfig config;
    config.pm_io_base = PcBoard::kAcpiPmBase;
    config.sci_irq = PcBoard::kSciIrq;
    const uint32_t base = AcpiTableBuilder::kBiosAreaStart;
    const size_t span = AcpiTableBuilder::kBiosAreaEnd - base;
    std::vector<uint8_t> area(AcpiTableBuilder::kBiosAreaEnd, 0);
    AcpiTables tables = AcpiTableBuilder(config).write_to(area, base);
    machine.memory().write_bytes(base, area.data() + base, span);
    return tables.rsdp_address;
}

}  // namespace

std::string boot_linux(Machine& machine, const LinuxBootFiles& files) {
    std::vector<uint8_t> kernel = read_boot_file(files.kernel_path, "kernel");
    std::optional<std::vector<uint8_t>> initrd;
    if (!files.initrd_path.empty()) initrd = read_boot_file(files.initrd_path, "initrd");

    LinuxBootConfig config;
    config.ram_bytes = machine.memory().ram_size();
    config.cmdline = files.cmdline;
    config.kernel_name = files.kernel_path;
    config.initrd_name = files.initrd_path;
    config.acpi_rsdp_addr = install_acpi_tables(machine);
    LinuxBootPlan plan = plan_linux_boot(kernel, initrd ? std::optional<std::span<const uint8_t>>(*initrd)
                                                        : std::nullopt, config);
    for (const BootBlob& blob : plan.blobs)
        machine.memory().write_bytes(blob.address, blob.bytes.data(), blob.bytes.size());

    CpuState& s = machine.cpu().s;
    const LinuxEntryState& e = plan.entry;
    s.gpr[EAX] = e.eax; s.gpr[EBX] = e.ebx; s.gpr[ECX] = e.ecx; s.gpr[EDX] = e.edx;
    s.gpr[ESI] = e.esi; s.gpr[EDI] = e.edi; s.gpr[EBP] = e.ebp; s.gpr[ESP] = e.esp;
    s.eip = e.eip;
    s.eflags = e.eflags | FLAGS_FIXED1;
    s.lazy.op = LF_NONE;
    s.cr0 = e.cr0;
    s.gdtr = {e.gdt_base, e.gdt_limit};
    s.idtr = {e.idt_base, e.idt_limit};
    s.seg[CS] = to_cache(e.cs);
    s.seg[DS] = to_cache(e.ds);
    s.seg[ES] = to_cache(e.es);
    s.seg[SS] = to_cache(e.ss);
    s.seg[FS] = to_cache(e.fs);
    s.seg[GS] = to_cache(e.gs);
    machine.cpu().flush_tlb();
    machine.engine().flush();
    return plan.summary();
}

}  // namespace vmm86
