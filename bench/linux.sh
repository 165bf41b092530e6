#!/bin/bash
# bench/linux.sh [--runs N] [--no-qemu] [-m MiB] [--timeout SECONDS] [BUILD_DIR]
#
# Boots Debian 12's i386 kernel with the test initramfs on vmm86 (BUILD_DIR/vmm86, default
# build/) and runs guests/initramfs/vmm86/bench: 64 MiB of zeros through md5sum, a 200000-
# iteration shell loop, seq into a 16 MiB file, gzip of that file. When qemu-system-i386 is
# installed the same kernel, initrd, command line and RAM run on QEMU (TCG) too, and the
# table ends with the ratios vmm86/QEMU.
#
# Every time is measured twice: by the guest's clock (/proc/uptime, 10 ms resolution, as
# the bench script prints it) and on the host, by timestamping each console line as it
# arrives (a part's host time is from its "start" line to its result line). "boot" is from
# starting the emulator (host) or from the kernel's clock start (guest) to the initramfs
# marker "vmm86-guest: boot ok"; "total" is the host wall time of the whole run, power-off
# included. Each emulator runs N times (default 2: the machine may be busy); the ratio
# uses the fastest run of each. Results are checked (md5 of the zeros, md5 of the seq file
# after a gunzip round trip) and a wrong result or exit status fails the run.
# Console logs with host timestamps stay in $VMM86_BENCH_LOGS (default a temporary
# directory that is removed). Status: 0 when every run completed with the right results.
set -euo pipefail
export LC_ALL=C  # EPOCHREALTIME and printf use "." as the decimal point
here=$(cd "$(dirname "$0")/.." && pwd)

runs=2 qemu=auto mem=128 limit=1800 build=$here/build
usage() { sed -n '2,20s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift ;;
        --no-qemu) qemu=no ;;
        -m) mem=$2; shift ;;
        --timeout) limit=$2; shift ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "bench/linux.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
        *) build=$1 ;;
    esac
    shift
done
vmm86=$build/vmm86
[ -x "$vmm86" ] || { echo "bench/linux.sh: build vmm86 first ($vmm86 not found)" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench/linux.sh: --runs takes a positive number" >&2; exit 2; }
if [ "$qemu" = auto ]; then
    command -v qemu-system-i386 >/dev/null && qemu=yes || qemu=no
fi

eval "$("$here/scripts/guest-material.sh")"
append="console=ttyS0 vmm86.script=bench"
# The expected results, computed here with the host's tools.
want_dd=$(head -c 64M /dev/zero | md5sum | cut -d' ' -f1)
want_seq=$(seq 1 2236040 | md5sum | cut -d' ' -f1)

if [ -n "${VMM86_BENCH_LOGS:-}" ]; then
    logs=$VMM86_BENCH_LOGS
    mkdir -p "$logs"
else
    logs=$(mktemp -d)
    trap 'rm -rf "$logs"' EXIT
fi

emu_cmd() {  # emu_cmd vmm86|qemu: the command line, into the array cmd
    case "$1" in
        vmm86) cmd=("$vmm86" run --kernel "$VMM86_KERNEL" --initrd "$VMM86_INITRD"
                    --append "$append" -m "$mem" --serial stdio) ;;
        # -nographic would put the monitor on stdio too, which -serial stdio refuses:
        # -display none -monitor none is the same without it. -cpu pentium3: the 686
        # kernel needs CMOV; poweroff -f goes through QEMU's ACPI (PIIX4 PM) as on vmm86.
        qemu) cmd=(qemu-system-i386 -accel tcg -cpu pentium3 -m "$mem" -display none
                   -monitor none -serial stdio -no-reboot -kernel "$VMM86_KERNEL"
                   -initrd "$VMM86_INITRD" -append "$append") ;;
    esac
}

# stamp: each input line, without its CR, after the host time it arrived at (a tab
# between). Console output is unbuffered on both emulators, so arrival is when the guest
# wrote it (to within the pipe's latency).
stamp() {
    local line
    while IFS= read -r line; do
        line=${line%$'\r'}
        printf '%s\t%s\n' "$EPOCHREALTIME" "$line"
        case "$line" in *vmm86-bench:* | *vmm86-guest:*) echo "  ${line#*] }" >&2 ;; esac
    done
}

