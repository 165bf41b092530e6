#!/bin/bash
# boot_selftest.sh VMM86 — the whole-system test: Debian 12's i386 kernel boots on vmm86
# from the busybox initramfs, runs its selftest script (checksums of known data, shell and
# awk arithmetic, /proc/cpuinfo, the RTC's date) and powers off through ACPI. Asserts on
# the serial output and on vmm86's exit status 0.
# Exit 77 (ctest: skipped, with the reason printed) when the guest material cannot be
# fetched from Debian's archive.
set -u
vmm86=$1
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! material=$("$here/../../scripts/guest-material.sh" 2>"$log"); then
    echo "SKIPPED: no guest material ($(tail -n 1 "$log"))"
    exit 77
fi
eval "$material"

timeout 900 "$vmm86" run --kernel "$VMM86_KERNEL" --initrd "$VMM86_INITRD" \
    --append "console=ttyS0 vmm86.script=selftest" --serial stdio --debugcon none --stats \
    </dev/null >"$log" 2>&1
status=$?
fail=0
expect() {
    if ! grep -q -- "$1" "$log"; then
        echo "FAIL: the console never said '$1'"
        fail=1
    fi
}
expect "vmm86-guest: boot ok"
expect "vmm86-guest: check md5-file ok"
expect "vmm86-guest: check gzip-roundtrip ok"
expect "cpuinfo: vendor_id.*GenuineIntel"
expect "vmm86-guest: date: 20"
expect "vmm86-guest: selftest: 0 failed"
expect "reboot: Power down"
if [ "$status" -ne 0 ]; then
    echo "FAIL: vmm86 exited with status $status (want 0: the guest powered off)"
    fail=1
fi
grep -E "boot ok|selftest:|^stats:" "$log"
if [ "$fail" -ne 0 ]; then
    echo "--- last console lines:"
    tail -n 40 "$log"
    exit 1
fi
echo "linux boot selftest: ok"
