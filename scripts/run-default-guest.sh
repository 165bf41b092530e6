#!/bin/bash
# Boots the default guest: Debian 12's i386 kernel with the busybox initramfs, to an
# interactive shell on the console (COM1 in this terminal; C-a x quits vmm86, and
# `poweroff -f` in the guest ends it with status 0). The guest material is fetched and
# cached by scripts/guest-material.sh on first use. Extra arguments go to `vmm86 run`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vmm86=${VMM86:-$here/../build/vmm86}
[ -x "$vmm86" ] || { echo "run-default-guest: build vmm86 first (scripts/install-and-build.sh)" >&2; exit 2; }
material=$("$here/guest-material.sh")
eval "$material"
exec "$vmm86" run --kernel "$VMM86_KERNEL" --initrd "$VMM86_INITRD" --append "console=ttyS0 quiet" "$@"
