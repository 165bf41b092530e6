#!/bin/bash
# regen.sh [--force] PROG.asm...
#
# Assembles each program, runs it on qemu-system-i386 and rewrites the "; |" lines of
# its "; expect-output:" header (and "; expect-exit:") with what QEMU printed.
# QEMU is a reference, not an authority: review every changed line against the SDM
# (git diff) before committing. A program whose block has "; s|"/"; q|" lines (known
# QEMU-vs-SDM differences) is refused, since those must be re-marked by hand; --force
# rewrites it anyway, as plain QEMU lines.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
force=0
if [ "${1:-}" = --force ]; then force=1; shift; fi
[ $# -ge 1 ] || { echo "usage: $0 [--force] PROG.asm..." >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for asm in "$@"; do
    if [ $force -eq 0 ] && grep -q '^; [sq]|' "$asm"; then
        echo "$asm: has s|/q| lines (QEMU differs from the SDM); edit by hand or --force" >&2
        exit 1
    fi
    grep -q '^; expect-output:$' "$asm" || { echo "$asm: no '; expect-output:' line" >&2; exit 1; }
    nasm -f bin -I"$here/lib/" -o "$tmp/prog.bin" "$asm"
    : > "$tmp/out"
    read -r -a extra <<< "$(sed -n 's/^; qemu-args: *//p' "$asm" | head -n 1)"
    set +e
    timeout 20 qemu-system-i386 -nodefaults -display none -no-reboot -bios "$tmp/prog.bin" \
        -debugcon "file:$tmp/out" -device isa-debug-exit,iobase=0xf4,iosize=1 "${extra[@]}"
    status=$?
    set -e
    awk -v status="$status" -v out="$tmp/out" '
        skipping && /^; [sq]?\|/ { next }
        skipping                 { skipping = 0 }
        /^; expect-exit: /       { print "; expect-exit: " status; next }
        $0 == "; expect-output:" {
            print
            while ((getline line < out) > 0) print "; |" line
            skipping = 1
            next
        }
        { print }' "$asm" > "$tmp/new"
    cat "$tmp/new" > "$asm"
    echo "$asm: exit $status, $(wc -l < "$tmp/out") lines"
done
