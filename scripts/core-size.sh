#!/usr/bin/env bash
# core-size.sh OUTDIR - cross-build the portable core (src/*.c) and the bare-metal
# port stub for a Cortex-M33 at -Os, freestanding, warnings as errors, with the
# stub's compile-time configuration (port/baremetal/port_config.h), then print
# text/data/bss per module and the totals (arm-none-eabi-size).
#
# Every source is compiled even after a failure, so one run names all broken
# files; the exit status is 1 if any compile failed, 2 on a usage/tool error.
set -u

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage

top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
cc=${ARM_CC:-arm-none-eabi-gcc}
size=${ARM_SIZE:-arm-none-eabi-size}
flags=(-mcpu=cortex-m33 -mthumb -Os -ffreestanding -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror
       -I"$top/include" -I"$top/src"
       -I"$top/port/baremetal" -DIPC_EMU_PORT_CONFIG='"port_config.h"')

for tool in "$cc" "$size"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$0: $tool not found" >&2; exit 2; }
done
mkdir -p "$out" || exit 2

shopt -s nullglob
core=("$top"/src/*.c)
stub="$top/port/baremetal/port_stub.c"
[ ${#core[@]} -gt 0 ] || { echo "$0: no sources in $top/src" >&2; exit 2; }

failed=0
core_objs=()
compile() { # source -> prints object path on success
  local obj="$out/$(basename "${1%.c}").o"
  if "$cc" "${flags[@]}" -c "$1" -o "$obj"; then
    printf '%s\n' "$obj"
  else
    echo "$0: compile failed: ${1#"$top"/}" >&2
    return 1
  fi
}
for src in "${core[@]}"; do
  obj=$(compile "$src") && core_objs+=("$obj") || failed=1
done
stub_obj=$(compile "$stub") || failed=1

# Sum one module table; the header line of arm-none-eabi-size is skipped.
report() { # title objs...
  local title=$1; shift
  [ $# -gt 0 ] || return 0
  "$size" "$@" | awk -v title="$title" '
    NR == 1 { next }
    { n = split($6, p, "/"); name = p[n]; sub(/\.o$/, "", name)
      printf "  %-22s %7d %7d %7d\n", name, $1, $2, $3; t += $1; d += $2; b += $3 }
    END { printf "  %-22s %7d %7d %7d\n", "total " title, t, d, b }'
}

printf '  %-22s %7s %7s %7s\n' module text data bss
report core "${core_objs[@]}"
[ -n "${stub_obj:-}" ] && report "port stub" "$stub_obj"
if [ ${#core_objs[@]} -gt 0 ] && [ -n "${stub_obj:-}" ]; then
  "$size" "${core_objs[@]}" "$stub_obj" | awk 'NR > 1 { t += $1; d += $2; b += $3 }
    END { printf "  %-22s %7d %7d %7d\n", "total core + stub", t, d, b }'
fi
# The footprint goals of issue 6 (text, bytes): printed, not enforced here.
if [ ${#core_objs[@]} -gt 0 ]; then
  "$size" "${core_objs[@]}" | awk '
    NR == 1 { next }
    { n = split($6, p, "/"); name = p[n]; sub(/\.o$/, "", name); text[name] = $1 }
    function goal(what, have, limit) {
      if (have == "") { printf "  goal %-17s %7s <= %5d  NOT measured (not built)\n", what, "-", limit; return }
      printf "  goal %-17s %7d <= %5d  %s\n", what, have, limit,
             have <= limit ? "met" : sprintf("NOT met (+%d)", have - limit)
    }
    END { goal("icmsg + pbuf", text["icmsg"] + text["pbuf"], 2048)
          goal("icbmsg", text["icbmsg"], 3072)
          goal("icbmsg_v2", text["icbmsg_v2"], 2048) }'
fi
# Link the core with the stub (newlib-nano for memcpy/strlen): an undefined
# symbol means the port stub no longer implements all of src/port.h.
if [ $failed -eq 0 ] && [ -n "${stub_obj:-}" ]; then
  if ! "$cc" -mcpu=cortex-m33 -mthumb --specs=nano.specs -nostartfiles -Wl,-e,ipc_service_send \
       "${core_objs[@]}" "$stub_obj" -o "$out/core.elf"; then
    echo "$0: link of the core with the bare-metal port stub failed" >&2
    failed=1
  fi
fi
exit $failed
