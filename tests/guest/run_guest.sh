#!/bin/bash
# run_guest.sh VMM86 PROG.bin PROG.asm
#
# Runs one tier-2 guest program and checks it against the expectations written in the
# header of its source: the "; expect-exit: N" line and the "; |"-prefixed lines that
# follow "; expect-output:". Prints a unified diff (expected vs actual) on mismatch.
#
# VMM86_GUEST_EMULATOR=qemu runs the same check on qemu-system-i386 instead, to validate
# the expectations against a reference (VMM86 is then ignored). Where QEMU is known to
# disagree with the SDM, the expected lines are marked "; s|" (SDM, vmm86 only) and
# "; q|" (QEMU only), and "; expect-exit-qemu: N" may override the exit status;
# "; qemu-args: ..." passes extra options to QEMU only.
# VMM86_GUEST_QEMU=path overrides the QEMU binary, VMM86_GUEST_TIMEOUT the 60 s limit.
set -u

if [ $# -ne 3 ]; then
    echo "usage: $0 VMM86 PROG.bin PROG.asm" >&2
    exit 2
fi
vmm86=$1 bin=$2 asm=$3
emulator=${VMM86_GUEST_EMULATOR:-vmm86}
limit=${VMM86_GUEST_TIMEOUT:-60}

for f in "$bin" "$asm"; do
    [ -r "$f" ] || { echo "run_guest.sh: cannot read $f" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmm86-guest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# Prints the expected lines of the block that follows the line "; <key>:". A "; |" line
# is expected everywhere; "; s|" only on vmm86 (what the SDM defines, where QEMU is known
# to differ) and "; q|" only on QEMU (what QEMU prints instead).
expect_block() {
    awk -v key="; $1:" -v mine="; $2|" '
        started && /^; \|/              { print substr($0, 4); next }
        started && index($0, mine) == 1 { print substr($0, 5); next }
        started && /^; [sq]\|/          { next }
        started                         { exit }
        $0 == key                       { started = 1 }' "$asm"
}
expect_value() {
    sed -n "s/^; $1: *\([0-9][0-9]*\) *\$/\1/p" "$asm" | head -n 1
}

out_key=expect-output exit_key=expect-exit tag=s
if [ "$emulator" = qemu ]; then
    tag=q
    grep -q '^; expect-exit-qemu:' "$asm" && exit_key=expect-exit-qemu
fi
if ! grep -q "^; $out_key:\$" "$asm"; then
    echo "run_guest.sh: $asm has no '; $out_key:' header" >&2
    exit 2
fi
expect_block "$out_key" "$tag" > "$tmp/expected"
want_exit=$(expect_value "$exit_key")
if [ -z "$want_exit" ]; then
    echo "run_guest.sh: $asm has no '; $exit_key: N' header" >&2
    exit 2
fi

: > "$tmp/actual"
case "$emulator" in
vmm86)
    timeout "$limit" "$vmm86" run --bios "$bin" --debugcon "file:$tmp/actual" \
        --max-insns 50000000 --accel interp > "$tmp/log" 2>&1
    status=$?
    ;;
qemu)
    qemu=${VMM86_GUEST_QEMU:-qemu-system-i386}
    if ! command -v "$qemu" > /dev/null; then
        echo "run_guest.sh: $qemu not found; cannot run in QEMU mode (skipped)" >&2
        exit 77
    fi
    # "; qemu-args: ..." adds options for QEMU only (e.g. a CPU model without a quirk).
    read -r -a extra <<< "$(sed -n 's/^; qemu-args: *//p' "$asm" | head -n 1)"
    timeout "$limit" "$qemu" -nodefaults -display none -no-reboot -bios "$bin" \
        -debugcon "file:$tmp/actual" -device isa-debug-exit,iobase=0xf4,iosize=1 \
        "${extra[@]}" > "$tmp/log" 2>&1
    status=$?
    ;;
*)
    echo "run_guest.sh: VMM86_GUEST_EMULATOR must be vmm86 or qemu, not '$emulator'" >&2
    exit 2
    ;;
esac

ok=1
if [ "$status" -eq 124 ]; then
    echo "FAIL: $(basename "$asm") on $emulator: timed out after ${limit}s"
    ok=0
elif [ "$status" -ne "$want_exit" ]; then
    echo "FAIL: $(basename "$asm") on $emulator: exit status $status, expected $want_exit"
    ok=0
fi
if ! diff -u --label expected --label actual "$tmp/expected" "$tmp/actual" > "$tmp/diff"; then
    echo "FAIL: $(basename "$asm") on $emulator: debug-console output differs"
    cat "$tmp/diff"
    ok=0
fi
if [ "$ok" -ne 1 ]; then
    if [ -s "$tmp/log" ]; then
        echo "--- emulator's own output:"
        head -n 50 "$tmp/log"
    fi
    exit 1
fi
echo "PASS: $(basename "$asm") on $emulator ($(wc -l < "$tmp/actual") lines, exit $status)"
exit 0
