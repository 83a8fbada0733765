/*
 * libFuzzer entry point for checks/pysource: the tokenizer always ends,
 * its tokens stay inside the buffer, in order, with a body inside the
 * literal and lines that never go back; literals, calls and assignments
 * give what the tokens hold (a call's name is one of the names asked for,
 * an assignment's target and callee are names).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pysource.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const funcs[] = {"load_dotenv", "dotenv_values", "find_dotenv", "a", NULL};

static int on_literal(void *ctx, const char *buf, const struct pysource_token *t)
{
	size_t len = *(const size_t *)ctx;

	if (t->kind != PYSOURCE_STRING || t->body < t->start || t->body_end < t->body ||
	    t->end < t->body_end || t->end > len || t->line < 1 || t->column < 1)
		abort();
	(void)buf;
	return 0;
}

static void on_call(void *ctx, const struct pysource_lexer *lx, const struct pysource_call *c)
{
	size_t i, n = c->name.end - c->name.start;

	(void)ctx;
	if (strlen(c->func) != n || memcmp(lx->s + c->name.start, c->func, n) != 0 ||
	    c->n > PYSOURCE_CALL_ARGS || c->npos < 0)
		abort();
	for (i = 0; i < c->n; i++)
		if (c->a[i].is_kw != (c->a[i].pos < 0) || c->a[i].pos >= c->npos)
			abort();
}

static void on_assign(void *ctx, const char *target, const char *callee, int line)
{
	(void)ctx;
	if (!target[0] || !callee[0] || callee[0] == '.' || callee[strlen(callee) - 1] == '.' ||
	    line < 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct pysource_lexer lx;
	struct pysource_token t;
	size_t prev_end = 0, steps = 0;
	int prev_line = 1;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	pysource_lexer_init(&lx, buf, size);
	for (pysource_next(&lx, &t); t.kind != PYSOURCE_END; pysource_next(&lx, &t)) {
		/* every token but NEWLINE consumes a byte: at most size + lines tokens */
		if (++steps > 2 * size + 2)
			abort();
		if (t.start < prev_end || t.end < t.start || t.end > size || t.line < prev_line ||
		    t.column < 1 || t.depth < 0)
			abort();
		if (t.kind != PYSOURCE_NEWLINE && t.end == t.start)
			abort();
		prev_end = t.end;
		prev_line = t.line;
	}
	pysource_literals(buf, size, on_literal, &size);
	pysource_calls(buf, size, funcs, on_call, NULL);
	pysource_assignments(buf, size, on_assign, NULL);
	free(buf);
	return 0;
}
