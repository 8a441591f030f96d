# IpcEmuM32.cmake - the 32-bit runtime: libipc_emu built a second time with
# -m32, into <build>/m32/ (docs/zephyr-sources.md, "Classic ICBMsg, built
# for 32 bits").
#
# `ipc-emu zephyr-build` links a Zephyr-stack program with it when it builds
# that program for the 32-bit target's layout (classic ICBMsg puts a size_t
# in shared memory and sizes its control area with sizeof(void *)).  It is
# the same source tree configured again with -m32 (an ExternalProject, built
# on every build of the parent; only the library target), so a clean clone
# needs nothing but `cmake --build`.  The control block, trace files and app
# areas it shares with the 64-bit supervisor and peers have one layout in
# both widths (the _Static_asserts of emu/ctl.h and emu/trace.h).
#
# IPC_EMU_M32: AUTO (default: built when `cc -m32` links a program with the
# i386 libfdt, which scripts/install-deps.sh installs, except in sanitizer
# and race-annotated builds), ON (required), OFF.
set(IPC_EMU_M32 AUTO CACHE STRING "Build the 32-bit runtime (libipc_emu -m32): AUTO, ON or OFF")
set_property(CACHE IPC_EMU_M32 PROPERTY STRINGS AUTO ON OFF)

set(IPC_EMU_M32_BUILT OFF)
# AUTO leaves it out of the sanitizer and race-annotated builds: their
# tests do not build Zephyr-stack programs.
set(m32_skip OFF)
if(IPC_EMU_M32 STREQUAL "AUTO" AND (IPC_EMU_SANITIZE OR IPC_EMU_TSAN OR
   CMAKE_C_FLAGS MATCHES "IPC_EMU_ANNOTATE_RACES"))
  set(m32_skip ON)
endif()
if(NOT IPC_EMU_M32 STREQUAL "OFF" AND NOT m32_skip AND CMAKE_SIZEOF_VOID_P EQUAL 8)
  set(probe_dir ${CMAKE_BINARY_DIR}/m32-probe)
  file(MAKE_DIRECTORY ${probe_dir})
  file(WRITE ${probe_dir}/probe.c
    "#include <libfdt.h>\nint main(void) { return sizeof(void *) == 4 && fdt_strerror(0) ? 0 : 1; }\n")
  # The i386 libfdt runtime (libfdt1:i386) by path: libfdt-dev:i386 cannot
  # be installed beside libfdt-dev (not Multi-Arch "same"), whose headers
  # serve both widths.
  execute_process(COMMAND ${CMAKE_C_COMPILER} -m32 -print-file-name=libfdt.so.1
    OUTPUT_VARIABLE IPC_EMU_M32_FDT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(
    COMMAND ${CMAKE_C_COMPILER} -m32 -I${FDT_INCLUDE_DIR} ${probe_dir}/probe.c
      -o ${probe_dir}/probe ${IPC_EMU_M32_FDT}
    RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_VARIABLE probe_err)
  if(probe_rc EQUAL 0)
    set(IPC_EMU_M32_BUILT ON)
  elseif(IPC_EMU_M32 STREQUAL "ON")
    message(FATAL_ERROR "IPC_EMU_M32=ON but `${CMAKE_C_COMPILER} -m32` cannot link a program "
      "with libfdt (run scripts/install-deps.sh: gcc-multilib, libfdt1:i386):\n${probe_err}")
  else()
    message(STATUS "ipc-emu: no 32-bit runtime (`cc -m32 ... -lfdt` fails: "
      "scripts/install-deps.sh installs gcc-multilib and libfdt1:i386)")
  endif()
endif()

if(IPC_EMU_M32_BUILT)
  include(ExternalProject)
  # Only the library; with make, through $(MAKE) so that it shares the
  # parent's job slots (`cmake --build -j N`).
  if(CMAKE_GENERATOR MATCHES "Make")
    set(m32_build "$(MAKE)" ipc_emu_shared)
  else()
    set(m32_build ${CMAKE_COMMAND} --build <BINARY_DIR> --target ipc_emu_shared)
  endif()
  ExternalProject_Add(ipc_emu_m32
    SOURCE_DIR ${CMAKE_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/m32
    CMAKE_ARGS -DCMAKE_C_FLAGS=-m32 -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
      -DIPC_EMU_M32=OFF -DIPC_EMU_TESTS=OFF -DIPC_EMU_EXAMPLES=OFF
      -DIPC_EMU_SANITIZE=OFF -DIPC_EMU_WERROR=${IPC_EMU_WERROR}
      -DFDT_LIBRARY=${IPC_EMU_M32_FDT} -DFDT_INCLUDE_DIR=${FDT_INCLUDE_DIR}
    BUILD_COMMAND ${m32_build}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    STEP_TARGETS build)
  # Installed beside the 64-bit library: <libdir>/ipc_emu/m32/.
  install(FILES ${CMAKE_BINARY_DIR}/m32/libipc_emu.so
    ${CMAKE_BINARY_DIR}/m32/libipc_emu.so.${PROJECT_VERSION_MAJOR}
    ${CMAKE_BINARY_DIR}/m32/libipc_emu.so.${PROJECT_VERSION}
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/ipc_emu/m32)
endif()
