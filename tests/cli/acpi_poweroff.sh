#!/bin/bash
# acpi_poweroff.sh VMM86 IMAGE — an ACPI S5 request ends vmm86 at once with status 0 (and, as on QEMU, no message).
set -u
out=$(timeout 20 "$1" run --bios "$2" --debugcon stdio --serial none 2>"${TMPDIR:-/tmp}/poweroff.err")
status=$?
err=$(cat "${TMPDIR:-/tmp}/poweroff.err")
if [ "$status" -ne 0 ] || [ "$out" != "p" ]; then
    echo "FAIL: status $status, output '$out', stderr '$err'"
    exit 1
fi
echo "ACPI power-off: ok"
