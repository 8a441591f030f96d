/*
 * main.c - `ipc-emu`: command dispatch, --help and --version.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "zephyr_build.h"

int main(int argc, char **argv)
{
	struct cli_opts o;
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int rc;

	if (cmd == NULL) {
		cli_help_main(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		cli_help_main(stdout);
		return EXIT_PASS;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("ipc-emu %s\n", IPC_EMU_VERSION);
		return EXIT_PASS;
	}
	if (strcmp(cmd, "help") == 0) {
		const char *what = argc > 2 ? argv[2] : NULL;

		if (what == NULL) {
			cli_help_main(stdout);
		} else if (strcmp(what, "run") == 0) {
			cli_help_run(stdout);
		} else if (strcmp(what, "peer") == 0) {
			cli_help_peer(stdout);
		} else if (strcmp(what, "check") == 0) {
			cli_help_check(stdout);
		} else if (strcmp(what, "clean") == 0) {
			cli_help_clean(stdout);
		} else if (strcmp(what, "stress") == 0) {
			cli_help_stress(stdout);
		} else if (strcmp(what, "bench") == 0) {
			cli_help_bench(stdout);
		} else if (strcmp(what, "inspect") == 0) {
			cli_help_inspect(stdout);
		} else if (strcmp(what, "zephyr-config") == 0) {
			cli_help_zephyr_config(stdout);
		} else if (strcmp(what, "zephyr-build") == 0) {
			cli_help_zephyr_build(stdout);
		} else {
			cli_err("help: unknown command '%s' (see 'ipc-emu --help')", what);
			return EXIT_USAGE;
		}
		return EXIT_PASS;
	}
	if (strcmp(cmd, "run") == 0 && cli_mc_wanted(argc, argv, 2)) {
		return cli_mc_run_main(argc, argv, 2); /* more than two cores */
	}
	if (strcmp(cmd, "core") == 0) {
		return cli_mc_core_main(argc, argv, 2); /* hidden: one core of such a run */
	}
	if (strcmp(cmd, "run") == 0 || strcmp(cmd, "peer") == 0) {
		enum cli_cmd c = cmd[0] == 'r' ? CLI_CMD_RUN : CLI_CMD_PEER;

		rc = cli_parse(c, argc, argv, 2, &o);
		if (rc < 0) {
			return EXIT_USAGE;
		}
		if (rc > 0) {
			return EXIT_PASS;
		}
		return c == CLI_CMD_RUN ? cli_run(&o) : cli_peer(&o);
	}
	if (strcmp(cmd, "check") == 0) {
		return cli_check_main(argc, argv, 2);
	}
	if (strcmp(cmd, "clean") == 0) {
		return cli_clean_main(argc, argv, 2);
	}
	if (strcmp(cmd, "stress") == 0) {
		return cli_stress_main(argc, argv, 2);
	}
	if (strcmp(cmd, "bench") == 0) {
		return cli_bench_main(argc, argv, 2);
	}
	if (strcmp(cmd, "inspect") == 0) {
		return cli_inspect_main(argc, argv, 2);
	}
	if (strcmp(cmd, "zephyr-config") == 0) {
		return cli_zephyr_config_main(argc, argv, 2);
	}
	if (strcmp(cmd, "zephyr-build") == 0) {
		return cli_zephyr_build_main(argc, argv, 2);
	}
	cli_err("unknown command '%s' (see 'ipc-emu --help')", cmd);
	return EXIT_USAGE;
}
