/*
 * bench_svg.c - `ipc-emu bench --plot FILE`: one hand-written SVG with four
 * panels - RTT distributions (cumulative, log time axis) of every echo
 * figure, ICMsg streaming messages/s against raw_ring by message size,
 * ICBMsg streaming bytes/s (copy, no-copy) against memcpy by size, and
 * ICBMsg per-message cost by endpoints and by instances.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench_svg.h"
#include "cli.h"

#define W 1100
#define PANEL_W 540
#define PLOT_W 290
#define PANEL_H 300
#define MAX_SERIES 16
#define MAX_POINTS 128

struct series {
	char name[BENCH_NAME_LEN];
	unsigned n;
	double x[MAX_POINTS], y[MAX_POINTS];
	bool dashed;
};

struct panel {
	const char *title, *xlabel, *ylabel;
	bool logx, logy;
	unsigned n;
	struct series s[MAX_SERIES];
};

/* MAX_SERIES distinct colours (Kelly's contrast set, without the pale
 * ones): no two series of a panel share one. */
static const char *const colors[MAX_SERIES] = {
	"#0067a5", "#f38400", "#008856", "#be0032", "#875692", "#882d17", "#e68fac", "#848482",
	"#8db600", "#a1caf1", "#2b3d26", "#604e97", "#f99379", "#000000", "#e25822", "#654522"};

static double tr(double v, bool logv)
{
	return logv ? log10(v > 0 ? v : 1e-12) : v;
}

