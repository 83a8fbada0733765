/* A growable NULL-terminated vector of owned strings (an argv or envp). */
#ifndef DEPLOY_RUN_STRV_H
#define DEPLOY_RUN_STRV_H

#include <stddef.h>

struct strv {
	char **v; /* NULL-terminated once anything is pushed; may be NULL when empty */
	size_t n;
	size_t cap;
};

#define STRV_INIT {NULL, 0, 0}

void strv_push(struct strv *sv, const char *s);       /* copies s */
void strv_push_owned(struct strv *sv, char *s);       /* takes s */
void strv_pushf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strv_finish(struct strv *sv);
void strv_sort(struct strv *sv);                     /* byte order (strcmp) */
int strv_cmp(const void *a, const void *b);          /* qsort's comparator of char * */
/* Index of s, or -1. */
long strv_find(const struct strv *sv, const char *s);
/* Returns sv->v, or a static empty vector when nothing was pushed. */
char **strv_argv(struct strv *sv);

#endif
