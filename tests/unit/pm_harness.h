// A protected-mode machine for the PM unit tests: a GDT, an IDT whose every vector
// leads to its own HLT, and a 32-bit TSS, all in RAM, with the CPU put straight into
// 32-bit protected mode at CPL 0 (flat code 08h, flat data 10h). Tests add descriptors,
// write code at 0x20000 and read which vector was taken and what it pushed.
#pragma once
#include <gtest/gtest.h>

#include "cpu/segmentation.h"
#include "cpu_harness.h"

namespace vmm86::test {

constexpr uint32_t kGdt = 0x1000, kIdt = 0x2000, kTss = 0x3000, kHandlers = 0x5000, kCode = 0x20000;
constexpr uint32_t kStack0 = 0x9000, kStack3 = 0x8000;
enum : uint16_t {
    SEL_CODE0 = 0x08, SEL_DATA0 = 0x10, SEL_CODE3 = 0x1B, SEL_DATA3 = 0x23, SEL_TSS = 0x28,
    SEL_FREE = 0x30,  // first selector tests may define (0x30, 0x38, ... up to 0x1F8)
};

inline uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags /* G D 0 AVL */) {
    return (uint64_t(limit & 0xFFFF)) | (uint64_t(base & 0xFFFFFF) << 16) | (uint64_t(access) << 40) |
           (uint64_t((limit >> 16) & 0xF) << 48) | (uint64_t(flags & 0xF) << 52) | (uint64_t(base >> 24) << 56);
}
inline uint64_t gate(uint16_t sel, uint32_t offset, uint8_t access, uint8_t params = 0) {
    return uint64_t(offset & 0xFFFF) | (uint64_t(sel) << 16) | (uint64_t(params & 0x1F) << 32) |
           (uint64_t(access) << 40) | (uint64_t(offset >> 16) << 48);
}

struct PmHarness : CpuHarness {
    PmHarness() : CpuHarness(4 << 20) {
        set_desc(SEL_CODE0, descriptor(0, 0xFFFFF, 0x9A, 0xC));
        set_desc(SEL_DATA0, descriptor(0, 0xFFFFF, 0x92, 0xC));
        set_desc(SEL_CODE3, descriptor(0, 0xFFFFF, 0xFA, 0xC));
        set_desc(SEL_DATA3, descriptor(0, 0xFFFFF, 0xF2, 0xC));
        set_desc(SEL_TSS, descriptor(kTss, 0x67 + 0x2000 / 8 + 1, 0x89, 0));
        CpuState& st = s();
        st.gdtr = {kGdt, 0x1FF};
        st.idtr = {kIdt, 0x7FF};
        for (unsigned v = 0; v < 256; ++v) {
            set_idt(uint8_t(v), gate(SEL_CODE0, kHandlers + 16 * v, 0x8E));  // interrupt gate, DPL 0
            poke(kHandlers + 16 * v, {0xF4});
        }
        // TSS: ring-0 stack, I/O map right after the 104-byte TSS, all ports denied.
        poke32(kTss + 4, kStack0);
        poke32(kTss + 8, SEL_DATA0);
        poke16(kTss + 0x66, 0x68);
        for (uint32_t i = 0; i < 0x2000 / 8 + 1; ++i) poke(kTss + 0x68 + i, {0xFF});
        st.cr0 |= CR0_PE;
        load(CS, SEL_CODE0);
        for (unsigned sreg : {SS, DS, ES, FS, GS}) load(sreg, SEL_DATA0);
        st.tr = make_cache(SEL_TSS, read(SEL_TSS));
        st.tr.attributes |= 2;  // busy
        poke(kGdt + SEL_TSS + 5, {0x8B});
        st.eip = kCode;
        st.gpr[ESP] = kStack0;
        set_flags(0);
    }

    void set_desc(uint16_t sel, uint64_t d) { poke64(kGdt + (sel & 0xFFF8), d); }
    void set_idt(uint8_t v, uint64_t g) { poke64(kIdt + 8 * v, g); }
    void poke64(uint32_t a, uint64_t v) { mem().write_bytes(a, &v, 8); }
    Descriptor read(uint16_t sel) {
        Descriptor d;
        uint64_t v = mem().read(kGdt + (sel & 0xFFF8), 4) | (uint64_t(mem().read(kGdt + (sel & 0xFFF8) + 4, 4)) << 32);
        d.lo = uint32_t(v);
        d.hi = uint32_t(v >> 32);
        return d;
    }
    // Loads a segment register's cache straight from the GDT (test setup, no checks).
    void load(unsigned sreg, uint16_t sel) { s().seg[sreg] = make_cache(sel, read(sel)); }
    // Puts the CPU at CPL 3 (CS 1Bh, SS/DS/ES 23h, ESP kStack3).
    void to_ring3() {
        load(CS, SEL_CODE3);
        for (unsigned sreg : {SS, DS, ES, FS, GS}) load(sreg, SEL_DATA3);
        s().gpr[ESP] = kStack3;
    }
    // Runs code at kCode (followed by HLT) until a HLT.
    RunResult run(std::initializer_list<uint8_t> bytes) {
        std::vector<uint8_t> c(bytes);
        c.push_back(0xF4);
        mem().write_bytes(kCode, c.data(), c.size());
        s().eip = kCode;
        s().halted = 0;
        return run_to_halt(10000);
    }
    // The vector whose handler HLT the CPU stopped at, or -1 (then EIP is elsewhere).
    int vector_taken() {
        uint32_t eip = uint32_t(s().eip);
        if (eip < kHandlers + 1 || eip >= kHandlers + 16 * 256 + 1 || (eip - kHandlers - 1) % 16) return -1;
        return int((eip - kHandlers - 1) / 16);
    }
    uint32_t stack32(unsigned i) { return peek32(s().seg[SS].base + uint32_t(s().gpr[ESP]) + 4 * i); }
    // The error code the handler got (top of its stack).
    uint32_t error_code() { return stack32(0); }
};

}  // namespace vmm86::test
