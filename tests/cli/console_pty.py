#!/usr/bin/env python3
"""console_pty.py VMM86 IMAGE — the console on a real terminal (a pty): raw mode while
vmm86 runs (typed bytes reach the guest at once, no line editing, no local echo), the
terminal's settings restored when it exits, and Ctrl-A x quitting with status 0.
IMAGE is tests/cli/serial_echo.asm: it prints "serial ok: " and echoes what it receives."""
import os
import pty
import select
import sys
import termios
import time


def read_until(fd, want, timeout=20.0):
    buf = b""
    end = time.time() + timeout
    while want not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


def main():
    vmm86, image = sys.argv[1], sys.argv[2]
    pid, fd = pty.fork()
    if pid == 0:
        # Wait until the parent has read the terminal's initial settings.
        os.read(0, 1)
        os.execv(vmm86, [vmm86, "run", "--bios", image, "--serial", "stdio", "--debugcon", "none"])
    before = termios.tcgetattr(fd)
    if not before[3] & termios.ICANON:
        print("FAIL: the new pty is not in canonical mode to begin with")
        return 1
    os.write(fd, b"\n")
    out = read_until(fd, b"serial ok: ")
    if b"serial ok: " not in out:
        print("FAIL: no banner, got %r" % out)
        return 1
    # In raw mode "ab" arrives without a newline; the guest echoes it.
    os.write(fd, b"ab")
    out = read_until(fd, b"ab", 10)
    if b"ab" not in out:
        print("FAIL: typed bytes did not reach the guest (raw mode?), got %r" % out)
        return 1
    raw = termios.tcgetattr(fd)
    if raw[3] & termios.ICANON:
        print("FAIL: the terminal is still in canonical mode while vmm86 runs")
        return 1
    os.write(fd, b"\x01x")  # Ctrl-A x
    _, status = os.waitpid(pid, 0)
    after = termios.tcgetattr(fd)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        print("FAIL: Ctrl-A x: exit status %r" % status)
        return 1
    if after[3] != before[3] or after[0] != before[0] or after[1] != before[1]:
        print("FAIL: terminal settings not restored: before %r after %r" % (before[:4], after[:4]))
        return 1
    print("console on a pty: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
