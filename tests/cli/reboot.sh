#!/bin/bash
# reboot.sh VMM86 IMAGE — a guest reboot restarts the machine (the guest sees a second
# boot with its RAM kept), and --no-reboot ends the run with status 0 instead.
set -u
out=$(timeout 20 "$1" run --bios "$2" --debugcon stdio --serial none 2>/dev/null)
status=$?
if [ "$status" -ne 1 ] || [ "$out" != "12" ]; then
    echo "FAIL: reboot: status $status, output '$out' (want 1 and '12')"
    exit 1
fi
out=$(timeout 20 "$1" run --bios "$2" --debugcon stdio --serial none --no-reboot 2>/dev/null)
status=$?
if [ "$status" -ne 0 ] || [ "$out" != "1" ]; then
    echo "FAIL: --no-reboot: status $status, output '$out' (want 0 and '1')"
    exit 1
fi
echo "reboot: ok"
