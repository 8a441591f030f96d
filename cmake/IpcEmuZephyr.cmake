# IpcEmuZephyr.cmake - build Zephyr application code for one emulated core.
#
#   ipc_emu_zephyr_program(TARGET name SOURCES a.c ... CORE host|remote
#                          [DTS a.dts [b.dts]] [KCONFIG prj.conf ...]
#                          [CONFIG CONFIG_X=VAL ...] [ZEPHYR_MAIN])
#
# adds the executable `name`, generates at build time (`ipc-emu zephyr-config`)
# <binary dir>/name_zephyr/zephyr/devicetree_generated.h and .../autoconf.h
# for that core from the run's devicetree (the built-in board without DTS;
# one DTS: the host's, the remote sees its mirror image; two: host's and
# remote's, as `ipc-emu run --dts A,B`), compiles the sources with them
# (-I<dir> -imacros <dir>/zephyr/autoconf.h) and links ipc-emu (and, with
# ZEPHYR_MAIN, a main() for applications that only have K_THREAD_DEFINE
# threads).  The headers are rewritten only when their content changes, so
# editing a DTS or prj.conf recompiles only when it changes something.
#
#   ipc_emu_zephyr_configure(TARGET name CORE ... [DTS ...] [KCONFIG ...] [CONFIG ...])
#
# does the same for a target that already exists.
#
# From an installed package (find_package(ipc_emu)) the functions use
# ipc_emu::ipc_emu, ipc_emu::zephyr_main and IPC_EMU_EXECUTABLE; in the
# ipc-emu tree, the targets ipc_emu, ipc_emu_zephyr_main and ipc-emu.
include_guard(GLOBAL)

if(NOT DEFINED IPC_EMU_ZEPHYR_CLI)
  if(TARGET ipc-emu)
    set(IPC_EMU_ZEPHYR_CLI ipc-emu)
  else()
    set(IPC_EMU_ZEPHYR_CLI "${IPC_EMU_EXECUTABLE}")
  endif()
endif()
if(NOT DEFINED IPC_EMU_ZEPHYR_LIB)
  if(TARGET ipc_emu::ipc_emu)
    set(IPC_EMU_ZEPHYR_LIB ipc_emu::ipc_emu)
    set(IPC_EMU_ZEPHYR_MAIN_LIB ipc_emu::zephyr_main)
  else()
    set(IPC_EMU_ZEPHYR_LIB ipc_emu)
    set(IPC_EMU_ZEPHYR_MAIN_LIB ipc_emu_zephyr_main)
  endif()
endif()

function(ipc_emu_zephyr_configure)
  cmake_parse_arguments(Z "" "TARGET;CORE" "DTS;KCONFIG;CONFIG" ${ARGN})
  if(NOT Z_TARGET OR NOT TARGET ${Z_TARGET})
    message(FATAL_ERROR "ipc_emu_zephyr_configure: TARGET '${Z_TARGET}' is not a target")
  endif()
  if(NOT Z_CORE MATCHES "^(host|remote)$")
    message(FATAL_ERROR "ipc_emu_zephyr_configure(${Z_TARGET}): CORE must be host or remote")
  endif()
  list(LENGTH Z_DTS n_dts)
  if(n_dts GREATER 2)
    message(FATAL_ERROR "ipc_emu_zephyr_configure(${Z_TARGET}): DTS takes one or two files")
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${Z_TARGET}_zephyr")
  set(args zephyr-config --core ${Z_CORE} --out "${out}")
  set(deps "")
  if(n_dts GREATER 0)
    set(abs "")
    foreach(f ${Z_DTS})
      get_filename_component(f "${f}" ABSOLUTE)
      list(APPEND abs "${f}")
      list(APPEND deps "${f}")
    endforeach()
    list(JOIN abs "," dts_arg)
    list(APPEND args --dts "${dts_arg}")
  endif()
  foreach(f ${Z_KCONFIG})
    get_filename_component(f "${f}" ABSOLUTE)
    list(APPEND args --kconfig "${f}")
    list(APPEND deps "${f}")
  endforeach()
  list(APPEND args ${Z_CONFIG})
  if(TARGET ${IPC_EMU_ZEPHYR_CLI})
    set(cli "$<TARGET_FILE:${IPC_EMU_ZEPHYR_CLI}>")
    list(APPEND deps ${IPC_EMU_ZEPHYR_CLI})
  else()
    set(cli "${IPC_EMU_ZEPHYR_CLI}")
    list(APPEND deps "${IPC_EMU_ZEPHYR_CLI}")
  endif()
  # The stamp is the rule's output; the headers are byproducts that keep
  # their timestamp when their content does not change.
  add_custom_command(
    OUTPUT "${out}/zephyr-config.stamp"
    BYPRODUCTS "${out}/zephyr/devicetree_generated.h" "${out}/zephyr/autoconf.h"
    COMMAND ${cli} ${args}
    COMMAND ${CMAKE_COMMAND} -E touch "${out}/zephyr-config.stamp"
    DEPENDS ${deps}
    COMMENT "ipc-emu zephyr-config for ${Z_TARGET} (${Z_CORE})"
    VERBATIM)
  add_custom_target(${Z_TARGET}_zephyr_config DEPENDS "${out}/zephyr-config.stamp")
  add_dependencies(${Z_TARGET} ${Z_TARGET}_zephyr_config)
  target_include_directories(${Z_TARGET} BEFORE PRIVATE "${out}")
  target_compile_options(${Z_TARGET} PRIVATE "SHELL:-imacros \"${out}/zephyr/autoconf.h\""
    # A Zephyr API the compat headers lack fails to compile, named (GCC 12
    # only warns about an implicit declaration, and the link fails later).
    -Werror=implicit-function-declaration)
endfunction()

function(ipc_emu_zephyr_program)
  cmake_parse_arguments(Z "ZEPHYR_MAIN" "TARGET;CORE" "SOURCES;DTS;KCONFIG;CONFIG" ${ARGN})
  if(NOT Z_TARGET OR NOT Z_SOURCES)
    message(FATAL_ERROR "ipc_emu_zephyr_program: TARGET and SOURCES are required")
  endif()
  add_executable(${Z_TARGET} ${Z_SOURCES})
  ipc_emu_zephyr_configure(TARGET ${Z_TARGET} CORE "${Z_CORE}" DTS ${Z_DTS}
    KCONFIG ${Z_KCONFIG} CONFIG ${Z_CONFIG})
  # main() first: a static archive is searched only for what is undefined so far.
  if(Z_ZEPHYR_MAIN)
    target_link_libraries(${Z_TARGET} PRIVATE ${IPC_EMU_ZEPHYR_MAIN_LIB})
  endif()
  target_link_libraries(${Z_TARGET} PRIVATE ${IPC_EMU_ZEPHYR_LIB})
endfunction()
