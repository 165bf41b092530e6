// Protected-mode far JMP, CALL and RET: direct code segments, call gates (with the TSS
// stack switch and parameter copy) and TSS/task-gate targets (SDM vol. 2, JMP/CALL/RET;
// vol. 3, 5.8). Every path stages the new CS/SS/ESP/EIP, does all checks and pushes,
// and only then commits.
#include "cpu/lazy_flags.h"
#include "cpu/segmentation.h"
#include "cpu/task_switch.h"

namespace vmm86 {
namespace {

bool fail(Cpu& cpu, uint8_t vector, uint32_t error) {
    cpu.raise(vector, error);
    return false;
}

uint32_t sp_mask(const SegmentCache& ss) { return (ss.attributes & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu; }

// ESP = value within the stack's size (a 16-bit stack keeps ESP's upper half).
void set_sp(Cpu& cpu, uint32_t value) {
    const uint32_t m = sp_mask(cpu.s.seg[SS]);
    cpu.s.gpr[ESP] = (uint32_t(cpu.s.gpr[ESP]) & ~m) | (value & m);
}

// A code segment reached directly (not through a gate) by JMP or CALL.
bool check_direct_code(Cpu& cpu, uint16_t sel, const Descriptor& d) {
    const unsigned cpl = cpu.cpl();
    if (!d.code()) return fail(cpu, EXC_GP, selector_error(sel, 0));
    if (d.conforming() ? d.dpl() > cpl : ((sel & 3) > cpl || d.dpl() != cpl))
        return fail(cpu, EXC_GP, selector_error(sel, 0));
    if (!d.present()) return fail(cpu, EXC_NP, selector_error(sel, 0));
    return true;
}

// A TSS descriptor or task gate as the target of JMP/CALL: both need DPL >= CPL and RPL.
bool task_target(Cpu& cpu, uint16_t sel, const Descriptor& d, TaskSwitchReason why, uint32_t next_eip) {
    const unsigned cpl = cpu.cpl();
    if (d.dpl() < cpl || d.dpl() < (sel & 3)) return fail(cpu, EXC_GP, selector_error(sel, 0));
    if (!d.present()) return fail(cpu, EXC_NP, selector_error(sel, 0));
    uint16_t tss_sel = sel;
    Descriptor tss = d;
    if (d.type() == SYS_TASK_GATE) {
        tss_sel = d.gate_selector();
        if (tss_sel & 4) return fail(cpu, EXC_GP, selector_error(tss_sel, 0));
        if (!read_descriptor(cpu, tss_sel, tss)) return false;
        if (!tss.system() || (tss.type() != SYS_TSS16_AVAIL && tss.type() != SYS_TSS32_AVAIL))
            return fail(cpu, EXC_GP, selector_error(tss_sel, 0));
        if (!tss.present()) return fail(cpu, EXC_NP, selector_error(tss_sel, 0));
    }
    return task_switch(cpu, tss_sel, tss, why, next_eip);
}

// The call gate's target code segment; checks shared by JMP and CALL.
bool gate_target(Cpu& cpu, uint16_t gate_sel, const Descriptor& gate, uint16_t& code_sel, Descriptor& code) {
    const unsigned cpl = cpu.cpl();
    if (gate.dpl() < cpl || gate.dpl() < (gate_sel & 3)) return fail(cpu, EXC_GP, selector_error(gate_sel, 0));
    if (!gate.present()) return fail(cpu, EXC_NP, selector_error(gate_sel, 0));
    code_sel = gate.gate_selector();
    if ((code_sel & 0xFFFC) == 0) return fail(cpu, EXC_GP, 0);
    if (!read_descriptor(cpu, code_sel, code)) return false;
    if (!code.code() || code.dpl() > cpl) return fail(cpu, EXC_GP, selector_error(code_sel, 0));
    if (!code.present()) return fail(cpu, EXC_NP, selector_error(code_sel, 0));
    return true;
}

bool far_jmp(Cpu& cpu, uint16_t sel, uint32_t offset, uint32_t next_eip) {
    if ((sel & 0xFFFC) == 0) return fail(cpu, EXC_GP, 0);
    Descriptor d;
    if (!read_descriptor(cpu, sel, d)) return false;
    const unsigned cpl = cpu.cpl();
    if (!d.system()) {
        if (!check_direct_code(cpu, sel, d)) return false;
        if (offset > d.limit()) return fail(cpu, EXC_GP, 0);
        if (!mark_accessed(cpu, sel, d)) return false;
        cpu.s.seg[CS] = code_cache(sel, cpl, d);
        cpu.s.eip = offset;
        return true;
    }
    switch (d.type()) {
    case SYS_CALL16:
    case SYS_CALL32: {
        uint16_t code_sel;
        Descriptor code;
        if (!gate_target(cpu, sel, d, code_sel, code)) return false;
        // JMP never changes privilege: a non-conforming target must be at CPL.
        if (!code.conforming() && code.dpl() != cpl) return fail(cpu, EXC_GP, selector_error(code_sel, 0));
        uint32_t target = d.type() == SYS_CALL32 ? d.gate_offset() : d.gate_offset() & 0xFFFF;
        if (target > code.limit()) return fail(cpu, EXC_GP, 0);
        if (!mark_accessed(cpu, code_sel, code)) return false;
        cpu.s.seg[CS] = code_cache(code_sel, cpl, code);
        cpu.s.eip = target;
        return true;
    }
    case SYS_TASK_GATE:
    case SYS_TSS16_AVAIL:
    case SYS_TSS32_AVAIL: return task_target(cpu, sel, d, TaskSwitchReason::Jmp, next_eip);
    default: return fail(cpu, EXC_GP, selector_error(sel, 0));
    }
}

// CALL through a call gate to a more privileged non-conforming segment: switch to the
// TSS stack for the target's DPL, push the old SS:ESP, copy the parameters, push CS:EIP.
bool call_inner(Cpu& cpu, const Descriptor& gate, uint16_t code_sel, Descriptor& code, uint32_t next_eip) {
    const unsigned new_cpl = code.dpl();
    const unsigned size = gate.type() == SYS_CALL32 ? 4 : 2;
    SegmentCache ss;
    uint32_t esp;
    if (!inner_stack(cpu, new_cpl, ss, esp, 0)) return false;
    const unsigned params = gate.gate_params();
    // Room for SS, ESP, the parameters, CS and EIP on the new stack (#SS(new SS)).
    const uint32_t frame = size * (4 + params);
    const uint32_t m = sp_mask(ss);
    const uint32_t low = (esp - frame) & m;
    if (!segment_ok(ss, low, frame)) return fail(cpu, EXC_SS, selector_error(ss.selector, 0));
    const uint32_t target = size == 4 ? gate.gate_offset() : gate.gate_offset() & 0xFFFF;
    // Read the parameters from the old stack before anything is written.
    uint32_t copied[32];
    for (unsigned i = 0; i < params; ++i)
        if (!stack_read(cpu, i * size, size, copied[i])) return false;
    if (target > code.limit()) return fail(cpu, EXC_GP, 0);
    SupervisorAccess sup(cpu);
    StagedStack st{cpu, ss, esp, selector_error(ss.selector, 0)};
    if (!st.push(size, cpu.s.seg[SS].selector) || !st.push(size, uint32_t(cpu.s.gpr[ESP]))) return false;
    for (unsigned i = params; i-- > 0;)
        if (!st.push(size, copied[i])) return false;
    if (!st.push(size, cpu.s.seg[CS].selector) || !st.push(size, next_eip)) return false;
    if (!mark_accessed(cpu, code_sel, code)) return false;
    cpu.s.seg[SS] = ss;
    set_sp(cpu, st.sp);
    cpu.s.seg[CS] = code_cache(code_sel, new_cpl, code);
    cpu.s.eip = target;
    return true;
}

bool far_call(Cpu& cpu, uint16_t sel, uint32_t offset, uint32_t next_eip, unsigned op_bytes) {
    if ((sel & 0xFFFC) == 0) return fail(cpu, EXC_GP, 0);
    Descriptor d;
    if (!read_descriptor(cpu, sel, d)) return false;
    const unsigned cpl = cpu.cpl();
    // The return address on the current stack; both pushes checked before any commit.
    auto push_return = [&](unsigned size, uint32_t target, uint32_t limit) {
        StagedStack st{cpu, cpu.s.seg[SS], uint32_t(cpu.s.gpr[ESP]), 0};
        if (!segment_ok(st.ss, (st.sp - 2 * size) & st.mask(), 2 * size)) return fail(cpu, EXC_SS, 0);
        if (target > limit) return fail(cpu, EXC_GP, 0);
        if (!st.push(size, cpu.s.seg[CS].selector) || !st.push(size, next_eip)) return false;
        set_sp(cpu, st.sp);
        return true;
    };
    if (!d.system()) {
        if (!check_direct_code(cpu, sel, d)) return false;
        if (!push_return(op_bytes, offset, d.limit())) return false;
        mark_accessed(cpu, sel, d);
        cpu.s.seg[CS] = code_cache(sel, cpl, d);
        cpu.s.eip = offset;
        return true;
    }
    switch (d.type()) {
    case SYS_CALL16:
    case SYS_CALL32: {
        uint16_t code_sel;
        Descriptor code;
        if (!gate_target(cpu, sel, d, code_sel, code)) return false;
        if (!code.conforming() && code.dpl() < cpl) return call_inner(cpu, d, code_sel, code, next_eip);
        const unsigned size = d.type() == SYS_CALL32 ? 4 : 2;
        const uint32_t target = size == 4 ? d.gate_offset() : d.gate_offset() & 0xFFFF;
        if (!push_return(size, target, code.limit())) return false;
        mark_accessed(cpu, code_sel, code);
        cpu.s.seg[CS] = code_cache(code_sel, cpl, code);
        cpu.s.eip = target;
        return true;
    }
    case SYS_TASK_GATE:
    case SYS_TSS16_AVAIL:
    case SYS_TSS32_AVAIL: return task_target(cpu, sel, d, TaskSwitchReason::Call, next_eip);
    default: return fail(cpu, EXC_GP, selector_error(sel, 0));
    }
}

// The code segment a RET or IRET returns to (selector `sel` from the stack).
bool check_return_code(Cpu& cpu, uint16_t sel, Descriptor& d) {
    if ((sel & 0xFFFC) == 0) return fail(cpu, EXC_GP, 0);
    if (!read_descriptor(cpu, sel, d)) return false;
    const unsigned rpl = sel & 3;
    if (!d.code() || rpl < cpu.cpl()) return fail(cpu, EXC_GP, selector_error(sel, 0));
    if (d.conforming() ? d.dpl() > rpl : d.dpl() != rpl) return fail(cpu, EXC_GP, selector_error(sel, 0));
    if (!d.present()) return fail(cpu, EXC_NP, selector_error(sel, 0));
    return true;
}

// The stack segment a RET or IRET to an outer level returns to.
bool check_return_stack(Cpu& cpu, uint16_t sel, unsigned rpl, SegmentCache& out) {
    if ((sel & 0xFFFC) == 0) return fail(cpu, EXC_GP, 0);
    Descriptor d;
    if (!read_descriptor(cpu, sel, d)) return false;
    if ((sel & 3) != rpl || !d.writable() || d.dpl() != rpl) return fail(cpu, EXC_GP, selector_error(sel, 0));
    if (!d.present()) return fail(cpu, EXC_SS, selector_error(sel, 0));
    if (!mark_accessed(cpu, sel, d)) return false;
    out = make_cache(sel, d);
    return true;
}

}  // namespace

// The shared tail of RET and IRET: `n` = operand bytes, `frame` = bytes of the popped
// EIP/CS(/EFLAGS) (+ imm for RET). Returns through check_return_* and commits CS, and
// for an outer level SS:ESP too; `flags_commit` runs at the commit point.
template <typename Commit>
bool protected_return(Cpu& cpu, uint32_t eip, uint16_t cs_sel, unsigned n, uint32_t frame, uint32_t imm,
                      Commit flags_commit) {
    Descriptor code;
    if (!check_return_code(cpu, cs_sel, code)) return false;
    const unsigned rpl = cs_sel & 3;
    if (rpl == cpu.cpl()) {
        if (eip > code.limit()) return fail(cpu, EXC_GP, 0);
        if (!mark_accessed(cpu, cs_sel, code)) return false;
        flags_commit();
        cpu.s.seg[CS] = make_cache(cs_sel, code);
        cpu.s.eip = eip;
        set_sp(cpu, uint32_t(cpu.s.gpr[ESP]) + frame + imm);
        return true;
    }
    uint32_t new_esp, new_ss;
    if (!stack_read(cpu, frame + imm, n, new_esp) || !stack_read(cpu, frame + imm + n, n, new_ss)) return false;
    SegmentCache ss;
    if (!check_return_stack(cpu, uint16_t(new_ss), rpl, ss)) return false;
    if (eip > code.limit()) return fail(cpu, EXC_GP, 0);
    if (!mark_accessed(cpu, cs_sel, code)) return false;
    flags_commit();
    cpu.s.seg[CS] = make_cache(cs_sel, code);
    cpu.s.eip = eip;
    cpu.s.seg[SS] = ss;
    set_sp(cpu, new_esp + imm);
    nullify_inner_segments(cpu, rpl);
    return true;
}

uint64_t helper_far_jmp(Cpu& cpu, uint64_t sel, uint64_t offset, uint64_t packed) {
    far_jmp(cpu, uint16_t(sel), uint32_t(offset), uint32_t(packed));
    return 0;
}

uint64_t helper_far_call(Cpu& cpu, uint64_t sel, uint64_t offset, uint64_t packed) {
    far_call(cpu, uint16_t(sel), uint32_t(offset), uint32_t(packed), unsigned(packed >> 32));
    return 0;
}

uint64_t helper_far_ret(Cpu& cpu, uint64_t op_bytes, uint64_t imm, uint64_t) {
    const unsigned n = unsigned(op_bytes);
    uint32_t eip, cs;
    if (!stack_read(cpu, 0, n, eip) || !stack_read(cpu, n, n, cs)) return 0;
    protected_return(cpu, eip, uint16_t(cs), n, 2 * n, uint32_t(imm), [] {});
    return 0;
}

namespace {

void after_flags_change(Cpu& cpu) {
    // Single-stepping starts after the next instruction: the run loop must look now.
    if (cpu.s.eflags & FLAG_TF) cpu.exit_request = 1;
}

// IRET in virtual-8086 mode with IOPL 3: a real-mode style return that may change
// neither IOPL nor VM (SDM IRET, "IF VM = 1").
bool iret_v86(Cpu& cpu, unsigned n) {
    if (((cpu.s.eflags >> 12) & 3) != 3) return fail(cpu, EXC_GP, 0);
    uint32_t ip, cs, flags;
    if (!stack_read(cpu, 0, n, ip) || !stack_read(cpu, n, n, cs) || !stack_read(cpu, 2 * n, n, flags)) return false;
    if (ip > cpu.s.seg[CS].limit) return fail(cpu, EXC_GP, 0);
    materialize_flags(cpu.s);
    const uint32_t keep = FLAG_IOPL | FLAG_VM | FLAG_VIF | FLAG_VIP;
    if (n == 4) cpu.s.eflags = (flags & ~keep & 0x3F7FD5u) | (cpu.s.eflags & keep) | FLAGS_FIXED1;
    else cpu.s.eflags = (cpu.s.eflags & (0xFFFF0000u | keep)) | (flags & 0x4FD5u) | FLAGS_FIXED1;
    cpu.s.seg[CS] = v86_cache(uint16_t(cs));
    cpu.s.eip = ip;
    set_sp(cpu, uint32_t(cpu.s.gpr[ESP]) + 3 * n);
    after_flags_change(cpu);
    return true;
}

// IRET with NT = 1: return to the task in the current TSS's back link. The old task
// resumes after the IRET when it is entered again, so next_eip is what its TSS keeps.
bool iret_task(Cpu& cpu, uint32_t next_eip) {
    uint64_t link;
    {
        SupervisorAccess sup(cpu);
        if (!cpu.read_linear(cpu.s.tr.base, 2, link)) return false;
    }
    const uint16_t sel = uint16_t(link);
    if (sel & 4) return fail(cpu, EXC_TS, selector_error(sel, 0));
    Descriptor d;
    if (!read_descriptor(cpu, sel, d, EXC_TS)) return false;
    if (!d.system() || (d.type() != SYS_TSS16_BUSY && d.type() != SYS_TSS32_BUSY))
        return fail(cpu, EXC_TS, selector_error(sel, 0));
    if (!d.present()) return fail(cpu, EXC_NP, selector_error(sel, 0));
    return task_switch(cpu, sel, d, TaskSwitchReason::Iret, next_eip);
}

// IRET at CPL 0 to an image with VM = 1: the rest of the frame is ESP, SS, ES, DS, FS, GS.
bool iret_to_v86(Cpu& cpu, uint32_t eip, uint32_t cs, uint32_t flags) {
    uint32_t v[6];
    for (unsigned i = 0; i < 6; ++i)
        if (!stack_read(cpu, 12 + 4 * i, 4, v[i])) return false;
    if ((eip & 0xFFFF) != eip) return fail(cpu, EXC_GP, 0);
    materialize_flags(cpu.s);
    cpu.s.eflags = (flags & 0x3F7FD5u) | FLAGS_FIXED1;
    cpu.s.seg[CS] = v86_cache(uint16_t(cs));
    cpu.s.seg[SS] = v86_cache(uint16_t(v[1]));
    cpu.s.seg[ES] = v86_cache(uint16_t(v[2]));
    cpu.s.seg[DS] = v86_cache(uint16_t(v[3]));
    cpu.s.seg[FS] = v86_cache(uint16_t(v[4]));
    cpu.s.seg[GS] = v86_cache(uint16_t(v[5]));
    cpu.s.gpr[ESP] = v[0];
    cpu.s.eip = eip;
    after_flags_change(cpu);
    return true;
}

}  // namespace

uint64_t helper_iret(Cpu& cpu, uint64_t op_bytes, uint64_t next_eip, uint64_t) {
    const unsigned n = unsigned(op_bytes);
    if (cpu.v86_mode()) {
        iret_v86(cpu, n);
        return 0;
    }
    if (cpu.s.eflags & FLAG_NT) {
        iret_task(cpu, uint32_t(next_eip));
        return 0;
    }
    uint32_t eip, cs, flags;
    if (!stack_read(cpu, 0, n, eip) || !stack_read(cpu, n, n, cs) || !stack_read(cpu, 2 * n, n, flags)) return 0;
    const unsigned cpl = cpu.cpl();
    if (n == 4 && (flags & FLAG_VM) && cpl == 0) {
        iret_to_v86(cpu, eip, cs, flags);
        return 0;
    }
    // Which EFLAGS bits this IRET may change depends on the privilege it runs at.
    const unsigned iopl = (cpu.s.eflags >> 12) & 3;
    uint32_t mask = FLAGS_ARITH | FLAG_TF | FLAG_DF | FLAG_NT;
    if (n == 4) mask |= FLAG_RF | FLAG_AC | FLAG_ID;
    if (cpl <= iopl) mask |= FLAG_IF;
    if (cpl == 0) mask |= FLAG_IOPL | (n == 4 ? FLAG_VIF | FLAG_VIP : 0);
    auto commit_flags = [&cpu, mask, flags] {
        materialize_flags(cpu.s);
        cpu.s.eflags = (cpu.s.eflags & ~mask) | (flags & mask) | FLAGS_FIXED1;
        after_flags_change(cpu);
    };
    protected_return(cpu, eip, uint16_t(cs), n, 3 * n, 0, commit_flags);
    return 0;
}

}  // namespace vmm86
