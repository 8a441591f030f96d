/*
 * cache.c - the cache model (docs/cache-model.md).
 *
 * With emu_board_opts.cache_model a board hands the core pointers into
 * private views of its ICMsg/ICBMsg regions instead of the shared mapping.
 * A view is a malloc'd copy of one region plus a "clean snapshot" of it:
 * the private copy is what the core's cache holds, the snapshot what that
 * cache last exchanged with shared memory.  The core stores through plain
 * pointers, so a line is dirty exactly when its private bytes differ from
 * the snapshot (a store of the value already there is not seen: such a line
 * stays clean - the one way the model is kinder than silicon).
 *
 * Lines are `line` bytes, aligned on TARGET addresses (so the private copy
 * keeps the target's alignment modulo the line), clipped at the region's
 * ends.  port_cache_flush() writes every dirty line overlapping the range
 * back, whole (as hardware does: a dirty line carries all of its bytes);
 * port_cache_invd() refetches every overlapping line from shared memory,
 * losing its dirty bytes.  At each of these calls, with probability
 * rate/1024 (seeded xorshift64*), one random line of the calling board's
 * views is evicted: written back if dirty, refetched if clean.
 *
 * One process-wide mutex protects the registry and every view's snapshot;
 * the core's threads store into the private copies concurrently: a
 * write-back reads the line once into a scratch buffer (a racing store is
 * simply not in it and leaves the line dirty), and a clean-line refetch
 * swaps each word only if it still holds the snapshot value, so a racing
 * store is never lost.  A full fence orders each copy against shared
 * memory on both sides (the peer may be another process).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"
#include "port.h"
#include "zephyr_stack.h"

#define LINE_MIN 4u
#define LINE_MAX 4096u

struct cache_view {
	struct emu_cache *owner;
	uint8_t *alloc;   /* aligned allocation of the private copy */
	uint8_t *priv;    /* private address of the region's first byte */
	uint8_t *snap;    /* clean snapshot, same offsets as priv */
	uint8_t *shared;  /* the region in the shared mapping */
	uint64_t target;  /* target address of the region's first byte */
	size_t len;
	uint32_t line;
	uint32_t pre;     /* target address of the region modulo line */
	size_t nlines;
	bool evict;       /* its lines take part in random evictions */
	struct cache_view *next;       /* registry */
	struct cache_view *next_owner; /* views of one cache */
};

