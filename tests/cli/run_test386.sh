#!/bin/bash
# run_test386.sh VMM86 SCRIPT — scripts/run-test386.sh on a stand-in checkout (our own
# tiny ROM with test386.asm's layout and configuration names: src/test386.asm,
# src/configuration.asm, test386-EE-reference.txt): PASS and status 0 when the printer
# output and the last POST code are right, FAIL and status 1 when either is not, status 2
# for a directory that is not a checkout.
set -u
vmm86=$1 script=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/co/src"
cat >"$dir/co/src/configuration.asm" <<'ASM'
POST_PORT equ 0x190
LPT_PORT equ 1
ASM
cat >"$dir/co/src/test386.asm" <<'ASM'
; Prints a line on the printer at 3BCh (data, then a STROBE pulse with SLCTIN set) and
; ends with POST code LAST at POST_PORT, then halts.
%include "configuration.asm"
%ifndef LAST
%define LAST 0xFF
%endif
bits 16
org 0
start:
    cli
    mov ax, cs
    mov ds, ax
    mov si, msg
.next:
    lodsb
    test al, al
    jz .done
    mov dx, 0x3BC
    out dx, al
    add dx, 2
    mov al, 0x0D
    out dx, al
    mov al, 0x0C
    out dx, al
    jmp .next
.done:
    mov dx, POST_PORT
    mov al, LAST
    out dx, al
    hlt
msg: db "stand-in output", 10, 0
    times 0xFFF0 - ($ - $$) db 0
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
ASM
printf 'stand-in output\n' >"$dir/co/test386-EE-reference.txt"
failures=0
expect() {  # expect NAME STATUS PATTERN
    local out status
    out=$(VMM86="$vmm86" "$script" "$dir/co" 2>&1)
    status=$?
    if [ "$status" -ne "$2" ] || ! grep -q -- "$3" <<<"$out"; then
        echo "FAIL $1: status $status, output:"; echo "$out"; failures=$((failures + 1))
    else
        echo "ok   $1"
    fi
}
expect "passing run" 0 "test386: PASS"
printf 'other output\n' >"$dir/co/test386-EE-reference.txt"
expect "output differs" 1 "FAIL: the printed output"
printf 'stand-in output\n' >"$dir/co/test386-EE-reference.txt"
sed -i 's/^%define LAST 0xFF/%define LAST 0x05/' "$dir/co/src/test386.asm"
expect "last POST code" 1 "FAIL: final POST code 05h"
rm "$dir/co/test386-EE-reference.txt"
expect "not a checkout" 2 "not a test386.asm checkout"
exit $((failures > 0))