/* A round step near `raw`: 1, 2 or 5 times a power of ten. */
static double nice_step(double raw)
{
	double mag = pow(10, floor(log10(raw > 0 ? raw : 1)));
	double f = raw / mag;

	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/* The axis range in plot units (log10 on log axes) and its tick step:
 * whole decades on log axes, a round step on linear ones, the ends on
 * ticks, so that every tick label is a round number. */
static void range(const struct panel *p, bool xaxis, double *lo, double *hi, double *step)
{
	bool logv = xaxis ? p->logx : p->logy;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (unsigned i = 0; i < p->n; i++) {
		for (unsigned j = 0; j < p->s[i].n; j++) {
			double v = xaxis ? p->s[i].x[j] : p->s[i].y[j];

			if (logv && v <= 0) {
				continue;
			}
			v = tr(v, logv);
			*lo = v < *lo ? v : *lo;
			*hi = v > *hi ? v : *hi;
		}
	}
	if (!isfinite(*lo)) {
		*lo = 0;
		*hi = 1;
	}
	if (logv) {
		*lo = floor(*lo);
		*hi = ceil(*hi);
		if (*hi <= *lo) {
			*hi = *lo + 1;
		}
		*step = 1;
		return;
	}
	if (!xaxis) {
		*lo = *lo > 0 ? 0 : *lo;
	}
	if (*hi <= *lo) {
		*hi = *lo + 1;
	}
	*step = nice_step((*hi - *lo) / 5);
	*lo = floor(*lo / *step) * *step;
	*hi = ceil(*hi / *step) * *step;
	if (*hi <= *lo) {
		*hi = *lo + *step;
	}
}

static void tick_label(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (a >= 1e9) {
		snprintf(buf, len, "%gG", v / 1e9);
	} else if (a >= 1e6) {
		snprintf(buf, len, "%gM", v / 1e6);
	} else if (a >= 1e3) {
		snprintf(buf, len, "%gk", v / 1e3);
	} else {
		snprintf(buf, len, "%g", v);
	}
}

static void draw_panel(FILE *f, const struct panel *p, double ox, double oy)
{
	const double L = 64, T = 28, B = 40;
	const double pw = PLOT_W, ph = PANEL_H - T - B;
	double x0, x1, y0, y1, xs, ys;

	range(p, true, &x0, &x1, &xs);
	range(p, false, &y0, &y1, &ys);
	fprintf(f, "<g transform=\"translate(%.0f,%.0f)\">\n", ox, oy);
	fprintf(f, "<text x=\"%.0f\" y=\"16\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", L,
		p->title);
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
		   "stroke=\"#888\"/>\n",
		L, T, pw, ph);
	/* Ticks: decades on log axes, round steps on linear ones. */
	for (int axis = 0; axis < 2; axis++) {
		bool logv = axis == 0 ? p->logx : p->logy;
		double lo = axis == 0 ? x0 : y0, hi = axis == 0 ? x1 : y1;
		double st = axis == 0 ? xs : ys;
		int steps = (int)lround((hi - lo) / st);

		for (int k = 0; k <= steps; k++) {
			double t = lo + st * k;
			double v = logv ? pow(10, t) : t;
			char lab[32];

			tick_label(lab, sizeof(lab), v);
			if (axis == 0) {
				double x = L + pw * (t - lo) / (hi - lo);

				fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" "
					   "stroke=\"#ddd\"/>\n",
					x, T, x, T + ph);
				fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\" "
					   "text-anchor=\"middle\">%s</text>\n",
					x, T + ph + 14, lab);
			} else {
				double y = T + ph - ph * (t - lo) / (hi - lo);

				fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" "
					   "stroke=\"#ddd\"/>\n",
					L, y, L + pw, y);
				fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" "
					   "text-anchor=\"end\">%s</text>\n",
					L - 4, y + 3, lab);
			}
		}
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
		L + pw / 2, T + ph + 32, p->xlabel);
	fprintf(f, "<text transform=\"translate(11,%.0f) rotate(-90)\" font-size=\"11\" "
		   "text-anchor=\"middle\">%s</text>\n",
		T + ph / 2, p->ylabel);
	for (unsigned i = 0; i < p->n; i++) {
		const struct series *s = &p->s[i];
		const char *col = colors[i]; /* i < MAX_SERIES: add() stops there */

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s points=\"", col,
			s->dashed ? " stroke-dasharray=\"5,3\"" : "");
		for (unsigned j = 0; j < s->n; j++) {
			double tx = tr(s->x[j], p->logx), ty = tr(s->y[j], p->logy);
			double x = L + pw * (tx - x0) / (x1 - x0), y = T + ph - ph * (ty - y0) / (y1 - y0);

			if ((p->logx && s->x[j] <= 0) || (p->logy && s->y[j] <= 0)) {
				continue;
			}
			fprintf(f, "%.1f,%.1f ", x, y);
		}
		fprintf(f, "\"/>\n");
		/* Points of short series as dots: a one-point series (one size
		 * measured) has no line to show. */
		for (unsigned j = 0; s->n <= 16 && j < s->n; j++) {
			double tx = tr(s->x[j], p->logx), ty = tr(s->y[j], p->logy);

			if ((p->logx && s->x[j] <= 0) || (p->logy && s->y[j] <= 0)) {
				continue;
			}
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n",
				L + pw * (tx - x0) / (x1 - x0), T + ph - ph * (ty - y0) / (y1 - y0), col);
		}
		/* Legend, right of the panel's plot area, inside the panel. */
		fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" "
			   "stroke-width=\"2\"%s/>\n",
			L + pw + 10, T + 6 + i * 13.0, L + pw + 28, T + 6 + i * 13.0, col,
			s->dashed ? " stroke-dasharray=\"5,3\"" : "");
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"9\">%s</text>\n", L + pw + 32,
			T + 9 + i * 13.0, s->name);
	}
	fprintf(f, "</g>\n");
}

static struct series *add(struct panel *p, const char *name, bool dashed)
{
	struct series *s;

	if (p->n == MAX_SERIES) {
		return NULL;
	}
	s = &p->s[p->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->dashed = dashed;
	return s;
}

static void point(struct series *s, double x, double y)
{
	if (s != NULL && s->n < MAX_POINTS) {
		s->x[s->n] = x;
		s->y[s->n] = y;
		s->n++;
	}
}

/* A series of one group's figures, x = what pick() says. */
static void group_series(struct panel *p, const struct bench_result *res, unsigned n,
			 const char *group, const char *label, bool dashed, int xwhat, int ywhat)
{
	struct series *s = NULL;

	for (unsigned i = 0; i < n; i++) {
		const struct bench_result *r = &res[i];
		double x, y;

		if (!r->ok || strcmp(r->group, group) != 0) {
			continue;
		}
		if (s == NULL && (s = add(p, label, dashed)) == NULL) {
			return;
		}
		x = xwhat == 0 ? r->size : xwhat == 1 ? r->endpoints : r->instances;
		y = ywhat == 0 ? r->messages_per_s : ywhat == 1 ? r->bytes_per_s
			: (r->messages_per_s > 0 ? 1e9 / r->messages_per_s : 0);
		point(s, x, y);
	}
}

/* Baselines of a family ("raw_ring", "memcpy"), by size. */
static void baseline_series(struct panel *p, const struct bench_result *res, unsigned n,
			    const char *prefix, enum bench_kind kind, int ywhat)
{
	struct series *s = NULL;

	for (unsigned i = 0; i < n; i++) {
		const struct bench_result *r = &res[i];

		if (!r->ok || r->kind != kind || strncmp(r->name, prefix, strlen(prefix)) != 0 ||
		    strcmp(r->group, "baseline") != 0) {
			continue;
		}
		if (s == NULL && (s = add(p, prefix, true)) == NULL) {
			return;
		}
		point(s, r->size, ywhat == 0 ? r->messages_per_s : r->bytes_per_s);
	}
}

static void sort_series(struct panel *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct series *s = &p->s[i];

		for (unsigned a = 1; a < s->n; a++) {
			for (unsigned b = a; b > 0 && s->x[b - 1] > s->x[b]; b--) {
				double tx = s->x[b], ty = s->y[b];

				s->x[b] = s->x[b - 1];
				s->y[b] = s->y[b - 1];
				s->x[b - 1] = tx;
				s->y[b - 1] = ty;
			}
		}
	}
}

