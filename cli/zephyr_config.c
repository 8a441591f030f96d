/*
 * zephyr_config.c - `ipc-emu zephyr-config`: the build-time half of a Zephyr
 * application, for one core.
 *
 *   ipc-emu zephyr-config --core host|remote --out DIR [--dts A.dts[,B.dts]]
 *                         [--kconfig prj.conf]... [CONFIG_X=VAL]... [--cflags]
 *
 * writes DIR/zephyr/devicetree_generated.h (the devicetree of that core as
 * Zephyr-style tokens, read by <zephyr/devicetree.h>) and DIR/zephyr/autoconf.h
 * (the Kconfig symbols), each only when its content changed, and with
 * --cflags prints `-IDIR -imacros DIR/zephyr/autoconf.h -I<compat headers>
 * -Werror=implicit-function-declaration`.
 *
 * The devicetree is the one `ipc-emu run` gives that core: the built-in
 * board's text of the role without --dts; with one DTS for a pair, the host
 * uses it and the remote its mirror image (emu_dt_mirror: tx/rx regions and
 * block counts of the ICMsg/ICBMsg instances swapped, "tx"/"rx" entries of
 * every `mbox-names` exchanged, IPM directions swapped), which is written
 * here as the same edits on the tree; with two, the core's own file.  The
 * file is also loaded as the runtime loads it, so a devicetree the run would
 * refuse is refused here, with the same message.
 *
 * Types.  A flattened tree has none, so dtc is run with `-O dts`, which keeps
 * the shape of each value ("strings", <cells>, [bytes]) but turns &label
 * references into phandle numbers; the generator then decides:
 *
 *   prop;                          boolean: 1
 *   "s"                            string (+ _STRING_TOKEN/_UPPER_TOKEN/_UNQUOTED)
 *   "a", "b"  and any single       string-array ({"a", "b"}, _IDX_n, _LEN)
 *   string of `compatible`/`*-names`
 *   <n>                            int
 *   <a b ...> or several <...>     array ({a, b}, _IDX_n, _LEN); `reg`, `ranges`,
 *                                  `interrupts` are arrays even with one cell
 *   [01 02], /bits/ 8              uint8-array
 *   /bits/ 64 <n>                  int (array when several)
 *   tx-region, rx-region,          phandle(s): node identifiers (_IDX_n_PH)
 *   memory-region, interrupt-parent
 *   mboxes, pwms, gpios, *-gpios   phandle-array: per entry _PH and _VAL_<cell>
 *                                  (#mbox-cells: channel; #pwm-cells: channel,
 *                                  period, flags; #gpio-cells: pin, flags;
 *                                  further cells cell<n>), named by the
 *                                  matching *-names (mbox-names, pwm-names)
 *   strings mixed with cells       refused (Zephyr has no such type)
 *
 * and `unbound` of zephyr,ipc-icmsg and `direction` of ipc-emu,ipm are enums
 * (their binding's values; _ENUM_IDX, defaults "disable" and "both" when
 * absent, as the bindings give).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

/* ------------------------------------------------------------------------
 * Errors: one line, exit status 2.
 */

static char g_err[1024];

static int zc_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int zc_fail(const char *fmt, ...)
{
	va_list ap;

	if (g_err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(g_err, sizeof(g_err), fmt, ap);
		va_end(ap);
		for (char *s = g_err; *s; s++) {
			if ((unsigned char)*s < 0x20) {
				*s = ' ';
			}
		}
	}
	return -1;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL) {
		fprintf(stderr, "ipc-emu: out of memory\n");
		exit(EXIT_USAGE);
	}
	return p;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (p == NULL) {
		fprintf(stderr, "ipc-emu: out of memory\n");
		exit(EXIT_USAGE);
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = xcalloc(n + 1, 1);

	memcpy(d, s, n);
	return d;
}

/* ------------------------------------------------------------------------
 * dtc -I dts -O dts
 */

