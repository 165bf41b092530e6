// The host end of the guest's serial console (COM1): bytes the guest transmits go to
// stdout or a file; with stdio, the terminal is put in raw mode and what the user types
// goes to the guest. A QEMU-style escape, Ctrl-A x, quits; Ctrl-A Ctrl-A sends a Ctrl-A.
// The terminal is restored on every way out: normal exit, exception, fatal signal.
#pragma once
#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>

#include "devices/uart16550.h"

namespace vmm86 {

class HostConsole final : public CharBackend {
public:
    enum class Mode { Stdio, File, None };
    // spec: "stdio", "none" or "file:PATH". Throws std::runtime_error for anything else or
    // a file that cannot be written.
    explicit HostConsole(const std::string& spec);
    ~HostConsole() override;
    HostConsole(const HostConsole&) = delete;
    HostConsole& operator=(const HostConsole&) = delete;

    void write(uint8_t byte) override;

    // Moves typed bytes into the UART as its FIFO has room. Returns false once the user
    // asked to quit (Ctrl-A x).
    bool pump(Uart16550& uart);
    // Waits up to timeout_ns for input (a halted guest waiting for a key or a timer).
    void wait_for_input(uint64_t timeout_ns);
    bool quit_requested() const { return quit_; }
    bool interactive() const { return raw_; }

private:
    void read_available();

    Mode mode_;
    FILE* file_ = nullptr;
    bool raw_ = false;       // stdin is a terminal we switched to raw mode
    bool escape_ = false;    // the previous byte was Ctrl-A
    bool quit_ = false;
    bool stdin_open_ = true;
    std::deque<uint8_t> pending_;
};

}  // namespace vmm86
