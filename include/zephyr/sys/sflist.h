/*
 * zephyr/sys/sflist.h - Zephyr's singly-linked list with flags: like
 * slist.h, but each node also carries 2 bits of user flags, kept in the
 * low bits of its next pointer (nodes must be at least 4-byte aligned).
 *
 * Same types, functions, macros and semantics as Zephyr's: linking a node
 * (append, prepend, insert) keeps its flags; sys_sfnode_init() sets them.
 * Not thread-safe: callers serialise access.
 */
#ifndef ZEPHYR_INCLUDE_SYS_SFLIST_H_
#define ZEPHYR_INCLUDE_SYS_SFLIST_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/sys/__assert.h>
#include <zephyr/sys/util.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uintptr_t unative_t;

struct _sfnode {
	unative_t next_and_flags;
};
typedef struct _sfnode sys_sfnode_t;

struct _sflist {
	sys_sfnode_t *head;
	sys_sfnode_t *tail;
};
typedef struct _sflist sys_sflist_t;

#define SYS_SFLIST_FLAGS_MASK 0x3UL
#define SYS_SFLIST_STATIC_INIT(ptr_to_list) {NULL, NULL}

#define SYS_SFLIST_FOR_EACH_NODE(__sl, __sn)                                                  \
	for ((__sn) = sys_sflist_peek_head(__sl); (__sn) != NULL; (__sn) = sys_sflist_peek_next(__sn))
#define SYS_SFLIST_ITERATE_FROM_NODE(__sl, __sn)                                              \
	for ((__sn) = (__sn) ? sys_sflist_peek_next_no_check(__sn) : sys_sflist_peek_head(__sl); \
	     (__sn) != NULL; (__sn) = sys_sflist_peek_next(__sn))
#define SYS_SFLIST_FOR_EACH_NODE_SAFE(__sl, __sn, __sns)                                      \
	for ((__sn) = sys_sflist_peek_head(__sl), (__sns) = sys_sflist_peek_next(__sn);         \
	     (__sn) != NULL; (__sn) = (__sns), (__sns) = sys_sflist_peek_next(__sn))
#define SYS_SFLIST_CONTAINER(__ln, __cn, __n)                                                 \
	((__ln) ? CONTAINER_OF((__ln), __typeof__(*(__cn)), __n) : NULL)
#define SYS_SFLIST_PEEK_HEAD_CONTAINER(__sl, __cn, __n)                                       \
	SYS_SFLIST_CONTAINER(sys_sflist_peek_head(__sl), __cn, __n)
#define SYS_SFLIST_PEEK_TAIL_CONTAINER(__sl, __cn, __n)                                       \
	SYS_SFLIST_CONTAINER(sys_sflist_peek_tail(__sl), __cn, __n)
#define SYS_SFLIST_PEEK_NEXT_CONTAINER(__cn, __n)                                             \
	((__cn) ? SYS_SFLIST_CONTAINER(sys_sflist_peek_next(&((__cn)->__n)), __cn, __n) : NULL)
#define SYS_SFLIST_FOR_EACH_CONTAINER(__sl, __cn, __n)                                        \
	for ((__cn) = SYS_SFLIST_PEEK_HEAD_CONTAINER(__sl, __cn, __n); (__cn) != NULL;          \
	     (__cn) = SYS_SFLIST_PEEK_NEXT_CONTAINER(__cn, __n))
#define SYS_SFLIST_FOR_EACH_CONTAINER_SAFE(__sl, __cn, __cns, __n)                            \
	for ((__cn) = SYS_SFLIST_PEEK_HEAD_CONTAINER(__sl, __cn, __n),                         \
	    (__cns) = SYS_SFLIST_PEEK_NEXT_CONTAINER(__cn, __n);                                \
	     (__cn) != NULL; (__cn) = (__cns), (__cns) = SYS_SFLIST_PEEK_NEXT_CONTAINER(__cn, __n))

static inline void sys_sflist_init(sys_sflist_t *list)
{
	list->head = NULL;
	list->tail = NULL;
}

static inline sys_sfnode_t *emu_sfnode_next(const sys_sfnode_t *node)
{
	return (sys_sfnode_t *)(node->next_and_flags & ~SYS_SFLIST_FLAGS_MASK);
}

static inline void emu_sfnode_next_set(sys_sfnode_t *node, sys_sfnode_t *next)
{
	node->next_and_flags = (unative_t)next | (node->next_and_flags & SYS_SFLIST_FLAGS_MASK);
}

static inline sys_sfnode_t *sys_sflist_peek_head(const sys_sflist_t *list)
{
	return list->head;
}

static inline sys_sfnode_t *sys_sflist_peek_tail(const sys_sflist_t *list)
{
	return list->tail;
}

/* The node's 2 flag bits. */
static inline uint8_t sys_sfnode_flags_get(const sys_sfnode_t *node)
{
	return (uint8_t)(node->next_and_flags & SYS_SFLIST_FLAGS_MASK);
}