/* Run dtc on `path` (or on `text` through its stdin); *out is its output. */
static int run_dtc_dts(const char *path, const char *text, const char *src, char **out)
{
	int op[2], ip[2] = {-1, -1};
	FILE *errf = tmpfile();
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int status = 0;
	pid_t pid;

	*out = NULL;
	if (errf == NULL || pipe(op) < 0 || (text != NULL && pipe(ip) < 0)) {
		if (errf != NULL) {
			fclose(errf);
		}
		return zc_fail("%s: cannot run dtc: %s", src, strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		fclose(errf);
		return zc_fail("%s: cannot run dtc: %s", src, strerror(errno));
	}
	if (pid == 0) {
		char *argv[] = {"dtc", "-q", "-I", "dts", "-O", "dts", "-o", "-", NULL, NULL};
		char dashed[PATH_MAX + 3];

		if (path != NULL && path[0] == '-') {
			snprintf(dashed, sizeof(dashed), "./%s", path);
			argv[8] = dashed;
		} else {
			argv[8] = path != NULL ? (char *)path : "-";
		}
		close(op[0]);
		if (text != NULL) {
			close(ip[1]);
			dup2(ip[0], STDIN_FILENO);
		} else {
			int nul = open("/dev/null", O_RDONLY);

			if (nul >= 0) {
				dup2(nul, STDIN_FILENO);
			}
		}
		dup2(op[1], STDOUT_FILENO);
		dup2(fileno(errf), STDERR_FILENO);
		execvp("dtc", argv);
		fprintf(stderr, "cannot run dtc: %s\n", strerror(errno));
		_exit(127);
	}
	close(op[1]);
	if (text != NULL) {
		/* The built-in board is far below a pipe's capacity, and dtc reads
		 * all of its input before writing anything. */
		size_t n = strlen(text), off = 0;

		close(ip[0]);
		while (off < n) {
			ssize_t w = write(ip[1], text + off, n - off);

			if (w < 0 && errno == EINTR) {
				continue;
			}
			if (w <= 0) {
				break;
			}
			off += (size_t)w;
		}
		close(ip[1]);
	}
	for (;;) {
		ssize_t r;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		r = read(op[0], buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		len += (size_t)r;
	}
	close(op[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char line[512] = "";

		rewind(errf);
		while (fgets(line, sizeof(line), errf) != NULL && line[strspn(line, " \t\r\n")] == 0) {
		}
		line[strcspn(line, "\r\n")] = '\0';
		fclose(errf);
		free(buf);
		return zc_fail("%s: dtc: %s", src, line[0] ? line : "failed");
	}
	fclose(errf);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* ------------------------------------------------------------------------
 * The tree, as dtc prints it
 */

enum vkind { V_STR, V_CELLS, V_BYTES };

struct val {
	enum vkind kind;
	char *str;       /* V_STR */
	size_t n;        /* cells or bytes */
	uint64_t *cells; /* V_CELLS (and V_BYTES, one byte each) */
	int bits;
};

struct prop {
	char *name;
	size_t nv;
	struct val *v;
};

struct node {
	char *name;     /* "mbox@2a000", "/" for the root */
	char *path;
	char *tok;      /* DT_N_S_soc_S_mbox_2a000 */
	char **labels;
	size_t nlabels;
	struct node *parent;
	struct node **kids;
	size_t nkids;
	struct prop *props;
	size_t nprops;
	unsigned ord;
	uint32_t phandle;
	bool okay;
	const char *dev_ref; /* a device of the runtime: its label, else NULL */
};

struct tree {
	const char *src;
	struct node *root;
	struct node **all; /* pre-order: the ordinal is the position */
	size_t nall;
};

struct lex {
	const char *s;
	const char *src;
};

static void skip_ws(struct lex *l)
{
	for (;;) {
		while (isspace((unsigned char)*l->s)) {
			l->s++;
		}
		if (l->s[0] == '/' && l->s[1] == '*') {
			const char *e = strstr(l->s + 2, "*/");

			l->s = e ? e + 2 : l->s + strlen(l->s);
		} else if (l->s[0] == '/' && l->s[1] == '/') {
			l->s += strcspn(l->s, "\n");
		} else {
			return;
		}
	}
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || strchr(",._+*#?@-", c) != NULL;
}

static int lex_fail(const struct lex *l, const char *what)
{
	return zc_fail("%s: cannot read dtc's output near \"%.20s\": %s", l->src, l->s, what);
}

static void prop_add_val(struct prop *p, struct val v)
{
	p->v = xrealloc(p->v, (p->nv + 1) * sizeof(*p->v));
	p->v[p->nv++] = v;
}

static int parse_string(struct lex *l, char **out)
{
	char *d = xcalloc(strlen(l->s) + 1, 1);
	size_t n = 0;

	l->s++; /* opening quote */
	while (*l->s && *l->s != '"') {
		char c = *l->s++;

		if (c == '\\') {
			char e = *l->s++;

			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'v': c = '\v'; break;
			case 'x': {
				char hex[3] = {0};

				for (int i = 0; i < 2 && isxdigit((unsigned char)*l->s); i++) {
					hex[i] = *l->s++;
				}
				c = (char)strtol(hex, NULL, 16);
				break;
			}
			default:
				if (e >= '0' && e <= '7') {
					int v = e - '0';

					for (int i = 0; i < 2 && *l->s >= '0' && *l->s <= '7'; i++) {
						v = v * 8 + (*l->s++ - '0');
					}
					c = (char)v;
				} else {
					c = e;
				}
			}
		}
		d[n++] = c;
	}
	if (*l->s != '"') {
		free(d);
		return lex_fail(l, "unterminated string");
	}
	l->s++;
	*out = d;
	return 0;
}

static int parse_cells(struct lex *l, struct val *v)
{
	l->s++; /* '<' */
	for (;;) {
		char *end;

		skip_ws(l);
		if (*l->s == '>') {
			l->s++;
			return 0;
		}
		if (*l->s == '&') {
			return lex_fail(l, "unresolved reference");
		}
		if (isalpha((unsigned char)*l->s) || *l->s == '_') {
			/* a label inside the cells: skip it */
			while (isalnum((unsigned char)*l->s) || *l->s == '_') {
				l->s++;
			}
			if (*l->s != ':') {
				return lex_fail(l, "unexpected word in cells");
			}
			l->s++;
			continue;
		}
		errno = 0;
		v->cells = xrealloc(v->cells, (v->n + 1) * sizeof(uint64_t));
		v->cells[v->n] = strtoull(l->s, &end, 0);
		if (end == l->s || errno != 0) {
			return lex_fail(l, "bad cell");
		}
		l->s = end;
		v->n++;
	}
}

static int parse_bytes(struct lex *l, struct val *v)
{
	l->s++; /* '[' */
	for (;;) {
		char hex[3] = {0};

		skip_ws(l);
		if (*l->s == ']') {
			l->s++;
			return 0;
		}
		if (!isxdigit((unsigned char)l->s[0]) || !isxdigit((unsigned char)l->s[1])) {
			return lex_fail(l, "bad byte");
		}
		hex[0] = l->s[0];
		hex[1] = l->s[1];
		l->s += 2;
		v->cells = xrealloc(v->cells, (v->n + 1) * sizeof(uint64_t));
		v->cells[v->n++] = (uint64_t)strtoul(hex, NULL, 16);
	}
}

static int parse_value(struct lex *l, struct prop *p)
{
	for (;;) {
		struct val v = {.kind = V_CELLS, .bits = 32};
		int rc;

		skip_ws(l);
		if (*l->s == '"') {
			v.kind = V_STR;
			rc = parse_string(l, &v.str);
		} else if (strncmp(l->s, "/bits/", 6) == 0) {
			char *end;

			l->s += 6;
			skip_ws(l);
			v.bits = (int)strtol(l->s, &end, 0);
			l->s = end;
			skip_ws(l);
			if (*l->s != '<') {
				return lex_fail(l, "expected '<' after /bits/");
			}
			rc = parse_cells(l, &v);
			if (v.bits == 8) {
				v.kind = V_BYTES;
			}
		} else if (*l->s == '<') {
			rc = parse_cells(l, &v);
		} else if (*l->s == '[') {
			v.kind = V_BYTES;
			v.bits = 8;
			rc = parse_bytes(l, &v);
		} else {
			return lex_fail(l, "unexpected value");
		}
		if (rc < 0) {
			free(v.str);
			free(v.cells);
			return rc;
		}
		prop_add_val(p, v);
		skip_ws(l);
		if (*l->s == ',') {
			l->s++;
			continue;
		}
		if (*l->s == ';') {
			l->s++;
			return 0;
		}
		return lex_fail(l, "expected ',' or ';'");
	}
}

static int parse_body(struct lex *l, struct node *n);

static int read_word(struct lex *l, char **out)
{
	const char *b = l->s;

	while (name_char(*l->s)) {
		l->s++;
	}
	if (l->s == b) {
		return lex_fail(l, "expected a name");
	}
	*out = xstrndup(b, (size_t)(l->s - b));
	return 0;
}

static int parse_body(struct lex *l, struct node *n)
{
	for (;;) {
		char **labels = NULL;
		size_t nlabels = 0;
		char *word = NULL;

		skip_ws(l);
		if (*l->s == '}') {
			l->s++;
			skip_ws(l);
			if (*l->s == ';') {
				l->s++;
			}
			return 0;
		}
		for (;;) {
			if (read_word(l, &word) < 0) {
				return -1;
			}
			if (*l->s != ':') {
				break;
			}
			l->s++;
			labels = xrealloc(labels, (nlabels + 1) * sizeof(*labels));
			labels[nlabels++] = word;
			skip_ws(l);
		}
		skip_ws(l);
		if (*l->s == '{') {
			struct node *c = xcalloc(1, sizeof(*c));

			l->s++;
			c->name = word;
			c->labels = labels;
			c->nlabels = nlabels;
			c->parent = n;
			n->kids = xrealloc(n->kids, (n->nkids + 1) * sizeof(*n->kids));
			n->kids[n->nkids++] = c;
			if (parse_body(l, c) < 0) {
				return -1;
			}
			continue;
		}
		for (size_t i = 0; i < nlabels; i++) {
			free(labels[i]);
		}
		free(labels);
		n->props = xrealloc(n->props, (n->nprops + 1) * sizeof(*n->props));
		n->props[n->nprops] = (struct prop){.name = word};
		n->nprops++;
		if (*l->s == ';') {
			l->s++;
			continue;
		}
		if (*l->s != '=') {
			return lex_fail(l, "expected '=', ';' or '{'");
		}
		l->s++;
		if (parse_value(l, &n->props[n->nprops - 1]) < 0) {
			return -1;
		}
	}
}

static void free_node(struct node *n)
{
	for (size_t i = 0; i < n->nkids; i++) {
		free_node(n->kids[i]);
	}
	for (size_t i = 0; i < n->nprops; i++) {
		for (size_t k = 0; k < n->props[i].nv; k++) {
			free(n->props[i].v[k].str);
			free(n->props[i].v[k].cells);
		}
		free(n->props[i].v);
		free(n->props[i].name);
	}
	for (size_t i = 0; i < n->nlabels; i++) {
		free(n->labels[i]);
	}
	free(n->labels);
	free(n->kids);
	free(n->props);
	free(n->name);
	free(n->path);
	free(n->tok);
	free(n);
}

static struct prop *find_prop(const struct node *n, const char *name)
{
	for (size_t i = 0; i < n->nprops; i++) {
		if (strcmp(n->props[i].name, name) == 0) {
			return &n->props[i];
		}
	}
	return NULL;
}

/* The single string of a property, else NULL. */
static const char *prop_str(const struct node *n, const char *name)
{
	const struct prop *p = find_prop(n, name);

	return p != NULL && p->nv == 1 && p->v[0].kind == V_STR ? p->v[0].str : NULL;
}

static bool has_compat(const struct node *n, const char *compat)
{
	const struct prop *p = find_prop(n, "compatible");

	for (size_t i = 0; p != NULL && i < p->nv; i++) {
		if (p->v[i].kind == V_STR && strcmp(p->v[i].str, compat) == 0) {
			return true;
		}
	}
	return false;
}

/* Zephyr's spelling of a name in a token: lower case, '_' for the rest. */
static char *ident(const char *s)
{
	char *d = xcalloc(strlen(s) + 1, 1);

	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		d[i] = isalnum(c) ? (char)tolower(c) : '_';
	}
	return d;
}

static void index_node(struct tree *t, struct node *n)
{
	const char *st = prop_str(n, "status");
	struct prop *ph = find_prop(n, "phandle");

	if (ph == NULL) {
		ph = find_prop(n, "linux,phandle");
	}
	if (n->parent == NULL) {
		n->path = xstrndup("/", 1);
		n->tok = xstrndup("DT_N", 4);
	} else {
		char *id = ident(n->name);
		size_t pl = strlen(n->parent->path), tl = strlen(n->parent->tok);

		n->path = xcalloc(pl + strlen(n->name) + 2, 1);
		sprintf(n->path, "%s%s%s", n->parent->path, pl > 1 ? "/" : "", n->name);
		n->tok = xcalloc(tl + strlen(id) + 4, 1);
		sprintf(n->tok, "%s_S_%s", n->parent->tok, id);
		free(id);
	}
	if (ph != NULL && ph->nv == 1 && ph->v[0].kind == V_CELLS && ph->v[0].n == 1) {
		n->phandle = (uint32_t)ph->v[0].cells[0];
	}
	n->okay = st == NULL || strcmp(st, "okay") == 0 || strcmp(st, "ok") == 0;
	n->ord = (unsigned)t->nall;
	t->all = xrealloc(t->all, (t->nall + 1) * sizeof(*t->all));
	t->all[t->nall++] = n;
	for (size_t i = 0; i < n->nkids; i++) {
		index_node(t, n->kids[i]);
	}
}

static int parse_tree(const char *text, const char *src, struct tree *t)
{
	struct lex l = {.s = text, .src = src};

	memset(t, 0, sizeof(*t));
	t->src = src;
	for (;;) {
		skip_ws(&l);
		if (strncmp(l.s, "/dts-v1/", 8) == 0 || strncmp(l.s, "/memreserve/", 12) == 0 ||
		    strncmp(l.s, "/plugin/", 8) == 0) {
			l.s += strcspn(l.s, ";");
			if (*l.s == ';') {
				l.s++;
			}
			continue;
		}
		break;
	}
	if (*l.s != '/') {
		return lex_fail(&l, "expected the root node");
	}
	l.s++;
	skip_ws(&l);
	if (*l.s != '{') {
		return lex_fail(&l, "expected '{'");
	}
	l.s++;
	t->root = xcalloc(1, sizeof(*t->root));
	t->root->name = xstrndup("/", 1);
	if (parse_body(&l, t->root) < 0) {
		return -1;
	}
	index_node(t, t->root);
	return 0;
}

static void free_tree(struct tree *t)
{
	if (t->root != NULL) {
		free_node(t->root);
	}
	free(t->all);
	memset(t, 0, sizeof(*t));
}

static struct node *by_phandle(const struct tree *t, uint64_t ph)
{
	for (size_t i = 0; i < t->nall && ph != 0; i++) {
		if (t->all[i]->phandle == ph) {
			return t->all[i];
		}
	}
	return NULL;
}

static struct node *by_path(const struct tree *t, const char *path)
{
	for (size_t i = 0; i < t->nall; i++) {
		if (strcmp(t->all[i]->path, path) == 0) {
			return t->all[i];
		}
	}
	return NULL;
}

static struct node *child_named(const struct node *n, const char *name)
{
	for (size_t i = 0; i < n->nkids; i++) {
		if (strcmp(n->kids[i]->name, name) == 0) {
			return n->kids[i];
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * The remote's view of a single DTS (the edits of emu_dt_mirror)
 */

static void flip_dir_name(char *s)
{
	size_t l = strlen(s);

	if (l >= 2 && (l == 2 || s[l - 3] == '-' || s[l - 3] == '_')) {
		if (strcmp(s + l - 2, "tx") == 0) {
			s[l - 2] = 'r';
		} else if (strcmp(s + l - 2, "rx") == 0) {
			s[l - 2] = 't';
		}
	}
}

static void swap_prop_names(struct node *n, const char *a, const char *b)
{
	struct prop *pa = find_prop(n, a), *pb = find_prop(n, b);
	char *t;

	if (pa != NULL && pb != NULL) {
		t = pa->name;
		pa->name = pb->name;
		pb->name = t;
	} else if (pa != NULL) {
		free(pa->name);
		pa->name = xstrndup(b, strlen(b));
	} else if (pb != NULL) {
		free(pb->name);
		pb->name = xstrndup(a, strlen(a));
	}
}

static void mirror_tree(struct tree *t)
{
	for (size_t i = 0; i < t->nall; i++) {
		struct node *n = t->all[i];
		struct prop *p;

		if (has_compat(n, "zephyr,ipc-icmsg") || has_compat(n, "zephyr,ipc-icbmsg")) {
			swap_prop_names(n, "tx-region", "rx-region");
			swap_prop_names(n, "tx-blocks", "rx-blocks");
		}
		p = find_prop(n, "mbox-names");
		if (p != NULL && find_prop(n, "mboxes") != NULL) {
			for (size_t k = 0; k < p->nv; k++) {
				if (p->v[k].kind == V_STR) {
					flip_dir_name(p->v[k].str);
				}
			}
		}
		p = find_prop(n, "direction");
		if (p != NULL && has_compat(n, "ipc-emu,ipm") && p->nv == 1 && p->v[0].kind == V_STR &&
		    (strcmp(p->v[0].str, "tx") == 0 || strcmp(p->v[0].str, "rx") == 0)) {
			p->v[0].str[0] = p->v[0].str[0] == 't' ? 'r' : 't';
		}
	}
}

/* ------------------------------------------------------------------------
 * Writing the header
 */

struct out {
	char *buf;
	size_t len;
	FILE *f;
};

static void out_open(struct out *o)
{
	memset(o, 0, sizeof(*o));
	o->f = open_memstream(&o->buf, &o->len);
	if (o->f == NULL) {
		fprintf(stderr, "ipc-emu: out of memory\n");
		exit(EXIT_USAGE);
	}
}

static void out_close(struct out *o)
{
	fclose(o->f);
	o->f = NULL;
}

/* A C string literal of s. */
static void put_cstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20 || c >= 0x7f) {
			fprintf(f, "\\%03o", c);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

/* Strings that can become a token: printable, no quote, backslash, '#'. */
static bool tokenable(const char *s)
{
	if (*s == '\0') {
		return false;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '#' || c == '\'') {
			return false;
		}
	}
	return true;
}

static void put_token(FILE *f, const char *s, bool upper)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(isalnum(c) ? (upper ? toupper(c) : c) : '_', f);
	}
}

static void put_int(FILE *f, uint64_t v)
{
	if (v >= (UINT64_C(1) << 63)) {
		fprintf(f, "%" PRIu64 "ULL /* 0x%" PRIx64 " */", v, v);
	} else if (v > 9) {
		fprintf(f, "%" PRIu64 " /* 0x%" PRIx64 " */", v, v);
	} else {
		fprintf(f, "%" PRIu64, v);
	}
}

/* fn(node, prop, i) for each element, in the three FOREACH_PROP_ELEM forms. */
static void put_foreach_elem(FILE *f, const char *pre, const char *ntok, const char *pid, size_t n)
{
	fprintf(f, "#define %s_FOREACH_PROP_ELEM(fn)", pre);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, " fn(%s, %s, %zu)", ntok, pid, i);
	}
	fprintf(f, "\n#define %s_FOREACH_PROP_ELEM_SEP(fn, sep)", pre);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s fn(%s, %s, %zu)", i ? " EMU_DT_DEBRACKET sep" : "", ntok, pid, i);
	}
	fprintf(f, "\n#define %s_FOREACH_PROP_ELEM_VARGS(fn, ...)", pre);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, " fn(%s, %s, %zu, __VA_ARGS__)", ntok, pid, i);
	}
	fprintf(f, "\n");
}

