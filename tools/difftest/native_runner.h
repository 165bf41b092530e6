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
// Faults arrive as signals, caught on an alternate stack (the faulting ESP is a segment
// offset, not a usable 64-bit stack); the hardware vector is the signal frame's trap number.
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

// The data segments, as indices into NativeRunner::segment() and the guest's DS/ES/SS.
enum DataSeg : int { kDs = 0, kEs = 1, kSs = 2, kDataSegs = 3 };
constexpr uint32_t kSegBytes = 0x10000;

struct NativeResult {
    Regs regs;              // after the code (on a fault: as at the fault)
    int vector = -1;        // hardware exception vector, or -1 when the code completed
    uint32_t fault_ip = 0;  // offset of the reported EIP from the start of the code
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

    // Runs `code` once (at most kMaxCode bytes) with `in` loaded; EFLAGS bits that user
    // mode cannot change (IF, IOPL, VM...) are the host's.
    NativeResult run(const std::vector<uint8_t>& code, const Regs& in);

    static constexpr size_t kMaxCode = 256;

private:
    uint8_t* low_ = nullptr;   // code, control block, stub stack (below 4 GiB)
    uint8_t* data_ = nullptr;  // kDataSegs * 64 KiB
    uint32_t stub32_ = 0, code_at_ = 0;
};

}  // namespace vmm86::difftest
