#!/bin/bash
# serial.sh VMM86 IMAGE — COM1 is the console: what the guest transmits reaches stdout,
# and stdin reaches the guest's receive FIFO (here not a terminal, so no raw mode).
set -u
out=$(printf 'abcq' | timeout 20 "$1" run --bios "$2" --serial stdio --debugcon none)
status=$?
if [ "$status" -ne 1 ] || [ "$out" != "serial ok: abc" ]; then
    echo "FAIL: status $status, output '$out'"
    exit 1
fi
out=$(timeout 20 "$1" run --bios "$2" --serial none --debugcon none --max-insns 200000 </dev/null 2>/dev/null)
if [ -n "$out" ]; then
    echo "FAIL: --serial none still printed '$out'"
    exit 1
fi
echo "serial console: ok"