static void put_string_tokens(FILE *f, const char *pre, const char *s)
{
	if (!tokenable(s)) {
		return;
	}
	fprintf(f, "#define %s_STRING_UNQUOTED %s\n", pre, s);
	fprintf(f, "#define %s_STRING_TOKEN ", pre);
	put_token(f, s, false);
	fprintf(f, "\n#define %s_STRING_UPPER_TOKEN ", pre);
	put_token(f, s, true);
	fprintf(f, "\n");
}

struct enum_def {
	const char *compat, *prop;
	const char *values[4];
	const char *dflt;
};

/* Bindings' enums the IPC code reads (zephyr,ipc-icmsg.yaml: unbound). */
static const struct enum_def enums[] = {
	{"zephyr,ipc-icmsg", "unbound", {"disable", "enable", "detect"}, "disable"},
	{"ipc-emu,ipm", "direction", {"tx", "rx", "both"}, "both"},
};

static const struct enum_def *enum_of(const struct node *n, const char *prop)
{
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
		if (strcmp(enums[i].prop, prop) == 0 && has_compat(n, enums[i].compat)) {
			return &enums[i];
		}
	}
	return NULL;
}

static const char *const phandle_props[] = {"tx-region", "rx-region", "memory-region",
					    "interrupt-parent"};
static const char *const array_props[] = {"reg", "ranges", "dma-ranges", "interrupts"};

struct pha_def {
	const char *suffix; /* property name, or its end after '-' */
	const char *cells_prop;
	const char *names_prop; /* NULL: none */
	const char *cell_names[3];
};

static const struct pha_def phas[] = {
	{"mboxes", "#mbox-cells", "mbox-names", {"channel"}},
	{"pwms", "#pwm-cells", "pwm-names", {"channel", "period", "flags"}},
	{"gpios", "#gpio-cells", NULL, {"pin", "flags"}},
};

static const struct pha_def *pha_of(const char *name)
{
	size_t l = strlen(name);

	for (size_t i = 0; i < sizeof(phas) / sizeof(phas[0]); i++) {
		size_t sl = strlen(phas[i].suffix);

		if (strcmp(name, phas[i].suffix) == 0 ||
		    (i == 2 && l > sl + 1 && name[l - sl - 1] == '-' &&
		     strcmp(name + l - sl, phas[i].suffix) == 0)) {
			return &phas[i];
		}
	}
	return NULL;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, list[i]) == 0) {
			return true;
		}
	}
	return false;
}

static int prop_fail(const struct tree *t, const struct node *n, const char *prop, const char *why)
{
	return zc_fail("%s: %s: %s: %s", t->src, n->path, prop, why);
}

static int emit_phandles(FILE *f, const struct tree *t, const struct node *n,
			 const struct prop *p, const char *pre, const char *pid)
{
	size_t k = 0;

	for (size_t i = 0; i < p->nv; i++) {
		if (p->v[i].kind != V_CELLS) {
			return prop_fail(t, n, p->name, "a phandle property must hold <&label> cells");
		}
		for (size_t c = 0; c < p->v[i].n; c++, k++) {
			const struct node *tg = by_phandle(t, p->v[i].cells[c]);

			if (tg == NULL) {
				return prop_fail(t, n, p->name, "phandle of no node");
			}
			if (k == 0) {
				fprintf(f, "#define %s %s\n", pre, tg->tok);
			}
			fprintf(f, "#define %s_IDX_%zu %s\n", pre, k, tg->tok);
			fprintf(f, "#define %s_IDX_%zu_PH %s\n", pre, k, tg->tok);
			fprintf(f, "#define %s_IDX_%zu_EXISTS 1\n", pre, k);
		}
	}
	fprintf(f, "#define %s_LEN %zu\n", pre, k);
	put_foreach_elem(f, pre, n->tok, pid, k);
	fprintf(f, "#define %s_EXISTS 1\n", pre);
	return 0;
}

static int emit_pha(FILE *f, const struct tree *t, const struct node *n, const struct prop *p,
		    const struct pha_def *d, const char *pre, const char *pid)
{
	const struct prop *names = d->names_prop ? find_prop(n, d->names_prop) : NULL;
	uint64_t *c;
	size_t nc = 0, pos = 0, k = 0;

	for (size_t i = 0; i < p->nv; i++) {
		if (p->v[i].kind != V_CELLS || p->v[i].bits != 32) {
			return prop_fail(t, n, p->name, "a phandle-array must hold <&ctrl cells...>");
		}
	}
	/* The specifiers run across the <...> groups: flatten them. */
	for (size_t i = 0; i < p->nv; i++) {
		nc += p->v[i].n;
	}
	c = xcalloc(nc, sizeof(*c));
	for (size_t i = 0, j = 0; i < p->nv; i++) {
		for (size_t m = 0; m < p->v[i].n; m++) {
			c[j++] = p->v[i].cells[m];
		}
	}
	while (pos < nc) {
		const struct node *ctl = by_phandle(t, c[pos]);
		const struct prop *cp = ctl ? find_prop(ctl, d->cells_prop) : NULL;
		size_t ncell;
		char why[160];

		if (ctl == NULL) {
			free(c);
			return prop_fail(t, n, p->name, "phandle of no node");
		}
		if (cp == NULL || cp->nv != 1 || cp->v[0].kind != V_CELLS || cp->v[0].n != 1 ||
		    cp->v[0].cells[0] > 16) {
			snprintf(why, sizeof(why), "controller %s has no valid %s", ctl->path,
				 d->cells_prop);
			free(c);
			return prop_fail(t, n, p->name, why);
		}
		ncell = (size_t)cp->v[0].cells[0];
		if (pos + 1 + ncell > nc) {
			free(c);
			return prop_fail(t, n, p->name, "specifier shorter than the controller's cells");
		}
		fprintf(f, "#define %s_IDX_%zu_EXISTS 1\n", pre, k);
		fprintf(f, "#define %s_IDX_%zu_PH %s\n", pre, k, ctl->tok);
		for (size_t m = 0; m < ncell; m++) {
			char cn[16];
			const char *nm = m < 3 && d->cell_names[m] ? d->cell_names[m] : cn;

			snprintf(cn, sizeof(cn), "cell%zu", m);
			fprintf(f, "#define %s_IDX_%zu_VAL_%s ", pre, k, nm);
			put_int(f, c[pos + 1 + m]);
			fprintf(f, "\n#define %s_IDX_%zu_VAL_%s_EXISTS 1\n", pre, k, nm);
		}
		if (names != NULL && k < names->nv && names->v[k].kind == V_STR &&
		    tokenable(names->v[k].str)) {
			char *nt = ident(names->v[k].str);

			fprintf(f, "#define %s_IDX_%zu_NAME ", pre, k);
			put_cstr(f, names->v[k].str);
			fprintf(f, "\n#define %s_NAME_%s_IDX %zu\n", pre, nt, k);
			fprintf(f, "#define %s_NAME_%s_EXISTS 1\n", pre, nt);
			fprintf(f, "#define %s_NAME_%s_PH %s\n", pre, nt, ctl->tok);
			for (size_t m = 0; m < ncell; m++) {
				char cn[16];
				const char *nm = m < 3 && d->cell_names[m] ? d->cell_names[m] : cn;

				snprintf(cn, sizeof(cn), "cell%zu", m);
				fprintf(f, "#define %s_NAME_%s_VAL_%s ", pre, nt, nm);
				put_int(f, c[pos + 1 + m]);
				fprintf(f, "\n#define %s_NAME_%s_VAL_%s_EXISTS 1\n", pre, nt, nm);
			}
			free(nt);
		}
		pos += 1 + ncell;
		k++;
	}
	free(c);
	fprintf(f, "#define %s_LEN %zu\n", pre, k);
	put_foreach_elem(f, pre, n->tok, pid, k);
	fprintf(f, "#define %s_EXISTS 1\n", pre);
	return 0;
}

