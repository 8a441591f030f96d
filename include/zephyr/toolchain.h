/*
 * zephyr/toolchain.h - Zephyr's compiler abstraction for GCC/Clang on
 * Linux: attribute shorthands, BUILD_ASSERT, branch hints, barriers.
 *
 * Differences from Zephyr (GCC toolchain/gcc.h + toolchain/common.h):
 *   - __noinit is a plain attribute (no .noinit section: a program's
 *     statics are zeroed at start as any C program's); __ramfunc and
 *     __syscall are empty.
 *   - BUILD_ASSERT(cond[, msg]) is C11 _Static_assert, usable at file scope,
 *     in functions and in structures, as on Zephyr; the message must be a
 *     string literal.
 *   - Each shorthand is defined only if the C library has not defined it
 *     already (glibc's <sys/cdefs.h> has __always_inline, __attribute_const__).
 */
#ifndef ZEPHYR_INCLUDE_TOOLCHAIN_H_
#define ZEPHYR_INCLUDE_TOOLCHAIN_H_

/* First, so that the C library's own shorthands (glibc <sys/cdefs.h>) are
 * seen before the #ifndef checks below. */
#include <stdint.h>

#define TOOLCHAIN_GCC_VERSION ((__GNUC__ * 10000) + (__GNUC_MINOR__ * 100) + __GNUC_PATCHLEVEL__)

/* ---- stringification and token pasting (toolchain/common.h) ------------ */
#ifndef STRINGIFY
#define Z_STRINGIFY(x) #x
#define STRINGIFY(s) Z_STRINGIFY(s)
#endif
#ifndef _DO_CONCAT
#define _DO_CONCAT(x, y) x##y
#define _CONCAT(x, y) _DO_CONCAT(x, y)
#endif

/* ---- compile-time checks ------------------------------------------------ */
/* BUILD_ASSERT(cond) or BUILD_ASSERT(cond, "message"). */
#define EMU_BUILD_ASSERT_(cond, msg, ...) _Static_assert(cond, msg)
#define BUILD_ASSERT(...) EMU_BUILD_ASSERT_(__VA_ARGS__, #__VA_ARGS__, ~)

/* ---- attributes ---------------------------------------------------------- */
#ifndef __aligned
#define __aligned(x) __attribute__((__aligned__(x)))
#endif
#ifndef __packed
#define __packed __attribute__((__packed__))
#endif
#ifndef __may_alias
#define __may_alias __attribute__((__may_alias__))
#endif
#ifndef __unused
#define __unused __attribute__((__unused__))
#endif
#ifndef __maybe_unused
#define __maybe_unused __attribute__((__unused__))
#endif
#ifndef __used
#define __used __attribute__((__used__))
#endif
#ifndef __weak
#define __weak __attribute__((__weak__))
#endif
#ifndef __deprecated
#define __deprecated __attribute__((__deprecated__))
#endif
#ifndef __printf_like
#define __printf_like(f, a) __attribute__((__format__(__printf__, f, a)))
#endif
#ifndef __noreturn
#define __noreturn __attribute__((__noreturn__))
#endif
#ifndef FUNC_NORETURN
#define FUNC_NORETURN __attribute__((__noreturn__))
#endif
#ifndef __pure
#define __pure __attribute__((__pure__))
#endif
#ifndef __attribute_const__
#define __attribute_const__ __attribute__((__const__))
#endif
#ifndef __attribute_nonnull
#define __attribute_nonnull(...) __attribute__((__nonnull__(__VA_ARGS__)))
#endif
#ifndef __section
#define __section(x) __attribute__((__section__(x)))
#endif
#ifndef __in_section_unique
#define __in_section_unique(seg) __attribute__((__section__("." STRINGIFY(seg))))
#endif
/* A plain attribute here: a Linux program has no .noinit section. */
#ifndef __noinit
#define __noinit __attribute__((__used__))
#endif
#ifndef __ramfunc
#define __ramfunc
#endif
#ifndef __syscall
#define __syscall
#endif
#ifndef __noasan
#define __noasan __attribute__((__no_sanitize_address__))
#endif
#ifndef __no_optimization
#define __no_optimization __attribute__((__optimize__("-O0")))
#endif
#if defined(__clang__)
#ifndef __fallthrough
#define __fallthrough __attribute__((__fallthrough__))
#endif
#elif defined(__GNUC__) && __GNUC__ >= 7
#ifndef __fallthrough
#define __fallthrough __attribute__((__fallthrough__))
#endif
#else
#ifndef __fallthrough
#define __fallthrough
#endif
#endif
#ifndef ALWAYS_INLINE
#define ALWAYS_INLINE inline __attribute__((__always_inline__))
#endif
#ifndef FUNC_ALIAS
#define FUNC_ALIAS(real_func, new_alias, return_type)                                         \
	return_type new_alias() __attribute__((__alias__(#real_func)))
#endif

/* Expands to a diagnostic where a deprecated macro is used. */
#ifndef __DEPRECATED_MACRO
#define __DEPRECATED_MACRO _Pragma("GCC warning \"Macro is deprecated\"")
#endif

/* ---- hints and barriers -------------------------------------------------- */
#ifndef likely
#define likely(x) (__builtin_expect((long)!!(x), 1L) != 0L)
#endif
#ifndef unlikely
#define unlikely(x) (__builtin_expect((long)!!(x), 0L) != 0L)
#endif
#ifndef CODE_UNREACHABLE
#define CODE_UNREACHABLE __builtin_unreachable()
#endif
/* A compiler-only barrier: no instruction, no reordering across it. */
#ifndef compiler_barrier
#define compiler_barrier() __asm__ __volatile__("" ::: "memory")
#endif
#ifndef POPCOUNT
#define POPCOUNT(x) __builtin_popcount(x)
#endif

/* ---- alignment checks (toolchain/common.h) ------------------------------- */
#ifndef IS_PTR_ALIGNED_BYTES
#define IS_PTR_ALIGNED_BYTES(ptr, bytes) ((((uintptr_t)(ptr)) % (bytes)) == 0)
#endif
#ifndef IS_PTR_ALIGNED
#define IS_PTR_ALIGNED(ptr, type) IS_PTR_ALIGNED_BYTES(ptr, _Alignof(type))
#endif

#endif /* ZEPHYR_INCLUDE_TOOLCHAIN_H_ */
