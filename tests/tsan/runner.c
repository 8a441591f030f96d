/*
 * tests/tsan/runner.c - runs the ThreadSanitizer workloads (tests/tsan/
 * workloads.c, which includes tests/test_race.c) without Criterion, which
 * cannot start under TSan.  See criterion/criterion.h beside this file.
 *
 *   test_tsan [SUITE/NAME ...]   every test, or only those named
 *   test_tsan --list
 *
 * Prints one line per test ("ok race/pbuf_two_threads 1.2 s"); exits 0 when
 * every test passed, 1 on the first failed assertion, a failed expectation
 * or a test over its time limit (TSAN_TEST_TIMEOUT seconds, default 120),
 * 2 on a name that matches no test.  Whether TSan reported anything is
 * TSan's own exit code (TSAN_OPTIONS exitcode, 66 by default) and its log:
 * scripts/test.sh checks both.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

static struct tsan_test *first, **last = &first;
static const struct tsan_test *current;
static int expect_failures;
static volatile sig_atomic_t skipped;

void tsan_register(struct tsan_test *t)
{
	*last = t;
	last = &t->next;
}

static void vmessage(const char *what, const char *file, int line, const char *expr,
		     const char *fmt, va_list ap)
{
	fprintf(stderr, "%s %s/%s: %s:%d: %s:", what, current ? current->suite : "?",
		current ? current->name : "?", file, line, expr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void tsan_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("FAIL", file, line, expr, fmt, ap);
	va_end(ap);
	fflush(NULL);
	exit(1);
}

void tsan_expect_failed(const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("FAIL (expectation)", file, line, expr, fmt, ap);
	va_end(ap);
	expect_failures++;
}

void tsan_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("skip %s/%s:", current->suite, current->name);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	skipped = 1;
}

void tsan_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("  ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL: test over its time limit (TSAN_TEST_TIMEOUT)\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

static bool selected(const struct tsan_test *t, int argc, char **argv, bool *used)
{
	char full[256];

	if (argc <= 1) {
		return true;
	}
	snprintf(full, sizeof(full), "%s/%s", t->suite, t->name);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], full) == 0) {
			used[i] = true;
			return true;
		}
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *tmo = getenv("TSAN_TEST_TIMEOUT");
	unsigned limit = tmo != NULL ? (unsigned)strtoul(tmo, NULL, 10) : 120u;
	bool used[argc > 0 ? argc : 1];
	int failed = 0;

	memset(used, 0, sizeof(used));
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (const struct tsan_test *t = first; t != NULL; t = t->next) {
			printf("%s/%s\n", t->suite, t->name);
		}
		return 0;
	}
	signal(SIGALRM, on_alarm);
	for (const struct tsan_test *t = first; t != NULL; t = t->next) {
		struct timespec a, b;
		int before = expect_failures;

		if (!selected(t, argc, argv, used)) {
			continue;
		}
		current = t;
		skipped = 0;
		clock_gettime(CLOCK_MONOTONIC, &a);
		alarm(limit);
		t->fn();
		alarm(0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (expect_failures != before) {
			failed = 1;
		} else if (!skipped) {
			printf("ok %s/%s %.1f s\n", t->suite, t->name,
			       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
		}
	}
	for (int i = 1; i < argc; i++) {
		if (!used[i]) {
			fprintf(stderr, "test_tsan: no test named %s (see --list)\n", argv[i]);
			return 2;
		}
	}
	return failed;
}
