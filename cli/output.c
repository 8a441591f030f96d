/*
 * output.c - the one-line diagnostics of the command line tool.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "output.h"

void cli_err(const char *fmt, ...)
{
	/* One line, one write(): both peers share the supervisor's stderr, and
	 * an unbuffered stream would interleave their pieces mid-line. */
	char line[1024];
	int n = snprintf(line, sizeof(line), "ipc-emu: ");
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2) {
		n = (int)sizeof(line) - 2;
	}
	line[n++] = '\n';
	fflush(stderr);
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
