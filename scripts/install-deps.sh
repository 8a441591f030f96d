#!/usr/bin/env bash
# Install the Debian packages ipc-emu needs to build and test (Debian 12).
# Skips the download when everything is already installed.
set -euo pipefail

PKGS=(build-essential cmake pkg-config libcriterion-dev libfdt-dev device-tree-compiler
      valgrind python3-pytest python3-pytest-timeout python3-pytest-xdist
      gcc-arm-none-eabi libnewlib-arm-none-eabi clang-14 libclang-rt-14-dev)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
