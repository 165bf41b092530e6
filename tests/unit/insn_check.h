// Runs one instruction form on the emulator (real mode, through CpuHarness) and on the
// host CPU (native_x86.h), and compares registers, arithmetic flags and #DE. The same
// form is run with its r/m operand in a register and in memory, so the memory read and
// write paths are checked against the same oracle.
#pragma once
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cpu_harness.h"
#include "native_x86.h"

namespace vmm86::test {

// One instruction in its register form, without operand-size prefix.
struct Form {
    std::vector<uint8_t> opcode;  // bytes before the ModRM byte (the whole insn if no ModRM)
    int modrm = -1;               // register-form ModRM (mod = 11), or -1 for none
    std::vector<uint8_t> imm;     // bytes after the ModRM byte
    unsigned width = 16;          // operand size in bits: 8 (no prefix anywhere), 16 or 32
    std::string name;
};

constexpr uint32_t kMemOperand = 0x0600;  // DS:0600h (DS = 0) holds a memory r/m operand
constexpr uint32_t kArith = native::kArithFlags;

inline uint32_t& reg_slot(native::Regs& r, unsigned gpr) {
    uint32_t* slots[8] = {&r.eax, &r.ecx, &r.edx, &r.ebx, nullptr, &r.ebp, &r.esi, &r.edi};
    return *slots[gpr];
}

// The r/m register of a form as (gpr, byte shift, mask): AH..BH are byte 1 of EAX..EBX.
struct RmReg {
    unsigned gpr, shift;
    uint32_t mask;
};
inline RmReg rm_reg(const Form& f) {
    const unsigned rm = unsigned(f.modrm) & 7;
    if (f.width == 8) return rm < 4 ? RmReg{rm, 0, 0xFF} : RmReg{rm - 4, 8, 0xFF};
    return RmReg{rm, 0, f.width == 16 ? 0xFFFFu : 0xFFFFFFFFu};
}

inline std::vector<uint8_t> encode(const Form& f, bool prefix, bool memory) {
    std::vector<uint8_t> v;
    if (prefix) v.push_back(0x66);
    v.insert(v.end(), f.opcode.begin(), f.opcode.end());
    if (f.modrm >= 0) {
        if (memory) {
            v.push_back(uint8_t((f.modrm & 0x38) | 0x06));  // [disp16]
            v.push_back(uint8_t(kMemOperand));
            v.push_back(uint8_t(kMemOperand >> 8));
        } else {
            v.push_back(uint8_t(f.modrm));
        }
    }
    v.insert(v.end(), f.imm.begin(), f.imm.end());
    return v;
}

// The host's result: 32-bit code, so 16-bit forms take the 66h prefix.
inline native::Regs run_native(const Form& f, const native::Regs& in) {
    return native::run(encode(f, f.width == 16, false), in);
}

// The emulator's result in real mode (32-bit forms take 66h). With `memory`, the r/m
// operand lives at DS:kMemOperand and its final value is folded back into the register
// slot, so the outcome compares directly with run_native(); the register itself must
// be left untouched, which is checked here.
// One machine serves every run (building one costs milliseconds): each run starts from a
// copy of its state after construction, and rewriting the code bytes invalidates the
// translations of the previous run as any write to code does.
inline CpuHarness& shared_harness(CpuState*& pristine) {
    static CpuHarness h(1u << 20);
    static CpuState initial = [] {
        h.set_vector(0, 0x0000, 0x0200);  // #DE handler: HLT at 0000:0200
        h.poke(0x200, {0xF4});
        return h.s();
    }();
    pristine = &initial;
    return h;
}

inline native::Regs run_emulated(const Form& f, const native::Regs& in, bool memory) {
    CpuState* pristine;
    CpuHarness& h = shared_harness(pristine);
    h.s() = *pristine;
    std::vector<uint8_t> code = encode(f, f.width == 32, memory);
    code.push_back(0xF4);
    h.code(code);
    native::Regs r = in;
    for (unsigned g : {EAX, ECX, EDX, EBX, EBP, ESI, EDI}) h.s().gpr[g] = reg_slot(r, g);
    h.set_flags(in.eflags & kArith);
    RmReg rm{};
    if (memory) {
        rm = rm_reg(f);
        const uint32_t v = (reg_slot(r, rm.gpr) >> rm.shift) & rm.mask;
        if (f.width == 8) h.poke(kMemOperand, {uint8_t(v)});
        else if (f.width == 16) h.poke16(kMemOperand, uint16_t(v));
        else h.poke32(kMemOperand, v);
    }
    h.run_to_halt(100);
    native::Regs o;
    for (unsigned g : {EAX, ECX, EDX, EBX, EBP, ESI, EDI}) reg_slot(o, g) = uint32_t(h.s().gpr[g]);
    o.eflags = h.flags() & kArith;
    if (h.s().eip == 0x201) {
        o.divide_error = true;
        // A fault is precise: nothing written, and the pushed IP is the instruction's.
        EXPECT_EQ(h.peek16(0x8000 - 6), 0x100) << f.name << ": #DE pushed the wrong IP";
    } else {
        EXPECT_EQ(h.s().eip, 0x100 + code.size()) << f.name << ": did not run to the HLT";
    }
    if (memory) {
        const uint32_t v = f.width == 8 ? h.peek8(kMemOperand) : f.width == 16 ? h.peek16(kMemOperand) : h.peek32(kMemOperand);
        uint32_t& slot = reg_slot(o, rm.gpr);
        EXPECT_EQ((slot >> rm.shift) & rm.mask, (reg_slot(r, rm.gpr) >> rm.shift) & rm.mask)
            << f.name << ": the memory form wrote the r/m register";
        slot = (slot & ~(rm.mask << rm.shift)) | (v & rm.mask) << rm.shift;
    }
    return o;
}

inline std::string describe(const native::Regs& r) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "eax=%08x ecx=%08x edx=%08x ebx=%08x esi=%08x edi=%08x ebp=%08x fl=%03x%s",
                  r.eax, r.ecx, r.edx, r.ebx, r.esi, r.edi, r.ebp, r.eflags & kArith,
                  r.divide_error ? " #DE" : "");
    return buf;
}