static int emit_prop(FILE *f, const struct tree *t, const struct node *n, const struct prop *p)
{
	char *pid = ident(p->name);
	char pre[512];
	size_t nstr = 0, ncell = 0;
	const struct pha_def *pha = pha_of(p->name);
	const struct enum_def *en = enum_of(n, p->name);
	int rc = 0;

	snprintf(pre, sizeof(pre), "%s_P_%s", n->tok, pid);
	for (size_t i = 0; i < p->nv; i++) {
		if (p->v[i].kind == V_STR) {
			nstr++;
		} else {
			ncell += p->v[i].n;
		}
	}
	if (nstr != 0 && nstr != p->nv) {
		rc = prop_fail(t, n, p->name,
			       "mixes strings and cells: no devicetree macro type can express it");
	} else if (p->nv == 0) {
		fprintf(f, "#define %s 1\n#define %s_EXISTS 1\n", pre, pre);
	} else if (in_list(p->name, phandle_props, sizeof(phandle_props) / sizeof(*phandle_props))) {
		rc = emit_phandles(f, t, n, p, pre, pid);
	} else if (pha != NULL) {
		rc = emit_pha(f, t, n, p, pha, pre, pid);
	} else if (nstr == 1 && strcmp(p->name, "compatible") != 0 &&
		   !(strlen(p->name) > 6 && strcmp(p->name + strlen(p->name) - 6, "-names") == 0)) {
		const char *s = p->v[0].str;

		fprintf(f, "#define %s ", pre);
		put_cstr(f, s);
		fprintf(f, "\n");
		put_string_tokens(f, pre, s);
		if (en != NULL) {
			size_t k = 0;

			while (k < 4 && en->values[k] != NULL && strcmp(en->values[k], s) != 0) {
				k++;
			}
			if (k == 4 || en->values[k] == NULL) {
				char why[200];

				snprintf(why, sizeof(why), "\"%s\" is not one of the binding's values "
					 "(%s, %s, %s)", s, en->values[0], en->values[1], en->values[2]);
				rc = prop_fail(t, n, p->name, why);
			} else {
				fprintf(f, "#define %s_ENUM_IDX %zu\n", pre, k);
				fprintf(f, "#define %s_ENUM_VAL_", pre);
				put_token(f, s, false);
				fprintf(f, "_EXISTS 1\n");
			}
		}
		fprintf(f, "#define %s_EXISTS 1\n", pre);
	} else if (nstr > 0) {
		fprintf(f, "#define %s {", pre);
		for (size_t i = 0; i < p->nv; i++) {
			fprintf(f, "%s", i ? ", " : "");
			put_cstr(f, p->v[i].str);
		}
		fprintf(f, "}\n");
		for (size_t i = 0; i < p->nv; i++) {
			char ipre[600];

			snprintf(ipre, sizeof(ipre), "%s_IDX_%zu", pre, i);
			fprintf(f, "#define %s ", ipre);
			put_cstr(f, p->v[i].str);
			fprintf(f, "\n#define %s_EXISTS 1\n", ipre);
			put_string_tokens(f, ipre, p->v[i].str);
		}
		fprintf(f, "#define %s_LEN %zu\n", pre, p->nv);
		put_foreach_elem(f, pre, n->tok, pid, p->nv);
		fprintf(f, "#define %s_EXISTS 1\n", pre);
	} else if (ncell == 1 && p->v[0].kind == V_CELLS &&
		   !in_list(p->name, array_props, sizeof(array_props) / sizeof(*array_props))) {
		fprintf(f, "#define %s ", pre);
		put_int(f, p->v[0].cells[0]);
		fprintf(f, "\n#define %s_EXISTS 1\n", pre);
	} else {
		size_t k = 0;

		fprintf(f, "#define %s {", pre);
		for (size_t i = 0; i < p->nv; i++) {
			for (size_t c = 0; c < p->v[i].n; c++) {
				fprintf(f, "%s%" PRIu64 "%s", k++ ? ", " : "", p->v[i].cells[c],
					p->v[i].cells[c] >= (UINT64_C(1) << 63) ? "ULL" : "");
			}
		}
		fprintf(f, "}\n");
		k = 0;
		for (size_t i = 0; i < p->nv; i++) {
			for (size_t c = 0; c < p->v[i].n; c++, k++) {
				fprintf(f, "#define %s_IDX_%zu ", pre, k);
				put_int(f, p->v[i].cells[c]);
				fprintf(f, "\n#define %s_IDX_%zu_EXISTS 1\n", pre, k);
			}
		}
		fprintf(f, "#define %s_LEN %zu\n", pre, k);
		put_foreach_elem(f, pre, n->tok, pid, k);
		fprintf(f, "#define %s_EXISTS 1\n", pre);
	}
	free(pid);
	return rc;
}

/* #address-cells / #size-cells a node gives its children (defaults 2, 1). */
static uint32_t cells_of(const struct node *bus, const char *prop, uint32_t dflt)
{
	const struct prop *p = bus ? find_prop(bus, prop) : NULL;

	if (p != NULL && p->nv == 1 && p->v[0].kind == V_CELLS && p->v[0].n == 1) {
		return (uint32_t)p->v[0].cells[0];
	}
	return dflt;
}

static uint64_t cells_at(const uint64_t *c, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++) {
		v = (v << 32) | (c[i] & 0xffffffffu);
	}
	return v;
}

/* A child-bus address of `bus`'s children as seen from the root, through
 * every `ranges` up the tree (empty or absent ranges: identity). */
static uint64_t translate(const struct node *bus, uint64_t addr)
{
	for (; bus != NULL && bus->parent != NULL; bus = bus->parent) {
		const struct prop *r = find_prop(bus, "ranges");
		uint32_t ca = cells_of(bus, "#address-cells", 2), pa = cells_of(bus->parent,
										 "#address-cells", 2);
		uint32_t cs = cells_of(bus, "#size-cells", 1), ent = ca + pa + cs;

		if (r == NULL || r->nv != 1 || r->v[0].kind != V_CELLS || r->v[0].n == 0 || ent == 0 ||
		    ent > 8) {
			continue;
		}
		for (size_t i = 0; i + ent <= r->v[0].n; i += ent) {
			uint64_t child = cells_at(r->v[0].cells + i, ca);
			uint64_t parent = cells_at(r->v[0].cells + i + ca, pa);
			uint64_t size = cells_at(r->v[0].cells + i + ca + pa, cs);

			if (addr >= child && addr - child < size) {
				addr = addr - child + parent;
				break;
			}
		}
	}
	return addr;
}

static int emit_reg(FILE *f, const struct tree *t, const struct node *n)
{
	const struct prop *reg = find_prop(n, "reg");
	const struct prop *names = find_prop(n, "reg-names");
	uint32_t ac = cells_of(n->parent, "#address-cells", 2);
	uint32_t sc = cells_of(n->parent, "#size-cells", 1);
	size_t num = 0;

	if (reg == NULL) {
		return 0;
	}
	if (reg->nv == 0 || reg->v[0].kind != V_CELLS || ac == 0 || ac > 2 || sc > 2) {
		return prop_fail(t, n, "reg", "not <address size> cells of the parent's "
			       "#address-cells/#size-cells (1 or 2)");
	}
	for (size_t i = 0; i < reg->nv; i++) {
		const struct val *v = &reg->v[i];

		if (v->kind != V_CELLS || v->n % (ac + sc) != 0) {
			return prop_fail(t, n, "reg", "length is not a multiple of #address-cells + "
				       "#size-cells");
		}
		for (size_t c = 0; c < v->n; c += ac + sc, num++) {
			uint64_t a = translate(n->parent, cells_at(v->cells + c, ac));
			uint64_t s = cells_at(v->cells + c + ac, sc);

			fprintf(f, "#define %s_REG_IDX_%zu_EXISTS 1\n", n->tok, num);
			fprintf(f, "#define %s_REG_IDX_%zu_VAL_ADDRESS ", n->tok, num);
			put_int(f, a);
			fprintf(f, "\n");
			if (sc > 0) {
				fprintf(f, "#define %s_REG_IDX_%zu_VAL_SIZE ", n->tok, num);
				put_int(f, s);
				fprintf(f, "\n");
			}
			if (names != NULL && num < names->nv && names->v[num].kind == V_STR &&
			    tokenable(names->v[num].str)) {
				char *nt = ident(names->v[num].str);

				fprintf(f, "#define %s_REG_NAME_%s_EXISTS 1\n", n->tok, nt);
				fprintf(f, "#define %s_REG_NAME_%s_VAL_ADDRESS ", n->tok, nt);
				put_int(f, a);
				fprintf(f, "\n");
				if (sc > 0) {
					fprintf(f, "#define %s_REG_NAME_%s_VAL_SIZE ", n->tok, nt);
					put_int(f, s);
					fprintf(f, "\n");
				}
				free(nt);
			}
		}
	}
	fprintf(f, "#define %s_REG_NUM %zu\n", n->tok, num);
	return 0;
}

