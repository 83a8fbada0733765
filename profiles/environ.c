#include "environ.h"
#include "fileio.h"
#include "path.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ENV_FILE_MAX (64u * 1024 * 1024)

/* A hash of n bytes taken 8 at a time (a byte loop costs more than the
 * rest of a lookup), mixed down so that its low bits are usable. */
static size_t hash_prefix(const char *s, size_t n)
{
	const uint64_t m = 0x9e3779b97f4a7c15ull;
	uint64_t h = n * m, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * m;
		h ^= h >> 31;
	}
	if (n >= 4) { /* the last 1 to 7 bytes as two 4-byte loads that may overlap */
		uint32_t a, b;

		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		h = (h ^ ((uint64_t)a << 32 | b)) * m;
	} else if (n) {
		w = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n / 2] << 8 |
		    (unsigned char)s[n - 1];
		h = (h ^ w) * m;
	}
	h ^= h >> 32;
	h *= m;
	h ^= h >> 29;
	return (size_t)h;
}

static size_t hash_key(const char *s)
{
	return hash_prefix(s, strlen(s));
}

#define NO_VAR UINT32_MAX

/* Rebuilds the index with room for count variables (at most half full). */
static void reindex(struct environ *env, size_t count)
{
	size_t i, cap = env->index_cap ? env->index_cap * 2 : 256;

	while (cap < count * 2 + 2)
		cap *= 2;
	free(env->index);
	env->index = xmalloc(cap * sizeof(*env->index));
	for (i = 0; i < cap; i++)
		env->index[i] = NO_VAR;
	env->index_cap = cap;
	for (i = 0; i < env->n; i++) {
		size_t slot = hash_key(env->vars[i].key) & (cap - 1);

		while (env->index[slot] != NO_VAR)
			slot = (slot + 1) & (cap - 1);
		env->index[slot] = (uint32_t)i;
	}
}

/* Room for more variables, so that composing a file of them neither
 * reallocates the variables nor rebuilds the index on the way. */
static void reserve(struct environ *env, size_t more)
{
	size_t need = env->n + more;

	if (need > env->cap) {
		env->vars = xrealloc(env->vars, need * sizeof(*env->vars));
		env->cap = need;
	}
	if (need * 2 + 2 > env->index_cap)
		reindex(env, need);
}

/* The position of key (whose hash_key() is h) in env->vars, or -1. */
static long find_hashed(const struct environ *env, const char *key, size_t h)
{
	size_t slot;

	if (!env->index_cap)
		return -1;
	slot = h & (env->index_cap - 1);
	while (env->index[slot] != NO_VAR) {
		if (strcmp(env->vars[env->index[slot]].key, key) == 0)
			return (long)env->index[slot];
		slot = (slot + 1) & (env->index_cap - 1);
	}
	return -1;
}

static long find(const struct environ *env, const char *key)
{
	return env->index_cap ? find_hashed(env, key, hash_key(key)) : -1;
}

/*
 * Sets variable i (find()'s answer for key; -1: key is new and appended) to
 * value (NULL: declared without a value) from source.  All three
 * must live as long as env: string literals, env's arena or a parsed file's
 * strings.  A value replaced stays in the arena: nothing is freed before
 * environ_finish().
 */
static struct env_var *set_at(struct environ *env, long i, const char *key, const char *value,
			      const char *source)
{
	struct env_var *v;

	if (i >= 0) {
		v = &env->vars[i];
	} else {
		if (env->n == env->cap)
			grow_array((void **)&env->vars, &env->cap, env->n + 1, sizeof(*env->vars));
		v = &env->vars[env->n++];
		memset(v, 0, sizeof(*v));
		v->key = key;
		if (env->n * 2 + 2 > env->index_cap) {
			reindex(env, env->n);
		} else {
			size_t slot = hash_key(key) & (env->index_cap - 1);

			while (env->index[slot] != NO_VAR)
				slot = (slot + 1) & (env->index_cap - 1);
			env->index[slot] = (uint32_t)(env->n - 1);
		}
	}
	v->value = value;
	v->source = source;
	v->removed = false;
	return v;
}

/* set_at() where key is, or at the end when it is new. */
static struct env_var *set(struct environ *env, const char *key, const char *value,
			   const char *source)
{
	return set_at(env, find(env, key), key, value, source);
}

/* set() with copies of key (when new) and value; source is a literal. */
static struct env_var *put(struct environ *env, const char *key, const char *value,
			   const char *source)
{
	if (find(env, key) < 0)
		key = arena_strdup(&env->arena, key);
	return set(env, key, value ? arena_strdup(&env->arena, value) : NULL, source);
}

