#!/usr/bin/env bash
# Install the Debian packages ipc-emu needs to build and test (Debian 12).
# Skips the download when everything is already installed.
#
# The 32-bit runtime (libipc_emu built with -m32, for Zephyr-stack programs
# built for the 32-bit target's layout: docs/zephyr-sources.md) needs the
# multilib compiler and the i386 libfdt runtime, so the i386 architecture is
# added to dpkg first (apt-get update then runs, also on a fresh machine).
# Only libfdt1:i386, never libfdt-dev:i386: the -dev package is not
# Multi-Arch "same", and installing it removes libfdt-dev (amd64).  The
# 32-bit build links /usr/lib/i386-linux-gnu/libfdt.so.1 by path and uses
# the (architecture-independent) headers of libfdt-dev.
set -euo pipefail

PKGS=(build-essential cmake pkg-config libcriterion-dev libfdt-dev device-tree-compiler
      valgrind python3-pytest python3-pytest-timeout python3-pytest-xdist
      python3-pip python3-setuptools python3-wheel
      gcc-arm-none-eabi libnewlib-arm-none-eabi clang-14 libclang-rt-14-dev
      gcc-multilib libfdt1:i386)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

update=0
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  echo "install-deps: adding the i386 architecture (32-bit runtime)"
  $SUDO dpkg --add-architecture i386
  update=1
fi

# A kernel without IA-32 emulation (ia32_emulation=off, as on some VMs)
# cannot exec the 32-bit programs: `ipc-emu run` then starts them under
# qemu-i386 (user mode), from qemu-user.  Probed with the i386 loader.
if [ -x /lib/ld-linux.so.2 ] && ! /lib/ld-linux.so.2 --version >/dev/null 2>&1; then
  PKGS+=(qemu-user)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
# A mirror in mid-sync can fail one index (seen for bookworm-security i386):
# the install below still fails clearly if a package is really unavailable.
$SUDO apt-get update -qq ||
  echo "install-deps: warning: apt-get update reported errors (above); installing anyway"
install() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends --no-remove "$@"; }
# The 32-bit runtime is optional: without it the build leaves it out and the
# tests of 32-bit Zephyr-stack programs are skipped, saying why.  So when the
# install with it fails (an i386 index in mid-sync, say), the rest is
# installed without it, with a warning.
if ! install "${missing[@]}"; then
  rest=()
  for p in "${missing[@]}"; do
    case "$p" in gcc-multilib|*:i386|qemu-user) ;; *) rest+=("$p") ;; esac
  done
  echo "install-deps: warning: the install failed; retrying without the 32-bit runtime's packages"
  install "${rest[@]}"
fi
# First install on such a kernel: libc6:i386 (the loader) came just now.
if [ -x /lib/ld-linux.so.2 ] && ! /lib/ld-linux.so.2 --version >/dev/null 2>&1 &&
   ! command -v qemu-i386 >/dev/null; then
  echo "install-deps: this kernel runs no 32-bit programs: installing qemu-user (qemu-i386)"
  install qemu-user ||
    echo "install-deps: warning: no qemu-user: 32-bit Zephyr-stack programs cannot run here"
fi