static void emit_children(FILE *f, const struct node *n)
{
	const char *T = n->tok;
	size_t okay = 0;

	for (int only_okay = 0; only_okay < 2; only_okay++) {
		const char *sfx = only_okay ? "_STATUS_OKAY" : "";
		bool first = true;

		fprintf(f, "#define %s_FOREACH_CHILD%s(fn)", T, sfx);
		for (size_t i = 0; i < n->nkids; i++) {
			if (!only_okay || n->kids[i]->okay) {
				fprintf(f, " fn(%s)", n->kids[i]->tok);
			}
		}
		fprintf(f, "\n#define %s_FOREACH_CHILD%s_SEP(fn, sep)", T, sfx);
		for (size_t i = 0; i < n->nkids; i++) {
			if (!only_okay || n->kids[i]->okay) {
				fprintf(f, "%s fn(%s)", first ? "" : " EMU_DT_DEBRACKET sep",
					n->kids[i]->tok);
				first = false;
			}
		}
		fprintf(f, "\n#define %s_FOREACH_CHILD%s_VARGS(fn, ...)", T, sfx);
		for (size_t i = 0; i < n->nkids; i++) {
			if (!only_okay || n->kids[i]->okay) {
				fprintf(f, " fn(%s, __VA_ARGS__)", n->kids[i]->tok);
			}
		}
		fprintf(f, "\n");
	}
	for (size_t i = 0; i < n->nkids; i++) {
		okay += n->kids[i]->okay;
	}
	fprintf(f, "#define %s_CHILD_NUM %zu\n#define %s_CHILD_NUM_STATUS_OKAY %zu\n", T, n->nkids,
		T, okay);
}

static int emit_node(FILE *f, const struct tree *t, const struct node *n)
{
	const char *T = n->tok;
	const struct prop *compat = find_prop(n, "compatible");
	const struct enum_def *en;

	fprintf(f, "\n/* %s */\n", n->path);
	fprintf(f, "#define %s_PATH ", T);
	put_cstr(f, n->path);
	fprintf(f, "\n#define %s_FULL_NAME ", T);
	put_cstr(f, n->name);
	fprintf(f, "\n");
	if (n->parent != NULL) {
		size_t idx = 0;

		while (n->parent->kids[idx] != n) {
			idx++;
		}
		fprintf(f, "#define %s_PARENT %s\n#define %s_CHILD_IDX %zu\n", T, n->parent->tok, T,
			idx);
	}
	fprintf(f, "#define %s_NODELABEL_NUM %zu\n", T, n->nlabels);
	emit_children(f, n);
	fprintf(f, "#define %s_ORD %u\n#define %s_EXISTS 1\n", T, n->ord, T);
	if (n->okay) {
		fprintf(f, "#define %s_STATUS_okay 1\n", T);
	} else {
		const char *st = prop_str(n, "status");

		if (st != NULL && tokenable(st)) {
			fprintf(f, "#define %s_STATUS_", T);
			put_token(f, st, false);
			fprintf(f, " 1\n");
		}
	}
	for (size_t i = 0; compat != NULL && i < compat->nv; i++) {
		if (compat->v[i].kind == V_STR && tokenable(compat->v[i].str)) {
			char *c = ident(compat->v[i].str);

			fprintf(f, "#define %s_COMPAT_MATCHES_%s 1\n", T, c);
			free(c);
		}
	}
	if (n->dev_ref != NULL) {
		fprintf(f, "#define %s_EMU_DEVICE 1\n#define %s_EMU_DEVICE_REF ", T, T);
		put_cstr(f, n->dev_ref);
		fprintf(f, "\n");
	}
	if (emit_reg(f, t, n) < 0) {
		return -1;
	}
	for (size_t i = 0; i < n->nprops; i++) {
		if (strcmp(n->props[i].name, "phandle") == 0 ||
		    strcmp(n->props[i].name, "linux,phandle") == 0) {
			continue;
		}
		if (emit_prop(f, t, n, &n->props[i]) < 0) {
			return -1;
		}
	}
	/* Binding defaults of absent enum properties, as Zephyr emits them. */
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
		en = &enums[i];
		if (has_compat(n, en->compat) && find_prop(n, en->prop) == NULL) {
			struct val v = {.kind = V_STR, .str = (char *)en->dflt};
			struct prop p = {.name = (char *)en->prop, .nv = 1, .v = &v};

			fprintf(f, "/* %s: the binding's default */\n", en->prop);
			if (emit_prop(f, t, n, &p) < 0) {
				return -1;
			}
		}
	}
	return 0;
}

/* Distinct compatibles in tree order. */
static size_t list_compats(const struct tree *t, const char ***out)
{
	const char **c = NULL;
	size_t n = 0;

	for (size_t i = 0; i < t->nall; i++) {
		const struct prop *p = find_prop(t->all[i], "compatible");

		for (size_t k = 0; p != NULL && k < p->nv; k++) {
			bool seen = false;

			if (p->v[k].kind != V_STR || !tokenable(p->v[k].str)) {
				continue;
			}
			for (size_t j = 0; j < n && !seen; j++) {
				seen = strcmp(c[j], p->v[k].str) == 0;
			}
			if (!seen) {
				c = xrealloc(c, (n + 1) * sizeof(*c));
				c[n++] = p->v[k].str;
			}
		}
	}
	*out = c;
	return n;
}

static void emit_compats(FILE *f, const struct tree *t)
{
	const char **compats;
	size_t nc = list_compats(t, &compats);

	fprintf(f, "\n/* --- compatibles: instances with status okay, in node order --- */\n");
	for (size_t i = 0; i < nc; i++) {
		char *ct = ident(compats[i]);
		size_t k = 0;

		for (size_t j = 0; j < t->nall; j++) {
			if (t->all[j]->okay && has_compat(t->all[j], compats[i])) {
				fprintf(f, "#define DT_N_INST_%zu_%s %s\n", k++, ct, t->all[j]->tok);
			}
		}
		if (k == 0) {
			free(ct);
			continue;
		}
		fprintf(f, "#define DT_COMPAT_HAS_OKAY_%s 1\n#define DT_N_INST_%s_NUM_OKAY %zu\n", ct,
			ct, k);
		fprintf(f, "#define DT_FOREACH_OKAY_%s(fn)", ct);
		for (size_t j = 0; j < t->nall; j++) {
			if (t->all[j]->okay && has_compat(t->all[j], compats[i])) {
				fprintf(f, " fn(%s)", t->all[j]->tok);
			}
		}
		fprintf(f, "\n#define DT_FOREACH_OKAY_VARGS_%s(fn, ...)", ct);
		for (size_t j = 0; j < t->nall; j++) {
			if (t->all[j]->okay && has_compat(t->all[j], compats[i])) {
				fprintf(f, " fn(%s, __VA_ARGS__)", t->all[j]->tok);
			}
		}
		fprintf(f, "\n#define DT_FOREACH_OKAY_INST_%s(fn)", ct);
		for (size_t j = 0; j < k; j++) {
			fprintf(f, " fn(%zu)", j);
		}
		fprintf(f, "\n#define DT_FOREACH_OKAY_INST_VARGS_%s(fn, ...)", ct);
		for (size_t j = 0; j < k; j++) {
			fprintf(f, " fn(%zu, __VA_ARGS__)", j);
		}
		fprintf(f, "\n");
		free(ct);
	}
	free(compats);
}

static const char HEADER_DOC[] =
	" * Zephyr-style tokens, read by the macros of <zephyr/devicetree.h>:\n"
	" *   DT_N_S_<a>_S_<b>                 node /a/b (names in lower case, other\n"
	" *                                    characters '_'); _PATH, _FULL_NAME, _PARENT,\n"
	" *                                    _ORD (pre-order position), _EXISTS,\n"
	" *                                    _STATUS_<s>, _COMPAT_MATCHES_<c>, _FOREACH_CHILD*,\n"
	" *                                    _REG_NUM, _REG_IDX_<i>_VAL_ADDRESS/_SIZE\n"
	" *   ..._P_<prop>                     value; _EXISTS, _LEN, _IDX_<i>, _STRING_TOKEN,\n"
	" *                                    _ENUM_IDX, _IDX_<i>_PH, _NAME_<n>_VAL_<cell>\n"
	" *   DT_N_NODELABEL_<l>, DT_N_ALIAS_<a>, DT_CHOSEN_<c>: node identifiers\n"
	" *   DT_N_INST_<i>_<compat>, DT_COMPAT_HAS_OKAY_<compat>, DT_FOREACH_OKAY_*_<compat>\n"
	" *   ..._EMU_DEVICE / EMU_DT_FOREACH_DEVICE: the nodes DEVICE_DT_GET() accepts\n"
	" *     (ICMsg/ICBMsg instances, MBOX controllers, IPM devices of the runtime)\n"
	" * Types are inferred from the DTS syntax (see `ipc-emu help zephyr-config`).\n";

static int gen_devicetree(const struct tree *t, const char *what, const char *core,
			  struct out *o)
{
	FILE *f = o->f;
	bool first = true;

