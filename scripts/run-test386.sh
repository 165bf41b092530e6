#!/bin/bash
# run-test386.sh CHECKOUT — runs the third-party CPU test ROM test386.asm
# (https://github.com/barotto/test386.asm) from a user's checkout the way its README says
# to check an emulator with it:
#   1. build the ROM with nasm, as its makefile does (into a scratch directory, so the
#      checkout is left as it is);
#   2. run it in place of the BIOS, with the POST port and the parallel port its
#      src/configuration.asm chooses (default: POST 190h, LPT1 = 3BCh);
#   3. compare what it printed with the checkout's test386-EE-reference.txt, byte for
#      byte, and check that the last POST code is FFh (all tests passed).
# Prints a PASS/FAIL summary; the exit status is 0 only when both checks pass (1 when one
# fails, 2 for a usage or build problem).
#
# The reference output was made on an 80386, which sets some flags the SDM leaves
# undefined differently from current Intel CPUs; the run uses --undefined-flags i386.
# Environment: VMM86 (the binary; default build/vmm86 next to this script),
# TEST386_WORK (keep the ROM, listing, output and POST log there instead of a temporary
# directory), TEST386_TIMEOUT (seconds, default 600), TEST386_MAX_INSNS (default 2e9; a
# passing run takes about 1.2e8: a failing test that spins in ring 3 stops there).
set -u
here=$(cd "$(dirname "$0")" && pwd)
vmm86=${VMM86:-$here/../build/vmm86}

if [ $# -ne 1 ]; then
    echo "usage: $0 PATH_TO_TEST386_CHECKOUT" >&2
    exit 2
fi
checkout=$(cd "$1" 2>/dev/null && pwd) || { echo "run-test386: no such directory: $1" >&2; exit 2; }
for f in src/test386.asm src/configuration.asm test386-EE-reference.txt; do
    [ -f "$checkout/$f" ] || { echo "run-test386: $checkout has no $f (not a test386.asm checkout?)" >&2; exit 2; }
done
[ -x "$vmm86" ] || { echo "run-test386: no vmm86 binary at $vmm86 (build it, or set VMM86)" >&2; exit 2; }
command -v nasm >/dev/null || { echo "run-test386: nasm is needed to build the ROM" >&2; exit 2; }

# The ports come from the checkout's configuration (NAME equ VALUE lines).
config_value() {
    sed -n "s/^[[:space:]]*$1[[:space:]]\{1,\}equ[[:space:]]\{1,\}\([0-9A-Fa-fxXhH]\{1,\}\).*/\1/p" \
        "$checkout/src/configuration.asm" | head -n 1
}
post_port=$(config_value POST_PORT)
lpt=$(config_value LPT_PORT)
case "$lpt" in
1) lpt_port=0x3bc ;;
2) lpt_port=0x378 ;;
3) lpt_port=0x278 ;;
*) echo "run-test386: src/configuration.asm sets LPT_PORT to '${lpt}': the comparison needs output on LPT1-3" >&2
   exit 2 ;;
esac
case "$post_port" in
*[hH]) post_port=0x${post_port%[hH]} ;;
esac
[ -n "$post_port" ] || { echo "run-test386: no POST_PORT in src/configuration.asm" >&2; exit 2; }

if [ -n "${TEST386_WORK:-}" ]; then
    work=$TEST386_WORK
    mkdir -p "$work" || exit 2
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi

# Build exactly as the makefile does, only with the outputs outside the checkout.
echo "test386: building $checkout/src/test386.asm with $(nasm -v)"
if ! (cd "$checkout" && nasm -i./src/ -f bin src/test386.asm -l "$work/test386.lst" -o "$work/test386.bin") \
        >"$work/nasm.log" 2>&1; then
    grep -i "error" "$work/nasm.log" | head -n 5 >&2
    echo "FAIL: the ROM did not build (nasm log: $work/nasm.log)"
    exit 2
fi

echo "test386: running it as the BIOS (POST port $post_port, printer on $lpt_port)"
rm -f "$work/lpt.txt" "$work/post.txt"
timeout "${TEST386_TIMEOUT:-600}" "$vmm86" run --bios "$work/test386.bin" \
    --post-port "$post_port" --post-log "$work/post.txt" \
    --parallel "file:$work/lpt.txt" --parallel-port "$lpt_port" --undefined-flags i386 \
    --serial none --debugcon none --clock instructions --max-insns "${TEST386_MAX_INSNS:-2000000000}" \
    2>"$work/vmm86.log"
status=$?
[ -f "$work/lpt.txt" ] || : >"$work/lpt.txt"
[ -f "$work/post.txt" ] || : >"$work/post.txt"
sed 's/^/  /' "$work/vmm86.log"
[ "$status" -eq 124 ] && echo "  (stopped after ${TEST386_TIMEOUT:-600} s: the ROM did not finish)"

failed=0
codes=$(tr '\n' ' ' <"$work/post.txt")
last=$(tail -n 1 "$work/post.txt")
if [ "$last" = "FF" ]; then
    echo "PASS: final POST code FFh (all tests passed); POST codes: $codes"
else
    echo "FAIL: final POST code ${last:-none}h, expected FFh (see the POST code list in the test386.asm README); POST codes: $codes"
    failed=1
fi

ref="$checkout/test386-EE-reference.txt"
if cmp -s "$work/lpt.txt" "$ref"; then
    echo "PASS: the printed output equals test386-EE-reference.txt ($(wc -l <"$ref") lines, $(wc -c <"$ref") bytes)"
else
    differing=$(diff "$ref" "$work/lpt.txt" | grep -c '^<')
    echo "FAIL: the printed output ($(wc -c <"$work/lpt.txt") bytes) differs from test386-EE-reference.txt" \
        "($(wc -c <"$ref") bytes): $differing of its lines are not printed as they are there; the first:"
    diff "$ref" "$work/lpt.txt" | grep '^[<>]' | head -n 6 | sed 's/^</  reference:/; s/^>/  vmm86:    /'
    failed=1
fi

if [ "$failed" -eq 0 ]; then
    echo "test386: PASS"
    exit 0
fi
[ -n "${TEST386_WORK:-}" ] || echo "(set TEST386_WORK=DIR to keep the ROM, listing, output and logs)"
echo "test386: FAIL"
exit 1
