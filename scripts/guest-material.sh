#!/bin/bash
# Fetches the material for booting Linux on vmm86 and builds the test initramfs:
#   - Debian 12's i386 "686" kernel (the package linux-image-686 points at), and
#   - busybox-static (i386),
# downloaded with apt-get through a private apt state directory (the system's apt
# configuration, lists and caches are not touched), checked against the archive's
# Packages data (size, SHA256, dpkg-deb --info), unpacked with dpkg -x; then an
# initramfs (cpio newc + gzip) from guests/initramfs/ (/init and /vmm86/ scripts).
#
# Everything lives in the cache directory, never in git:
#   ${VMM86_CACHE:-${XDG_CACHE_HOME:-~/.cache}/vmm86}/{vmlinuz,initramfs.cpio.gz,manifest}
# A second run reuses the downloaded packages when they still match the manifest (no
# network at all); --update refreshes the package lists and fetches newer versions.
#
# Output on stdout, for `eval "$(scripts/guest-material.sh)"`:
#   VMM86_KERNEL=<cache>/vmlinuz
#   VMM86_INITRD=<cache>/initramfs.cpio.gz
# Progress goes to stderr. Environment: VMM86_CACHE, VMM86_DEBIAN_MIRROR (default
# http://deb.debian.org/debian), VMM86_DEBIAN_SUITE (default bookworm).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${VMM86_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmm86}
mirror=${VMM86_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${VMM86_DEBIAN_SUITE:-bookworm}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
update=0

usage() { sed -n '2,20s/^# \{0,1\}//p' "$0"; }
for arg in "$@"; do
    case "$arg" in
        --update) update=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "guest-material: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

die() { echo "guest-material: $*" >&2; exit 1; }
say() { echo "guest-material: $*" >&2; }

for tool in apt-get apt-cache dpkg dpkg-deb sha256sum md5sum gzip cpio find sort flock; do
    command -v "$tool" >/dev/null || die "needs '$tool' (Debian: apt-get install ${tool/sha256sum/coreutils})"
done
[ -r "$keyring" ] || die "needs $keyring (apt-get install debian-archive-keyring)"

# One builder at a time: ctest starts the Linux tests of both engines together, and two
# runs rebuilding the same initramfs tree would trip over each other.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 || die "cannot lock $cache/.lock"

apt_dir=$cache/apt
debs=$cache/debs
mkdir -p "$apt_dir"/{lists/partial,cache/archives/partial,sources.list.d,preferences.d} "$debs"
touch "$apt_dir/status"
cat >"$apt_dir/sources.list" <<EOF
deb [arch=i386 signed-by=$keyring] $mirror $suite main
EOF

# Private apt: its own lists, caches and (empty) dpkg status, one source, i386 only.
# APT::Sandbox::User=root: the cache may be in a directory the _apt user cannot write.
apt_opts=(
    -o "APT::Architecture=i386" -o "APT::Architectures=i386"
    -o "Dir::State=$apt_dir" -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::State::status=$apt_dir/status" -o "Dir::Cache=$apt_dir/cache"
    -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
    -o "Dir::Etc::Preferences=$apt_dir/preferences" -o "Dir::Etc::PreferencesParts=$apt_dir/preferences.d"
    -o "APT::Sandbox::User=root" -o "Acquire::Languages=none" -o "Acquire::Retries=2"
)
apt_get() { apt-get -q "${apt_opts[@]}" "$@"; }
# The line of an apt log that says why: "Failed to fetch URL  reason", else the first error.
apt_reason() {
    { grep -E '^(E|W): Failed to fetch' "$1" || grep -E '^(E|Err|W):' "$1" || echo "see $1"; } |
        head -n1 | sed -E 's/^(E|W): //'
}
apt_cache() { apt-cache "${apt_opts[@]}" "$@"; }

# manifest lines: role package version size sha256 file
manifest=$cache/manifest