int bench_svg(const char *path, const struct bench_result *res, unsigned n, bool quick)
{
	static struct panel p[4];
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		cli_err("bench: cannot write %s: %s", path, strerror(errno));
		return -errno;
	}
	memset(p, 0, sizeof(p));
	p[0] = (struct panel){.title = "Round trip (64 B unless named): cumulative distribution",
			      .xlabel = "RTT (us, log)", .ylabel = "% of round trips", .logx = true};
	for (unsigned i = 0; i < n; i++) {
		const struct bench_result *r = &res[i];
		struct series *s;

		if (!r->ok || r->kind != BENCH_ECHO || strcmp(r->name, "raw_ring_echo") == 0) {
			continue;
		}
		if ((s = add(&p[0], r->name, strcmp(r->group, "baseline") == 0)) == NULL) {
			break;
		}
		for (unsigned q = 0; q < BENCH_QUANTILES; q++) {
			point(s, r->quantile_us[q], (double)q);
		}
	}
	p[1] = (struct panel){.title = "ICMsg streaming vs raw_ring",
			      .xlabel = "message size (bytes, log)", .ylabel = "messages/s (log)",
			      .logx = true, .logy = true};
	group_series(&p[1], res, n, "icmsg_stream", "icmsg (work queue)", false, 0, 0);
	group_series(&p[1], res, n, "icmsg_stream_isr", "icmsg (interrupt thread)", false, 0, 0);
	baseline_series(&p[1], res, n, "raw_ring", BENCH_STREAM, 0);
	p[2] = (struct panel){.title = "ICBMsg streaming vs memcpy",
			      .xlabel = "buffer size (bytes, log)", .ylabel = "bytes/s (log)",
			      .logx = true, .logy = true};
	group_series(&p[2], res, n, "icbmsg_stream_copy", "icbmsg copy", false, 0, 1);
	group_series(&p[2], res, n, "icbmsg_stream_nocopy", "icbmsg no-copy", false, 0, 1);
	baseline_series(&p[2], res, n, "memcpy", BENCH_COPY, 1);
	p[3] = (struct panel){.title = "ICBMsg scale: cost per 64 B message",
			      .xlabel = "endpoints / instances (log)", .ylabel = "ns per message",
			      .logx = true};
	group_series(&p[3], res, n, "icbmsg_endpoints", "by endpoints", false, 1, 2);
	group_series(&p[3], res, n, "icbmsg_instances", "by instances", true, 2, 2);
	for (int i = 0; i < 4; i++) {
		sort_series(&p[i]);
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "font-family=\"sans-serif\">\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		   "<text x=\"10\" y=\"20\" font-size=\"16\" font-weight=\"bold\">ipc-emu bench, "
		   "%s (one run; dashed: baselines)</text>\n",
		W, 2 * PANEL_H + 60,
		quick ? "--quick run (short measurements, fewer sizes)" : "full run");
	for (int i = 0; i < 4; i++) {
		draw_panel(f, &p[i], 10 + (i % 2) * (W / 2), 36 + (i / 2) * (PANEL_H + 10));
	}
	fprintf(f, "</svg>\n");
	if (fclose(f) != 0) {
		cli_err("bench: cannot write %s", path);
		return -EIO;
	}
	return 0;
}