# measure LOG T0: "measure value" lines from one stamped console log.
measure() {
    awk -F'\t' -v t0="$2" -v want_dd="$want_dd" -v want_seq="$want_seq" '
        $2 ~ /^bench-exit: / { last = $1; code = substr($2, 13); next }
        { text = $2; at = index(text, "vmm86-"); if (at == 0) next; text = substr(text, at) }
        text ~ /^vmm86-guest: boot ok/ {
            print "boot.host", $1 - t0
            if (match(text, /[0-9.]+s after start/)) print "boot.guest", substr(text, RSTART, RLENGTH - 13) + 0
        }
        text ~ /^vmm86-bench: start / { split(text, w, " "); start[w[3]] = $1; next }
        text ~ /^vmm86-bench: (dd64|loop|seq16|gzip) / {
            split(text, w, " ")
            print w[2] ".guest", w[3]
            if (w[2] in start) print w[2] ".host", $1 - start[w[2]]
            if (w[2] == "dd64" && w[4] != "md5=" want_dd) print "error dd64 " w[4] " (want " want_dd ")"
            if (w[2] == "loop" && w[4] != "i=200000") print "error loop " w[4]
            if (w[2] == "seq16" && w[4] != "bytes=16777216") print "error seq16 " w[4]
        }
        text ~ /^vmm86-bench: done / { done = 1 }
        text ~ /^vmm86-bench: verify / {
            verified = 1
            if (text !~ ("seq-md5=" want_seq)) print "error verify " text " (want seq-md5=" want_seq ")"
        }
        text ~ /^vmm86-guest: script bench done, status / { status = text; sub(/.*status /, "", status) }
        END {
            if (last != "") print "total.host", last - t0
            if (!done || !verified) print "error the bench script did not finish"
            if (status != "0") print "error bench script status " (status == "" ? "missing" : status)
            if (code != "0") print "error emulator exit status " code
        }' "$1"
}

results=$logs/results
: >"$results"
emus=(vmm86)
[ "$qemu" = yes ] && emus+=(qemu)
failed=0
for n in $(seq 1 "$runs"); do
    for emu in "${emus[@]}"; do
        emu_cmd "$emu"
        log=$logs/$emu.$n.log
        echo "bench/linux.sh: $emu run $n (log $log)" >&2
        t0=$EPOCHREALTIME
        { timeout "$limit" "${cmd[@]}" </dev/null 2>&1 && rc=0 || rc=$?; echo "bench-exit: $rc"; } | stamp >"$log"
        measure "$log" "$t0" | sed "s/^/$emu $n /" >>"$results"
        if grep "^$emu $n error" "$results" | sed 's/^/bench\/linux.sh: /' >&2; then failed=1; fi
    done
done

# The table: one row a measure, one column a run, then the ratio of the fastest runs.
echo
awk -v runs="$runs" -v emus="${emus[*]}" '
    $3 == "error" { next }
    { v[$1, $2, $3] = $4 }
    END {
        ne = split(emus, e, " ")
        nm = split("boot.host boot.guest dd64.host dd64.guest loop.host loop.guest seq16.host seq16.guest gzip.host gzip.guest total.host", m, " ")
        printf "%-12s", "seconds"
        for (i = 1; i <= ne; i++) for (r = 1; r <= runs; r++) printf " %9s", e[i] "#" r
        if (ne == 2) printf " %12s", "vmm86/qemu"
        printf "\n"
        for (j = 1; j <= nm; j++) {
            label = m[j]; sub(/\./, " (", label); printf "%-12s", label ")"
            for (i = 1; i <= ne; i++) {
                best[i] = ""
                for (r = 1; r <= runs; r++) {
                    if ((e[i], r, m[j]) in v) {
                        x = v[e[i], r, m[j]]; printf " %9.2f", x
                        if (best[i] == "" || x < best[i]) best[i] = x
                    } else printf " %9s", "-"
                }
            }
            if (ne == 2) {
                if (best[1] != "" && best[2] != "" && best[2] > 0) printf " %12.1f", best[1] / best[2]
                else printf " %12s", "-"
            }
            printf "\n"
        }
    }' "$results"
echo "(host: console lines timestamped as they arrive; guest: /proc/uptime, 10 ms; ratio of the fastest runs)"
exit "$failed"
