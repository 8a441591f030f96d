/*
 * user_results.h - user programs (`ipc-emu run --host P --remote Q`): what
 * the supervisor (run.c) learns from them for the report (report.c).
 */
#ifndef IPC_EMU_CLI_USER_RESULTS_H
#define IPC_EMU_CLI_USER_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

enum scn_ztest_result { SCN_ZTEST_PASS = 0, SCN_ZTEST_FAIL = 1, SCN_ZTEST_SKIP = 2 };

/* One test result line (" PASS - t in 0.001 seconds") of a program. */
struct scn_ztest_case {
	int role;              /* enum emu_role */
	unsigned boot;         /* the program's incarnation (IPC_EMU_BOOT) */
	char suite[128];       /* from the last "Running TESTSUITE s" */
	char test[128];
	int result;            /* enum scn_ztest_result */
	double duration_s;
	char message[256];     /* first "... failed at ..." line of the test, or why */
	char detail[1024];     /* the program's lines between START and the result */
};

struct scn_user_results {
	unsigned boots[2];     /* incarnations started, per role */
	unsigned reboots[2];   /* sys_reboot() calls honoured, per role */
	const struct scn_ztest_case *cases;
	size_t n_cases;
	bool ztest_seen[2];    /* the role printed ztest lines */
	bool ztest_finished[2];/* its last incarnation printed "PROJECT EXECUTION" */
	bool project_failed[2];/* ... "PROJECT EXECUTION FAILED" */
};

/* report.c: the user-program results of the run being reported (NULL:
 * none); read by cli_report_eval/print/json. */
void cli_report_set_user(const struct scn_user_results *u);
/* report.c: JUnit XML of the ztest results set above; 0 or -errno. */
int cli_report_junit(const char *path);

#endif /* IPC_EMU_CLI_USER_RESULTS_H */
