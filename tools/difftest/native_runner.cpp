#include "tools/difftest/native_runner.h"

#include <cstdlib>
#include <cstring>
#include <iterator>
#include <stdexcept>

#if defined(__x86_64__) && defined(__linux__)
#define VMM86_DIFFTEST_NATIVE 1
#include <asm/ldt.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#endif

namespace vmm86::difftest {

#ifdef VMM86_DIFFTEST_NATIVE
namespace {

// The low mapping: code at 0, the control block at kCtl, the stub's flat stack on top.
constexpr uint32_t kLowBytes = 0x2000, kCtl = 0x800, kFlatStackTop = 0x1FF0;
enum : uint32_t {  // control block offsets
    C_IN = 0x00,        // Regs in: gpr[8], eflags
    C_OUT = 0x40,       // Regs out
    C_SAVED_RSP = 0x70, C_FAR32 = 0x78, C_FAR64 = 0x80,
    C_SAVED_SEGS = 0x88,  // ds, es, gs of the 64-bit process
    C_SEL = 0x90,         // LDT selectors for ds, es, ss
    C_FLAT_ESP = 0x98,
    C_X87_IN = 0x200,     // FXSAVE image loaded before the code (16-byte aligned)
    C_X87_OUT = 0x400,    // FXSAVE image after it
    C_FSAVE_OUT = 0x600,  // FNSAVE image (108 bytes) after it: the full tag word
};
constexpr int kSs32 = kDataSegs;  // the LDT entry of the 32-bit (B = 1) stack segment
constexpr uint16_t kFlatData = 0x2B, kCode32 = 0x23, kCode64 = 0x33;
constexpr uint16_t ldt_selector(int i) { return uint16_t((i << 3) | 4 | 3); }

// Signal state: one runner is active at a time (the tool is single-threaded).
sigjmp_buf g_jump;
volatile sig_atomic_t g_active = 0;
volatile uint64_t g_code_lo = 0, g_code_hi = 0;
volatile int g_trapno = -1;
volatile uint64_t g_rip = 0;
Regs g_fault_regs;  // the registers at the fault, from the signal frame
volatile uint32_t g_err = 0;
FxImage g_fault_fpu;  // the x87/SSE state at the fault, from the signal frame
constexpr int kSignals[] = {SIGFPE, SIGSEGV, SIGILL, SIGBUS, SIGTRAP};
struct sigaction g_old[std::size(kSignals)];
stack_t g_old_stack;
void* g_alt_stack = nullptr;

void on_fault(int sig, siginfo_t*, void* ctx) {
    auto* uc = static_cast<ucontext_t*>(ctx);
    const uint64_t rip = uint64_t(uc->uc_mcontext.gregs[REG_RIP]);
    if (!g_active || rip < g_code_lo || rip >= g_code_hi) {
        // Not the test code: a real crash of the tool. Let it happen normally.
        signal(sig, SIG_DFL);
        return;
    }
    g_trapno = int(uc->uc_mcontext.gregs[REG_TRAPNO]);
    g_rip = rip;
    const greg_t* g = uc->uc_mcontext.gregs;
    const int order[8] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI};
    for (int i = 0; i < 8; ++i) g_fault_regs.gpr[i] = uint32_t(g[order[i]]);
    g_fault_regs.eflags = uint32_t(g[REG_EFL]);
    g_err = uint32_t(g[REG_ERR]);
    // The frame's FPU area has the 64-bit FXSAVE layout; for code in a segment with base 0
    // its 64-bit FIP/FDP are the 32-bit layout's offsets with FCS = FDS = 0 (which this
    // host's CPU stores anyway: it deprecates them). An x87 in its initial configuration
    // (XSTATE_BV[0] = 0 in the XSAVE header) is not written there: take the init values.
    const auto* fp = reinterpret_cast<const uint8_t*>(uc->uc_mcontext.fpregs);
    if (fp) {
        std::memcpy(g_fault_fpu.b, fp, 512);
        uint32_t magic;
        std::memcpy(&magic, fp + 464, 4);
        if (magic == 0x46505853u) {  // FP_XSTATE_MAGIC1: an XSAVE header follows
            uint64_t xstate_bv;
            std::memcpy(&xstate_bv, fp + 512, 8);
            if (!(xstate_bv & 1)) {
                std::memset(g_fault_fpu.b, 0, 24);
                std::memset(g_fault_fpu.b + 32, 0, 128);
                g_fault_fpu.put16(0, 0x037F);
            }
        }
    }
    siglongjmp(g_jump, 1);
}

struct Emitter {
    std::vector<uint8_t> v;
    void b(std::initializer_list<uint8_t> bytes) { v.insert(v.end(), bytes); }
    void d(uint32_t x) {
        for (int i = 0; i < 4; ++i) v.push_back(uint8_t(x >> (8 * i)));
    }
};

bool set_ldt_entry(int index, uint32_t base, bool big = false) {
    user_desc d{};
    d.entry_number = unsigned(index);
    d.base_addr = base;
    d.limit = 0xFFFF;  // byte granular: the real-mode limit
    d.seg_32bit = big;  // B = 0: as SS, push/pop use SP as in real mode
    d.contents = 0;    // data, expand-up
    d.read_exec_only = 0;
    d.limit_in_pages = 0;
    d.seg_not_present = 0;
    d.useable = 0;
    return syscall(SYS_modify_ldt, 1, &d, sizeof d) == 0;
}

}  // namespace