struct emu_cache {
	uint64_t rng;
	uint32_t rate; /* evictions per 1024 cache-op calls */
	size_t lines;  /* all lines of all views */
	struct cache_view *views;
	struct emu_cache_stats st;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cache_view *registry;
static atomic_uint registry_n; /* 0: port_cache_* return at once */

/* ------------------------------------------------------------------ lines */

/* Offsets [*b, *e) of line k of the view. */
static void line_span(const struct cache_view *v, size_t k, size_t *b, size_t *e)
{
	size_t begin = k * v->line, end = begin + v->line;

	*b = begin < v->pre ? 0 : begin - v->pre;
	end -= v->pre;
	*e = end > v->len ? v->len : end;
}

static bool line_dirty(const struct cache_view *v, size_t b, size_t e, uint8_t *scratch)
{
	memcpy(scratch, v->priv + b, e - b);
	return memcmp(scratch, v->snap + b, e - b) != 0;
}

/* Write line k back if dirty.  Caller holds reg_lock.  True if written. */
static bool line_writeback(struct cache_view *v, size_t k)
{
	uint8_t scratch[LINE_MAX];
	size_t b, e;

	line_span(v, k, &b, &e);
	/* One read of the private line: a store racing with us is either in
	 * it or leaves the line dirty for the next flush. */
	if (!line_dirty(v, b, e, scratch)) {
		return false;
	}
	atomic_thread_fence(memory_order_seq_cst);
	memcpy(v->shared + b, scratch, e - b);
	atomic_thread_fence(memory_order_seq_cst);
	memcpy(v->snap + b, scratch, e - b);
	return true;
}

/* Invalidate line k: refetch it from shared memory, dirty bytes lost.
 * Caller holds reg_lock. */
static void line_refetch(struct cache_view *v, size_t k)
{
	size_t b, e;

	line_span(v, k, &b, &e);
	atomic_thread_fence(memory_order_seq_cst);
	memcpy(v->snap + b, v->shared + b, e - b);
	atomic_thread_fence(memory_order_seq_cst);
	memcpy(v->priv + b, v->snap + b, e - b);
}

/*
 * Evict a clean line: refetch it, word by word, keeping any word the core
 * stored to meanwhile (as if the store followed the refill).  Lines whose
 * ends are not 4-aligned are left alone.  Caller holds reg_lock.
 */
static void line_drop_clean(struct cache_view *v, size_t k)
{
	uint8_t fresh[LINE_MAX];
	size_t b, e;

	line_span(v, k, &b, &e);
	if (((uintptr_t)(v->priv + b) & 3u) != 0 || ((e - b) & 3u) != 0) {
		return;
	}
	atomic_thread_fence(memory_order_seq_cst);
	memcpy(fresh, v->shared + b, e - b);
	atomic_thread_fence(memory_order_seq_cst);
	for (size_t i = 0; i < e - b; i += 4) {
		uint32_t old, nw;

		memcpy(&old, v->snap + b + i, 4);
		memcpy(&nw, fresh + i, 4);
		(void)__atomic_compare_exchange_n((uint32_t *)(void *)(v->priv + b + i), &old, nw,
						  false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	memcpy(v->snap + b, fresh, e - b);
}

static uint64_t rng_next(struct emu_cache *c)
{
	uint64_t x = c->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Maybe evict one random line of c.  Caller holds reg_lock. */
static void maybe_evict(struct emu_cache *c)
{
	uint64_t r;
	size_t k;

	if (c->rate == 0 || c->lines == 0) {
		return;
	}
	r = rng_next(c);
	if ((r & 1023u) >= c->rate) {
		return;
	}
	k = (size_t)((r >> 10) % c->lines);
	for (struct cache_view *v = c->views; v != NULL; v = v->next_owner) {
		if (!v->evict) {
			continue;
		}
		if (k >= v->nlines) {
			k -= v->nlines;
			continue;
		}
		c->st.evictions++;
		if (line_writeback(v, k)) {
			c->st.evicted_dirty++;
		} else {
			line_drop_clean(v, k);
		}
		return;
	}
}

/* The view holding [p, p+len), or NULL.  Caller holds reg_lock. */
static struct cache_view *view_find(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	for (struct cache_view *v = registry; v != NULL; v = v->next) {
		uintptr_t base = (uintptr_t)v->priv;

		if (a >= base && a - base < v->len) {
			return len <= v->len - (a - base) ? v : NULL;
		}
	}
	return NULL;
}

enum op { OP_FLUSH, OP_INVD };

static void cache_op(void *addr, size_t len, enum op op)
{
	struct cache_view *v;

	if (atomic_load_explicit(&registry_n, memory_order_acquire) == 0 || len == 0) {
		return;
	}
	pthread_mutex_lock(&reg_lock);
	v = view_find(addr, len);
	if (v != NULL) {
		size_t off = (size_t)((uint8_t *)addr - v->priv);
		size_t first = (off + v->pre) / v->line;
		size_t last = (off + len - 1 + v->pre) / v->line;

		if (op == OP_FLUSH) {
			v->owner->st.flushes++;
			for (size_t k = first; k <= last; k++) {
				v->owner->st.lines_written_back += line_writeback(v, k);
			}
		} else {
			v->owner->st.invalidates++;
			for (size_t k = first; k <= last; k++) {
				line_refetch(v, k);
				v->owner->st.lines_refetched++;
			}
		}
		maybe_evict(v->owner);
	}
	pthread_mutex_unlock(&reg_lock);
}

void port_cache_flush(void *addr, size_t len)
{
	cache_op(addr, len, OP_FLUSH);
}

void port_cache_invd(void *addr, size_t len)
{
	cache_op(addr, len, OP_INVD);
}

/*
 * For the core's send-stall report (src/icmsg.c, declared weak there): what
 * the cache model holds for the 32-bit word at `addr` of a view, as one
 * clause ("rd_idx word at 0x20070000: cache 8, shared memory 0, line
 * 0x20070000+8 dirty"), or "" when the address is in no view (the model is
 * off).  Returns the length written (snprintf's).
 */
size_t port_cache_describe(const void *addr, const char *what, char *buf, size_t n);
size_t port_cache_describe(const void *addr, const char *what, char *buf, size_t n)
{
	uint8_t scratch[LINE_MAX];
	struct cache_view *v;
	size_t off, k, b, e;
	uint32_t cached, shared;
	bool dirty;
	int w;

	if (n == 0) {
		return 0;
	}
	buf[0] = '\0';
	if (atomic_load_explicit(&registry_n, memory_order_acquire) == 0) {
		return 0;
	}
	pthread_mutex_lock(&reg_lock);
	v = view_find(addr, sizeof(uint32_t));
	if (v == NULL) {
		pthread_mutex_unlock(&reg_lock);
		return 0;
	}
	off = (size_t)((const uint8_t *)addr - v->priv);
	k = (off + v->pre) / v->line;
	line_span(v, k, &b, &e);
	memcpy(&cached, v->priv + off, sizeof(cached));
	atomic_thread_fence(memory_order_seq_cst);
	memcpy(&shared, v->shared + off, sizeof(shared));
	dirty = line_dirty(v, b, e, scratch);
	w = snprintf(buf, n,
		     "%s word at 0x%llx: our cache %u, shared memory %u, its line 0x%llx+%zu %s",
		     what, (unsigned long long)(v->target + off), cached, shared,
		     (unsigned long long)(v->target + b), e - b, dirty ? "dirty" : "clean");
	pthread_mutex_unlock(&reg_lock);
	return w < 0 ? 0 : (size_t)w;
}

/* ------------------------------------------------------------------ API */

int emu_cache_create(uint64_t seed, struct emu_cache **out)
{
	struct emu_cache *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		return -ENOMEM;
	}
	/* splitmix64 of the seed: never 0, and nearby seeds diverge at once. */
	seed += 0x9E3779B97F4A7C15ULL;
	seed = (seed ^ (seed >> 30)) * 0xBF58476D1CE4E5B9ULL;
	seed = (seed ^ (seed >> 27)) * 0x94D049BB133111EBULL;
	seed ^= seed >> 31;
	c->rng = seed != 0 ? seed : 1;
	c->rate = EMU_CACHE_EVICT_RATE_DEFAULT;
	*out = c;
	return 0;
}

/* A view of `shared` (target address `target`): private copy at `at`
 * (caller's memory, which must hold target's alignment modulo the line) or,
 * if `at` is NULL, in a private allocation. */
static void *view_map(struct emu_cache *c, void *shared, uint64_t target, size_t len,
		      uint32_t line, void *at, bool evict)
{
	struct cache_view *v;
	size_t span, align;

	if (c == NULL || shared == NULL || len == 0) {
		return NULL;
	}
	if (line < LINE_MIN) {
		line = LINE_MIN;
	}
	if (line > LINE_MAX || (line & (line - 1u)) != 0) {
		return NULL;
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		return NULL;
	}
	v->owner = c;
	v->shared = shared;
	v->target = target;
	v->len = len;
	v->line = line;
	v->pre = (uint32_t)(target & (line - 1u));
	span = (v->pre + len + line - 1u) / line * line;
	v->nlines = span / line;
	v->evict = evict;
	v->snap = malloc(len);
	if (at != NULL) {
		v->priv = at;
	} else {
		/* C11 aligned_alloc wants a size that is a multiple of the
		 * alignment (ASan enforces it): an 8-byte line gives spans
		 * such as 24 bytes. */
		align = line < 16u ? 16u : line;
		v->alloc = aligned_alloc(align, (span + align - 1u) / align * align);
		if (v->alloc != NULL) {
			memset(v->alloc, 0, span);
			v->priv = v->alloc + v->pre;
		}
	}
	if (v->priv == NULL || v->snap == NULL) {
		free(v->alloc);
		free(v->snap);
		free(v);
		return NULL;
	}
	/* A warm cache: every line present and clean. */
	atomic_thread_fence(memory_order_seq_cst);
	memcpy(v->snap, shared, len);
	memcpy(v->priv, v->snap, len);

	pthread_mutex_lock(&reg_lock);
	v->next_owner = c->views;
	c->views = v;
	c->lines += evict ? v->nlines : 0;
	v->next = registry;
	registry = v;
	atomic_fetch_add_explicit(&registry_n, 1, memory_order_release);
	pthread_mutex_unlock(&reg_lock);
	return v->priv;
}

void *emu_cache_map(struct emu_cache *c, void *shared, uint64_t target, size_t len, uint32_t line)
{
	return view_map(c, shared, target, len, line, NULL, true);
}

void *zshim_cache_map_at(struct emu_cache *c, void *shared, uint64_t target, size_t len,
			 uint32_t line, void *at, bool evict)
{
	if (at == NULL) {
		return NULL;
	}
	return view_map(c, shared, target, len, line, at, evict);
}

void emu_cache_destroy(struct emu_cache *c)
{
	struct cache_view *v, *next;

	if (c == NULL) {
		return;
	}
	pthread_mutex_lock(&reg_lock);
	for (struct cache_view **pp = &registry; *pp != NULL;) {
		if ((*pp)->owner == c) {
			*pp = (*pp)->next;
			atomic_fetch_sub_explicit(&registry_n, 1, memory_order_relaxed);
		} else {
			pp = &(*pp)->next;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	/* Dirty lines are lost, as when a core is reset. */
	for (v = c->views; v != NULL; v = next) {
		next = v->next_owner;
		free(v->alloc);
		free(v->snap);
		free(v);
	}
	free(c);
}

void emu_cache_set_evict_rate(struct emu_cache *c, uint32_t per_1024)
{
	if (c == NULL) {
		return;
	}
	pthread_mutex_lock(&reg_lock);
	c->rate = per_1024 > 1024u ? 1024u : per_1024;
	pthread_mutex_unlock(&reg_lock);
}

void emu_cache_get_stats(const struct emu_cache *c, struct emu_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (c == NULL) {
		return;
	}
	pthread_mutex_lock(&reg_lock);
	*out = c->st;
	pthread_mutex_unlock(&reg_lock);
}

size_t emu_cache_dirty_lines(const struct emu_cache *c)
{
	uint8_t scratch[LINE_MAX];
	size_t n = 0;

	if (c == NULL) {
		return 0;
	}
	pthread_mutex_lock(&reg_lock);
	for (const struct cache_view *v = c->views; v != NULL; v = v->next_owner) {
		for (size_t k = 0; k < v->nlines; k++) {
			size_t b, e;

			line_span(v, k, &b, &e);
			n += line_dirty(v, b, e, scratch);
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return n;
}
