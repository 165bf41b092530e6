// `vmm86 run`: boots a machine from a firmware image and runs it until the guest stops it.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "decoder/decoder.h"
#include "jit/backend/x64/x64_jit.h"
#include "jit/block_builder.h"
#include "tools/commands.h"
#include "tools/file_util.h"
#include "tools/state_dump.h"
#include "vm/host_console.h"
#include "vm/linux_loader.h"
#include "vm/machine.h"

namespace po = boost::program_options;

namespace vmm86 {
namespace {

using FilePtr = std::unique_ptr<FILE, int (*)(FILE*)>;

FilePtr open_output(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + path);
    return FilePtr(f, &std::fclose);
}

// "stdio", "none" or "file:PATH" -> a FILE* (nullptr for none).
FILE* open_char_target(const std::string& spec, FilePtr& owner, const std::string& option) {
    if (spec == "stdio") return stdout;
    if (spec == "none") return nullptr;
    if (spec.rfind("file:", 0) == 0 && spec.size() > 5) {
        owner = open_output(spec.substr(5));
        return owner.get();
    }
    throw std::runtime_error("--" + option + " takes stdio, none or file:PATH (got '" + spec + "')");
}

// The host end of a character device that only outputs (the printer on LPT1).
class FileSink final : public CharBackend {
public:
    explicit FileSink(FILE* f) : f_(f) {}
    void write(uint8_t byte) override { std::fputc(byte, f_); }

private:
    FILE* f_;
};

uint16_t parse_port(const std::string& text, const std::string& option) {
    size_t used = 0;
    unsigned long v = 0;
    try {
        v = std::stoul(text, &used, 0);
    } catch (...) {
        used = 0;
    }
    if (used != text.size() || v > 0xFFFF)
        throw std::runtime_error("--" + option + " takes a port number 0..0xFFFF (got '" + text + "')");
    return uint16_t(v);
}

// One line per executed instruction: address, bytes, disassembly, changed registers.
class Tracer {
public:
    explicit Tracer(FILE* out) : out_(out) {}
    void operator()(Cpu& cpu, bool after) {
        if (!after) {
            before_ = cpu.s;
            describe(cpu);
            return;
        }
        std::fprintf(out_, "%s%s\n", line_.c_str(), format_state_changes(before_, cpu.s).c_str());
    }

private:
    void describe(Cpu& cpu) {
        const CpuState& s = cpu.s;
        uint8_t bytes[15];
        uint32_t linear = s.seg[CS].base + uint32_t(s.eip);
        for (int i = 0; i < 15; ++i) {
            uint64_t b = 0xFF;
            if (!cpu.read_linear(linear + i, 1, b, Access::Exec)) cpu.pending_exception = -1;
            bytes[i] = uint8_t(b);
        }
        DecodedInsn d;
        char head[64];
        std::snprintf(head, sizeof head, "%04X:%08X ", s.seg[CS].selector, uint32_t(s.eip));
        line_ = head;
        if (decoder_.decode(current_mode(s), bytes, 15, s.eip, d) == DecodeStatus::Ok) {
            std::string hex;
            for (unsigned i = 0; i < d.length(); ++i) {
                char h[4];
                std::snprintf(h, sizeof h, "%02X", bytes[i]);
                hex += h;
            }
            hex.resize(std::max<size_t>(hex.size(), 16), ' ');
            line_ += hex + " " + decoder_.format(d, s.eip);
        } else {
            line_ += "(undecodable)";
        }
        line_.resize(std::max<size_t>(line_.size(), 56), ' ');
    }

    FILE* out_;
    Decoder decoder_;
    CpuState before_{};
    std::string line_;
};

}  // namespace

