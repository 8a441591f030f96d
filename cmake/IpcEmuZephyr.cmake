# IpcEmuZephyr.cmake - build Zephyr application code for one emulated core.
#
#   ipc_emu_zephyr_program(TARGET name SOURCES a.c ... CORE host|remote
#                          [DTS a.dts [b.dts]] [KCONFIG prj.conf ...]
#                          [CONFIG CONFIG_X=VAL ...] [ZEPHYR_MAIN]
#                          [ZEPHYR_BASE [dir]])
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
# With ZEPHYR_BASE dir the program runs on the IPC stack of that Zephyr tree
# instead of ipc-emu's core: at every build, `ipc-emu zephyr-build
# --zephyr-base dir --core ... --stack-link <binary dir>/name_zephyr/stack`
# builds the tree's ipc_service.c, pbuf.c, icmsg.c, ipc_icmsg.c (or finds
# them in its cache: $IPC_EMU_ZEPHYR_CACHE, else ~/.cache/ipc-emu/zephyr)
# with the devicetree and Kconfig of the program; the sources compile with
# that stack's include overlay and autoconf.h, and the program links
# libzephyr_ipc.a whole, non-PIE (the stack maps the shared memory at the
# devicetree's addresses).  ZEPHYR_BASE without a value takes the
# environment's ZEPHYR_BASE, else the CMake variable ZEPHYR_BASE (an error
# if neither is set); without the keyword the environment is not read.
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

# The program's DTS (one or two files, as `run --dts A[,B]`) and Kconfig
# fragments as arguments of zephyr-config and zephyr-build (--dts A,B
# --kconfig F ..., absolute paths) in <args_var>, the files in <deps_var>.
function(_ipc_emu_zephyr_input_args args_var deps_var who)
  cmake_parse_arguments(Z "" "" "DTS;KCONFIG" ${ARGN})
  list(LENGTH Z_DTS n_dts)
  if(n_dts GREATER 2)
    message(FATAL_ERROR "${who}: DTS takes one or two files")
  endif()
  set(args "")
  set(deps "")
  foreach(f ${Z_DTS})
    get_filename_component(f "${f}" ABSOLUTE)
    list(APPEND deps "${f}")
  endforeach()
  if(n_dts GREATER 0)
    list(JOIN deps "," dts_arg)
    list(APPEND args --dts "${dts_arg}")
  endif()
  foreach(f ${Z_KCONFIG})
    get_filename_component(f "${f}" ABSOLUTE)
    list(APPEND args --kconfig "${f}")
    list(APPEND deps "${f}")
  endforeach()
  set(${args_var} "${args}" PARENT_SCOPE)
  set(${deps_var} "${deps}" PARENT_SCOPE)
endfunction()

function(ipc_emu_zephyr_configure)
  cmake_parse_arguments(Z "" "TARGET;CORE" "DTS;KCONFIG;CONFIG" ${ARGN})
  if(NOT Z_TARGET OR NOT TARGET ${Z_TARGET})
    message(FATAL_ERROR "ipc_emu_zephyr_configure: TARGET '${Z_TARGET}' is not a target")
  endif()
  if(NOT Z_CORE MATCHES "^(host|remote)$")
    message(FATAL_ERROR "ipc_emu_zephyr_configure(${Z_TARGET}): CORE must be host or remote")
  endif()
  _ipc_emu_zephyr_input_args(inputs deps "ipc_emu_zephyr_configure(${Z_TARGET})"
    DTS ${Z_DTS} KCONFIG ${Z_KCONFIG})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${Z_TARGET}_zephyr")
  set(args zephyr-config --core ${Z_CORE} --out "${out}" ${inputs} ${Z_CONFIG})
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

