#!/bin/bash
# parallel.sh VMM86 IMAGE IMAGE_3BC — --parallel puts a printer on LPT1: the bytes the guest
# strobes (and only those: not its presence probe) reach the file; without it there is no
# port. IMAGE_3BC prints at 3BCh: it finds the port with --parallel-port 0x3bc only.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
timeout 20 "$1" run --bios "$2" --parallel "file:$dir/lpt.txt" --serial none --debugcon none
status=$?
if [ "$status" -ne 1 ] || [ "$(cat "$dir/lpt.txt")" != "printed on LPT1" ]; then
    echo "FAIL: status $status, printer got '$(cat "$dir/lpt.txt" 2>&1)'"
    exit 1
fi
out=$(timeout 20 "$1" run --bios "$2" --serial none --debugcon stdio)
if [ "$out" != "no LPT1" ]; then
    echo "FAIL: without --parallel the guest saw '$out'"
    exit 1
fi
rm -f "$dir/lpt.txt"
timeout 20 "$1" run --bios "$3" --parallel "file:$dir/lpt.txt" --parallel-port 0x3bc --serial none --debugcon none
status=$?
if [ "$status" -ne 1 ] || [ "$(cat "$dir/lpt.txt")" != "printed on LPT1" ]; then
    echo "FAIL: at 3BCh: status $status, printer got '$(cat "$dir/lpt.txt" 2>&1)'"
    exit 1
fi
out=$(timeout 20 "$1" run --bios "$3" --parallel "file:$dir/lpt.txt" --serial none --debugcon stdio)
if [ "$out" != "no LPT1" ]; then
    echo "FAIL: with the port at 378h the guest found one at 3BCh: '$out'"
    exit 1
fi
echo "parallel port: ok"