	fprintf(f, "/*\n * Generated by `ipc-emu zephyr-config` from %s for the %s core.\n"
		   " * Do not edit: it is rewritten when its inputs change.\n *\n%s */\n",
		what, core, HEADER_DOC);
	fprintf(f, "#ifndef EMU_DEVICETREE_GENERATED_H\n#define EMU_DEVICETREE_GENERATED_H\n");
	fprintf(f, "\n#define EMU_DT_CORE_%s 1\n", core);
	for (size_t i = 0; i < t->nall; i++) {
		if (emit_node(f, t, t->all[i]) < 0) {
			return -1;
		}
	}
	fprintf(f, "\n/* --- node labels --- */\n");
	for (size_t i = 0; i < t->nall; i++) {
		for (size_t k = 0; k < t->all[i]->nlabels; k++) {
			fprintf(f, "#define DT_N_NODELABEL_%s %s\n", t->all[i]->labels[k],
				t->all[i]->tok);
		}
	}
	fprintf(f, "\n/* --- aliases and chosen nodes --- */\n");
	for (int chosen = 0; chosen < 2; chosen++) {
		const struct node *an = child_named(t->root, chosen ? "chosen" : "aliases");

		for (size_t i = 0; an != NULL && i < an->nprops; i++) {
			const struct prop *p = &an->props[i];
			const struct node *tg = NULL;
			char *id;

			if (p->nv == 1 && p->v[0].kind == V_STR) {
				tg = by_path(t, p->v[0].str);
			} else if (p->nv == 1 && p->v[0].kind == V_CELLS && p->v[0].n == 1) {
				tg = by_phandle(t, p->v[0].cells[0]);
			}
			if (tg == NULL) {
				continue; /* e.g. zephyr,bt-c2h-uart = "uart0:115200": not a node */
			}
			id = ident(p->name);
			if (chosen) {
				fprintf(f, "#define DT_CHOSEN_%s %s\n#define DT_CHOSEN_%s_EXISTS 1\n", id,
					tg->tok, id);
			} else {
				fprintf(f, "#define DT_N_ALIAS_%s %s\n", id, tg->tok);
			}
			free(id);
		}
	}
	emit_compats(f, t);
	fprintf(f, "\n/* --- devices: DEVICE_DT_GET() --- */\n#define EMU_DT_FOREACH_DEVICE(fn)");
	for (size_t i = 0; i < t->nall; i++) {
		if (t->all[i]->dev_ref != NULL) {
			fprintf(f, "%s fn(%s)", first ? "" : "", t->all[i]->tok);
			first = false;
		}
	}
	fprintf(f, "\n\n#endif /* EMU_DEVICETREE_GENERATED_H */\n");
	return 0;
}

/* The nodes that are devices of the runtime, named as it finds them. */
static void mark_devices(struct tree *t, const struct emu_dt_plan *p)
{
	for (size_t i = 0; i < t->nall; i++) {
		struct node *n = t->all[i];

		for (unsigned k = 0; k < p->n_inst; k++) {
			if (strcmp(p->inst[k].node, n->path) == 0) {
				n->dev_ref = p->inst[k].label;
			}
		}
		for (unsigned k = 0; k < p->n_mbox; k++) {
			if (strcmp(p->mbox[k].node, n->path) == 0) {
				n->dev_ref = p->mbox[k].label;
			}
		}
		for (unsigned k = 0; k < p->n_ipm; k++) {
			if (strcmp(p->ipm[k].node, n->path) == 0) {
				n->dev_ref = p->ipm[k].label;
			}
		}
	}
}

/* ------------------------------------------------------------------------
 * Kconfig
 */

enum ktype { K_BOOL, K_INT, K_STRING };

struct ksym {
	const char *name;     /* without CONFIG_ */
	enum ktype type;
	const char *dflt;     /* "y", "n", "123", "\"s\"", or "=SYM": SYM's value */
	const char *depends;  /* "A && B|C" (every term on, a term of alternatives) or NULL */
	const char *runtime;  /* NULL, or how the runtime uses the value */
};

/*
 * Zephyr's defaults (subsys/ipc/ipc_service/Kconfig, backends/Kconfig*,
 * lib/Kconfig.icmsg, drivers/mbox/Kconfig, drivers/ipm/Kconfig,
 * subsys/logging/Kconfig*, kernel/Kconfig), except where marked "emu":
 * IPC_SERVICE, MBOX and IPM are always built here, and logging is always
 * immediate.  DT_HAS_<COMPAT>_ENABLED come from the devicetree.
 */
static const struct ksym ksyms[] = {
	{"MULTITHREADING", K_BOOL, "y", NULL, NULL},
	{"SYS_CLOCK_TICKS_PER_SEC", K_INT, "1000", NULL, NULL},
	{"HEAP_MEM_POOL_SIZE", K_INT, "0", NULL, NULL},
	{"MAIN_STACK_SIZE", K_INT, "1024", NULL, NULL},
	{"ISR_STACK_SIZE", K_INT, "2048", NULL, NULL},
	{"SYSTEM_WORKQUEUE_STACK_SIZE", K_INT, "1024", NULL, NULL},
	{"SYSTEM_WORKQUEUE_PRIORITY", K_INT, "-1", NULL, NULL},
	{"NUM_COOP_PRIORITIES", K_INT, "16", NULL, NULL},
	{"NUM_PREEMPT_PRIORITIES", K_INT, "15", NULL, NULL},
	{"MAIN_THREAD_PRIORITY", K_INT, "0", NULL, NULL},
	{"PRINTK", K_BOOL, "y", NULL, NULL},
	{"ASSERT", K_BOOL, "n", NULL, NULL},
	{"ZTEST", K_BOOL, "n", NULL, NULL},
	{"LOG", K_BOOL, "n", NULL, NULL},
	{"LOG_DEFAULT_LEVEL", K_INT, "3", "LOG", NULL},
	{"LOG_MODE_IMMEDIATE", K_BOOL, "y", "LOG", NULL}, /* emu: Zephyr's default is deferred */
	{"LOG_MODE_DEFERRED", K_BOOL, "n", "LOG", NULL},
	{"LOG_PRINTK", K_BOOL, "y", "LOG", NULL},
	{"MBOX", K_BOOL, "y", NULL, NULL}, /* emu */
	{"MBOX_INIT_PRIORITY", K_INT, "40", "MBOX", NULL},
	{"MBOX_LOG_LEVEL", K_INT, "=LOG_DEFAULT_LEVEL", "MBOX && LOG", NULL},
	{"IPM", K_BOOL, "y", NULL, NULL}, /* emu */
	{"IPM_IMX", K_BOOL, "y", "IPM && DT_HAS_NXP_IMX_MU_ENABLED", NULL},
	{"IPM_LOG_LEVEL", K_INT, "=LOG_DEFAULT_LEVEL", "IPM && LOG", NULL},
	{"IPC_SERVICE", K_BOOL, "y", NULL, NULL}, /* emu */
	{"IPC_SERVICE_REG_BACKEND_PRIORITY", K_INT, "46", "IPC_SERVICE", NULL},
	{"IPC_SERVICE_LOG_LEVEL", K_INT, "=LOG_DEFAULT_LEVEL", "IPC_SERVICE && LOG", NULL},
	{"IPC_SERVICE_BACKEND_ICMSG", K_BOOL, "y",
	 "IPC_SERVICE && MBOX && DT_HAS_ZEPHYR_IPC_ICMSG_ENABLED", NULL},
	{"IPC_SERVICE_BACKEND_ICBMSG", K_BOOL, "y",
	 "IPC_SERVICE && MBOX && DT_HAS_ZEPHYR_IPC_ICBMSG_ENABLED", NULL},
	{"IPC_SERVICE_ICMSG", K_BOOL, "y", "IPC_SERVICE_BACKEND_ICMSG|IPC_SERVICE_BACKEND_ICBMSG",
	 NULL},
	{"IPC_SERVICE_ICMSG_SHMEM_ACCESS_SYNC", K_BOOL, "y", "IPC_SERVICE_ICMSG && MULTITHREADING",
	 NULL},
	{"IPC_SERVICE_ICMSG_SHMEM_ACCESS_TO_MS", K_INT, "1", "IPC_SERVICE_ICMSG_SHMEM_ACCESS_SYNC",
	 NULL},
	{"IPC_SERVICE_BACKEND_ICMSG_WQ_ENABLE", K_BOOL, "y", "IPC_SERVICE_ICMSG && MULTITHREADING",
	 NULL},
	{"IPC_SERVICE_BACKEND_ICMSG_WQ_STACK_SIZE", K_INT, "1280",
	 "IPC_SERVICE_BACKEND_ICMSG_WQ_ENABLE", NULL},
	{"IPC_SERVICE_BACKEND_ICMSG_WQ_PRIORITY", K_INT, "-1", "IPC_SERVICE_BACKEND_ICMSG_WQ_ENABLE",
	 NULL},
	{"IPC_SERVICE_ICMSG_UNBOUND_ENABLED_ALLOWED", K_BOOL, "y", "IPC_SERVICE_ICMSG", NULL},
	{"IPC_SERVICE_ICMSG_UNBOUND_DISABLED_ALLOWED", K_BOOL, "y", "IPC_SERVICE_ICMSG", NULL},
	{"IPC_SERVICE_ICMSG_UNBOUND_DETECT_ALLOWED", K_BOOL, "y", "IPC_SERVICE_ICMSG", NULL},
	{"IPC_SERVICE_BACKEND_ICMSG_CB_BUF_SIZE", K_INT, "255", "IPC_SERVICE_BACKEND_ICMSG", NULL},
	{"IPC_SERVICE_BACKEND_ICBMSG_NUM_EP", K_INT, "4", "IPC_SERVICE_BACKEND_ICBMSG", NULL},
	{"IPC_SERVICE_BACKEND_ICBMSG_LOG_LEVEL", K_INT, "=LOG_DEFAULT_LEVEL", "IPC_SERVICE_BACKEND_ICBMSG && LOG",
	 NULL},
	{"PBUF", K_BOOL, "y", "IPC_SERVICE_ICMSG", NULL},
	{"PBUF_RX_READ_BUF_SIZE", K_INT, "128", "PBUF",
	 "the runtime's ICMsg receive buffer (instead of `ipc-emu run --rx-buf-size`)"},
};