# The ZEPHYR_BASE part of ipc_emu_zephyr_program(): the tree's stack.
function(_ipc_emu_zephyr_stack target core base)
  cmake_parse_arguments(Z "" "" "DTS;KCONFIG;CONFIG" ${ARGN})
  if(NOT core MATCHES "^(host|remote)$")
    message(FATAL_ERROR "ipc_emu_zephyr_program(${target}): CORE must be host or remote")
  endif()
  get_filename_component(base "${base}" ABSOLUTE)
  if(NOT EXISTS "${base}/include/zephyr/ipc/ipc_service.h")
    message(FATAL_ERROR "ipc_emu_zephyr_program(${target}): ZEPHYR_BASE ${base} is not a "
      "Zephyr tree (no include/zephyr/ipc/ipc_service.h)")
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_zephyr")
  set(stack "${out}/stack")
  # zephyr-build runs at every build and hashes the inputs itself: no deps.
  _ipc_emu_zephyr_input_args(inputs unused "ipc_emu_zephyr_program(${target})"
    DTS ${Z_DTS} KCONFIG ${Z_KCONFIG})
  set(args zephyr-build --zephyr-base "${base}" --core ${core} --stack-link "${stack}" --quiet
    ${inputs})
  if(Z_CONFIG)
    # CONFIG values become one more Kconfig fragment (zephyr-build keys its
    # cache on the files' contents).
    list(JOIN Z_CONFIG "\n" text)
    file(WRITE "${out}/config.conf" "${text}\n")
    list(APPEND args --kconfig "${out}/config.conf")
  endif()
  if(TARGET ${IPC_EMU_ZEPHYR_CLI})
    set(cli "$<TARGET_FILE:${IPC_EMU_ZEPHYR_CLI}>")
  else()
    set(cli "${IPC_EMU_ZEPHYR_CLI}")
  endif()
  # Runs at every build: zephyr-build hashes the tree and compiles nothing
  # when its cache has the stack.  A new stack moves the link, which makes
  # the headers and the archive behind it newer: the program is rebuilt.
  add_custom_target(${target}_zephyr_stack
    COMMAND ${cli} ${args}
    BYPRODUCTS "${stack}/libzephyr_ipc.a" "${stack}/cfg/zephyr/autoconf.h"
    COMMENT "ipc-emu zephyr-build for ${target} (${core}, ${base})"
    VERBATIM)
  if(TARGET ${IPC_EMU_ZEPHYR_CLI})
    add_dependencies(${target}_zephyr_stack ${IPC_EMU_ZEPHYR_CLI})
  endif()
  add_dependencies(${target} ${target}_zephyr_stack)
  target_include_directories(${target} BEFORE PRIVATE "${stack}/overlay" "${stack}/cfg")
  target_compile_options(${target} PRIVATE
    "SHELL:-imacros \"${stack}/cfg/zephyr/autoconf.h\""
    -fno-pie -Werror=implicit-function-declaration)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF
    LINK_DEPENDS "${stack}/libzephyr_ipc.a")
  target_link_options(${target} PRIVATE -no-pie)
  target_link_libraries(${target} PRIVATE
    -Wl,--whole-archive "${stack}/libzephyr_ipc.a" -Wl,--no-whole-archive)
endfunction()

function(ipc_emu_zephyr_program)
  cmake_parse_arguments(Z "ZEPHYR_MAIN" "TARGET;CORE;ZEPHYR_BASE" "SOURCES;DTS;KCONFIG;CONFIG"
    ${ARGN})
  if(NOT Z_TARGET OR NOT Z_SOURCES)
    message(FATAL_ERROR "ipc_emu_zephyr_program: TARGET and SOURCES are required")
  endif()
  set(base "")
  if(DEFINED Z_ZEPHYR_BASE)
    set(base "${Z_ZEPHYR_BASE}")
  elseif("ZEPHYR_BASE" IN_LIST Z_KEYWORDS_MISSING_VALUES)
    if(DEFINED ENV{ZEPHYR_BASE} AND NOT "$ENV{ZEPHYR_BASE}" STREQUAL "")
      set(base "$ENV{ZEPHYR_BASE}")
    elseif(DEFINED ZEPHYR_BASE AND NOT "${ZEPHYR_BASE}" STREQUAL "")
      set(base "${ZEPHYR_BASE}")
    else()
      message(FATAL_ERROR "ipc_emu_zephyr_program(${Z_TARGET}): ZEPHYR_BASE without a "
        "directory takes the environment's ZEPHYR_BASE (or the CMake variable), and "
        "neither is set")
    endif()
  endif()
  add_executable(${Z_TARGET} ${Z_SOURCES})
  if(base)
    _ipc_emu_zephyr_stack(${Z_TARGET} "${Z_CORE}" "${base}" DTS ${Z_DTS}
      KCONFIG ${Z_KCONFIG} CONFIG ${Z_CONFIG})
  else()
    ipc_emu_zephyr_configure(TARGET ${Z_TARGET} CORE "${Z_CORE}" DTS ${Z_DTS}
      KCONFIG ${Z_KCONFIG} CONFIG ${Z_CONFIG})
  endif()
  # main() first: a static archive is searched only for what is undefined so far.
  if(Z_ZEPHYR_MAIN)
    target_link_libraries(${Z_TARGET} PRIVATE ${IPC_EMU_ZEPHYR_MAIN_LIB})
  endif()
  set(lib ${IPC_EMU_ZEPHYR_LIB})
  if(base AND lib STREQUAL "ipc_emu" AND TARGET ipc_emu_shared)
    # In ipc-emu's tree: the tree's pbuf/icmsg/ipc_service interpose on the
    # shared library's (a static ipc_emu would define them twice).
    set(lib ipc_emu_shared)
  endif()
  target_link_libraries(${Z_TARGET} PRIVATE ${lib})
endfunction()