/* The strings must live as long as env, as for set(). */
static void add_shadow(struct environ *env, const char *key, const char *winner,
		       const char *loser)
{
	struct env_shadow *s;

	grow_array((void **)&env->shadows, &env->shadow_cap, env->nshadows + 1, sizeof(*s));
	s = &env->shadows[env->nshadows++];
	s->key = key;
	s->winner_source = winner;
	s->loser_source = loser;
}

const struct env_var *environ_get(const struct environ *env, const char *key)
{
	long i = find(env, key);

	return i >= 0 ? &env->vars[i] : NULL;
}

const char *environ_value(const struct environ *env, const char *key)
{
	const struct env_var *v = environ_get(env, key);

	return v && !v->removed ? v->value : NULL;
}

const char *environ_process_value(char *const *process_env, const char *key)
{
	size_t n = strlen(key);

	for (; process_env && *process_env; process_env++)
		if (strncmp(*process_env, key, n) == 0 && (*process_env)[n] == '=')
			return *process_env + n + 1;
	return NULL;
}

/* The process environment indexed by key (the first "KEY=" wins, as in
 * environ_process_value): interpolation asks it for every ${VAR}. */
struct process_index {
	const char **slots; /* "KEY=VALUE" entries, NULL when free */
	size_t cap;
};

static void process_index_init(struct process_index *x, char *const *process_env)
{
	size_t n = 0, i;
	char *const *pe;

	for (pe = process_env; pe && *pe; pe++)
		n++;
	x->cap = 16;
	while (x->cap < n * 2 + 2)
		x->cap *= 2;
	x->slots = xcalloc(x->cap, sizeof(*x->slots));
	for (pe = process_env; pe && *pe; pe++) {
		const char *eq = strchr(*pe, '=');
		size_t klen;

		if (!eq)
			continue;
		klen = (size_t)(eq - *pe);
		i = hash_prefix(*pe, klen) & (x->cap - 1);
		while (x->slots[i] && !(strncmp(x->slots[i], *pe, klen + 1) == 0))
			i = (i + 1) & (x->cap - 1);
		if (!x->slots[i])
			x->slots[i] = *pe;
	}
}

/* The value of key (n bytes, hash_prefix() h), or NULL. */
static const char *process_index_get(const struct process_index *x, const char *key, size_t n,
				     size_t h)
{
	size_t i = h & (x->cap - 1);

	for (; x->slots[i]; i = (i + 1) & (x->cap - 1))
		if (strncmp(x->slots[i], key, n) == 0 && x->slots[i][n] == '=')
			return x->slots[i] + n + 1;
	return NULL;
}

struct lookup_ctx {
	struct environ *env;
	const struct process_index *process;
	bool process_wins;
	unsigned file; /* the file being composed: index + 1 */
	const struct dotenv *parsed; /* its bindings */
	bool tails;    /* tail_file and tail_valued are set for its keys */
};

/* Marks, for each key of the earlier files that the file of ctx binds,
 * whether its last binding there has a value (once per file, when first
 * needed: only a key bound in two files asks). */
static void mark_tails(struct lookup_ctx *ctx)
{
	size_t j;

	for (j = 0; j < ctx->parsed->n; j++) {
		const struct dotenv_entry *e = &ctx->parsed->entries[j];
		long at = dotenv_refused(e) ? -1 : find(ctx->env, e->key);

		if (at >= 0) {
			ctx->env->vars[at].tail_file = ctx->file;
			ctx->env->vars[at].tail_valued = e->value != NULL;
		}
	}
	ctx->tails = true;
}

static bool lookup(void *opaque, const char *name, const char **value)
{
	struct lookup_ctx *ctx = opaque;
	const struct env_var *v;
	size_t n = strlen(name), h = hash_prefix(name, n); /* one hash for both tables */
	const char *pv = process_index_get(ctx->process, name, n, h);
	long at;

	if (pv && ctx->process_wins) {
		*value = pv;
		return true;
	}
	at = find_hashed(ctx->env, name, h);
	v = at >= 0 ? &ctx->env->vars[at] : NULL;
	if (v && v->file == ctx->file) { /* bound earlier in this file */
		/* python-dotenv's new_values (a bare KEY is None: ""), unless
		 * os.environ comes first and holds an earlier file's value, which
		 * stays when this file's last binding of the key is bare */
		if (ctx->process_wins && v->prev_value && !str_eq(v->prev_source, "profile") &&
		    !ctx->tails)
			mark_tails(ctx);
		if (ctx->process_wins && v->prev_value && !str_eq(v->prev_source, "profile") &&
		    !(v->tail_file == ctx->file && v->tail_valued))
			*value = v->prev_value;
		else
			*value = v->value;
		return true;
	}
	if (v && v->value && !str_eq(v->source, "profile")) { /* an earlier file */
		*value = v->value;
		return true;
	}
	if (pv) {
		*value = pv;
		return true;
	}
	if (v && v->value) { /* [vars] */
		*value = v->value;
		return true;
	}
	return false;
}

