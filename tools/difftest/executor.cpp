#include "tools/difftest/executor.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>

#include "cpu/cpu_state.h"
#include "tools/difftest/flags.h"
#include "tools/vectors_command.h"

namespace vmm86::difftest {
namespace {

constexpr const char* kGprNames[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
// Bits the two sides cannot agree on by construction: the host never shows VM/RF/VIF/VIP
// in a pushed or saved image the way real mode keeps them.
constexpr uint32_t kNeverCompared = FLAG_VM | FLAG_RF | FLAG_VIF | FLAG_VIP;

// Traps report the address after their instruction (INTO; #DB and #BP never arise here).
bool is_trap(int vector) { return vector == 1 || vector == 3 || vector == 4; }
// Protected-mode exceptions that push an error code.
bool has_error_code(int vector) { return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17; }

std::string hex(uint32_t v, int digits) {
    char s[16];
    std::snprintf(s, sizeof s, "%0*x", digits, v);
    return s;
}

// --- x87 -------------------------------------------------------------------------------
//
// What of the x87 state is compared, and how:
// - FCW, FSW (TOP, condition codes, flags, ES, B), the abridged tag, MXCSR and the eight
//   registers bit for bit: the host's values (after the code, or at the fault from the
//   signal frame). Registers are compared by physical number (R0..R7), empty ones too.
//   Condition codes the SDM leaves undefined are compared as well: vmm86 runs each x87
//   instruction on the host's x87, so they are the host's.
// - The full tag word: the host's FNSAVE classification (after a fault, when only the
//   signal frame's FXSAVE area exists, difftest's own classification of the registers,
//   which it otherwise cross-checks against FNSAVE's).
// - FIP/FCS, FOP, FDP/FDS: this host's CPU is no P6: it keeps FCS and FDS zero, updates FOP
//   and FDP only for instructions that raise an unmasked exception (CPUID.7.EBX bits 6 and
//   13), and its FIP is a host address. They are therefore predicted from the instruction
//   sequence with the P6's rules (SDM vol. 1 8.1.8-8.1.9: every non-control instruction sets
//   FIP/FCS to its address, prefixes included, and FOP to its opcode; FDP/FDS to its memory
//   operand's offset and selector, undefined - so not compared - after one without a memory
//   operand; control instructions keep them; FNINIT/FNSAVE clear them), and the host's FIP
//   only checks which instruction was the last non-control one.
// - Images stored by FNSTENV/FNSAVE/FXSAVE: the host's bytes except the pointer fields,
//   which are the predicted pointers in the guest's layout (real-mode layouts with linear
//   20-bit pointers; their reserved bits as vmm86 writes them, ones in the upper halves);
//   undefined FDP/FDS fields, FXSAVE's MXCSR_MASK and its XMM/reserved area from byte 160
//   (the P6 modelled has no SSE) take vmm86's bytes.
// Environment loads come first in a sequence and stores last (the generator sees to it),
// so a load's image is the generated one and a store's image is the final memory.

struct X87Ptrs {
    uint32_t fip = 0;
    uint16_t fcs = 0, fop = 0, fds = 0;
    uint32_t fdp = 0;
    bool fdp_defined = true;
    int insn = -1;          // the instruction FIP points to, or -1
    bool initial = true;    // the pointers are still the initial state's
    bool known = true;      // false: a load whose image difftest cannot know
};

struct EnvStore {
    size_t k;
    X87Ptrs ptrs;
};

// The ESC opcode byte and ModRM of an x87 instruction (after its prefixes).
uint16_t x87_opcode(const Insn& i) {
    const std::vector<uint8_t> b = i.encode(true);
    size_t at = 0;
    while (at < b.size() && (b[at] == 0xF0 || b[at] == 0x26 || b[at] == 0x2E || b[at] == 0x36 || b[at] == 0x3E ||
                             b[at] == 0x64 || b[at] == 0x65 || b[at] == 0x66 || b[at] == 0x67))
        ++at;
    if (at + 1 >= b.size()) return 0;
    return uint16_t((b[at] & 7) << 8 | b[at + 1]);
}

X87Ptrs walk_pointers(const TestCase& c, size_t done, const std::vector<Regs>& before,
                      const std::vector<uint32_t>& guest_off, std::vector<EnvStore>& stores) {
    X87Ptrs p;
    p.fop = c.fpu.u16(6) & 0x7FF;
    p.fip = c.fpu.u32(8);
    p.fcs = c.fpu.u16(12);
    p.fdp = c.fpu.u32(16);
    p.fds = c.fpu.u16(20);
    const bool real = c.mode == Mode::Real;
    for (size_t k = 0; k < done && k < c.insns.size(); ++k) {
        const Insn& i = c.insns[k];
        if (!i.is_x87()) continue;
        const int seg = operand_segment(i);
        const uint32_t ea = i.mem ? effective_address(i.addr, before[k]) : 0;
        switch (i.desc->x87_class) {
            case X87Class::Compute:
                p.fip = kCodeIp + guest_off[k];
                p.fcs = guest_code_selector(c);
                p.fop = x87_opcode(i);
                p.fdp_defined = i.mem;
                if (i.mem) {
                    p.fdp = ea;
                    p.fds = guest_selector(c, seg);
                }
                p.insn = int(k);
                p.initial = false;
                break;
            case X87Class::Init:
                p = X87Ptrs{};
                p.initial = false;
                break;
            case X87Class::StoreEnv: stores.push_back({k, p}); break;
            case X87Class::StoreSave:
                stores.push_back({k, p});
                p = X87Ptrs{};
                p.initial = false;
                break;
            case X87Class::LoadEnv: {
                X87Ptrs q;
                q.initial = false;
                if (k != 0) q.known = false;  // memory an earlier instruction may have written
                auto u16 = [&](unsigned o) { return c.read_input(seg, ea + o, 2); };
                auto u32 = [&](unsigned o) { return c.read_input(seg, ea + o, 4); };
                if (i.desc->x87_fmt == X87Fmt::FxSave) {
                    q.fop = uint16_t(u16(6) & 0x7FF);
                    q.fip = u32(8);
                    q.fcs = uint16_t(u16(12));
                    q.fdp = u32(16);
                    q.fds = uint16_t(u16(20));
                } else if (real) {  // 20-bit linear pointers, no selectors
                    if (i.opsize == 32) {
                        q.fip = u16(12) | ((u32(16) >> 12) & 0xFFFF) << 16;
                        q.fop = uint16_t(u32(16) & 0x7FF);
                        q.fdp = u16(20) | ((u32(24) >> 12) & 0xFFFF) << 16;
                    } else {
                        q.fip = u16(6) | (u16(8) >> 12) << 16;
                        q.fop = uint16_t(u16(8) & 0x7FF);
                        q.fdp = u16(10) | (u16(12) >> 12) << 16;
                    }
                } else if (i.opsize == 32) {
                    q.fip = u32(12);
                    q.fcs = uint16_t(u16(16));
                    q.fop = uint16_t(u16(18) & 0x7FF);
                    q.fdp = u32(20);
                    q.fds = uint16_t(u16(24));
                } else {  // the 16-bit protected-mode layout has no FOP: it stays
                    q.fop = p.fop;
                    q.fip = u16(6);
                    q.fcs = uint16_t(u16(8));
                    q.fdp = u16(10);
                    q.fds = uint16_t(u16(12));
                }
                p = q;
                break;
            }
            case X87Class::Control:
            case X87Class::Reserved: break;
        }
    }
    return p;
}

// The bytes of a stored image (FNSTENV, FNSAVE, FXSAVE) that are not the host's: the
// pointer fields, predicted (value) or not compared (-1).
void pointer_fields(const TestCase& c, const Insn& i, const X87Ptrs& p, std::vector<std::pair<unsigned, int>>& out) {
    auto put = [&](unsigned at, uint32_t v, unsigned n, bool defined = true) {
        for (unsigned b = 0; b < n; ++b) out.emplace_back(at + b, defined ? int((v >> (8 * b)) & 0xFF) : -1);
    };
    const bool d = p.fdp_defined && p.known;
    if (!p.known) {
        // Nothing is predicted: every pointer field takes vmm86's bytes.
        const unsigned n = i.desc->x87_fmt == X87Fmt::FxSave ? 24 : i.opsize == 32 ? 28 : 14;
        for (unsigned b = i.desc->x87_fmt == X87Fmt::FxSave ? 6 : i.opsize == 32 ? 12 : 6; b < n; ++b)
            out.emplace_back(b, -1);
    }
    if (i.desc->x87_fmt == X87Fmt::FxSave) {
        if (p.known) {
            put(6, p.fop, 2);
            put(8, p.fip, 4);
            put(12, p.fcs, 2);
            put(16, p.fdp, 4, d);
            put(20, p.fds, 2, d);
        }
        for (unsigned b = 28; b < 32; ++b) out.emplace_back(b, -1);  // MXCSR_MASK
        for (unsigned b = 160; b < 512; ++b) out.emplace_back(b, -1);
        return;
    }
    if (!p.known) return;
    if (c.mode == Mode::Real) {
        const uint32_t ip = (uint32_t(p.fcs) << 4) + p.fip, dp = (uint32_t(p.fds) << 4) + p.fdp;
        if (i.opsize == 32) {
            put(12, 0xFFFF0000u | (ip & 0xFFFF), 4);
            put(16, ((ip >> 16) << 12) | p.fop, 4);
            put(20, dp & 0xFFFF, 2, d);
            put(22, 0xFFFF, 2);
            put(24, (dp >> 16) << 12, 4, d);
        } else {
            put(6, ip, 2);
            put(8, ((ip >> 16) & 0xF) << 12 | p.fop, 2);
            put(10, dp, 2, d);
            put(12, ((dp >> 16) & 0xF) << 12, 2, d);
        }
    } else if (i.opsize == 32) {
        put(12, p.fip, 4);
        put(16, p.fcs, 2);
        put(18, p.fop, 2);
        put(20, p.fdp, 4, d);
        put(24, p.fds, 2, d);
    } else {
        put(6, p.fip, 2);
        put(8, p.fcs, 2);
        put(10, p.fdp, 2, d);
        put(12, p.fds, 2, d);
    }
}

// The two-bit tag of a register that is not empty (SDM vol. 1 8.1.7): 0 valid, 1 zero,
// 2 special (NaN, infinity, denormal, and the unsupported encodings).
unsigned classify(const uint8_t* r) {
    uint64_t m;
    uint16_t e;
    std::memcpy(&m, r, 8);
    std::memcpy(&e, r + 8, 2);
    e &= 0x7FFF;
    if (e == 0x7FFF) return 2;
    if (e == 0) return m == 0 ? 1 : 2;
    return (m >> 63) ? 0 : 2;
}

}  // namespace

const char* vector_name(int vector) {
    static const char* const kNames[20] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#9",
                                           "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM"};
    if (vector >= 0 && vector < 20) return kNames[vector];
    return "#?";
}

std::vector<std::string> Outcome::signature() const {
    std::set<std::string> s;
    for (const std::string& line : mismatches) {
        std::string key = line.substr(0, line.find(':'));
        if (key.find("ram[") != std::string::npos) key = "ram";
        s.insert(key);
    }
    return {s.begin(), s.end()};
}

NativeResult Executor::run_native(const TestCase& c, size_t insns, std::map<MemKey, uint8_t>* final_mem) {
    for (const auto& [key, byte] : c.mem) native_.segment(int(key >> 16))[key & 0xFFFF] = byte;
    std::vector<uint8_t> code;
    for (size_t i = 0; i < insns; ++i) {
        std::vector<uint8_t> b = c.insns[i].encode(true);
        code.insert(code.end(), b.begin(), b.end());
    }
    NativeResult r = native_.run(code, c.regs, c.fpu, c.stack32);
    // Everything not in c.mem started as zero: the non-zero bytes now are the result,
    // and clearing them leaves the segments zeroed for the next run.
    if (final_mem)
        for (const auto& [key, byte] : c.mem) (*final_mem)[key] = 0;
    for (int seg = 0; seg < kDataSegs; ++seg)
        take_nonzero(native_.segment(seg), kSegBytes, [&](uint32_t off, uint8_t byte) {
            if (final_mem) (*final_mem)[mem_key(seg, off)] = byte;
        });
    return r;
}

Outcome Executor::execute(const TestCase& c) {
    Outcome o;
    TestVector& v = o.vector;
    const size_t n = c.insns.size();
    const bool pm = c.mode == Mode::Pm32;
    std::vector<uint32_t> native_off{0}, guest_off{0};
    for (const Insn& i : c.insns) {
        native_off.push_back(native_off.back() + uint32_t(i.encode(true).size()));
        guest_off.push_back(guest_off.back() + uint32_t(i.encode(pm).size()));
    }
    v.bytes = c.guest_code();
    v.name = "difftest seed " + std::to_string(seed_) + " case " + std::to_string(c.number) + " [" +
             group_name(c.group()) + ", " + mode_name(c) + "]:";
    for (size_t i = 0; i < n; ++i) v.name += (i ? "; " : " ") + disassemble(c.insns[i], pm);
    o.writable = !pm && !c.x87 && n == 1;

    // Registers before each instruction (for count-dependent flag rules and x87 operand
    // addresses), from the host.
    std::vector<Regs> before{c.regs};
    for (size_t k = 1; k < n; ++k) before.push_back(run_native(c, k, nullptr).regs);
    std::map<MemKey, uint8_t> final_mem;
    const NativeResult host = run_native(c, n, &final_mem);

    // Where the host stopped: after all n instructions, or delivering an exception with
    // `done` instructions completed (a trap's instruction counts as completed).
    size_t done = n;
    unsigned steps = unsigned(n);
    if (host.vector >= 0) {
        auto at = std::find(native_off.begin(), native_off.end(), host.fault_ip);
        if (at == native_off.end()) {
            o.skipped = "host fault at a non-boundary offset " + std::to_string(host.fault_ip);
            return o;
        }
        done = size_t(at - native_off.begin());
        steps = unsigned(is_trap(host.vector) ? done : done + 1);
        // The SDM makes faults precise, but the host is not always: a POPA that faults on
        // its last pops has already loaded the first registers. Such a case has no
        // architectural answer to compare with.
        if (!is_trap(host.vector) && done < before.size() &&
            !std::equal(std::begin(host.regs.gpr), std::end(host.regs.gpr), std::begin(before[done].gpr))) {
            o.skipped = "the host's fault was not precise (registers changed)";
            return o;
        }
        // Likewise FLDENV/FRSTOR/FXRSTOR with 16-bit addressing whose image wraps at 64 KiB
        // and faults on a later part: this host's CPU has loaded the first fields already.
        // (They start a sequence: the state before them is the initial one.)
        if (done == 0 && n > 0 && c.insns[0].is_x87() && c.insns[0].desc->x87_class == X87Class::LoadEnv &&
            c.insns[0].addr.size == 16 &&
            effective_address(c.insns[0].addr, c.regs) + c.insns[0].mem_operand_bytes() > 0x10000 &&
            std::memcmp(host.fpu.b, c.fpu.b, 6) != 0) {
            o.skipped = "the host's fault was not precise (a wrapping x87 environment partly loaded)";
            return o;
        }
    }
    // Flags left undefined by the instructions that completed are not compared; an
    // instruction that consumes one has an undefined result itself.
    uint32_t undefined = 0;
    for (size_t k = 0; k < done && k < n; ++k) {
        if (!strict_flags_ && (flags_read(c.insns[k]) & undefined)) {
            o.skipped = "an instruction reads a flag an earlier one left undefined";
            return o;
        }
        const FlagEffect e = flag_effect(c.insns[k], before[k]);
        undefined = (undefined & ~e.modified) | e.undefined;
    }
    if (strict_flags_) undefined = 0;
    v.flags_mask = ~(undefined | kNeverCompared);

    // Initial state.
    for (int g = 0; g < 8; ++g) v.initial_regs[kGprNames[g]] = c.regs.gpr[g];
    v.initial_regs["eflags"] = c.regs.eflags;
    v.initial_regs["cs"] = guest_code_selector(c);
    v.initial_regs[pm ? "eip" : "ip"] = kCodeIp;
    v.initial_regs["ds"] = guest_selector(c, kDs);
    v.initial_regs["es"] = guest_selector(c, kEs);
    v.initial_regs["ss"] = guest_selector(c, kSs);
    // The IVT or the descriptor tables and the handlers: VmmEngine writes them itself.
    if (complete_vectors_) mode_background(c.mode, v.initial_ram);
    const uint32_t code_linear = (uint32_t(kCodeSeg) << 4) + kCodeIp;
    for (size_t b = 0; b < v.bytes.size(); ++b) v.initial_ram.emplace_back(code_linear + b, v.bytes[b]);
    for (const auto& [key, byte] : c.mem) v.initial_ram.emplace_back(guest_linear(int(key >> 16), key), byte);

    // Expected final state: the host's registers, flags and memory; on an exception, its
    // delivery in the guest's mode.
    std::map<uint32_t, uint8_t> fin_ram;  // linear address -> expected byte (where written)
    for (const auto& [key, byte] : final_mem) fin_ram[guest_linear(int(key >> 16), key)] = byte;
    std::vector<uint32_t> masked;  // bytes that take vmm86's value
    Regs fin = host.regs;
    uint32_t cs = guest_code_selector(c), ip = kCodeIp + guest_off[done];
    uint32_t pushed_flags_at = 0;  // linear address of the pushed FLAGS image
    if (host.vector >= 0) {
        const int vec = host.vector;
        std::string where = hex(cs, 4) + ":" + hex(ip, pm ? 8 : 4);
        if (!pm) {
            // Real mode: FLAGS, CS, IP pushed at SS:SP-6; IF, TF, AC cleared; CS:IP from the IVT.
            const uint32_t sp = fin.gpr[R_ESP] & 0xFFFF;
            if (sp < 6 && (sp & 1)) {
                o.skipped = "the exception frame would not fit below SP (1, 3 or 5)";
                return o;
            }
            const uint32_t flags = fin.eflags & ~FLAG_RF;
            const uint16_t frame[3] = {uint16_t(ip), kCodeSeg, uint16_t(flags)};
            for (int w = 0; w < 3; ++w)
                for (int b = 0; b < 2; ++b)
                    fin_ram[guest_linear(kSs, sp - 6 + 2 * w + b)] = uint8_t(frame[w] >> (8 * b));
            pushed_flags_at = guest_linear(kSs, sp - 2);
            fin.gpr[R_ESP] = (fin.gpr[R_ESP] & 0xFFFF0000u) | ((sp - 6) & 0xFFFF);
            fin.eflags = flags & ~(FLAG_IF | FLAG_TF | FLAG_AC);
            cs = kHandlerSeg;
        } else {
            // Protected mode, CPL 3 -> 0 through a 32-bit interrupt gate: on the TSS's ring-0
            // stack SS, ESP, EFLAGS (RF set for a fault, SDM vol. 3 17.3.1.1), CS, EIP and the
            // error code; TF, NT, RF, VM and IF cleared (SDM vol. 3 6.12.1).
            const uint32_t image = (fin.eflags & ~FLAG_RF) | (is_trap(vec) ? 0u : uint32_t(FLAG_RF));
            std::vector<uint32_t> frame = {guest_selector(c, kSs), fin.gpr[R_ESP], image, cs, ip};
            if (has_error_code(vec)) {
                frame.push_back(host.error_code);
                where += " (error code " + hex(host.error_code, 4) + ")";
            }
            uint32_t at = kRing0StackTop;
            for (uint32_t word : frame) {
                at -= 4;
                for (int b = 0; b < 4; ++b) fin_ram[at + b] = uint8_t(word >> (8 * b));
            }
            pushed_flags_at = kRing0StackTop - 12;
            fin.gpr[R_ESP] = at;
            fin.eflags = image & ~(FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM | FLAG_IF);
            cs = kSelHandler;
            v.final_regs["ss"] = kSelRing0Stack;
        }
        ip = uint32_t(2 * vec);
        o.host_fault = std::string(vector_name(vec)) + " at " + where;
    }
    for (int g = 0; g < 8; ++g)
        if (fin.gpr[g] != c.regs.gpr[g]) v.final_regs[kGprNames[g]] = fin.gpr[g];
    if (fin.eflags != c.regs.eflags) v.final_regs["eflags"] = fin.eflags;
    if (cs != guest_code_selector(c)) v.final_regs["cs"] = cs;
    v.final_regs[pm ? "eip" : "ip"] = ip;

    // The x87 state is compared here rather than by compare_vector (the vector of an x87
    // case cannot be written anyway): register names are many and the sort is not free.
    std::vector<std::pair<std::string, uint32_t>> x87_expected;
    if (c.x87) {
        const FxImage& hf = host.fpu;
        const uint16_t fsw = hf.u16(2);
        const unsigned top = (fsw >> 11) & 7;
        x87_expected.emplace_back("x87.fcw", hf.u16(0));
        x87_expected.emplace_back("x87.fsw", fsw);
        x87_expected.emplace_back("x87.ftw", hf.b[4]);
        x87_expected.emplace_back("x87.mxcsr", hf.u32(24));
        uint16_t tags = 0;
        for (unsigned st = 0; st < 8; ++st) {
            const unsigned r = (top + st) & 7;
            const uint8_t* p = hf.b + 32 + 16 * st;
            const std::string name = "x87.r" + std::to_string(r);
            x87_expected.emplace_back(name + ".lo", uint32_t(p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24));
            x87_expected.emplace_back(name + ".hi", uint32_t(p[4] | p[5] << 8 | p[6] << 16 | uint32_t(p[7]) << 24));
            x87_expected.emplace_back(name + ".ex", uint32_t(p[8] | p[9] << 8));
            tags |= uint16_t(((hf.b[4] >> r) & 1 ? classify(p) : 3) << (2 * r));
        }
        if (host.full_tag_valid && host.full_tag != tags)
            o.mismatches.push_back("difftest: its tag classification " + hex(tags, 4) + " is not the host's " +
                                   hex(host.full_tag, 4));
        x87_expected.emplace_back("x87.tags", host.full_tag_valid ? host.full_tag : tags);

        std::vector<EnvStore> stores;
        const X87Ptrs p = walk_pointers(c, done, before, guest_off, stores);
        // The host's FIP says which instruction was the last non-control one.
        const uint32_t host_fip = hf.u32(8);
        if (p.insn >= 0 && host_fip != host.code_base + native_off[size_t(p.insn)]) {
            o.mismatches.push_back("difftest: FIP " + hex(host_fip - host.code_base, 8) +
                                   " (host code offset): the host's last non-control x87 instruction is not " +
                                   std::to_string(p.insn));
        } else if (p.initial && host_fip != c.fpu.u32(8)) {
            o.mismatches.push_back("difftest: the host's FIP " + hex(host_fip, 8) + " moved from the initial " +
                                   hex(c.fpu.u32(8), 8) + " without a non-control x87 instruction");
        }
        if (p.known) {
            x87_expected.emplace_back("x87.fip", p.fip);
            x87_expected.emplace_back("x87.fcs", p.fcs);
            x87_expected.emplace_back("x87.fop", p.fop);
            if (p.fdp_defined) {
                x87_expected.emplace_back("x87.fdp", p.fdp);
                x87_expected.emplace_back("x87.fds", p.fds);
            }
        }
        // An environment store that faulted (with 16-bit addressing, after storing the parts
        // before the one that wraps onto the limit): its pointer fields take vmm86's bytes.
        if (done < n && c.insns[done].is_x87() && c.insns[done].mem &&
            (c.insns[done].desc->x87_class == X87Class::StoreEnv ||
             c.insns[done].desc->x87_class == X87Class::StoreSave))
            stores.push_back({done, X87Ptrs{.known = false}});
        for (const EnvStore& st : stores) {
            const Insn& i = c.insns[st.k];
            const int seg = operand_segment(i);
            const uint32_t ea = effective_address(i.addr, before[st.k]);
            std::vector<std::pair<unsigned, int>> fields;
            pointer_fields(c, i, st.ptrs, fields);
            for (const auto& [off, value] : fields) {
                const uint32_t a = guest_linear(seg, ea + off);
                if (value < 0) masked.push_back(a);
                else fin_ram[a] = uint8_t(value);
            }
        }
    }
    // Expected RAM: what changed, and every byte a store or a frame wrote.
    // (fin_ram's addresses are in the data segments and on the ring-0 stack: their initial
    // bytes are the case's.)
    auto initial_byte = [&](uint32_t a) -> int {
        if (a < guest_linear(kDs, 0) || a >= guest_linear(kSs, 0) + kSegBytes) return -1;
        auto it = c.mem.find(mem_key(int((a - guest_linear(kDs, 0)) >> 16), a));
        return it == c.mem.end() ? -1 : it->second;
    };
    for (const auto& [a, b] : fin_ram)
        if (initial_byte(a) != b) v.final_ram.emplace_back(a, b);
    for (uint32_t a : masked) v.final_ram.emplace_back(a, 0);  // set to vmm86's below

    // vmm86.
    try {
        vmm_.set_mode(c.mode);
        vmm_.set_fpu(c.x87 ? &c.fpu : nullptr);
        vmm_.load(v.initial_regs, v.initial_ram);
        vmm_.set_steps(steps);
        if (std::string error = vmm_.run(); !error.empty()) {
            o.mismatches.push_back("engine: " + error);
            return o;
        }
        if (!masked.empty()) {
            std::set<uint32_t> m(masked.begin(), masked.end());
            for (auto& [addr, byte] : v.final_ram)
                if (m.count(addr)) byte = vmm_.ram(addr);
        }
        if (host.vector >= 0 && (undefined & 0xFFFF)) {
            // The pushed FLAGS image holds the undefined flags too: take vmm86's bits there.
            for (auto& [addr, byte] : v.final_ram)
                for (uint32_t b = 0; b < 2; ++b)
                    if (addr == pushed_flags_at + b) {
                        const uint8_t m = uint8_t(undefined >> (8 * b));
                        byte = uint8_t((byte & ~m) | (vmm_.ram(addr) & m));
                    }
        }
        std::vector<std::string> lines = compare_vector(v, vmm_);
        o.mismatches.insert(o.mismatches.end(), lines.begin(), lines.end());
        for (const auto& [name, want] : x87_expected)
            if (const uint32_t got = vmm_.reg(name); got != want)
                o.mismatches.push_back(name + ": expected 0x" + hex(want, 4) + " got 0x" + hex(got, 4));
        if (uint32_t vcs = vmm_.reg("cs"); vcs == (pm ? kSelHandler : kHandlerSeg)) {
            const uint32_t vip = vmm_.reg(pm ? "eip" : "ip");
            o.vmm_fault = std::string(vector_name(int(vip / 2))) + " (handler " + hex(vcs, 4) + ":" + hex(vip, 4) + ")";
        }
        // A write the host did not make, anywhere in the data segments (which this also
        // zeroes for the next case).
        std::vector<std::pair<uint32_t, uint8_t>> written;
        vmm_.take_nonzero_bytes(guest_linear(kDs, 0), guest_linear(kSs, 0) + kSegBytes, written);
        const std::set<uint32_t> masked_set(masked.begin(), masked.end());
        for (const auto& [a, byte] : written) {
            if (initial_byte(a) >= 0 || fin_ram.count(a) || masked_set.count(a)) continue;
            char line[96];
            std::snprintf(line, sizeof line, "  ram[0x%05x]: expected 0x00 got 0x%02x (the host wrote nothing there)",
                          a, byte);
            o.mismatches.push_back(line);
            v.final_ram.emplace_back(a, 0);
        }
    } catch (const std::exception& e) {
        o.mismatches.push_back(std::string("engine: ") + e.what());
    }
    for (std::string& line : o.mismatches)
        if (line.rfind("  ", 0) == 0) line.erase(0, 2);
    return o;
}

}  // namespace vmm86::difftest