# True when every package the manifest names is in debs/ with its size and SHA256.
cached_debs_valid() {
    [ -s "$manifest" ] || return 1
    local role pkg version size sha file n=0
    while read -r role pkg version size sha file; do
        [ -f "$debs/$file" ] || return 1
        [ "$(stat -c %s "$debs/$file")" = "$size" ] || return 1
        [ "$(sha256sum <"$debs/$file" | cut -d' ' -f1)" = "$sha" ] || return 1
        n=$((n + 1))
    done <"$manifest"
    [ "$n" -eq 2 ]
}

field() {  # field PACKAGE NAME: one field of the candidate's Packages record
    apt_cache show --no-all-versions "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -n1
}

fetch() {  # fetch ROLE PACKAGE: download, check, and append to the new manifest
    local role=$1 pkg=$2 version size sha filename file
    version=$(field "$pkg" Version)
    size=$(field "$pkg" Size)
    sha=$(field "$pkg" SHA256)
    filename=$(field "$pkg" Filename)
    [ -n "$version" ] && [ -n "$size" ] && [ -n "$sha" ] && [ -n "$filename" ] ||
        die "package $pkg (i386) is not in $mirror $suite"
    # apt-get download names the file PACKAGE_VERSION_ARCH.deb with ':' as %3a.
    file=${pkg}_${version//:/%3a}_i386.deb
    if ! [ -f "$debs/$file" ] || [ "$(sha256sum <"$debs/$file" | cut -d' ' -f1)" != "$sha" ]; then
        say "downloading $pkg $version ($((size / 1024)) KiB)"
        rm -f "$debs/$file"
        (cd "$debs" && apt_get download "$pkg=$version" >"$apt_dir/download.log" 2>&1) ||
            die "cannot download $pkg from $mirror: $(apt_reason "$apt_dir/download.log")"
    fi
    [ -f "$debs/$file" ] || die "apt-get download of $pkg left no $file"
    [ "$(stat -c %s "$debs/$file")" = "$size" ] ||
        die "$file: $(stat -c %s "$debs/$file") bytes, the archive says $size"
    [ "$(sha256sum <"$debs/$file" | cut -d' ' -f1)" = "$sha" ] ||
        die "$file: SHA256 differs from the archive's Packages data"
    local info
    info=$(dpkg-deb --info "$debs/$file") || die "$file: not a Debian package (dpkg-deb --info failed)"
    grep -q "^ Package: $pkg\$" <<<"$info" || die "$file: does not hold package $pkg"
    grep -q "^ Architecture: i386\$" <<<"$info" || die "$file: not an i386 package"
    grep -q "^ Version: $version\$" <<<"$info" || die "$file: not version $version"
    echo "$role $pkg $version $size $sha $file" >>"$manifest.new"
}

if [ "$update" = 0 ] && cached_debs_valid; then
    say "using the cached packages ($(awk '{printf "%s %s; ", $2, $3}' "$manifest")--update to refresh)"
else
    say "updating the i386 package lists of $mirror $suite (private apt state in $apt_dir)"
    if ! apt_get update >"$apt_dir/update.log" 2>&1 || grep -qE '^(E|Err):' "$apt_dir/update.log"; then
        die "cannot reach the Debian archive at $mirror ($suite): $(apt_reason "$apt_dir/update.log")"
    fi
    # linux-image-686 is a metapackage that depends on the current linux-image-ABI-686.
    kernel_pkg=$(field linux-image-686 Depends | tr ',' '\n' | grep -oE 'linux-image-[0-9][^ ]*-686' | head -n1)
    [ -n "$kernel_pkg" ] || die "cannot tell which kernel linux-image-686 points at in $suite"
    rm -f "$manifest.new"
    fetch kernel "$kernel_pkg"
    fetch busybox busybox-static
    mv "$manifest.new" "$manifest"
fi

deb_of() { awk -v r="$1" '$1 == r { print $6 }' "$manifest"; }
version_of() { awk -v r="$1" '$1 == r { print $2 " " $3 }' "$manifest"; }

# Unpack both packages afresh unless the tree was unpacked from exactly these files.
root=$cache/unpacked
if ! cmp -s "$manifest" "$root/.manifest"; then
    rm -rf "$root"
    mkdir -p "$root/kernel" "$root/busybox"
    dpkg -x "$debs/$(deb_of kernel)" "$root/kernel" || die "dpkg -x of the kernel package failed"
    dpkg -x "$debs/$(deb_of busybox)" "$root/busybox" || die "dpkg -x of busybox-static failed"
    cp "$manifest" "$root/.manifest"
fi

vmlinuz=$(find "$root/kernel/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n1)
[ -n "$vmlinuz" ] || die "the kernel package holds no boot/vmlinuz-*"
[ "$(od -An -tx1 -j 0x202 -N4 "$vmlinuz" | tr -d ' \n')" = 48647253 ] ||
    die "$vmlinuz: no bzImage setup header (HdrS)"
busybox=$root/busybox/bin/busybox
[ -x "$busybox" ] || die "busybox-static holds no executable bin/busybox"
# ELF, 32-bit (class 1), x86 (e_machine 3): the guest is an i386 machine.
[ "$(od -An -tx1 -N5 "$busybox" | tr -d ' \n')" = 7f454c4601 ] &&
    [ "$(od -An -tx1 -j18 -N2 "$busybox" | tr -d ' \n')" = 0300 ] || die "$busybox is not a 32-bit x86 ELF"

cp "$vmlinuz" "$cache/vmlinuz.new" && mv "$cache/vmlinuz.new" "$cache/vmlinuz"
cp "$root/kernel/boot/config-"* "$cache/kernel-config" 2>/dev/null || true

# The initramfs tree: busybox and /bin/sh, /init, /vmm86/ scripts and their data.
src=$here/guests/initramfs
[ -f "$src/init" ] || die "missing $src/init"
stage=$cache/initramfs-root
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc,vmm86/data}
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$src/init" "$stage/init"
for f in "$src"/vmm86/*; do install -m 0644 "$f" "$stage/vmm86/$(basename "$f")"; done
seq 1 20000 >"$stage/vmm86/data/seq.txt"
md5sum <"$stage/vmm86/data/seq.txt" | cut -d' ' -f1 >"$stage/vmm86/data/seq.md5"
sha256sum <"$stage/vmm86/data/seq.txt" | cut -d' ' -f1 >"$stage/vmm86/data/seq.sha256"
echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
echo "root:x:0:" >"$stage/etc/group"
# The kernel's built-in initramfs already has /dev/console; this node covers a kernel
# without one (only root can make it, and /init copes without).
[ "$(id -u)" = 0 ] && mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true

# Reproducible archive: sorted names, owner root, one fixed time, no gzip timestamp.
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
    gzip -9n >"$cache/initramfs.cpio.gz.new"
gzip -t "$cache/initramfs.cpio.gz.new" || die "the new initramfs does not gunzip"
listing=$(gzip -dc "$cache/initramfs.cpio.gz.new" | cpio -it --quiet)
for f in init bin/busybox bin/sh vmm86/selftest; do
    grep -qx "$f" <<<"$listing" || die "the new initramfs lacks $f"
done
mv "$cache/initramfs.cpio.gz.new" "$cache/initramfs.cpio.gz"

say "kernel:    $(version_of kernel), $(stat -c %s "$cache/vmlinuz") bytes"
say "busybox:   $(version_of busybox), $(stat -c %s "$busybox") bytes"
say "initramfs: $(stat -c %s "$cache/initramfs.cpio.gz") bytes, sha256 $(sha256sum <"$cache/initramfs.cpio.gz" | cut -c1-16)..."
echo "VMM86_KERNEL=$cache/vmlinuz"
echo "VMM86_INITRD=$cache/initramfs.cpio.gz"
