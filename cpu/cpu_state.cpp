#include "cpu/cpu_state.h"

#include <cstring>

#include "cpu/cpuid.h"
#include "cpu/fpu/fpu_state.h"
#include "cpu/msr.h"

namespace vmm86 {

void reset_cpu_state(CpuState& s) {
    std::memset(&s, 0, sizeof s);
    // EDX holds the processor signature after reset: the one CPUID.1:EAX reports.
    s.gpr[EDX] = cpuid_signature();
    s.eip = 0xFFF0;
    s.eflags = FLAGS_FIXED1;
    const uint16_t data_attr = SEG_ATTR_PRESENT | SEG_ATTR_S | SEG_ATTR_WRITABLE | SEG_ATTR_ACCESSED;
    for (auto& seg : s.seg) seg = SegmentCache{0, 0xFFFF, 0, data_attr};
    // CS = F000h with base FFFF0000h: the first fetch comes from the top of the 4 GiB space.
    s.seg[CS] = SegmentCache{0xFFFF0000u, 0xFFFF, 0xF000,
                             uint16_t(SEG_ATTR_PRESENT | SEG_ATTR_S | SEG_ATTR_CODE |
                                      SEG_ATTR_WRITABLE | SEG_ATTR_ACCESSED)};
    s.gdtr = {0, 0xFFFF};
    s.idtr = {0, 0xFFFF};
    s.ldtr = SegmentCache{0, 0xFFFF, 0, 0x82};
    s.tr = SegmentCache{0, 0xFFFF, 0, 0x8B};
    s.cr0 = 0x60000010;  // CD, NW, ET
    s.dr[6] = 0xFFFF0FF0;
    s.dr[7] = 0x400;
    s.a20_mask = 0xFFFFFFFF;
    reset_msrs(s);
    fpu_reset(s);
}

}  // namespace vmm86