/* Unlinked node with `flags` (0..3, __ASSERT-checked). */
static inline void sys_sfnode_init(sys_sfnode_t *node, uint8_t flags)
{
	__ASSERT((flags & ~SYS_SFLIST_FLAGS_MASK) == 0UL, "flags too large");
	node->next_and_flags = flags;
}

static inline void sys_sfnode_flags_set(sys_sfnode_t *node, uint8_t flags)
{
	__ASSERT((flags & ~SYS_SFLIST_FLAGS_MASK) == 0UL, "flags too large");
	node->next_and_flags = (unative_t)emu_sfnode_next(node) | flags;
}

static inline bool sys_sflist_is_empty(const sys_sflist_t *list)
{
	return list->head == NULL;
}

static inline sys_sfnode_t *sys_sflist_peek_next_no_check(const sys_sfnode_t *node)
{
	return emu_sfnode_next(node);
}

static inline sys_sfnode_t *sys_sflist_peek_next(const sys_sfnode_t *node)
{
	return node != NULL ? emu_sfnode_next(node) : NULL;
}

static inline void sys_sflist_prepend(sys_sflist_t *list, sys_sfnode_t *node)
{
	emu_sfnode_next_set(node, list->head);
	list->head = node;
	if (list->tail == NULL) {
		list->tail = node;
	}
}

static inline void sys_sflist_append(sys_sflist_t *list, sys_sfnode_t *node)
{
	emu_sfnode_next_set(node, NULL);
	if (list->tail == NULL) {
		list->head = node;
	} else {
		emu_sfnode_next_set(list->tail, node);
	}
	list->tail = node;
}

static inline void sys_sflist_append_list(sys_sflist_t *list, void *head, void *tail)
{
	if (head == NULL || tail == NULL) {
		return;
	}
	if (list->tail == NULL) {
		list->head = (sys_sfnode_t *)head;
	} else {
		emu_sfnode_next_set(list->tail, (sys_sfnode_t *)head);
	}
	list->tail = (sys_sfnode_t *)tail;
}

static inline void sys_sflist_merge_slist(sys_sflist_t *list, sys_sflist_t *list_to_append)
{
	sys_sflist_append_list(list, list_to_append->head, list_to_append->tail);
	sys_sflist_init(list_to_append);
}

static inline void sys_sflist_insert(sys_sflist_t *list, sys_sfnode_t *prev, sys_sfnode_t *node)
{
	if (prev == NULL) {
		sys_sflist_prepend(list, node);
	} else if (emu_sfnode_next(prev) == NULL) {
		sys_sflist_append(list, node);
	} else {
		emu_sfnode_next_set(node, emu_sfnode_next(prev));
		emu_sfnode_next_set(prev, node);
	}
}

static inline sys_sfnode_t *sys_sflist_get_not_empty(sys_sflist_t *list)
{
	sys_sfnode_t *node = list->head;

	list->head = emu_sfnode_next(node);
	if (list->tail == node) {
		list->tail = list->head;
	}
	return node;
}

static inline sys_sfnode_t *sys_sflist_get(sys_sflist_t *list)
{
	return sys_sflist_is_empty(list) ? NULL : sys_sflist_get_not_empty(list);
}

static inline void sys_sflist_remove(sys_sflist_t *list, sys_sfnode_t *prev_node,
				     sys_sfnode_t *node)
{
	if (prev_node == NULL) {
		list->head = emu_sfnode_next(node);
		if (list->tail == node) {
			list->tail = list->head;
		}
	} else {
		emu_sfnode_next_set(prev_node, emu_sfnode_next(node));
		if (list->tail == node) {
			list->tail = prev_node;
		}
	}
	emu_sfnode_next_set(node, NULL);
}

static inline bool sys_sflist_find(const sys_sflist_t *list, const sys_sfnode_t *node,
				   sys_sfnode_t **prev)
{
	sys_sfnode_t *p = NULL;

	for (sys_sfnode_t *n = list->head; n != NULL; p = n, n = emu_sfnode_next(n)) {
		if (n == node) {
			if (prev != NULL) {
				*prev = p;
			}
			return true;
		}
	}
	if (prev != NULL) {
		*prev = p;
	}
	return false;
}

static inline bool sys_sflist_find_and_remove(sys_sflist_t *list, sys_sfnode_t *node)
{
	sys_sfnode_t *prev = NULL;

	if (!sys_sflist_find(list, node, &prev)) {
		return false;
	}
	sys_sflist_remove(list, prev, node);
	return true;
}

static inline size_t sys_sflist_len(const sys_sflist_t *list)
{
	size_t len = 0;

	for (const sys_sfnode_t *n = list->head; n != NULL; n = emu_sfnode_next(n)) {
		len++;
	}
	return len;
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_SFLIST_H_ */
