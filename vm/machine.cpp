#include "vm/machine.h"

#include <stdexcept>

#include "bios/firmware.h"
#include "cpu/debug_regs.h"
#include "cpu/interrupts.h"
#include "cpu/lazy_flags.h"
#include "devices/system_control.h"
#include "vm/host_console.h"

namespace vmm86 {

Machine::Machine(MachineConfig config) : config_(std::move(config)) {
    mem_ = std::make_unique<PhysicalMemory>(config_.ram_bytes);
    cpu_.mem = mem_.get();
    cpu_.io = &io_;
    cpu_.undefined_flags = config_.undefined_flags;
    // A bare machine (tests, vectors) keeps time by instructions: reproducible.
    if (!config_.board_ports) config_.clock = VirtualClock::Mode::Instructions;
    clock_ = std::make_unique<VirtualClock>(config_.clock, cpu_.s.tsc);
    cpu_.clock = clock_.get();
    map_firmware();
    if (config_.board_ports) map_board_ports();
    reset();
    engine_ = make_engine(config_.engine, cpu_);
}

Machine::~Machine() = default;

void Machine::map_firmware() {
    if (!config_.bios.empty()) map_bios_image(*mem_, config_.bios);
}

template <typename T>
T& Machine::add_device(uint16_t port, uint16_t length, const char* name) {
    auto device = std::make_unique<T>();
    T& ref = *device;
    io_.map(port, length, ref, name);
    devices_.push_back(std::move(device));
    return ref;
}

void Machine::map_board_ports() {
    add_device<DebugConsole>(config_.debugcon_port, 1, "debug console").on_output = config_.debugcon_out;
    if (config_.post_port != config_.debugcon_port)
        add_device<PostPort>(config_.post_port, 1, "POST port").on_post_code = config_.post_out;
    add_device<ExitPort>(config_.exit_port, 1, "isa-debug-exit").on_exit = [this](int status) { request_exit(status); };
    auto& port92 = add_device<SystemControlPortA>(0x92, 1, "system control port A");
    port92.on_a20_change = [this](bool) { update_a20(); };
    port92.on_reset_request = [this] { request_reset(); };
    port92_ = &port92;

    PcBoard::Callbacks callbacks;
    callbacks.a20 = [this](bool on) { set_a20(on); };
    callbacks.reset = [this] { request_reset(); };
    callbacks.power_off = [this] {
        powered_off_ = true;
        cpu_.exit_request = 1;
    };
    // A rising INTR makes the engine come back at the next block end to take it.
    callbacks.intr = [this](bool high) {
        if (high) cpu_.exit_request = 1;
    };
    board_ = std::make_unique<PcBoard>(io_, *clock_, config_.ram_bytes, std::move(callbacks), config_.console,
                                         config_.parallel, config_.parallel_port);
    // FERR# (x87 errors with CR0.NE = 0) is IRQ13 on a PC.
    cpu_.ferr_ctx = board_.get();
    cpu_.ferr_changed = [](void* board, bool asserted) { static_cast<PcBoard*>(board)->pic().set_irq(13, asserted); };
}

void Machine::request_reset() {
    reset_requested_ = true;
    cpu_.exit_request = 1;
}

uint64_t Machine::run_timers() {
    if (!board_) return TimedDevice::kNever;
    const uint64_t now = clock_->now_ns();
    uint64_t next = TimedDevice::kNever;
    for (TimedDevice* t : board_->timed_devices()) {
        if (t->next_deadline_ns() <= now) t->advance(now);
        next = std::min(next, t->next_deadline_ns());
    }
    return next;
}

void Machine::take_interrupt() {
    if (!board_ || !board_->pic().interrupt_pending()) return;
    if (!(read_eflags(cpu_.s) & FLAG_IF) || cpu_.s.interrupt_shadow) return;
    const uint8_t vector = board_->pic().acknowledge();
    cpu_.s.halted = 0;
    // An external interrupt returns to the instruction that would have run next.
    if (!deliver_event(cpu_, vector, cpu_.s.eip, EventKind::External)) {
        if (cpu_.pending_exception >= 0) deliver_pending_exception(cpu_, cpu_.s.eip);
    }
}

void Machine::update_a20() {
    // Port 92h and (once it is on this board) the keyboard controller both drive the A20
    // line, and the last one written wins, as on QEMU's PC. (A PIIX3 ORs the two inputs;
    // guests that toggle A20 through port 92h expect to see it go off.)
    if (port92_) set_a20(port92_->a20_enabled());
}

void Machine::reset() {
    // The TSC starts again from 0; guest time must not.
    clock_->counter_reset(cpu_.s.tsc);
    reset_cpu_state(cpu_.s);
    cpu_.flush_tlb();
    cpu_.pending_exception = -1;
    cpu_.shutdown_reason = ExitReason::None;
}

void Machine::request_exit(int status) {
    if (!exit_status_) exit_status_ = status;
    cpu_.exit_request = 1;
}

RunResult Machine::run(uint64_t max_insns, const TraceHook& trace) {
    RunResult result;
    result.reason = StopReason::InstructionLimit;
    uint64_t executed = 0;
    constexpr uint64_t kSlice = 1 << 22;  // how often the loop looks around without a request
    for (;;) {
        if (exit_status_) {
            result.reason = StopReason::ExitPort;
            result.exit_status = *exit_status_;
            break;
        }
        if (powered_off_) {
            result.reason = StopReason::PowerOff;
            result.message = "the guest powered off";
            break;
        }
        if (reset_requested_) {
            // The guest rebooted (port 92h, the i8042's reset line, CF9h / ACPI reset).
            reset_requested_ = false;
            if (config_.no_reboot) {
                result.reason = StopReason::Reboot;
                result.message = "the guest rebooted (--no-reboot)";
                break;
            }
            // The CPU starts over at the reset vector (memory keeps its contents, as on a
            // warm reset); a direct kernel boot is set up again by its loader.
            reset();
            if (config_.on_reboot) config_.on_reboot(*this);
        }
        if (config_.console && board_ && !config_.console->pump(board_->com1())) {
            result.reason = StopReason::UserQuit;
            result.message = "quit from the console (C-a x)";
            break;
        }
        const uint64_t deadline = run_timers();
        take_nmi(cpu_);  // before INTR, which it outranks
        take_interrupt();
        // Either may have switched to a task whose TSS has the T flag: #DB before its code.
        debug_take_task_trap(cpu_);
        if (cpu_.shutdown_reason == ExitReason::Shutdown) {
            result.reason = StopReason::Shutdown;
            result.message = "triple fault: the CPU shut down";
            break;
        }
        if (cpu_.s.halted) {
            // Only an interrupt can wake a halted CPU (there is no NMI source yet): a timer,
            // or a key typed on an interactive console.
            const bool typing = config_.console && config_.console->interactive();
            if (!(read_eflags(cpu_.s) & FLAG_IF) || (deadline == TimedDevice::kNever && !typing)) {
                result.reason = StopReason::HaltedForever;
                result.message = (read_eflags(cpu_.s) & FLAG_IF) ? "CPU halted and no interrupt source can wake it"
                                                                 : "CPU halted with interrupts disabled";
                break;
            }
            if (typing) {
                const uint64_t now = clock_->now_ns();
                config_.console->wait_for_input(deadline > now ? std::min<uint64_t>(deadline - now, 100000000) : 0);
                if (clock_->mode() == VirtualClock::Mode::Instructions && deadline != TimedDevice::kNever)
                    clock_->idle_until(deadline);
            } else {
                clock_->idle_until(deadline);
            }
            continue;
        }
        if (max_insns && executed >= max_insns) {
            result.reason = StopReason::InstructionLimit;
            result.message = "instruction limit reached";
            break;
        }
        // An instruction breakpoint: #DB before the instruction (one step, as a fault is).
        if (debug_before_instruction(cpu_)) {
            ++executed;
            ++cpu_.s.tsc;
            continue;
        }
        // While an interrupt waits for IF (or the shadow), come back after every block so
        // that it is taken right after the STI, POPF or IRET that allows it.
        cpu_.exit_request = (board_ && board_->pic().interrupt_pending()) ? 1 : 0;
        uint64_t budget = kSlice;
        if (deadline != TimedDevice::kNever) budget = std::min(budget, clock_->instructions_until(deadline));
        if (max_insns) budget = std::min(budget, max_insns - executed);
        // EFLAGS.TF set before an instruction means a #DB trap after it.
        const bool single_step = read_eflags(cpu_.s) & FLAG_TF;
        if (trace || cpu_.s.interrupt_shadow || single_step) budget = 1;
        if (debug_needs_single_step(cpu_)) budget = 1;  // breakpoints and RF (cpu/debug_regs.h)
        if (trace) trace(cpu_, false);
        const uint64_t before = executed, events_before = cpu_.events_delivered;
        ExitReason why = engine_->run(cpu_, budget, executed);
        if (trace && executed > before) trace(cpu_, true);
        if (budget == 1 && executed > before) cpu_.s.interrupt_shadow = 0;
        // Trap-class #DB (TF single-step, data and I/O breakpoints) follows an instruction
        // that completed; one that faulted or delivered an interrupt (INT n clears TF for
        // its handler) gets none. RF is cleared here too (cpu/debug_regs.cpp).
        if (budget == 1 || cpu_.s.debug_pending) {
            const bool completed = executed > before && cpu_.events_delivered == events_before &&
                                   why != ExitReason::Halted && why != ExitReason::Unimplemented;
            debug_after_instruction(cpu_, completed, single_step);
        }
        if (why == ExitReason::Unimplemented) {
            char buf[128];
            std::snprintf(buf, sizeof buf, "unimplemented instruction at %04X:%08llX", cpu_.s.seg[CS].selector,
                          (unsigned long long)cpu_.unimplemented_eip);
            result.reason = StopReason::Unimplemented;
            result.message = buf;
            break;
        }
        if (why == ExitReason::Shutdown) {
            result.reason = StopReason::Shutdown;
            result.message = "triple fault: the CPU shut down";
            break;
        }
    }
    result.instructions = executed;
    return result;
}

}  // namespace vmm86
