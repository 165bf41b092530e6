// The oracle of `vmm86 difftest`: runs a few bytes of 32-bit x86 code on the host CPU.
//
// The code runs in compatibility mode (a far jump to the 32-bit user code segment 23h that
// x86-64 Linux provides), so instructions that 64-bit mode removed (DAA, AAM, BOUND, INTO,
// PUSHA, INC r32 as 40h+r...) run too. DS, ES and SS are LDT segments (modify_ldt) with a
// 64 KiB byte-granular limit and D/B = 0, each over its own 64 KiB host buffer: the host
// then sees exactly what a real-mode guest with the same segment offsets sees, including
// the 16-bit stack pointer, [BP] through SS, 16-bit address wraparound (67h forms) and #GP
// or #SS for an access past offset FFFFh. Register values are therefore identical on both
// sides; only the 66h/67h prefixes differ between the host's and the guest's bytes.
//
// A fourth LDT segment is SS with D/B = 1 over the same buffer as the 16-bit SS: with it
// pushes and pops use ESP, as in a protected-mode guest whose stack segment is 32-bit.
//
// The x87/SSE state is loaded with FXRSTOR before the code and saved with FXSAVE and FNSAVE
// after it (neither waits, so a pending unmasked exception stays pending).
//
// Faults arrive as signals, caught on an alternate stack (the faulting ESP is a segment
// offset, not a usable 64-bit stack); the hardware vector is the signal frame's trap number,
// the error code its err field, and the x87 state at the fault the frame's FXSAVE area.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vmm86::difftest {

// The registers that both sides load and compare. gpr[] is in encoding order
// (EAX ECX EDX EBX ESP EBP ESI EDI).
struct Regs {
    uint32_t gpr[8] = {};
    uint32_t eflags = 0;
};

// An FXSAVE image (32-bit layout: FCW 0, FSW 2, abridged tag 4, FOP 6, FIP 8, FCS 12,
// FDP 16, FDS 20, MXCSR 24, ST(i) at 32 + 16 i, XMM at 160).
struct FxImage {
    alignas(16) uint8_t b[512] = {};
    uint16_t u16(unsigned o) const { return uint16_t(b[o] | b[o + 1] << 8); }
    uint32_t u32(unsigned o) const { return u16(o) | uint32_t(u16(o + 2)) << 16; }
    void put16(unsigned o, uint16_t v) { b[o] = uint8_t(v); b[o + 1] = uint8_t(v >> 8); }
    void put32(unsigned o, uint32_t v) { put16(o, uint16_t(v)); put16(o + 2, uint16_t(v >> 16)); }
};

// The data segments, as indices into NativeRunner::segment() and the guest's DS/ES/SS.
enum DataSeg : int { kDs = 0, kEs = 1, kSs = 2, kDataSegs = 3 };
constexpr uint32_t kSegBytes = 0x10000;

struct NativeResult {
    Regs regs;              // after the code (on a fault: as at the fault)
    int vector = -1;        // hardware exception vector, or -1 when the code completed
    uint32_t fault_ip = 0;  // offset of the reported EIP from the start of the code
    uint32_t error_code = 0;  // the fault's error code (as the kernel reports it)
    FxImage fpu;              // x87/SSE state after the code or at the fault (FIP/FDP: host addresses)
    // The full tag word as FNSAVE classifies it (not available at a fault: the signal frame
    // holds the FXSAVE layout only).
    uint16_t full_tag = 0;
    bool full_tag_valid = false;
    uint32_t code_base = 0;  // host address of the code's first byte (what FIP is relative to)
};

class NativeRunner {
public:
    // Empty when this host can run the oracle, else why it cannot.
    static std::string unavailable_reason();

    NativeRunner();  // throws std::runtime_error when unavailable
    ~NativeRunner();
    NativeRunner(const NativeRunner&) = delete;
    NativeRunner& operator=(const NativeRunner&) = delete;

    // The 64 KiB host buffer behind DS, ES or SS. The caller writes the bytes it wants,
    // runs, reads them back, and should leave the buffer zeroed where it wrote.
    uint8_t* segment(int seg);

    // Runs `code` once (at most kMaxCode bytes) with `in` and the x87/SSE state `fpu`
    // loaded, SS 32-bit (B = 1) or 16-bit; EFLAGS bits that user mode cannot change (IF,
    // IOPL, VM...) are the host's. MXCSR in `fpu` must be valid.
    NativeResult run(const std::vector<uint8_t>& code, const Regs& in, const FxImage& fpu, bool stack32);

    static constexpr size_t kMaxCode = 256;

private:
    uint8_t* low_ = nullptr;   // code, control block, stub stack (below 4 GiB)
    uint8_t* data_ = nullptr;  // kDataSegs * 64 KiB
    uint32_t stub32_ = 0, code_at_ = 0;
};

}  // namespace vmm86::difftest
