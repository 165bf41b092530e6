// The machine: guest memory, the port-I/O bus, one CPU and its engine, and the run loop.
// Where firmware and devices sit is decided here (and in board files as the PC grows).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "devices/io_bus.h"
#include "jit/engine.h"
#include "memory/physical_memory.h"
#include "vm/pc_board.h"
#include "vm/virtual_clock.h"

namespace vmm86 {

struct MachineConfig {
    uint64_t ram_bytes = 32ull << 20;
    std::vector<uint8_t> bios;      // raw image: 64, 128 or 256 KiB
    uint16_t post_port = 0x80;
    uint16_t exit_port = 0xF4;
    uint16_t debugcon_port = 0xE9;
    std::function<void(uint8_t)> debugcon_out;  // bytes written to the debug console
    std::function<void(uint8_t)> post_out;      // POST codes
    bool board_ports = true;  // false: a bare CPU and RAM (test vectors), I/O reads all ones
    VirtualClock::Mode clock = VirtualClock::Mode::Host;
    class HostConsole* console = nullptr;  // COM1's host end (owned by the caller), or none
    CharBackend* parallel = nullptr;       // the printer on LPT1 (owned by the caller), or none
    uint16_t parallel_port = PcBoard::kLpt1Base;  // where that port sits: 378h, 278h or 3BCh
    bool no_reboot = false;                // a guest reboot ends the run instead
    EngineKind engine = default_engine_kind();
    UndefinedFlags undefined_flags = UndefinedFlags::Intel;  // cpu/cpu.h
    // Called after the CPU reset of a guest reboot (e.g. to load a kernel again).
    std::function<void(class Machine&)> on_reboot;
};

enum class StopReason { ExitPort, PowerOff, Reboot, HaltedForever, Shutdown, Unimplemented, InstructionLimit, UserQuit };

struct RunResult {
    StopReason reason;
    int exit_status = 0;           // for ExitPort: (value << 1) | 1
    uint64_t instructions = 0;
    std::string message;           // what to tell the user on stderr
};

class Machine {
public:
    explicit Machine(MachineConfig config);
    ~Machine();

    // Runs until the guest stops the machine or `max_insns` instructions have run
    // (0 = no limit). `trace`, when set, is called before and after each instruction,
    // which makes the run single-step.
    using TraceHook = std::function<void(Cpu&, bool after)>;
    RunResult run(uint64_t max_insns, const TraceHook& trace = nullptr);

    void reset();
    Cpu& cpu() { return cpu_; }
    PhysicalMemory& memory() { return *mem_; }
    IoBus& io() { return io_; }
    Engine& engine() { return *engine_; }

    // Devices call this to end the run (isa-debug-exit).
    void request_exit(int status);
    void set_a20(bool enabled) { cpu_.set_a20(enabled); }
    PcBoard* board() { return board_.get(); }
    VirtualClock& clock() { return *clock_; }

private:
    void map_firmware();
    void map_board_ports();
    template <typename T>
    T& add_device(uint16_t port, uint16_t length, const char* name);
    void update_a20();
    void request_reset();
    // Timers due by now fire; returns the earliest next deadline (kNever if none).
    uint64_t run_timers();
    // Delivers a pending external interrupt if the CPU can take one now.
    void take_interrupt();

    MachineConfig config_;
    std::unique_ptr<PhysicalMemory> mem_;
    IoBus io_{"port I/O"};
    Cpu cpu_;
    std::unique_ptr<VirtualClock> clock_;
    std::unique_ptr<PcBoard> board_;
    std::unique_ptr<Engine> engine_;
    std::vector<std::unique_ptr<IoDevice>> devices_;
    std::optional<int> exit_status_;
    bool powered_off_ = false;
    bool reset_requested_ = false;
    class SystemControlPortA* port92_ = nullptr;
};

}  // namespace vmm86