#define N_KSYMS (sizeof(ksyms) / sizeof(ksyms[0]))

struct kval {
	char *name;  /* without CONFIG_ */
	char *value; /* "y", "n", digits, or a quoted string */
	bool user;
};

struct kconf {
	struct kval *v;
	size_t n;
};

static const struct ksym *ksym_find(const char *name)
{
	for (size_t i = 0; i < N_KSYMS; i++) {
		if (strcmp(ksyms[i].name, name) == 0) {
			return &ksyms[i];
		}
	}
	return NULL;
}

static struct kval *kval_find(struct kconf *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++) {
		if (strcmp(k->v[i].name, name) == 0) {
			return &k->v[i];
		}
	}
	return NULL;
}

static void kset(struct kconf *k, const char *name, const char *value, bool user)
{
	struct kval *v = kval_find(k, name);

	if (v == NULL) {
		k->v = xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
		v = &k->v[k->n++];
		v->name = xstrndup(name, strlen(name));
	} else {
		free(v->value);
	}
	v->value = xstrndup(value, strlen(value));
	v->user = user;
}

static bool is_int(const char *s)
{
	char *end;

	if (*s == '\0') {
		return false;
	}
	errno = 0;
	(void)strtoll(s, &end, 0);
	return errno == 0 && *end == '\0';
}

static bool is_quoted(const char *s)
{
	size_t l = strlen(s);

	if (l < 2 || s[0] != '"' || s[l - 1] != '"') {
		return false;
	}
	for (size_t i = 1; i + 1 < l; i++) {
		if (s[i] == '\\') {
			if (i + 2 >= l) {
				return false;
			}
			i++;
		} else if (s[i] == '"') {
			return false;
		}
	}
	return true;
}

/* One assignment `CONFIG_X=V` from `where`.  Unknown symbols are accepted
 * (users have their own) with a warning; a value of the wrong type for a
 * known symbol is an error. */
static int kassign(struct kconf *k, const char *line, const char *where)
{
	const char *eq = strchr(line, '=');
	char name[128];
	const char *val;
	const struct ksym *s;

	if (strncmp(line, "CONFIG_", 7) != 0 || eq == NULL || eq == line + 7 ||
	    (size_t)(eq - line - 7) >= sizeof(name)) {
		return zc_fail("%s: \"%s\": expected CONFIG_NAME=VALUE", where, line);
	}
	memcpy(name, line + 7, (size_t)(eq - line - 7));
	name[eq - line - 7] = '\0';
	for (const char *c = name; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '_') {
			return zc_fail("%s: \"%s\": not a symbol name", where, line);
		}
	}
	val = eq + 1;
	s = ksym_find(name);
	if (s == NULL) {
		if (strcmp(val, "y") != 0 && strcmp(val, "n") != 0 && !is_int(val) &&
		    !is_quoted(val)) {
			return zc_fail("%s: CONFIG_%s=%s: expected y, n, a number or a \"string\"",
				       where, name, val);
		}
		fprintf(stderr, "ipc-emu: warning: %s: CONFIG_%s is not a symbol ipc-emu knows; "
				"defined as given\n", where, name);
	} else if ((s->type == K_BOOL && strcmp(val, "y") != 0 && strcmp(val, "n") != 0) ||
		   (s->type == K_INT && !is_int(val)) || (s->type == K_STRING && !is_quoted(val))) {
		return zc_fail("%s: CONFIG_%s=%s: CONFIG_%s is %s", where, name, val, name,
			       s->type == K_BOOL ? "a bool (y or n)" :
			       s->type == K_INT ? "an int" : "a string (\"...\")");
	}
	kset(k, name, val, true);
	return 0;
}

static int kload_file(struct kconf *k, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024], where[PATH_MAX + 32];
	unsigned no = 0;
	int rc = 0;

	if (f == NULL) {
		return zc_fail("%s: %s", path, strerror(errno));
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *s = line, *e;
		char name[128];

		no++;
		s[strcspn(s, "\r\n")] = '\0';
		while (isspace((unsigned char)*s)) {
			s++;
		}
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1])) {
			*--e = '\0';
		}
		snprintf(where, sizeof(where), "%s:%u", path, no);
		if (sscanf(s, "# CONFIG_%127[A-Za-z0-9_]", name) == 1) {
			char assign[160], notset[192];

			snprintf(notset, sizeof(notset), "# CONFIG_%s is not set", name);
			if (strcmp(s, notset) == 0) {
				snprintf(assign, sizeof(assign), "CONFIG_%s=n", name);
				rc = kassign(k, assign, where);
				continue;
			}
		}
		if (*s == '\0' || *s == '#') {
			continue;
		}
		/* A trailing comment after a value (not inside a string). */
		if (strchr(s, '"') == NULL && strchr(s, '#') != NULL) {
			e = strchr(s, '#');
			*e = '\0';
			while (e > s && isspace((unsigned char)e[-1])) {
				*--e = '\0';
			}
		}
		rc = kassign(k, s, where);
	}
	fclose(f);
	return rc;
}

static bool kon(struct kconf *k, const char *name)
{
	struct kval *v = kval_find(k, name);

	return v != NULL && strcmp(v->value, "y") == 0;
}

/* "A && B|C": every &&-term on; a term is on when one of its |-names is. */
static bool deps_ok(struct kconf *k, const char *deps)
{
	char buf[256], *save = NULL;

	if (deps == NULL) {
		return true;
	}
	snprintf(buf, sizeof(buf), "%s", deps);
	for (char *term = strtok_r(buf, "&", &save); term != NULL; term = strtok_r(NULL, "&", &save)) {
		char *s2 = NULL;
		bool any = false;

		for (char *a = strtok_r(term, "| ", &s2); a != NULL; a = strtok_r(NULL, "| ", &s2)) {
			any = any || kon(k, a);
		}
		if (!any) {
			return false;
		}
	}
	return true;
}

static int gen_autoconf(const struct tree *t, struct kconf *user, const char *core, struct out *o)
{
	struct kconf k = {0};
	const char **compats;
	size_t nc = list_compats(t, &compats);
	FILE *f = o->f;

	/* The devicetree's DT_HAS_<COMPAT>_ENABLED first: defaults depend on them. */
	for (size_t i = 0; i < nc; i++) {
		bool okay = false;
		char name[160];
		size_t j;

		for (size_t n = 0; n < t->nall && !okay; n++) {
			okay = t->all[n]->okay && has_compat(t->all[n], compats[i]);
		}
		if (!okay) {
			continue;
		}
		j = (size_t)snprintf(name, sizeof(name), "DT_HAS_");
		for (const char *c = compats[i]; *c && j < sizeof(name) - 9; c++) {
			name[j++] = isalnum((unsigned char)*c) ? (char)toupper((unsigned char)*c) : '_';
		}
		snprintf(name + j, sizeof(name) - j, "_ENABLED");
		kset(&k, name, "y", false);
	}
	free(compats);
	/* Table order is dependency order: a symbol's value (the user's, else
	 * the default) counts only when its dependencies hold. */
	for (size_t i = 0; i < N_KSYMS; i++) {
		struct kval *u = kval_find(user, ksyms[i].name);
		const char *v = u != NULL ? u->value : ksyms[i].dflt;

		if (v[0] == '=') { /* the value of another symbol (set earlier) */
			struct kval *from = kval_find(&k, v + 1);

			v = from != NULL ? from->value : "0";
		}

		if (!deps_ok(&k, ksyms[i].depends)) {
			if (u != NULL && strcmp(u->value, "n") != 0) {
				fprintf(stderr, "ipc-emu: warning: CONFIG_%s=%s ignored: it depends on "
						"%s\n", ksyms[i].name, u->value, ksyms[i].depends);
			}
			continue;
		}
		kset(&k, ksyms[i].name, v, u != NULL);
	}
	for (size_t i = 0; i < user->n; i++) {
		if (ksym_find(user->v[i].name) == NULL) {
			kset(&k, user->v[i].name, user->v[i].value, true);
		}
	}
	fprintf(f, "/*\n * Generated by `ipc-emu zephyr-config` for the %s core: Kconfig symbols\n"
		   " * (Zephyr's defaults, prj.conf and command-line values).  Do not edit.\n */\n",
		core);
	fprintf(f, "#ifndef EMU_AUTOCONF_H\n#define EMU_AUTOCONF_H\n\n");
	for (size_t i = 0; i < k.n; i++) {
		const struct kval *v = &k.v[i];
		const struct ksym *s = ksym_find(v->name);

		if (strcmp(v->value, "n") == 0) {
			continue; /* a disabled bool stays undefined, as on Zephyr */
		}
		fprintf(f, "#define CONFIG_%s %s", v->name, strcmp(v->value, "y") == 0 ? "1" : v->value);
		if (s != NULL && s->runtime != NULL) {
			fprintf(f, " /* %s */", s->runtime);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n#endif /* EMU_AUTOCONF_H */\n");
	for (size_t i = 0; i < k.n; i++) {
		free(k.v[i].name);
		free(k.v[i].value);
	}
	free(k.v);
	return 0;
}

/* ------------------------------------------------------------------------
 * Files
 */

static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	size_t l = strlen(dir);

	if (l == 0 || l >= sizeof(buf)) {
		return zc_fail("--out %s: bad directory", dir);
	}
	memcpy(buf, dir, l + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0777) < 0 && errno != EEXIST) {
				return zc_fail("%s: cannot create: %s", buf, strerror(errno));
			}
			*p = c;
			if (c == '\0') {
				break;
			}
		}
	}
	return 0;
}

/* Write `o` to `path` unless it already holds exactly that (so that make
 * and ninja do not rebuild what includes it). */
