#!/bin/bash
# bad_input.sh VMM86 — every user error ends with one clear line on stderr and a non-zero
# status, quickly: no crash (status >= 128), no hang (each run is time-limited).
set -u
vmm86=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect_error NAME PATTERN -- ARGS...: status must be 1..127 (2 for usage errors), stderr
# exactly one line matching PATTERN.
expect_error() {
    local name=$1 pattern=$2
    shift 3
    timeout 10 "$vmm86" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local status=$?
    local lines
    lines=$(wc -l <"$tmp/err")
    if [ "$status" -eq 0 ] || [ "$status" -ge 124 ]; then
        echo "FAIL $name: status $status"; failures=$((failures + 1))
    elif [ "$lines" -ne 1 ] || ! grep -Eq -- "$pattern" "$tmp/err"; then
        echo "FAIL $name: stderr was:"; cat "$tmp/err"; failures=$((failures + 1))
    else
        echo "ok   $name: $(cat "$tmp/err")"
    fi
}

: >"$tmp/empty.bin"
head -c 1000 /dev/zero >"$tmp/short.bin"
head -c 300000 /dev/zero >"$tmp/huge.bin"
head -c 65536 /dev/zero >"$tmp/ok.bin"
printf '{"name": "x", "bytes": [144], "initial": {"regs": {"ax": 1}}, "final": {"regs": {}}}\n{"name": broken\n' >"$tmp/bad.jsonl"
printf 'not gzip at all' | gzip >"$tmp/bad.jsonl.gz"; head -c 10 "$tmp/bad.jsonl.gz" >"$tmp/trunc.jsonl.gz"

expect_error "no command"        "no command given" -- 
expect_error "unknown command"   "unknown command" -- frobnicate
expect_error "run without bios"  "give --bios" -- run
expect_error "missing bios"      "No such file" -- run --bios "$tmp/nope.bin"
expect_error "empty bios"        "is empty" -- run --bios "$tmp/empty.bin"
expect_error "short bios"        "expected 64, 128 or 256 KiB" -- run --bios "$tmp/short.bin"
expect_error "oversized bios"    "too large" -- run --bios "$tmp/huge.bin"
expect_error "directory bios"    "directory" -- run --bios "$tmp"
expect_error "unknown option"    "unrecognised option|unrecognized option" -- run --bios "$tmp/ok.bin" --frob
expect_error "bad memory size"   "-m takes" -- run --bios "$tmp/ok.bin" -m 0
expect_error "non-numeric -m"    "invalid|-m" -- run --bios "$tmp/ok.bin" -m lots
expect_error "bad debugcon"      "debugcon takes" -- run --bios "$tmp/ok.bin" --debugcon tty
expect_error "bad parallel"      "parallel takes" -- run --bios "$tmp/ok.bin" --parallel lp0
expect_error "unwritable lpt"    "cannot write" -- run --bios "$tmp/ok.bin" --parallel "file:$tmp/no/such/dir/lpt.txt"
expect_error "bad lpt base"      "parallel-port takes" -- run --bios "$tmp/ok.bin" --parallel none --parallel-port 0x300
expect_error "bad flags model"   "undefined-flags takes" -- run --bios "$tmp/ok.bin" --undefined-flags p4
expect_error "bad port"          "port number" -- run --bios "$tmp/ok.bin" --exit-port 70000
expect_error "bad accel"         "accel takes jit or interp" -- run --bios "$tmp/ok.bin" --accel warp
expect_error "kvm accel"         "kvm is not available" -- run --bios "$tmp/ok.bin" --accel kvm
expect_error "bad clock"         "--clock takes" -- run --bios "$tmp/ok.bin" --clock sundial
expect_error "vectors no file"   "no vector file" -- vectors
expect_error "vectors missing"   "cannot open|No such file" -- vectors "$tmp/nope.jsonl"
expect_error "vectors empty"     "no test vectors" -- vectors "$tmp/empty.bin"
expect_error "vectors bad json"  "bad JSON" -- vectors "$tmp/bad.jsonl"
expect_error "vectors bad gzip"  "vmm86 vectors:" -- vectors "$tmp/trunc.jsonl.gz"

# A zero-filled ROM runs "add [bx+si],al" forever: --max-insns must stop it with status 0.
timeout 20 "$vmm86" run --bios "$tmp/ok.bin" --max-insns 100000 >/dev/null 2>"$tmp/err"
status=$?
if [ "$status" -ne 0 ]; then echo "FAIL max-insns: status $status"; failures=$((failures + 1)); else echo "ok   max-insns"; fi

echo "$((22 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
