/*
 * zephyr/sys/slist.h - Zephyr's singly-linked list: nodes embedded in the
 * caller's structures, O(1) prepend/append/get, O(n) remove and find.
 *
 * Same types, functions, macros and semantics as Zephyr's.  Not
 * thread-safe: callers serialise access (a k_mutex, or an interrupt lock).
 * A node may be in one list at a time; the list does not own the nodes.
 */
#ifndef ZEPHYR_INCLUDE_SYS_SLIST_H_
#define ZEPHYR_INCLUDE_SYS_SLIST_H_

#include <stdbool.h>
#include <stddef.h>

#include <zephyr/sys/util.h>

#ifdef __cplusplus
extern "C" {
#endif

struct _snode {
	struct _snode *next;
};
typedef struct _snode sys_snode_t;

struct _slist {
	sys_snode_t *head;
	sys_snode_t *tail;
};
typedef struct _slist sys_slist_t;

#define SYS_SLIST_STATIC_INIT(ptr_to_list) {NULL, NULL}

/* ---- iteration ---------------------------------------------------------- */
/* for each node; do not remove __sn in the body (use the _SAFE form). */
#define SYS_SLIST_FOR_EACH_NODE(__sl, __sn)                                                   \
	for ((__sn) = sys_slist_peek_head(__sl); (__sn) != NULL; (__sn) = sys_slist_peek_next(__sn))
/* from the node after __sn (from the head if __sn is NULL). */
#define SYS_SLIST_ITERATE_FROM_NODE(__sl, __sn)                                               \
	for ((__sn) = (__sn) ? sys_slist_peek_next_no_check(__sn) : sys_slist_peek_head(__sl);   \
	     (__sn) != NULL; (__sn) = sys_slist_peek_next(__sn))
/* for each node; __sn may be removed in the body. */
#define SYS_SLIST_FOR_EACH_NODE_SAFE(__sl, __sn, __sns)                                       \
	for ((__sn) = sys_slist_peek_head(__sl), (__sns) = sys_slist_peek_next(__sn);           \
	     (__sn) != NULL; (__sn) = (__sns), (__sns) = sys_slist_peek_next(__sn))

/* The structure of __cn's type holding node __ln in field __n; NULL for NULL. */
#define SYS_SLIST_CONTAINER(__ln, __cn, __n)                                                  \
	((__ln) ? CONTAINER_OF((__ln), __typeof__(*(__cn)), __n) : NULL)
#define SYS_SLIST_PEEK_HEAD_CONTAINER(__sl, __cn, __n)                                        \
	SYS_SLIST_CONTAINER(sys_slist_peek_head(__sl), __cn, __n)
#define SYS_SLIST_PEEK_TAIL_CONTAINER(__sl, __cn, __n)                                        \
	SYS_SLIST_CONTAINER(sys_slist_peek_tail(__sl), __cn, __n)
#define SYS_SLIST_PEEK_NEXT_CONTAINER(__cn, __n)                                              \
	((__cn) ? SYS_SLIST_CONTAINER(sys_slist_peek_next(&((__cn)->__n)), __cn, __n) : NULL)
#define SYS_SLIST_FOR_EACH_CONTAINER(__sl, __cn, __n)                                         \
	for ((__cn) = SYS_SLIST_PEEK_HEAD_CONTAINER(__sl, __cn, __n); (__cn) != NULL;           \
	     (__cn) = SYS_SLIST_PEEK_NEXT_CONTAINER(__cn, __n))
#define SYS_SLIST_FOR_EACH_CONTAINER_SAFE(__sl, __cn, __cns, __n)                             \
	for ((__cn) = SYS_SLIST_PEEK_HEAD_CONTAINER(__sl, __cn, __n),                          \
	    (__cns) = SYS_SLIST_PEEK_NEXT_CONTAINER(__cn, __n);                                 \
	     (__cn) != NULL; (__cn) = (__cns), (__cns) = SYS_SLIST_PEEK_NEXT_CONTAINER(__cn, __n))

/* ---- functions ---------------------------------------------------------- */
static inline void sys_slist_init(sys_slist_t *list)
{
	list->head = NULL;
	list->tail = NULL;
}

static inline bool sys_slist_is_empty(const sys_slist_t *list)
{
	return list->head == NULL;
}

static inline sys_snode_t *sys_slist_peek_head(const sys_slist_t *list)
{
	return list->head;
}

static inline sys_snode_t *sys_slist_peek_tail(const sys_slist_t *list)
{
	return list->tail;
}

/* The node after `node` (node must not be NULL). */
static inline sys_snode_t *sys_slist_peek_next_no_check(const sys_snode_t *node)
{
	return node->next;
}

/* The node after `node`, or NULL (also for a NULL node). */
static inline sys_snode_t *sys_slist_peek_next(const sys_snode_t *node)
{
	return node != NULL ? node->next : NULL;
}

static inline void sys_slist_prepend(sys_slist_t *list, sys_snode_t *node)
{
	node->next = list->head;
	list->head = node;
	if (list->tail == NULL) {
		list->tail = node;
	}
}

static inline void sys_slist_append(sys_slist_t *list, sys_snode_t *node)
{
	node->next = NULL;
	if (list->tail == NULL) {
		list->head = node;
	} else {
		list->tail->next = node;
	}
	list->tail = node;
}

/* Append the chain head..tail (already linked, tail->next == NULL). */
static inline void sys_slist_append_list(sys_slist_t *list, void *head, void *tail)
{
	if (head == NULL || tail == NULL) {
		return;
	}
	if (list->tail == NULL) {
		list->head = (sys_snode_t *)head;
	} else {
		list->tail->next = (sys_snode_t *)head;
	}
	list->tail = (sys_snode_t *)tail;
}

/* Move every node of list_to_append to the end of list; list_to_append becomes empty. */
static inline void sys_slist_merge_slist(sys_slist_t *list, sys_slist_t *list_to_append)
{
	sys_snode_t *head = list_to_append->head;
	sys_snode_t *tail = list_to_append->tail;

	sys_slist_append_list(list, head, tail);
	sys_slist_init(list_to_append);
}

/* Insert node after prev (prev NULL: at the head). */
static inline void sys_slist_insert(sys_slist_t *list, sys_snode_t *prev, sys_snode_t *node)
{
	if (prev == NULL) {
		sys_slist_prepend(list, node);
	} else if (prev->next == NULL) {
		sys_slist_append(list, node);
	} else {
		node->next = prev->next;
		prev->next = node;
	}
}

/* Remove and return the head; the list must not be empty. */
static inline sys_snode_t *sys_slist_get_not_empty(sys_slist_t *list)
{
	sys_snode_t *node = list->head;

	list->head = node->next;
	if (list->tail == node) {
		list->tail = list->head;
	}
	return node;
}

/* Remove and return the head, or NULL if the list is empty. */
static inline sys_snode_t *sys_slist_get(sys_slist_t *list)
{
	return sys_slist_is_empty(list) ? NULL : sys_slist_get_not_empty(list);
}

/* Remove node, whose predecessor is prev_node (NULL if node is the head). */
static inline void sys_slist_remove(sys_slist_t *list, sys_snode_t *prev_node, sys_snode_t *node)
{
	if (prev_node == NULL) {
		list->head = node->next;
		if (list->tail == node) {
			list->tail = list->head;
		}
	} else {
		prev_node->next = node->next;
		if (list->tail == node) {
			list->tail = prev_node;
		}
	}
	node->next = NULL;
}

/* Whether node is in list; *prev gets its predecessor (NULL for the head). */
static inline bool sys_slist_find(const sys_slist_t *list, const sys_snode_t *node,
				  sys_snode_t **prev)
{
	sys_snode_t *p = NULL;

	for (sys_snode_t *n = list->head; n != NULL; p = n, n = n->next) {
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

/* Remove node if it is in list: true if it was, false if not. */
static inline bool sys_slist_find_and_remove(sys_slist_t *list, sys_snode_t *node)
{
	sys_snode_t *prev = NULL;

	if (!sys_slist_find(list, node, &prev)) {
		return false;
	}
	sys_slist_remove(list, prev, node);
	return true;
}

static inline size_t sys_slist_len(const sys_slist_t *list)
{
	size_t len = 0;

	for (const sys_snode_t *n = list->head; n != NULL; n = n->next) {
		len++;
	}
	return len;
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_SLIST_H_ */
