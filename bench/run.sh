#!/bin/bash
# bench/run.sh [BUILD_DIR]: runs each guest loop in bench/guest on each engine (the IR
# interpreter and the x64 JIT) and prints million guest instructions per second. vmm86 reports the instruction count and
# the time it spent running the guest (--stats), so start-up is not counted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
vmm86=$build/vmm86
[ -x "$vmm86" ] || { echo "bench/run.sh: build vmm86 first ($vmm86 not found)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "%-10s %-7s %14s %10s %10s\n" guest engine instructions seconds MIPS
for src in "$here"/guest/*.asm; do
    name=$(basename "$src" .asm)
    nasm -f bin -I"$here/guest/" -o "$tmp/$name.bin" "$src"
    for engine in interp jit; do
        stats=$("$vmm86" run --accel $engine --bios "$tmp/$name.bin" --debugcon none --stats 2>&1 >/dev/null |
                grep '^stats:' || true)
        insns=$(sed -n 's/.*instructions=\([0-9]*\).*/\1/p' <<<"$stats")
        secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$stats")
        mips=$(sed -n 's/.*mips=\([0-9.]*\).*/\1/p' <<<"$stats")
        printf "%-10s %-7s %14s %10s %10s\n" "$name" "$engine" "$insns" "$secs" "$mips"
    done
done
