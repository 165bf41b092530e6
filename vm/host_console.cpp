#include "vm/host_console.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <cstdlib>
#include <stdexcept>

namespace vmm86 {
namespace {

constexpr uint8_t kEscape = 0x01;  // Ctrl-A

// The terminal state to restore, kept where a signal handler can reach it.
struct termios g_saved_termios;
volatile sig_atomic_t g_termios_saved = 0;

void restore_terminal() {
    if (g_termios_saved) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
        g_termios_saved = 0;
    }
}

void on_fatal_signal(int sig) {
    restore_terminal();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void write_all(int fd, const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w <= 0) return;  // stdout closed: the guest's output has nowhere to go
        p += w;
        n -= size_t(w);
    }
}

}  // namespace

HostConsole::HostConsole(const std::string& spec) {
    if (spec == "stdio") {
        mode_ = Mode::Stdio;
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &g_saved_termios) == 0) {
            struct termios raw = g_saved_termios;
            cfmakeraw(&raw);
            raw.c_oflag |= OPOST | ONLCR;  // keep "\n" -> "\r\n" for the host's terminal
            g_termios_saved = 1;
            std::atexit(restore_terminal);
            for (int sig : {SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL})
                std::signal(sig, on_fatal_signal);
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
            raw_ = true;
        }
    } else if (spec == "none") {
        mode_ = Mode::None;
    } else if (spec.rfind("file:", 0) == 0 && spec.size() > 5) {
        mode_ = Mode::File;
        file_ = std::fopen(spec.substr(5).c_str(), "wb");
        if (!file_) throw std::runtime_error("cannot write " + spec.substr(5));
    } else {
        throw std::runtime_error("--serial takes stdio, none or file:PATH (got '" + spec + "')");
    }
}

HostConsole::~HostConsole() {
    if (file_) std::fclose(file_);
    restore_terminal();
}

void HostConsole::write(uint8_t byte) {
    if (mode_ == Mode::Stdio) write_all(STDOUT_FILENO, &byte, 1);
    else if (mode_ == Mode::File) std::fputc(byte, file_);
}

void HostConsole::read_available() {
    if (mode_ != Mode::Stdio || !stdin_open_) return;
    struct pollfd pfd{STDIN_FILENO, POLLIN, 0};
    while (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP))) {
        uint8_t buf[256];
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) {
            stdin_open_ = false;  // end of input: the guest just sees no more keys
            return;
        }
        for (ssize_t i = 0; i < n; ++i) {
            uint8_t b = buf[i];
            if (escape_) {
                escape_ = false;
                if (b == 'x' || b == 'X') {
                    quit_ = true;
                    return;
                }
                if (b == kEscape) pending_.push_back(kEscape);
                else if (b == 'h' || b == '?') {
                    static const char help[] = "\r\nC-a x    quit vmm86\r\nC-a C-a  send C-a\r\n";
                    write_all(STDERR_FILENO, help, sizeof help - 1);
                }
                continue;
            }
            if (b == kEscape && raw_) {
                escape_ = true;
                continue;
            }
            pending_.push_back(b);
        }
    }
}

bool HostConsole::pump(Uart16550& uart) {
    read_available();
    while (!pending_.empty() && uart.can_receive()) {
        uint8_t b = pending_.front();
        pending_.pop_front();
        uart.receive(std::span<const uint8_t>(&b, 1));
    }
    return !quit_;
}

void HostConsole::wait_for_input(uint64_t timeout_ns) {
    if (mode_ != Mode::Stdio || !stdin_open_ || !pending_.empty()) {
        if (pending_.empty()) {
            struct timespec ts{time_t(timeout_ns / 1000000000ull), long(timeout_ns % 1000000000ull)};
            nanosleep(&ts, nullptr);
        }
        return;
    }
    struct pollfd pfd{STDIN_FILENO, POLLIN, 0};
    int ms = int(std::min<uint64_t>(timeout_ns / 1000000ull, 1000));
    poll(&pfd, 1, ms);
}

}  // namespace vmm86