int run_command(int argc, char** argv) {
    po::options_description opts(
        "usage: vmm86 run --bios FILE [options]\n"
        "       vmm86 run --kernel bzImage [--initrd FILE] [--append CMDLINE] [options]\n\n"
        "Boots a PC from a raw firmware image, or a Linux kernel directly (no BIOS), and runs it\n"
        "until the guest powers off, writes the exit port, or halts for good.\n\noptions");
    std::string kernel, initrd, append;
    std::string bios, debugcon, post_log, trace, accel, post_port_s, exit_port_s, clock, serial, parallel,
        parallel_port_s, undefined_flags;
    uint64_t ram_mib = 128, max_insns = 0;
    opts.add_options()("help,h", "show this help")
        ("bios", po::value<std::string>(&bios), "raw firmware image (64, 128 or 256 KiB), mapped to end at 4 GiB")
        ("kernel", po::value<std::string>(&kernel), "Linux bzImage to boot directly (32-bit boot protocol)")
        ("initrd", po::value<std::string>(&initrd), "initial ramdisk for --kernel (cpio, optionally compressed)")
        ("append", po::value<std::string>(&append), "kernel command line for --kernel")
        ("memory,m", po::value<uint64_t>(&ram_mib)->default_value(128), "RAM in MiB")
        ("serial", po::value<std::string>(&serial)->default_value("stdio"),
         "COM1: stdio (raw terminal; C-a x quits), file:PATH or none")
        ("parallel", po::value<std::string>(&parallel)->default_value("none"),
         "printer on LPT1 (378h, IRQ7): stdio, file:PATH or none (no parallel port)")
        ("parallel-port", po::value<std::string>(&parallel_port_s)->default_value("0x378"),
         "where that parallel port sits: 0x378 (IRQ7), 0x278 (IRQ5) or 0x3bc (IRQ7, as on an MDA card)")
        ("debugcon", po::value<std::string>(&debugcon)->default_value("stdio"),
         "debug console (port 0xE9): stdio, file:PATH or none")
        ("post-port", po::value<std::string>(&post_port_s)->default_value("0x80"), "port whose writes are POST codes")
        ("post-log", po::value<std::string>(&post_log), "write POST codes to FILE, one hex code a line")
        ("exit-port", po::value<std::string>(&exit_port_s)->default_value("0xf4"),
         "isa-debug-exit port: writing V exits with status (V<<1)|1")
        ("max-insns", po::value<uint64_t>(&max_insns)->default_value(0), "stop after N instructions (0 = no limit)")
        ("dump-state", "print the final CPU state on stderr")
        ("stats", "print instructions executed, run time and MIPS on stderr")
        ("no-reboot", "end the run when the guest reboots instead of restarting it")
        ("trace", po::value<std::string>(&trace), "write one line per executed instruction to FILE")
        ("accel", po::value<std::string>(&accel),
         "execution engine: jit (x64 JIT; the default on x86-64 hosts) or interp (the portable IR "
         "interpreter)")
        ("undefined-flags", po::value<std::string>(&undefined_flags)->default_value("intel"),
         "flags the SDM leaves undefined: intel (as current Intel CPUs) or i386 (as the 80386: OF "
         "after rotates by more than 1 bit set as for 1 bit)")
        ("clock", po::value<std::string>(&clock)->default_value("host"),
         "guest time: host (follows the host clock) or instructions (derived from instructions executed: "
         "reproducible runs)");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "vmm86 run: " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts << "\n";
        return 0;
    }
    try {
        if (bios.empty() && kernel.empty()) throw std::runtime_error("nothing to boot: give --bios FILE or --kernel FILE");
        if (!bios.empty() && !kernel.empty())
            throw std::runtime_error("--kernel boots without a BIOS: give --bios or --kernel, not both");
        if (kernel.empty() && (!initrd.empty() || !append.empty()))
            throw std::runtime_error("--initrd and --append need --kernel");
        EngineKind engine = default_engine_kind();
        UndefinedFlags config_undefined = UndefinedFlags::Intel;
        if (accel == "interp") engine = EngineKind::Interp;
        else if (accel == "jit" && x64_jit_available()) engine = EngineKind::Jit;
        else if (accel == "jit") throw std::runtime_error("--accel jit needs an x86-64 host: use --accel interp");
        else if (accel == "kvm") throw std::runtime_error("--accel kvm is not available yet: use jit or interp");
        else if (!accel.empty()) throw std::runtime_error("--accel takes jit or interp (got '" + accel + "')");
        if (undefined_flags == "i386") config_undefined = UndefinedFlags::I386;
        else if (undefined_flags != "intel")
            throw std::runtime_error("--undefined-flags takes intel or i386 (got '" + undefined_flags + "')");
        if (ram_mib < 1 || ram_mib > 3072) throw std::runtime_error("-m takes 1..3072 MiB");

        MachineConfig config;
        config.ram_bytes = ram_mib << 20;
        config.engine = engine;
        config.undefined_flags = config_undefined;
        if (!bios.empty()) {
            config.bios = read_file_checked(bios, "BIOS image", 256u << 10);
            size_t n = config.bios.size();
            if (n != (64u << 10) && n != (128u << 10) && n != (256u << 10))
                throw std::runtime_error("BIOS image " + bios + ": size " + std::to_string(n) +
                                         " bytes; expected 64, 128 or 256 KiB");
        }
        if (clock == "host") config.clock = VirtualClock::Mode::Host;
        else if (clock == "instructions") config.clock = VirtualClock::Mode::Instructions;
        else throw std::runtime_error("--clock takes host or instructions (got '" + clock + "')");
        config.post_port = parse_port(post_port_s, "post-port");
        config.exit_port = parse_port(exit_port_s, "exit-port");
        config.parallel_port = parse_port(parallel_port_s, "parallel-port");
        if (PcBoard::lpt_irq_for(config.parallel_port) < 0)
            throw std::runtime_error("--parallel-port takes 0x378, 0x278 or 0x3bc (got '" + parallel_port_s + "')");
        if (config.post_port == config.exit_port || config.post_port == config.debugcon_port ||
            config.exit_port == config.debugcon_port)
            throw std::runtime_error("the debug console (0xE9), POST and exit ports must differ");

        FilePtr debugcon_file(nullptr, &std::fclose), post_file(nullptr, &std::fclose),
            trace_file(nullptr, &std::fclose), parallel_file(nullptr, &std::fclose);
        FILE* console = open_char_target(debugcon, debugcon_file, "debugcon");
        if (console) config.debugcon_out = [console](uint8_t b) { std::fputc(b, console); };
        std::unique_ptr<FileSink> printer;
        if (FILE* f = open_char_target(parallel, parallel_file, "parallel")) {
            printer = std::make_unique<FileSink>(f);
            config.parallel = printer.get();
        }
        if (!post_log.empty()) {
            post_file = open_output(post_log);
            FILE* f = post_file.get();
            config.post_out = [f](uint8_t code) { std::fprintf(f, "%02X\n", code); };
        }
        // The console goes last: raw mode should start only once every option was valid.
        HostConsole serial_console(serial);
        config.console = &serial_console;
        config.no_reboot = vm.count("no-reboot") > 0;
        const LinuxBootFiles boot_files{kernel, initrd, append};
        if (!kernel.empty()) config.on_reboot = [&boot_files](Machine& m) { boot_linux(m, boot_files); };
        Machine machine(std::move(config));
        if (!kernel.empty()) boot_linux(machine, boot_files);
        std::unique_ptr<Tracer> tracer;
        Machine::TraceHook hook;
        if (!trace.empty()) {
            trace_file = open_output(trace);
            tracer = std::make_unique<Tracer>(trace_file.get());
            hook = [&](Cpu& cpu, bool after) { (*tracer)(cpu, after); };
        }
        auto started = std::chrono::steady_clock::now();
        RunResult r = machine.run(max_insns, hook);
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (console) std::fflush(console);
        if (printer) std::fflush(parallel_file ? parallel_file.get() : stdout);
        if (vm.count("stats"))
            std::fprintf(stderr, "stats: instructions=%llu seconds=%.3f mips=%.1f %s\n",
                         (unsigned long long)r.instructions, seconds, r.instructions / seconds / 1e6,
                         machine.engine().statistics().c_str());
        if (vm.count("dump-state")) std::cerr << format_cpu_state(machine.cpu().s);
        switch (r.reason) {
        case StopReason::ExitPort:
            return r.exit_status;
        case StopReason::HaltedForever:
            std::cerr << "vmm86: " << r.message << " after " << r.instructions << " instructions\n";
            return 0;
        case StopReason::UserQuit:
        case StopReason::PowerOff:
        case StopReason::Reboot:
            return 0;
        case StopReason::InstructionLimit:
            std::cerr << "vmm86: stopped after " << r.instructions << " instructions (--max-insns)\n";
            return 0;
        default:
            std::cerr << "vmm86: " << r.message << " after " << r.instructions << " instructions\n";
            return 2;
        }
    } catch (const std::exception& e) {
        std::cerr << "vmm86 run: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace vmm86