static int write_if_changed(const char *path, const struct out *o)
{
	FILE *f = fopen(path, "rb");
	char tmp[PATH_MAX + 16];
	bool same = false;

	if (f != NULL) {
		char *old = xcalloc(o->len + 2, 1);
		size_t r = fread(old, 1, o->len + 1, f);

		same = r == o->len && memcmp(old, o->buf, o->len) == 0;
		free(old);
		fclose(f);
	}
	if (same) {
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (f == NULL) {
		return zc_fail("%s: %s", tmp, strerror(errno));
	}
	if (fwrite(o->buf, 1, o->len, f) != o->len || fclose(f) != 0) {
		unlink(tmp);
		return zc_fail("%s: write failed", tmp);
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return zc_fail("%s: %s", path, strerror(errno));
	}
	return 1;
}

/* The directory of the compatibility headers: the installed
 * <prefix>/include/ipc_emu/zephyr-compat beside this executable's
 * <prefix>/bin, else the source tree this CLI was built from. */
static void compat_dir(char *out, size_t len)
{
	char exe[PATH_MAX - 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;

	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(out, len, "%s/../include/ipc_emu/zephyr-compat", exe);
			{
				char probe[PATH_MAX + 64];

				snprintf(probe, sizeof(probe), "%s/zephyr/kernel.h", out);
				if (stat(probe, &st) == 0) {
					char *real = realpath(out, NULL);

					if (real != NULL) {
						snprintf(out, len, "%s", real);
						free(real);
					}
					return;
				}
			}
		}
	}
	/* __FILE__ is .../cli/zephyr_config.c when built from the tree. */
	snprintf(out, len, "%s", __FILE__);
	for (int i = 0; i < 2; i++) {
		char *slash = strrchr(out, '/');

		if (slash != NULL) {
			*slash = '\0';
		}
	}
	snprintf(out + strlen(out), len - strlen(out), "/include");
}

/* ------------------------------------------------------------------------
 * The command
 */

void cli_help_zephyr_config(FILE *f)
{
	fprintf(f,
		"usage: ipc-emu zephyr-config --core host|remote --out DIR [--dts A.dts[,B.dts]]\n"
		"                             [--kconfig prj.conf]... [CONFIG_X=VAL]... [--cflags]\n"
		"\n"
		"Writes DIR/zephyr/devicetree_generated.h and DIR/zephyr/autoconf.h for one core\n"
		"(only when their content changes), so that Zephyr code compiles with the\n"
		"devicetree macros (DT_PROP, DT_REG_ADDR, DT_INST_FOREACH_STATUS_OKAY ...) and\n"
		"the CONFIG_ symbols of its build.\n"
		"\n"
		"  --dts A[,B]     the run's devicetree (as `ipc-emu run --dts`): one file for\n"
		"                  the host, the remote seeing its mirror image; or one per core.\n"
		"                  Default: the built-in board.\n"
		"  --core ROLE     host or remote\n"
		"  --out DIR       output directory (created)\n"
		"  --kconfig FILE  prj.conf-style overrides: CONFIG_X=y|n|123|\"str\",\n"
		"                  `# CONFIG_X is not set`, comments; may be repeated\n"
		"  CONFIG_X=VAL    an override after the files\n"
		"  --cflags        print the compiler flags: -IDIR -imacros DIR/zephyr/autoconf.h\n"
		"                  -I<compatibility headers> -Werror=implicit-function-declaration\n"
		"                  (a Zephyr API the headers lack fails to compile, named)\n"
		"\n"
		"Property types come from the DTS syntax: prop; = boolean, \"s\" = string,\n"
		"several strings (and any compatible/*-names) = string-array, <n> = int,\n"
		"several cells = array (reg, ranges, interrupts always), [..] = uint8-array;\n"
		"tx-region, rx-region, memory-region, interrupt-parent = phandles; mboxes,\n"
		"pwms, *-gpios = phandle-arrays named by their *-names; `unbound` of\n"
		"zephyr,ipc-icmsg is an enum.  A property mixing strings and cells is refused.\n"
		"Unknown CONFIG_ symbols are kept with a warning; a known symbol given a value\n"
		"of the wrong type is an error.  Errors: one line, exit status 2.\n");
}

struct zc_opts {
	const char *dts, *core, *out;
	const char **kconfig;
	size_t nkconfig;
	const char **assign;
	size_t nassign;
	bool cflags;
};

static int parse_opts(int argc, char **argv, int first, struct zc_opts *o)
{
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_help_zephyr_config(stdout);
			return 1;
		}
		if (strcmp(a, "--cflags") == 0) {
			o->cflags = true;
			continue;
		}
		if (strncmp(a, "CONFIG_", 7) == 0) {
			o->assign = xrealloc(o->assign, (o->nassign + 1) * sizeof(char *));
			o->assign[o->nassign++] = a;
			continue;
		}
		if (strcmp(a, "--dts") == 0) {
			slot = &o->dts;
		} else if (strcmp(a, "--core") == 0) {
			slot = &o->core;
		} else if (strcmp(a, "--out") == 0) {
			slot = &o->out;
		} else if (strcmp(a, "--kconfig") == 0) {
			o->kconfig = xrealloc(o->kconfig, (o->nkconfig + 1) * sizeof(char *));
			slot = &o->kconfig[o->nkconfig++];
		} else {
			return zc_fail("zephyr-config: unknown argument '%s' (see 'ipc-emu help "
				       "zephyr-config')", a);
		}
		if (i + 1 >= argc || argv[i + 1][0] == '\0') {
			return zc_fail("zephyr-config: %s needs a value", a);
		}
		*slot = argv[++i];
	}
	if (o->core == NULL || o->out == NULL) {
		return zc_fail("zephyr-config: --core and --out are required");
	}
	if (strcmp(o->core, "host") != 0 && strcmp(o->core, "remote") != 0) {
		return zc_fail("zephyr-config: --core %s: expected host or remote", o->core);
	}
	return 0;
}

static int zephyr_config(const struct zc_opts *o)
{
	enum emu_role role = strcmp(o->core, "host") == 0 ? EMU_ROLE_HOST : EMU_ROLE_REMOTE;
	char path[PATH_MAX], src[PATH_MAX + 64], err[512], dir[PATH_MAX], what[PATH_MAX + 64];
	const char *text = NULL, *file = NULL;
	bool mirror = false;
	struct emu_dt_plan *plan = xcalloc(1, sizeof(*plan));
	struct kconf user = {0};
	struct tree t = {0};
	struct out dt, ac;
	char *dts_out = NULL;
	int rc;

	dt.f = ac.f = NULL;
	dt.buf = ac.buf = NULL;
	if (o->dts == NULL) {
		text = emu_dt_default_board(role);
		snprintf(src, sizeof(src), "<default board: %s>", o->core);
		snprintf(what, sizeof(what), "the built-in board");
		rc = emu_dt_load_string(text, src, plan, err, sizeof(err));
	} else {
		const char *comma = strchr(o->dts, ',');

		if (comma == NULL) {
			snprintf(path, sizeof(path), "%s", o->dts);
			mirror = role == EMU_ROLE_REMOTE;
		} else if (role == EMU_ROLE_HOST) {
			snprintf(path, sizeof(path), "%.*s", (int)(comma - o->dts), o->dts);
		} else {
			snprintf(path, sizeof(path), "%s", comma + 1);
		}
		file = path;
		snprintf(src, sizeof(src), "%s", path);
		snprintf(what, sizeof(what), "%s%s", mirror ? "the mirror image of " : "", path);
		rc = emu_dt_load_file(path, plan, err, sizeof(err));
	}
	if (rc < 0) {
		rc = zc_fail("%s", err);
		goto out;
	}
	rc = run_dtc_dts(file, text, src, &dts_out);
	if (rc == 0) {
		rc = parse_tree(dts_out, src, &t);
	}
	if (rc < 0) {
		goto out;
	}
	if (mirror) {
		mirror_tree(&t);
	}
	mark_devices(&t, plan);
	for (size_t i = 0; rc == 0 && i < o->nkconfig; i++) {
		rc = kload_file(&user, o->kconfig[i]);
	}
	for (size_t i = 0; rc == 0 && i < o->nassign; i++) {
		rc = kassign(&user, o->assign[i], "command line");
	}
	if (rc < 0) {
		goto out;
	}
	out_open(&dt);
	rc = gen_devicetree(&t, what, o->core, &dt);
	out_close(&dt);
	if (rc < 0) {
		goto out;
	}
	out_open(&ac);
	rc = gen_autoconf(&t, &user, o->core, &ac);
	out_close(&ac);
	if (rc < 0) {
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/zephyr", o->out);
	rc = mkdir_p(dir);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/devicetree_generated.h", dir);
		rc = write_if_changed(path, &dt);
	}
	if (rc >= 0) {
		snprintf(path, sizeof(path), "%s/autoconf.h", dir);
		rc = write_if_changed(path, &ac);
	}
	if (rc >= 0 && o->cflags) {
		char cd[PATH_MAX], *outabs = realpath(o->out, NULL);

		compat_dir(cd, sizeof(cd));
		/* An API the compat headers do not provide must fail to compile
		 * with its name, not link-fail later (GCC 12 only warns). */
		printf("-I%s -imacros %s/zephyr/autoconf.h -I%s -Werror=implicit-function-declaration\n",
		       outabs ? outabs : o->out, outabs ? outabs : o->out, cd);
		free(outabs);
	}
	rc = rc < 0 ? -1 : 0;
out:
	free(dts_out);
	free(dt.buf);
	free(ac.buf);
	free_tree(&t);
	for (size_t i = 0; i < user.n; i++) {
		free(user.v[i].name);
		free(user.v[i].value);
	}
	free(user.v);
	free(plan);
	return rc;
}

int cli_zephyr_config_main(int argc, char **argv, int first)
{
	struct zc_opts o = {0};
	int rc;

	g_err[0] = '\0';
	rc = parse_opts(argc, argv, first, &o);
	if (rc == 0) {
		rc = zephyr_config(&o);
	}
	free(o.kconfig);
	free(o.assign);
	if (rc < 0) {
		cli_err("%s", g_err);
		return EXIT_USAGE;
	}
	return EXIT_PASS;
}
