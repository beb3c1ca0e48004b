#!/usr/bin/env bash
# Prepares a Debian 12 machine to build, run and test utrace. Idempotent: a second run installs
# nothing, links nothing, mounts nothing, and prints nothing but errors.
#   - installs the Debian packages utrace builds and tests with;
#   - gives BCC kernel headers when the running kernel has none (links Debian's linux-headers-*-amd64);
#   - mounts tracefs at /sys/kernel/tracing when it is not mounted.
set -euo pipefail

packages=(
  build-essential cmake pkg-config bison flex
  libbpfcc-dev llvm-dev libclang-dev clang libclang-rt-14-dev
  libgtest-dev golang-go linux-headers-amd64 binutils python3
  libc6-dbg systemtap-sdt-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# BCC compiles against /lib/modules/$(uname -r)/build. Kernels without a headers package (a
# custom or cloud kernel) get Debian's generic amd64 headers, which match the BPF UAPI we use.
kver=$(uname -r)
moddir=/lib/modules/$kver
if [ ! -e "$moddir/build/include" ]; then
  amd64=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$amd64" ]; then
    echo "setup: no /usr/src/linux-headers-*-amd64 found after installing linux-headers-amd64" >&2
    exit 1
  fi
  common=${amd64%-amd64}-common
  mkdir -p "$moddir"
  ln -sfn "$amd64" "$moddir/build"
  [ -d "$common" ] && ln -sfn "$common" "$moddir/source"
  echo "setup: linked $moddir/build -> $amd64"
fi

if ! mountpoint -q /sys/kernel/tracing; then
  mount -t tracefs nodev /sys/kernel/tracing
  echo "setup: mounted tracefs at /sys/kernel/tracing"
fi
if [ -d /sys/kernel/debug ] && ! mountpoint -q /sys/kernel/debug; then
  mount -t debugfs nodev /sys/kernel/debug 2>/dev/null || true
fi