std::string NativeRunner::unavailable_reason() {
    void* m = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (m == MAP_FAILED) return std::string("cannot map memory below 4 GiB: ") + std::strerror(errno);
    bool ldt = set_ldt_entry(0, uint32_t(reinterpret_cast<uintptr_t>(m)));
    int err = errno;
    munmap(m, 4096);
    if (!ldt) return std::string("modify_ldt failed (needed for 16-bit data segments): ") + std::strerror(err);
    return "";
}

NativeRunner::NativeRunner() {
    if (std::string why = unavailable_reason(); !why.empty()) throw std::runtime_error(why);
    void* lo = mmap(nullptr, kLowBytes, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    void* da = mmap(nullptr, kDataSegs * kSegBytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (lo == MAP_FAILED || da == MAP_FAILED) throw std::runtime_error("cannot map memory below 4 GiB");
    low_ = static_cast<uint8_t*>(lo);
    data_ = static_cast<uint8_t*>(da);
    for (int i = 0; i < kDataSegs; ++i)
        if (!set_ldt_entry(i, uint32_t(reinterpret_cast<uintptr_t>(data_ + i * kSegBytes))))
            throw std::runtime_error("modify_ldt failed");
    if (!set_ldt_entry(kSs32, uint32_t(reinterpret_cast<uintptr_t>(data_ + kSs * kSegBytes)), true))
        throw std::runtime_error("modify_ldt failed");

    const uint32_t base = uint32_t(reinterpret_cast<uintptr_t>(low_));
    const uint32_t ctl = base + kCtl;
    Emitter e;
    // 64-bit entry: save callee-saved registers and RSP, DS/ES/GS, switch to the low
    // stack and jump far into the 32-bit code segment.
    e.b({0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57});
    e.b({0x48, 0x89, 0x24, 0x25}); e.d(ctl + C_SAVED_RSP);
    e.b({0x8C, 0xD8, 0x66, 0x89, 0x04, 0x25}); e.d(ctl + C_SAVED_SEGS);
    e.b({0x8C, 0xC0, 0x66, 0x89, 0x04, 0x25}); e.d(ctl + C_SAVED_SEGS + 2);
    e.b({0x8C, 0xE8, 0x66, 0x89, 0x04, 0x25}); e.d(ctl + C_SAVED_SEGS + 4);
    // SS too: after a fault left the test code by siglongjmp, it may still hold the test's
    // 16-bit stack segment, and the prologue pushes EFLAGS on the flat stack.
    e.b({0xB8}); e.d(kFlatData); e.b({0x8E, 0xD0});  // mov eax, 2Bh; mov ss, eax
    e.b({0xBC}); e.d(base + kFlatStackTop);
    e.b({0xFF, 0x2C, 0x25}); e.d(ctl + C_FAR32);
    // 64-bit return path.
    const uint32_t back64 = uint32_t(e.v.size());
    e.b({0x48, 0x8B, 0x24, 0x25}); e.d(ctl + C_SAVED_RSP);
    e.b({0x66, 0x8B, 0x04, 0x25}); e.d(ctl + C_SAVED_SEGS); e.b({0x8E, 0xD8});
    e.b({0x66, 0x8B, 0x04, 0x25}); e.d(ctl + C_SAVED_SEGS + 2); e.b({0x8E, 0xC0});
    e.b({0x66, 0x8B, 0x04, 0x25}); e.d(ctl + C_SAVED_SEGS + 4); e.b({0x8E, 0xE8});
    e.b({0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, 0xC3});
    stub32_ = uint32_t(e.v.size());
    // 32-bit prologue. GS is the flat data segment for every access to the control block,
    // so that DS/ES/SS can be the test segments; the test code never uses GS (or FS,
    // which holds the process's TLS). EFLAGS are loaded while the stack is still flat, so
    // the test stack is not written before the test code runs.
    e.b({0x66, 0xB8, uint8_t(kFlatData), 0x00, 0x8E, 0xE8});  // mov ax, 2Bh; mov gs, ax
    e.b({0x65, 0x0F, 0xAE, 0x0D}); e.d(ctl + C_X87_IN);        // fxrstor gs:[x87 in]
    e.b({0x65, 0xFF, 0x35}); e.d(ctl + C_IN + 32);            // push dword gs:[in.eflags]
    e.b({0x9D});                                              // popfd
    e.b({0x65, 0x66, 0xA1}); e.d(ctl + C_SEL + 0); e.b({0x8E, 0xD8});  // ds
    e.b({0x65, 0x66, 0xA1}); e.d(ctl + C_SEL + 2); e.b({0x8E, 0xC0});  // es
    e.b({0x65, 0x66, 0xA1}); e.d(ctl + C_SEL + 4); e.b({0x8E, 0xD0});  // ss
    for (uint8_t r : {4, 1, 2, 3, 5, 6, 7}) {  // mov r32, gs:[in.gpr[r]]
        e.b({0x65, 0x8B, uint8_t(0x05 | (r << 3))}); e.d(ctl + C_IN + 4 * r);
    }
    e.b({0x65, 0xA1}); e.d(ctl + C_IN);  // eax last: it carried the selectors
    code_at_ = uint32_t(e.v.size());
    std::memcpy(low_, e.v.data(), e.v.size());
    const uint32_t far32[2] = {base + stub32_, kCode32}, far64[2] = {base + back64, kCode64};
    std::memcpy(low_ + kCtl + C_FAR32, far32, 8);
    std::memcpy(low_ + kCtl + C_FAR64, far64, 8);
    const uint16_t sels[3] = {ldt_selector(kDs), ldt_selector(kEs), ldt_selector(kSs)};
    std::memcpy(low_ + kCtl + C_SEL, sels, sizeof sels);
    const uint32_t flat_esp = base + kFlatStackTop;
    std::memcpy(low_ + kCtl + C_FLAT_ESP, &flat_esp, 4);

    // Faults land on an alternate stack: at the fault RSP holds a 16-bit segment offset.
    g_alt_stack = std::malloc(1 << 16);
    stack_t ss{};
    ss.ss_sp = g_alt_stack;
    ss.ss_size = 1 << 16;
    sigaltstack(&ss, &g_old_stack);
    struct sigaction sa {};
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;  // NODEFER: we leave by siglongjmp
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &sa, &g_old[i]);
}

NativeRunner::~NativeRunner() {
    for (size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &g_old[i], nullptr);
    sigaltstack(&g_old_stack, nullptr);
    std::free(g_alt_stack);
    g_alt_stack = nullptr;
    munmap(low_, kLowBytes);
    munmap(data_, kDataSegs * kSegBytes);
}

uint8_t* NativeRunner::segment(int seg) { return data_ + seg * kSegBytes; }

NativeResult NativeRunner::run(const std::vector<uint8_t>& code, const Regs& in, const FxImage& fpu, bool stack32) {
    if (code.size() > kMaxCode) throw std::invalid_argument("native code too long");
    const uint32_t ctl = uint32_t(reinterpret_cast<uintptr_t>(low_)) + kCtl;
    Emitter e;
    e.v = code;
    // 32-bit epilogue: store the registers, back to the flat stack, save EFLAGS, then put
    // EFLAGS in a state C code accepts (DF and AC clear) and return to 64-bit mode.
    e.b({0x65, 0xA3}); e.d(ctl + C_OUT);
    for (uint8_t r : {1, 2, 3, 4, 5, 6, 7}) {
        e.b({0x65, 0x89, uint8_t(0x05 | (r << 3))}); e.d(ctl + C_OUT + 4 * r);
    }
    e.b({0x65, 0x0F, 0xAE, 0x05}); e.d(ctl + C_X87_OUT);  // fxsave gs:[x87 out]
    e.b({0x65, 0xDD, 0x35}); e.d(ctl + C_FSAVE_OUT);      // fnsave gs:[fsave out] (and FNINIT)
    e.b({0x66, 0xB8, uint8_t(kFlatData), 0x00, 0x8E, 0xD0});  // ss = flat
    e.b({0x65, 0x8B, 0x25}); e.d(ctl + C_FLAT_ESP);
    e.b({0x9C, 0x65, 0x8F, 0x05}); e.d(ctl + C_OUT + 32);  // pushfd; pop gs:[out.eflags]
    e.b({0x68}); e.d(0x202); e.b({0x9D});
    e.b({0x8E, 0xD8, 0x8E, 0xC0});  // ds, es = flat
    e.b({0x65, 0xFF, 0x2D}); e.d(ctl + C_FAR64);
    std::memcpy(low_ + code_at_, e.v.data(), e.v.size());
    std::memcpy(low_ + kCtl + C_IN, in.gpr, 32);
    std::memcpy(low_ + kCtl + C_IN + 32, &in.eflags, 4);
    std::memcpy(low_ + kCtl + C_X87_IN, fpu.b, 512);
    const uint16_t ss = ldt_selector(stack32 ? kSs32 : kSs);
    std::memcpy(low_ + kCtl + C_SEL + 4, &ss, 2);
    // The host's own x87 and SSE controls, restored after the code (the ABI wants them).
    uint16_t host_fcw;
    uint32_t host_mxcsr;
    asm volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(host_fcw), "=m"(host_mxcsr));

    NativeResult r;
    r.code_base = uint32_t(reinterpret_cast<uintptr_t>(low_)) + code_at_;
    g_code_lo = reinterpret_cast<uintptr_t>(low_);
    g_code_hi = g_code_lo + kCtl;
    g_trapno = -1;
    g_active = 1;
    if (sigsetjmp(g_jump, 0) == 0) {
        reinterpret_cast<void (*)()>(low_)();
        g_active = 0;
        asm volatile("fninit\n\tfldcw %0\n\tldmxcsr %1" ::"m"(host_fcw), "m"(host_mxcsr));
        std::memcpy(r.regs.gpr, low_ + kCtl + C_OUT, 32);
        std::memcpy(&r.regs.eflags, low_ + kCtl + C_OUT + 32, 4);
        std::memcpy(r.fpu.b, low_ + kCtl + C_X87_OUT, 512);
        std::memcpy(&r.full_tag, low_ + kCtl + C_FSAVE_OUT + 8, 2);
        r.full_tag_valid = true;
        return r;
    }
    g_active = 0;
    asm volatile("fninit\n\tfldcw %0\n\tldmxcsr %1" ::"m"(host_fcw), "m"(host_mxcsr));
    // Left the 32-bit code from a signal handler: DS/ES/GS still hold the test's selectors.
    uint16_t segs[3];
    std::memcpy(segs, low_ + kCtl + C_SAVED_SEGS, sizeof segs);
    asm volatile("mov %0, %%ds\n\tmov %1, %%es\n\tmov %2, %%gs" ::"r"(segs[0]), "r"(segs[1]), "r"(segs[2]));
    r.vector = g_trapno;
    r.fault_ip = uint32_t(g_rip - (g_code_lo + code_at_));
    r.regs = g_fault_regs;
    r.error_code = g_err;
    r.fpu = g_fault_fpu;
    return r;
}

#else  // not an x86-64 Linux host

std::string NativeRunner::unavailable_reason() {
    return "the host CPU is the oracle: difftest needs an x86-64 Linux host";
}
NativeRunner::NativeRunner() { throw std::runtime_error(unavailable_reason()); }
NativeRunner::~NativeRunner() = default;
uint8_t* NativeRunner::segment(int) { return nullptr; }
NativeResult NativeRunner::run(const std::vector<uint8_t>&, const Regs&, const FxImage&, bool) { return {}; }

#endif

}  // namespace vmm86::difftest