// Equal registers, flags and #DE (on #DE the registers must be the input ones).
inline bool same(const native::Regs& a, const native::Regs& b) {
    return a.divide_error == b.divide_error && a.eax == b.eax && a.ecx == b.ecx && a.edx == b.edx &&
           a.ebx == b.ebx && a.esi == b.esi && a.edi == b.edi && a.ebp == b.ebp &&
           (a.divide_error || (a.eflags & kArith) == (b.eflags & kArith));
}

// Runs `f` on the host and on the emulator (register and, if it has a ModRM, memory
// form) and reports the first few differences. Returns the number of mismatches.
inline int check_against_host(const Form& f, const native::Regs& in, int* budget = nullptr) {
    const native::Regs want = run_native(f, in);
    int bad = 0;
    for (bool memory : {false, true}) {
        if (memory && f.modrm < 0) continue;
        const native::Regs got = run_emulated(f, in, memory);
        if (same(want, got)) continue;
        ++bad;
        if (!budget || (*budget)-- > 0)
            ADD_FAILURE() << f.name << (memory ? " [mem]" : " [reg]") << "\n  in:   " << describe(in)
                          << "\n  host: " << describe(want) << "\n  emu:  " << describe(got);
    }
    return bad;
}

#define REQUIRE_NATIVE()                                                                        \
    do {                                                                                        \
        if (!native::native_available())                                                        \
            GTEST_SKIP() << "host cannot run 32-bit code natively (needs x86-64 Linux with IA-32 " \
                            "emulation): comparison with the host CPU skipped";                 \
    } while (0)

}  // namespace vmm86::test
