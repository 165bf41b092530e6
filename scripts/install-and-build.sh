#!/bin/bash
# Installs the Debian packages vmm86 needs and builds it into build/ (RelWithDebInfo,
# two parallel jobs). Used by the README's first command and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake g++ make nasm libasmjit-dev libzydis-dev libzycore-dev libboost-program-options-dev
          libgtest-dev libbenchmark-dev nlohmann-json3-dev zlib1g-dev libmpfr-dev cpio)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2