/* "FILE:LINE" (a file of a thousand keys would spend its time in printf). */
static void add_source(struct strbuf *sb, const char *file, int line)
{
	char digits[16], *d = digits + sizeof(digits);
	unsigned u = line > 0 ? (unsigned)line : 0;

	strbuf_adds(sb, file);
	do /* backwards from the end, then ':' before them */
		*--d = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	*--d = ':';
	strbuf_add(sb, d, (size_t)(digits + sizeof(digits) - d));
}

/* Reads and parses file i of [env] files. */
static void read_file(struct environ *env, const struct profile *p, size_t i)
{
	struct env_file *f = &env->files[i];
	char *buf = NULL;
	size_t len;

	f->as_written = arena_strdup(&env->arena, p->env_files_as_written.v[i]);
	f->path = arena_strdup(&env->arena, p->env_files.v[i]);
	f->parsed = (struct dotenv)DOTENV_INIT;
	error_clear(&f->error);
	if (file_read(f->path, ENV_FILE_MAX, &buf, &len, NULL, &f->error) < 0) {
		/* error_at put the absolute path first; messages use the path as written */
		snprintf(f->error.file, sizeof(f->error.file), "%s", f->as_written);
		f->found = f->error.errnum != ENOENT;
		return;
	}
	f->found = true;
	dotenv_parse(buf, len, f->as_written, &f->parsed, &f->error);
	free(buf);
}

/* Composes file i of [env] files, read (or not) by read_file(); scratch is
 * a buffer to reuse.  See environ.h for the rules. */
static void compose_file(struct environ *env, const struct profile *p, size_t i,
			 const struct process_index *process, struct strbuf *scratch)
{
	struct env_file *f = &env->files[i];
	unsigned mark = (unsigned)i + 1;
	struct lookup_ctx ctx = {env, process, p->process_mode == PROCESS_WINS, mark, &f->parsed,
				 false};
	size_t j, k, ntouched = 0, *touched = NULL;

	if (error_is_set(&f->error) || !f->parsed.n)
		return;
	/* the keys the file binds first: needed for a bare KEY, and for [vars]
	 * shadowed (most files have neither) */
	for (j = 0; j < f->parsed.n && !touched; j++)
		if (!f->parsed.entries[j].value || p->nvars)
			touched = xmalloc(f->parsed.n * sizeof(*touched));
	/* the keys and the values that need no interpolation are the file's own */
	for (j = 0; j < f->parsed.n; j++) {
		const struct dotenv_entry *e = &f->parsed.entries[j];
		long at;
		struct env_var *v;
		const char *value = e->value, *source, *old_value = NULL, *old_source = NULL;
		bool first, had = false;

		if (dotenv_refused(e))
			continue; /* never an envp entry: env.parse reports it */
		strbuf_reset(scratch);
		add_source(scratch, f->as_written, e->line);
		source = arena_strndup(&env->arena, scratch->buf, scratch->len);
		if (value && p->interpolate && e->interpolate && strstr(value, "${")) {
			strbuf_reset(scratch);
			dotenv_expand_into(scratch, value, lookup, &ctx);
			value = arena_strndup(&env->arena, scratch->buf, scratch->len);
		}
		at = find(env, e->key);
		first = at < 0 || env->vars[at].file != mark;
		if (first && at >= 0) {
			had = true;
			old_value = env->vars[at].value;
			old_source = env->vars[at].source;
		}
		v = set_at(env, at, e->key, value, source);
		if (first) {
			v->file = mark;
			v->prev_set = had;
			v->prev_value = old_value;
			v->prev_source = old_source;
			if (touched)
				touched[ntouched++] = (size_t)(v - env->vars);
		}
	}
	/* what the file's last binding of each key leaves (load_dotenv's loop) */
	for (k = 0; k < ntouched; k++) {
		struct env_var *v = &env->vars[touched[k]];

		if (!v->value && v->prev_set) { /* a bare KEY sets nothing */
			v->value = v->prev_value;
			v->source = v->prev_source;
		} else if (v->value && v->prev_value && str_eq(v->prev_source, "profile")) {
			add_shadow(env, v->key, v->source, "profile");
		}
	}
	free(touched);
}

int environ_compose(struct environ *env, const struct profile *p, char *const *process_env,
		    struct error *err)
{
	size_t i, count = p->nvars + 8; /* 8: deploy-run's own, and to spare */
	char *const *pe;
	struct strbuf scratch;
	struct process_index process;

