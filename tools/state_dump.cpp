#include "tools/state_dump.h"

#include <cstdio>

#include "cpu/lazy_flags.h"

namespace vmm86 {
namespace {

const char* const kGprNames[] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
const char* const kSegNames[] = {"ES", "CS", "SS", "DS", "FS", "GS"};

std::string flag_letters(uint32_t f) {
    std::string out;
    struct { uint32_t bit; const char* name; } names[] = {
        {FLAG_OF, "OF"}, {FLAG_DF, "DF"}, {FLAG_IF, "IF"}, {FLAG_TF, "TF"}, {FLAG_SF, "SF"},
        {FLAG_ZF, "ZF"}, {FLAG_AF, "AF"}, {FLAG_PF, "PF"}, {FLAG_CF, "CF"}};
    for (auto& n : names)
        if (f & n.bit) out += std::string(out.empty() ? "" : " ") + n.name;
    return out;
}

}  // namespace

std::string format_cpu_state(const CpuState& s) {
    char buf[256];
    std::string out;
    for (int i = 0; i < 8; ++i) {
        std::snprintf(buf, sizeof buf, "%s=%08X%s", kGprNames[i], uint32_t(s.gpr[i]), i % 4 == 3 ? "\n" : " ");
        out += buf;
    }
    uint32_t f = read_eflags(s);
    std::snprintf(buf, sizeof buf, "EIP=%08X EFLAGS=%08X [%s]\n", uint32_t(s.eip), f, flag_letters(f).c_str());
    out += buf;
    for (int i = 0; i < 6; ++i) {
        const SegmentCache& sc = s.seg[i];
        std::snprintf(buf, sizeof buf, "%s=%04X base=%08X limit=%08X attr=%04X\n", kSegNames[i], sc.selector,
                      sc.base, sc.limit, sc.attributes);
        out += buf;
    }
    std::snprintf(buf, sizeof buf, "GDTR=%08X:%04X IDTR=%08X:%04X CR0=%08X CR2=%08X CR3=%08X CR4=%08X\n",
                  s.gdtr.base, s.gdtr.limit, s.idtr.base, s.idtr.limit, uint32_t(s.cr0), uint32_t(s.cr2),
                  uint32_t(s.cr3), uint32_t(s.cr4));
    out += buf;
    std::snprintf(buf, sizeof buf, "TSC=%llu A20=%s\n", (unsigned long long)s.tsc,
                  s.a20_mask == 0xFFFFFFFFu ? "on" : "off");
    out += buf;
    return out;
}

std::string format_state_changes(const CpuState& a, const CpuState& b) {
    std::string out;
    char buf[64];
    for (int i = 0; i < 8; ++i)
        if (uint32_t(a.gpr[i]) != uint32_t(b.gpr[i])) {
            std::snprintf(buf, sizeof buf, " %s=%08X", kGprNames[i], uint32_t(b.gpr[i]));
            out += buf;
        }
    for (int i = 0; i < 6; ++i)
        if (a.seg[i].selector != b.seg[i].selector && i != CS) {
            std::snprintf(buf, sizeof buf, " %s=%04X", kSegNames[i], b.seg[i].selector);
            out += buf;
        }
    uint32_t fa = read_eflags(a), fb = read_eflags(b);
    if (fa != fb) {
        std::snprintf(buf, sizeof buf, " EFLAGS=%08X", fb);
        out += buf;
        out += " [" + flag_letters(fb) + "]";
    }
    return out;
}

}  // namespace vmm86