	memset(env, 0, sizeof(*env));
	strbuf_init(&scratch);
	env->nfiles = p->env_files.n;
	env->files = xcalloc(env->nfiles ? env->nfiles : 1, sizeof(*env->files));
	for (i = 0; i < env->nfiles; i++) {
		read_file(env, p, i);
		count += env->files[i].parsed.n;
	}
	for (pe = process_env; pe && *pe; pe++)
		count++;
	reserve(env, count); /* at most this many: one allocation each */
	for (i = 0; i < p->nvars; i++)
		put(env, p->vars[i].key, p->vars[i].value, "profile");
	process_index_init(&process, process_env);
	for (i = 0; i < env->nfiles; i++)
		compose_file(env, p, i, &process, &scratch);
	free(process.slots);
	for (pe = process_env; pe && *pe; pe++) {
		const char *eq = strchr(*pe, '=');
		const char *key;
		const struct env_var *old;

		if (!eq || eq == *pe)
			continue;
		strbuf_reset(&scratch);
		strbuf_add(&scratch, *pe, (size_t)(eq - *pe));
		old = environ_get(env, scratch.buf);
		key = old ? old->key : arena_strndup(&env->arena, scratch.buf, scratch.len);
		if (!old || str_eq(old->source, "process")) {
			set(env, key, arena_strdup(&env->arena, eq + 1), "process");
		} else if (str_eq(old->source, "profile") || p->process_mode == PROCESS_WINS) {
			if (old->value && !str_eq(old->value, eq + 1))
				add_shadow(env, key, "process", old->source);
			set(env, key, arena_strdup(&env->arena, eq + 1), "process");
		} else if (!old->value) {
			set(env, key, arena_strdup(&env->arena, eq + 1), "process");
		} else if (!str_eq(old->value, eq + 1)) {
			add_shadow(env, key, old->source, "process");
		}
	}
	/* deploy-run's own */
	{
		_cleanup_free_ char *bin = path_join(p->venv, "bin");
		const char *path = environ_value(env, "PATH");
		_cleanup_free_ char *newpath = path && *path ? xasprintf("%s:%s", bin, path)
							     : xasprintf("%s:/usr/local/bin:/usr/bin:/bin", bin);
		struct env_var *home;

		put(env, "VIRTUAL_ENV", p->venv, "deploy-run");
		put(env, "PATH", newpath, "deploy-run");
		if (environ_get(env, "PYTHONHOME")) {
			home = put(env, "PYTHONHOME", environ_value(env, "PYTHONHOME"), "deploy-run");
			home->removed = true;
		}
		if (p->prometheus_dir)
			put(env, "PROMETHEUS_MULTIPROC_DIR", p->prometheus_dir, "deploy-run");
	}
	strbuf_finish(&scratch);
	(void)err;
	return 0;
}

void environ_finish(struct environ *env)
{
	size_t i;

	if (!env)
		return;
	for (i = 0; i < env->nfiles; i++)
		dotenv_finish(&env->files[i].parsed);
	arena_finish(&env->arena);
	free(env->vars);
	free(env->files);
	free(env->shadows);
	free(env->index);
	memset(env, 0, sizeof(*env));
}

void environ_envp(const struct environ *env, struct strv *out)
{
	size_t i;

	for (i = 0; i < env->n; i++) {
		const struct env_var *v = &env->vars[i];
		size_t klen, vlen;
		char *kv;

		if (!v->value || v->removed)
			continue;
		klen = strlen(v->key);
		vlen = strlen(v->value);
		kv = xmalloc(klen + vlen + 2);
		memcpy(kv, v->key, klen);
		kv[klen] = '=';
		memcpy(kv + klen + 1, v->value, vlen + 1);
		strv_push_owned(out, kv);
	}
}

const char *environ_source_file(const struct environ *env, const struct profile *p,
				const char *source, const char *key, int *line)
{
	const char *colon = source ? strrchr(source, ':') : NULL;
	size_t i, n;

	*line = 0;
	if (str_eq(source, "profile")) {
		for (i = 0; i < p->nvars; i++)
			if (str_eq(p->vars[i].key, key)) {
				*line = p->vars[i].loc.line;
				return p->vars[i].loc.file;
			}
		return NULL;
	}
	if (!colon || colon == source)
		return NULL;
	n = (size_t)(colon - source);
	for (i = 0; i < env->nfiles; i++)
		if (strlen(env->files[i].as_written) == n &&
		    strncmp(env->files[i].as_written, source, n) == 0) {
			*line = atoi(colon + 1);
			return env->files[i].path;
		}
	return NULL;
}
