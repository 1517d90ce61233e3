/* Template engine.  Each template is compiled once into flat arrays (nodes,
 * expressions, path segments) that index into a private copy of its
 * source; rendering walks those arrays, keeps variables in a fixed stack
 * and puts the few strings filters make into a bump allocator whose first
 * block lives on the C stack, so a typical page renders with no malloc.
 *
 *   {{ e }}  escaped output;  {{ e|raw }}  unescaped;  {# comment #}
 *   {%- / -%} / {{- / -}}  strip blanks before / after the tag
 *   {% if e %} {% elif e %} {% else %} {% endif %}
 *   {% for x in e %} {% else %} {% endfor %}   loop.index index0 first
 *       last length revindex revindex0
 *   {% extends "base.html" %} (first tag)  {% block n %} {% endblock %}
 *   {% include "partials/x.html" %}  {% set n = e %}
 *   e: a.b.0  'str' "str"  12 -3  true false none  == != < <= > >=
 *      in, not in, and, or, not, ( )  e|f  e|f(arg)
 *   f: money date datetime upper lower length default(x) urlencode
 *      truncate(n) pluralize pluralize("es") pluralize("y,ies") raw */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "embedded.h"
#include "money.h"
#include "tmpl.h"

#define NONE		(-1)
#define TAG_END		(-2)	/* parse_tag: a tag that ends a body */
#define TAG_SKIP	(-3)	/* parse_tag: a tag that makes no node */
#define MAX_VARS	128	/* variables visible at once while rendering */
#define MAX_DEPTH	1024	/* nested bodies while rendering */
#define SCRATCH_BLOCK	4096	/* bytes of a heap block of filter output */

enum node_kind {
	N_TEXT,			/* literal text */
	N_OUT,			/* {{ expr }} */
	N_IF,			/* if or elif */
	N_FOR,			/* for loop */
	N_BLOCK,		/* block, resolved against the page's chain */
	N_INCLUDE,		/* include of another template */
	N_SET			/* set name = expr */
};

struct node {
	enum node_kind kind;	/* what this node does */
	int32_t next;		/* next sibling, or NONE */
	int32_t body;		/* if/for/block: first child, or NONE */
	int32_t alt;		/* if: elif node or else body; for: else body */
	int32_t expr;		/* out/if/for/set: expression index */
	int32_t ref;		/* include: template index in the set */
	uint32_t off;		/* text, variable, block or target name: */
	uint32_t len;		/* offset and length in the template text */
	uint32_t line;		/* source line, for errors */
	int raw;		/* out: last filter was raw, no escaping */
};

enum expr_kind {
	E_NULL,			/* none */
	E_BOOL,			/* true/false in op */
	E_NUM,			/* integer literal in num */
	E_STR,			/* string literal at off/len */
	E_PATH,			/* segs[off .. off+len) */
	E_NOT,			/* not a */
	E_AND,			/* a and b */
	E_OR,			/* a or b */
	E_CMP,			/* a op b */
	E_IN,			/* a in b */
	E_NOTIN,		/* a not in b */
	E_FILTER		/* a|op(b) */
};

enum cmp_op { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

enum filt {
	F_MONEY, F_DATE, F_DATETIME, F_UPPER, F_LOWER, F_LENGTH, F_DEFAULT,
	F_URLENCODE, F_TRUNCATE, F_PLURALIZE, F_RAW, F_MAX
};

static const struct {
	const char *name;	/* as written after | */
	int min_args;		/* 0 or 1 */
	int max_args;		/* 0 or 1 */
} filters[F_MAX] = {
	[F_MONEY] = { "money", 0, 0 },
	[F_DATE] = { "date", 0, 0 },
	[F_DATETIME] = { "datetime", 0, 0 },
	[F_UPPER] = { "upper", 0, 0 },
	[F_LOWER] = { "lower", 0, 0 },
	[F_LENGTH] = { "length", 0, 0 },
	[F_DEFAULT] = { "default", 1, 1 },
	[F_URLENCODE] = { "urlencode", 0, 0 },
	[F_TRUNCATE] = { "truncate", 1, 1 },
	[F_PLURALIZE] = { "pluralize", 0, 1 },
	[F_RAW] = { "raw", 0, 0 },
};

struct expr {
	enum expr_kind kind;	/* operator or literal */
	int op;			/* bool value, enum cmp_op or enum filt */
	int32_t a;		/* first operand, filter input */
	int32_t b;		/* second operand, filter argument, or NONE */
	uint32_t off;		/* string: text offset; path: first seg */
	uint32_t len;		/* string: length; path: segment count */
	double num;		/* number literal */
	int depth;		/* height of this subtree */
};

struct seg {
	uint32_t off;		/* name in the template text */
	uint32_t len;		/* its length */
	int64_t index;		/* all digits: array index, else -1 */
};

struct blockdef {
	uint32_t off;		/* block name in the template text */
	uint32_t len;		/* its length */
	int32_t body;		/* first node of its body, or NONE */
};

struct tmpl {
	char *name;		/* e.g. "cart/catalog.html", heap */
	char *text;		/* source, then unescaped literals; heap */
	size_t src_len;		/* bytes of source at text[0] */
	size_t text_len;	/* bytes used in text (<= 2 * src_len + 1) */
	struct node *nodes;	/* compiled nodes, heap */
	size_t nnodes;		/* nodes used */
	size_t nodes_cap;	/* nodes allocated */
	struct expr *exprs;	/* compiled expressions, heap */
	size_t nexprs;		/* expressions used */
	size_t exprs_cap;	/* expressions allocated */
	struct seg *segs;	/* path segments, heap */
	size_t nsegs;		/* segments used */
	size_t segs_cap;	/* segments allocated */
	struct blockdef *blocks; /* blocks this file defines, heap */
	size_t nblocks;		/* blocks used */
	size_t blocks_cap;	/* blocks allocated */
	int32_t root;		/* first top-level node, or NONE */
	int32_t parent;		/* extends: template index, or NONE */
	int has_parent;		/* an extends tag was parsed */
	uint32_t parent_off;	/* extends target name in text */
	uint32_t parent_len;	/* its length */
	uint32_t parent_line;	/* line of the extends tag */
	int mark;		/* compile: cycle search colour */
	int height;		/* compile: longest extends/include chain */
};

struct tmpl_set {
	struct tmpl **v;	/* templates in the order added */
	size_t n;		/* templates used */
	size_t cap;		/* templates allocated */
	int compiled;		/* compiled since the last add */
};

/* ------------------------------------------------------------------ */
/* Compiling                                                           */

enum tk {
	TK_END,			/* end of the tag */
	TK_NAME,		/* identifier or keyword */
	TK_INT,			/* decimal digits */
	TK_STR,			/* quoted string, pos/len without quotes */
	TK_OP,			/* operator in op */
	TK_BAD			/* character that starts no token */
};

enum op {
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_PIPE, OP_LP, OP_RP,
	OP_DOT, OP_COMMA, OP_ASSIGN, OP_MINUS
};

struct tok {
	enum tk kind;		/* token class */
	enum op op;		/* TK_OP: which operator */
	size_t pos;		/* first byte in the source */
	size_t len;		/* bytes */
	int esc;		/* TK_STR: holds backslash escapes */
};

enum kw {
	KW_EOF, KW_IF, KW_ELIF, KW_ELSE, KW_ENDIF, KW_FOR, KW_ENDFOR,
	KW_BLOCK, KW_ENDBLOCK, KW_EXTENDS, KW_INCLUDE, KW_SET, KW_MAX
};

static const char *const kw_names[KW_MAX] = {
	[KW_EOF] = "end of file", [KW_IF] = "if", [KW_ELIF] = "elif",
	[KW_ELSE] = "else", [KW_ENDIF] = "endif", [KW_FOR] = "for",
	[KW_ENDFOR] = "endfor", [KW_BLOCK] = "block",
	[KW_ENDBLOCK] = "endblock", [KW_EXTENDS] = "extends",
	[KW_INCLUDE] = "include", [KW_SET] = "set",
};

enum chunk_kind { CH_EOF, CH_TEXT, CH_OUT, CH_TAG };

struct parser {
	struct tmpl *t;		/* template being compiled */
	const char *src;	/* t->text */
	size_t len;		/* source bytes */
	size_t pos;		/* next byte to scan */
	int trim;		/* last tag ended in '-': strip blanks next */
	int seen;		/* something other than blanks came before */
	int nest;		/* open if/for/block tags */
	int edepth;		/* expression parser recursion */
	size_t lpos;		/* expression lexer: next byte */
	size_t lend;		/* expression lexer: end of the tag */
	struct tok tok;		/* expression lexer: current token */
	size_t line_pos;	/* line cache: a position ... */
	uint32_t line;		/* ... and its line number */
	struct buf *err;	/* where the message goes, or NULL */
	enum err rc;		/* ERR_OK until the first error */
};

static uint32_t
line_at(struct parser *p, size_t pos)
{
	if (pos < p->line_pos) {
		p->line_pos = 0;
		p->line = 1;
	}
	for (; p->line_pos < pos && p->line_pos < p->len; p->line_pos++)
		if (p->src[p->line_pos] == '\n')
			p->line++;
	return p->line;
}

static int perr(struct parser *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first error, at the line of source position pos; returns
 * -1 so callers can write "return perr(...)". */
static int
perr(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (p->rc != ERR_OK)
		return -1;
	p->rc = ERR_INVALID;
	if (p->err == NULL)
		return -1;
	buf_printf(p->err, "%s:%" PRIu32 ": ", p->t->name, line_at(p, pos));
	va_start(ap, fmt);
	buf_vprintf(p->err, fmt, ap);
	va_end(ap);
	return -1;
}

static int
oom(struct parser *p)
{
	if (p->rc == ERR_OK) {
		p->rc = ERR_INTERNAL;
		if (p->err != NULL)
			buf_printf(p->err, "%s: out of memory", p->t->name);
	}
	return -1;
}

/* Returns v grown to hold n + 1 elements of size bytes (updating *cap), or
 * NULL when out of memory (v is then unchanged). */
static void *
grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / size || (q = realloc(v, ncap * size)) == NULL)
		return NULL;
	*cap = ncap;
	return q;
}

static int32_t
new_node(struct parser *p, enum node_kind kind, size_t pos)
{
	struct tmpl *t = p->t;
	struct node *v;

	if ((v = grow(t->nodes, &t->nodes_cap, t->nnodes,
	    sizeof(*v))) == NULL)
		return oom(p);
	t->nodes = v;
	v = &t->nodes[t->nnodes];
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->next = v->body = v->alt = v->expr = v->ref = NONE;
	v->line = line_at(p, pos);
	return (int32_t)t->nnodes++;
}

static int32_t
new_expr(struct parser *p, enum expr_kind kind, int32_t a, int32_t b)
{
	struct tmpl *t = p->t;
	struct expr *v;
	int d = 0;

	if (a != NONE && t->exprs[a].depth > d)
		d = t->exprs[a].depth;
	if (b != NONE && t->exprs[b].depth > d)
		d = t->exprs[b].depth;
	if (d + 1 > TMPL_MAX_EXPR)
		return perr(p, p->tok.pos, "expression nested deeper than %d",
		    TMPL_MAX_EXPR);
	if ((v = grow(t->exprs, &t->exprs_cap, t->nexprs,
	    sizeof(*v))) == NULL)
		return oom(p);
	t->exprs = v;
	v = &t->exprs[t->nexprs];
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->a = a;
	v->b = b;
	v->depth = d + 1;
	return (int32_t)t->nexprs++;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_name_char(char c)
{
	return is_name_start(c) || is_digit(c);
}

/* Returns 1 when src[pos .. pos+len) is all blanks. */
static int
all_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_blank(s[i]))
			return 0;
	return 1;
}

/* --- Expression lexer over src[lpos .. lend) ----------------------- */

static void
lex_op(struct parser *p, size_t i)
{
	static const struct {
		const char *text;	/* operator spelling */
		enum op op;		/* its token */
	} ops[] = {
		{ "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE },
		{ ">=", OP_GE }, { "<", OP_LT }, { ">", OP_GT },
		{ "|", OP_PIPE }, { "(", OP_LP }, { ")", OP_RP },
		{ ".", OP_DOT }, { ",", OP_COMMA }, { "=", OP_ASSIGN },
		{ "-", OP_MINUS },
	};
	size_t k, n;

	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		n = strlen(ops[k].text);
		if (n <= p->lend - i && memcmp(p->src + i, ops[k].text, n) == 0) {
			p->tok.kind = TK_OP;
			p->tok.op = ops[k].op;
			p->tok.len = n;
			p->lpos = i + n;
			return;
		}
	}
	p->tok.kind = TK_BAD;
	p->tok.len = 1;
	p->lpos = i + 1;
}

static void
lex_string(struct parser *p, size_t i)
{
	char q = p->src[i++];

	p->tok.pos = i;
	for (; i < p->lend && p->src[i] != q; i++) {
		if (p->src[i] == '\\' && i + 1 < p->lend) {
			p->tok.esc = 1;
			i++;
		}
	}
	if (i >= p->lend) {
		p->tok.kind = TK_BAD;	/* unterminated */
		p->tok.pos--;
		p->tok.len = 1;
		p->lpos = p->lend;
		return;
	}
	p->tok.kind = TK_STR;
	p->tok.len = i - p->tok.pos;
	p->lpos = i + 1;
}

static void
lex_next(struct parser *p)
{
	const char *s = p->src;
	size_t i = p->lpos;

	while (i < p->lend && is_blank(s[i]))
		i++;
	memset(&p->tok, 0, sizeof(p->tok));
	p->tok.pos = i;
	if (i >= p->lend) {
		p->tok.kind = TK_END;
		p->lpos = i;
		return;
	}
	if (s[i] == '\'' || s[i] == '"') {
		lex_string(p, i);
		return;
	}
	if (!is_name_start(s[i]) && !is_digit(s[i])) {
		lex_op(p, i);
		return;
	}
	p->tok.kind = is_digit(s[i]) ? TK_INT : TK_NAME;
	while (i < p->lend && (p->tok.kind == TK_INT ? is_digit(s[i]) :
	    is_name_char(s[i])))
		i++;
	p->tok.len = i - p->tok.pos;
	p->lpos = i;
}

static int
tok_is(const struct parser *p, const char *word)
{
	size_t n = strlen(word);

	return p->tok.kind == TK_NAME && p->tok.len == n &&
	    memcmp(p->src + p->tok.pos, word, n) == 0;
}

static int
tok_is_op(const struct parser *p, enum op op)
{
	return p->tok.kind == TK_OP && p->tok.op == op;
}

/* Reports the current token as unexpected. */
static int
unexpected(struct parser *p, const char *wanted)
{
	int n;

	if (p->tok.kind == TK_END)
		return perr(p, p->tok.pos, "%s expected at end of tag", wanted);
	n = p->tok.len > 20 ? 20 : (int)p->tok.len;
	if (p->tok.kind == TK_STR)
		return perr(p, p->tok.pos, "%s expected, not a string",
		    wanted);
	if (p->tok.kind == TK_BAD && (p->src[p->tok.pos] == '"' ||
	    p->src[p->tok.pos] == '\''))
		return perr(p, p->tok.pos, "unterminated string");
	return perr(p, p->tok.pos, "%s expected, not '%.*s'", wanted, n,
	    p->src + p->tok.pos);
}

/* Returns 1 when the current token is an operator word, or (with
 * variable set) any word that cannot name a variable. */
static int
is_keyword(const struct parser *p, int variable)
{
	static const char *const words[] = {
		"and", "or", "not", "in", "true", "false", "none", "null",
		"True", "False", "None", "loop",
	};
	size_t i, n = variable ? 12 : 4;

	for (i = 0; i < n; i++)
		if (tok_is(p, words[i]))
			return 1;
	return 0;
}

/* Stores the current string token, unescaped, as *off and *len. */
static void
take_string(struct parser *p, uint32_t *off, uint32_t *len)
{
	struct tmpl *t = p->t;
	const char *s = p->src + p->tok.pos;
	size_t i, start = t->text_len;

	if (!p->tok.esc) {
		*off = (uint32_t)p->tok.pos;
		*len = (uint32_t)p->tok.len;
		return;
	}
	/* Unescaped text is never longer than the source: text has room. */
	for (i = 0; i < p->tok.len; i++) {
		if (s[i] == '\\' && i + 1 < p->tok.len) {
			i++;
			t->text[t->text_len++] = s[i] == 'n' ? '\n' :
			    s[i] == 't' ? '\t' : s[i];
			continue;
		}
		t->text[t->text_len++] = s[i];
	}
	assert(t->text_len <= 2 * t->src_len + 1);
	*off = (uint32_t)start;
	*len = (uint32_t)(t->text_len - start);
}

/* --- Expression parser --------------------------------------------- */

static int32_t parse_or(struct parser *);

static int32_t
parse_number(struct parser *p, int negative)
{
	int32_t e;
	double v = 0;
	size_t i;

	if (p->tok.len > 15)
		return perr(p, p->tok.pos, "number too large");
	for (i = 0; i < p->tok.len; i++)
		v = v * 10 + (p->src[p->tok.pos + i] - '0');
	if ((e = new_expr(p, E_NUM, NONE, NONE)) < 0)
		return -1;
	p->t->exprs[e].num = negative ? -v : v;
	lex_next(p);
	return e;
}

static int
add_seg(struct parser *p)
{
	struct tmpl *t = p->t;
	struct seg *v;
	size_t i;

	if ((v = grow(t->segs, &t->segs_cap, t->nsegs, sizeof(*v))) == NULL)
		return oom(p);
	t->segs = v;
	v = &t->segs[t->nsegs++];
	v->off = (uint32_t)p->tok.pos;
	v->len = (uint32_t)p->tok.len;
	v->index = -1;
	if (p->tok.kind == TK_INT && p->tok.len <= 9) {
		v->index = 0;
		for (i = 0; i < p->tok.len; i++)
			v->index = v->index * 10 + (p->src[v->off + i] - '0');
	}
	return 0;
}

static int32_t
parse_path(struct parser *p)
{
	struct tmpl *t = p->t;
	uint32_t first = (uint32_t)t->nsegs, n = 0;
	int32_t e;

	if (is_keyword(p, 0))
		return unexpected(p, "a value");
	for (;;) {
		if (add_seg(p) == -1)
			return -1;
		n++;
		lex_next(p);
		if (!tok_is_op(p, OP_DOT))
			break;
		lex_next(p);
		if (p->tok.kind != TK_NAME && p->tok.kind != TK_INT)
			return unexpected(p, "a name after '.'");
	}
	if ((e = new_expr(p, E_PATH, NONE, NONE)) < 0)
		return -1;
	t->exprs[e].off = first;
	t->exprs[e].len = n;
	return e;
}

static int32_t
parse_literal_word(struct parser *p)
{
	int32_t e;
	int val;

	if (tok_is(p, "none") || tok_is(p, "None") || tok_is(p, "null")) {
		lex_next(p);
		return new_expr(p, E_NULL, NONE, NONE);
	}
	val = tok_is(p, "true") || tok_is(p, "True");
	if (!val && !tok_is(p, "false") && !tok_is(p, "False"))
		return parse_path(p);
	lex_next(p);
	if ((e = new_expr(p, E_BOOL, NONE, NONE)) < 0)
		return -1;
	p->t->exprs[e].op = val;
	return e;
}

static int32_t
parse_primary(struct parser *p)
{
	int32_t e;

	switch (p->tok.kind) {
	case TK_STR:
		if ((e = new_expr(p, E_STR, NONE, NONE)) < 0)
			return -1;
		take_string(p, &p->t->exprs[e].off, &p->t->exprs[e].len);
		lex_next(p);
		return e;
	case TK_INT:
		return parse_number(p, 0);
	case TK_NAME:
		return parse_literal_word(p);
	default:
		break;
	}
	if (tok_is_op(p, OP_MINUS)) {
		lex_next(p);
		if (p->tok.kind != TK_INT)
			return unexpected(p, "a number after '-'");
		return parse_number(p, 1);
	}
	if (!tok_is_op(p, OP_LP))
		return unexpected(p, "a value");
	if (++p->edepth > TMPL_MAX_EXPR)
		return perr(p, p->tok.pos, "expression nested deeper than %d",
		    TMPL_MAX_EXPR);
	lex_next(p);
	if ((e = parse_or(p)) < 0)
		return -1;
	if (!tok_is_op(p, OP_RP))
		return unexpected(p, "')'");
	p->edepth--;
	lex_next(p);
	return e;
}

static int
find_filter(struct parser *p)
{
	int f;

	if (p->tok.kind != TK_NAME)
		return unexpected(p, "a filter name after '|'");
	for (f = 0; f < F_MAX; f++)
		if (tok_is(p, filters[f].name))
			return f;
	return perr(p, p->tok.pos, "unknown filter '%.*s'",
	    p->tok.len > 20 ? 20 : (int)p->tok.len, p->src + p->tok.pos);
}

static int32_t
parse_filter_arg(struct parser *p, int f, size_t at)
{
	int32_t arg;

	if (!tok_is_op(p, OP_LP)) {
		if (filters[f].min_args > 0)
			return perr(p, at, "filter '%s' needs an argument",
			    filters[f].name);
		return NONE;
	}
	if (filters[f].max_args == 0)
		return perr(p, at, "filter '%s' takes no argument",
		    filters[f].name);
	if (++p->edepth > TMPL_MAX_EXPR)
		return perr(p, p->tok.pos, "expression nested deeper than %d",
		    TMPL_MAX_EXPR);
	lex_next(p);
	if ((arg = parse_or(p)) < 0)
		return -1;
	if (!tok_is_op(p, OP_RP))
		return unexpected(p, "')' after the filter argument");
	p->edepth--;
	lex_next(p);
	return arg;
}

static int32_t
parse_filtered(struct parser *p)
{
	int32_t e, arg;
	int f, raw = 0;
	size_t at;

	if ((e = parse_primary(p)) < 0)
		return -1;
	while (tok_is_op(p, OP_PIPE)) {
		lex_next(p);
		at = p->tok.pos;
		if ((f = find_filter(p)) < 0)
			return -1;
		if (raw)
			return perr(p, at, "'raw' must be the last filter");
		raw = f == F_RAW;
		lex_next(p);
		if ((arg = parse_filter_arg(p, f, at)) == -1 &&
		    p->rc != ERR_OK)
			return -1;
		if ((e = new_expr(p, E_FILTER, e, arg)) < 0)
			return -1;
		p->t->exprs[e].op = f;
	}
	return e;
}

static int
cmp_op(const struct parser *p)
{
	if (p->tok.kind != TK_OP)
		return -1;
	switch (p->tok.op) {
	case OP_EQ: return C_EQ;
	case OP_NE: return C_NE;
	case OP_LT: return C_LT;
	case OP_LE: return C_LE;
	case OP_GT: return C_GT;
	case OP_GE: return C_GE;
	default: return -1;
	}
}

/* Returns 1 when the current token is "not" and the next one "in". */
static int
at_not_in(struct parser *p)
{
	struct tok save = p->tok;
	size_t lpos = p->lpos;
	int yes;

	if (!tok_is(p, "not"))
		return 0;
	lex_next(p);
	yes = tok_is(p, "in");
	p->tok = save;
	p->lpos = lpos;
	return yes;
}

static int32_t
parse_cmp(struct parser *p)
{
	int32_t a, b, e;
	enum expr_kind kind;
	int op;

	if ((a = parse_filtered(p)) < 0)
		return -1;
	if ((op = cmp_op(p)) >= 0)
		kind = E_CMP;
	else if (tok_is(p, "in"))
		kind = E_IN;
	else if (at_not_in(p)) {
		kind = E_NOTIN;
		lex_next(p);
	} else
		return a;
	lex_next(p);
	if ((b = parse_filtered(p)) < 0 ||
	    (e = new_expr(p, kind, a, b)) < 0)
		return -1;
	p->t->exprs[e].op = op;
	return e;
}

static int32_t
parse_not(struct parser *p)
{
	int32_t a;

	if (!tok_is(p, "not"))
		return parse_cmp(p);
	if (++p->edepth > TMPL_MAX_EXPR)
		return perr(p, p->tok.pos, "expression nested deeper than %d",
		    TMPL_MAX_EXPR);
	lex_next(p);
	if ((a = parse_not(p)) < 0)
		return -1;
	p->edepth--;
	return new_expr(p, E_NOT, a, NONE);
}

static int32_t
parse_and(struct parser *p)
{
	int32_t a, b;

	if ((a = parse_not(p)) < 0)
		return -1;
	while (tok_is(p, "and")) {
		lex_next(p);
		if ((b = parse_not(p)) < 0 ||
		    (a = new_expr(p, E_AND, a, b)) < 0)
			return -1;
	}
	return a;
}

static int32_t
parse_or(struct parser *p)
{
	int32_t a, b;

	if ((a = parse_and(p)) < 0)
		return -1;
	while (tok_is(p, "or")) {
		lex_next(p);
		if ((b = parse_and(p)) < 0 ||
		    (a = new_expr(p, E_OR, a, b)) < 0)
			return -1;
	}
	return a;
}

/* Parses an expression that must run to the end of the tag. */
static int32_t
parse_tag_expr(struct parser *p)
{
	int32_t e;

	p->edepth = 0;
	if ((e = parse_or(p)) < 0)
		return -1;
	if (p->tok.kind != TK_END)
		return unexpected(p, "end of tag");
	return e;
}

static int
expect_end(struct parser *p)
{
	if (p->tok.kind != TK_END)
		return unexpected(p, "end of tag");
	return 0;
}

/* --- Template chunks: text, {{ }}, {% %}, {# #} -------------------- */

struct chunk {
	enum chunk_kind kind;	/* what was found */
	size_t at;		/* text: first byte; tags: the '{' */
	size_t start;		/* inside of the tag, or the text */
	size_t end;		/* one past it */
};

/* Returns the position of the closing "}}" or "%}" of a tag whose inside
 * starts at i, skipping quoted strings; SIZE_MAX when there is none. */
static size_t
find_close(const struct parser *p, size_t i, char close)
{
	const char *s = p->src;
	char q;

	for (; i + 1 < p->len; i++) {
		if (s[i] == close && s[i + 1] == '}')
			return i;
		if (s[i] != '"' && s[i] != '\'')
			continue;
		for (q = s[i++]; i < p->len && s[i] != q; i++)
			if (s[i] == '\\')
				i++;
		if (i >= p->len)
			return SIZE_MAX;
	}
	return SIZE_MAX;
}

/* Returns the position of the next "{{", "{%" or "{#" at or after i, or
 * the end of the source. */
static size_t
find_open(const struct parser *p, size_t i)
{
	const char *s = p->src, *q;

	while (i + 1 < p->len) {
		if ((q = memchr(s + i, '{', p->len - i - 1)) == NULL)
			break;
		i = (size_t)(q - s);
		if (s[i + 1] == '{' || s[i + 1] == '%' || s[i + 1] == '#')
			return i;
		i++;
	}
	return p->len;
}

static int
text_chunk(struct parser *p, struct chunk *c, size_t q)
{
	size_t a = p->pos, b = q;

	if (p->trim)
		while (a < b && is_blank(p->src[a]))
			a++;
	if (q + 2 < p->len && p->src[q + 2] == '-')
		while (b > a && is_blank(p->src[b - 1]))
			b--;
	p->trim = 0;
	p->pos = q;
	if (!all_blank(p->src + a, b - a))
		p->seen = 1;
	c->kind = CH_TEXT;
	c->at = c->start = a;
	c->end = b;
	return b > a;
}

/* Skips a comment at q; returns -1 when it is not closed. */
static int
skip_comment(struct parser *p, size_t q)
{
	const char *e;
	size_t i = q + 2;

	e = i < p->len ? memmem(p->src + i, p->len - i, "#}", 2) : NULL;
	if (e == NULL)
		return perr(p, q, "unclosed comment");
	i = (size_t)(e - p->src);
	p->trim = i > q + 2 && p->src[i - 1] == '-';
	p->pos = i + 2;
	return 0;
}

/* Reads the next chunk into c; returns 0, or -1 after an error. */
static int
next_chunk(struct parser *p, struct chunk *c)
{
	size_t q, start, end;
	char kind;

	memset(c, 0, sizeof(*c));
	for (;;) {
		if (p->pos >= p->len) {
			c->kind = CH_EOF;
			c->at = p->len;
			return 0;
		}
		q = find_open(p, p->pos);
		if (q > p->pos) {
			if (text_chunk(p, c, q))
				return 0;
			continue;
		}
		kind = p->src[q + 1];
		if (kind == '#') {
			if (skip_comment(p, q) == -1)
				return -1;
			continue;
		}
		start = q + 2;
		if (start < p->len && p->src[start] == '-')
			start++;
		end = find_close(p, start, kind == '{' ? '}' : '%');
		if (end == SIZE_MAX)
			return perr(p, q, "unclosed %s",
			    kind == '{' ? "{{" : "{%");
		p->trim = end > start && p->src[end - 1] == '-';
		c->kind = kind == '{' ? CH_OUT : CH_TAG;
		c->at = q;
		c->start = start;
		c->end = p->trim ? end - 1 : end;
		p->pos = end + 2;
		return 0;
	}
}

/* --- Tags ---------------------------------------------------------- */

static int parse_body(struct parser *, int32_t *, enum kw *, size_t *);

static void
lex_start(struct parser *p, const struct chunk *c)
{
	p->lpos = c->start;
	p->lend = c->end;
	lex_next(p);
}

static int
enter(struct parser *p, size_t at)
{
	if (++p->nest > TMPL_MAX_NEST)
		return perr(p, at, "tags nested deeper than %d",
		    TMPL_MAX_NEST);
	return 0;
}

/* Complains about the tag that ended a body opened by tag `open` at
 * `open_at` when it is not one of the ones that may close it. */
static int
bad_close(struct parser *p, enum kw open, size_t open_at, enum kw got,
    size_t at)
{
	if (got == KW_EOF)
		return perr(p, open_at, "unclosed {%% %s %%}", kw_names[open]);
	return perr(p, at, "unexpected {%% %s %%} inside {%% %s %%} "
	    "opened at line %" PRIu32, kw_names[got], kw_names[open],
	    line_at(p, open_at));
}

static int32_t
parse_output(struct parser *p, const struct chunk *c)
{
	struct tmpl *t = p->t;
	int32_t n, e;

	p->seen = 1;
	lex_start(p, c);
	if (p->tok.kind == TK_END)
		return perr(p, c->at, "empty {{ }}");
	if ((n = new_node(p, N_OUT, c->at)) < 0 ||
	    (e = parse_tag_expr(p)) < 0)
		return -1;
	if (t->exprs[e].kind == E_FILTER && t->exprs[e].op == F_RAW) {
		t->nodes[n].raw = 1;
		e = t->exprs[e].a;
	}
	t->nodes[n].expr = e;
	return n;
}

static int32_t
parse_if(struct parser *p, size_t at)
{
	struct tmpl *t = p->t;
	int32_t n, cur, elif, e, body;
	enum kw stop;
	size_t stop_at;

	if (enter(p, at) == -1 || (n = new_node(p, N_IF, at)) < 0 ||
	    (e = parse_tag_expr(p)) < 0)
		return -1;
	t->nodes[n].expr = e;
	for (cur = n;;) {
		if (parse_body(p, &body, &stop, &stop_at) == -1)
			return -1;
		t->nodes[cur].body = body;
		if (stop != KW_ELIF)
			break;
		/* Not "t->nodes[cur].alt = new_node()": nodes may move. */
		if ((elif = new_node(p, N_IF, stop_at)) < 0 ||
		    (e = parse_tag_expr(p)) < 0)
			return -1;
		t->nodes[cur].alt = elif;
		cur = elif;
		t->nodes[cur].expr = e;
	}
	if (stop == KW_ELSE) {
		if (expect_end(p) == -1 ||
		    parse_body(p, &body, &stop, &stop_at) == -1)
			return -1;
		t->nodes[cur].alt = body;
	}
	if (stop != KW_ENDIF)
		return bad_close(p, KW_IF, at, stop, stop_at);
	p->nest--;
	return expect_end(p) == -1 ? -1 : n;
}

/* Reads the name that must follow a for or set keyword into node n. */
static int
var_name(struct parser *p, int32_t n, const char *what)
{
	if (p->tok.kind != TK_NAME)
		return unexpected(p, what);
	if (is_keyword(p, 1))
		return perr(p, p->tok.pos, "'%.*s' cannot be a variable name",
		    (int)p->tok.len, p->src + p->tok.pos);
	p->t->nodes[n].off = (uint32_t)p->tok.pos;
	p->t->nodes[n].len = (uint32_t)p->tok.len;
	lex_next(p);
	return 0;
}

static int32_t
parse_for(struct parser *p, size_t at)
{
	struct tmpl *t = p->t;
	int32_t n, e, body;
	enum kw stop;
	size_t stop_at;

	if (enter(p, at) == -1 || (n = new_node(p, N_FOR, at)) < 0 ||
	    var_name(p, n, "a loop variable") == -1)
		return -1;
	if (!tok_is(p, "in"))
		return unexpected(p, "'in'");
	lex_next(p);
	if ((e = parse_tag_expr(p)) < 0 ||
	    parse_body(p, &body, &stop, &stop_at) == -1)
		return -1;
	t->nodes[n].expr = e;
	t->nodes[n].body = body;
	if (stop == KW_ELSE) {
		if (expect_end(p) == -1 ||
		    parse_body(p, &body, &stop, &stop_at) == -1)
			return -1;
		t->nodes[n].alt = body;
	}
	if (stop != KW_ENDFOR)
		return bad_close(p, KW_FOR, at, stop, stop_at);
	p->nest--;
	return expect_end(p) == -1 ? -1 : n;
}

static const struct blockdef *
find_blockdef(const struct tmpl *t, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < t->nblocks; i++)
		if (t->blocks[i].len == len &&
		    memcmp(t->text + t->blocks[i].off, name, len) == 0)
			return &t->blocks[i];
	return NULL;
}

static int
add_blockdef(struct parser *p, int32_t n)
{
	struct tmpl *t = p->t;
	struct blockdef *v;

	if ((v = grow(t->blocks, &t->blocks_cap, t->nblocks,
	    sizeof(*v))) == NULL)
		return oom(p);
	t->blocks = v;
	v = &t->blocks[t->nblocks++];
	v->off = t->nodes[n].off;
	v->len = t->nodes[n].len;
	v->body = t->nodes[n].body;
	return 0;
}

/* Checks the optional name after endblock against node n's. */
static int
endblock_name(struct parser *p, int32_t n)
{
	const struct node *b = &p->t->nodes[n];

	if (p->tok.kind == TK_NAME) {
		if (p->tok.len != b->len || memcmp(p->src + p->tok.pos,
		    p->src + b->off, b->len) != 0)
			return perr(p, p->tok.pos, "{%% endblock %.*s %%} "
			    "closes {%% block %.*s %%}", (int)p->tok.len,
			    p->src + p->tok.pos, (int)b->len,
			    p->src + b->off);
		lex_next(p);
	}
	return expect_end(p);
}

static int32_t
parse_block(struct parser *p, size_t at)
{
	struct tmpl *t = p->t;
	int32_t n, body;
	enum kw stop;
	size_t stop_at;

	if (enter(p, at) == -1 || (n = new_node(p, N_BLOCK, at)) < 0)
		return -1;
	if (p->tok.kind != TK_NAME)
		return unexpected(p, "a block name");
	t->nodes[n].off = (uint32_t)p->tok.pos;
	t->nodes[n].len = (uint32_t)p->tok.len;
	lex_next(p);
	if (expect_end(p) == -1 ||
	    parse_body(p, &body, &stop, &stop_at) == -1)
		return -1;
	t->nodes[n].body = body;
	if (stop != KW_ENDBLOCK)
		return bad_close(p, KW_BLOCK, at, stop, stop_at);
	p->nest--;
	if (endblock_name(p, n) == -1)
		return -1;
	/* Checked after the body, which may hold a block of the same name. */
	if (find_blockdef(t, t->text + t->nodes[n].off, t->nodes[n].len))
		return perr(p, at, "block '%.*s' defined twice",
		    (int)t->nodes[n].len, t->text + t->nodes[n].off);
	return add_blockdef(p, n) == -1 ? -1 : n;
}

/* Reads the quoted template name of extends or include. */
static int
target_name(struct parser *p, uint32_t *off, uint32_t *len)
{
	if (p->tok.kind != TK_STR)
		return unexpected(p, "a quoted template name");
	take_string(p, off, len);
	lex_next(p);
	return expect_end(p);
}

static int
parse_extends(struct parser *p, size_t at, int first)
{
	struct tmpl *t = p->t;

	if (!first || p->nest > 0)
		return perr(p, at, "{%% extends %%} must be the first tag");
	if (target_name(p, &t->parent_off, &t->parent_len) == -1)
		return -1;
	t->has_parent = 1;
	t->parent_line = line_at(p, at);
	return 0;
}

static int32_t
parse_include(struct parser *p, size_t at)
{
	int32_t n;

	if ((n = new_node(p, N_INCLUDE, at)) < 0 ||
	    target_name(p, &p->t->nodes[n].off, &p->t->nodes[n].len) == -1)
		return -1;
	return n;
}

static int32_t
parse_set(struct parser *p, size_t at)
{
	int32_t n, e;

	if ((n = new_node(p, N_SET, at)) < 0 ||
	    var_name(p, n, "a variable name") == -1)
		return -1;
	if (!tok_is_op(p, OP_ASSIGN))
		return unexpected(p, "'='");
	lex_next(p);
	if ((e = parse_tag_expr(p)) < 0)
		return -1;
	p->t->nodes[n].expr = e;
	return n;
}

static enum kw
keyword(const struct parser *p)
{
	int k;

	for (k = KW_IF; k < KW_MAX; k++)
		if (tok_is(p, kw_names[k]))
			return (enum kw)k;
	return KW_EOF;
}

/* Parses one {% %} tag.  Returns the new node, TAG_SKIP for a tag that
 * makes none (extends), TAG_END for a tag that ends the body (*stop says
 * which), or -1 after an error. */
static int32_t
parse_tag(struct parser *p, const struct chunk *c, enum kw *stop)
{
	int first = !p->seen;
	enum kw k;

	p->seen = 1;
	lex_start(p, c);
	if (p->tok.kind != TK_NAME)
		return unexpected(p, "a tag name");
	if ((k = keyword(p)) == KW_EOF)
		return perr(p, c->at, "unknown tag '%.*s'",
		    p->tok.len > 20 ? 20 : (int)p->tok.len,
		    p->src + p->tok.pos);
	lex_next(p);
	switch (k) {
	case KW_IF: return parse_if(p, c->at);
	case KW_FOR: return parse_for(p, c->at);
	case KW_BLOCK: return parse_block(p, c->at);
	case KW_INCLUDE: return parse_include(p, c->at);
	case KW_SET: return parse_set(p, c->at);
	case KW_EXTENDS: return parse_extends(p, c->at, first) == -1 ?
	    -1 : TAG_SKIP;
	default:
		*stop = k;
		return TAG_END;
	}
}

/* Parses nodes up to the end of the source or a tag that ends a body
 * (elif, else, endif, endfor, endblock).  Sets *first to the first node
 * (or NONE), *stop to the ending keyword (KW_EOF at the end) and *stop_at
 * to its position; the lexer is left after that keyword.  Returns 0 or
 * -1 after an error. */
static int
parse_body(struct parser *p, int32_t *first, enum kw *stop, size_t *stop_at)
{
	struct tmpl *t = p->t;
	struct chunk c;
	int32_t n, last = NONE;

	*first = NONE;
	for (;;) {
		if (next_chunk(p, &c) == -1)
			return -1;
		*stop_at = c.at;
		if (c.kind == CH_EOF) {
			*stop = KW_EOF;
			return 0;
		}
		if (c.kind == CH_TEXT) {
			if ((n = new_node(p, N_TEXT, c.at)) < 0)
				return -1;
			t->nodes[n].off = (uint32_t)c.start;
			t->nodes[n].len = (uint32_t)(c.end - c.start);
		} else if (c.kind == CH_OUT)
			n = parse_output(p, &c);
		else
			n = parse_tag(p, &c, stop);
		if (n == TAG_END)
			return 0;
		if (n == -1)
			return -1;
		if (n == TAG_SKIP)
			continue;
		if (last == NONE)
			*first = n;
		else
			t->nodes[last].next = n;
		last = n;
	}
}

/* A template that extends another may hold only blocks, sets and blanks
 * outside its blocks: anything else would never be shown. */
static int
check_child(struct parser *p)
{
	const struct tmpl *t = p->t;
	const struct node *n;
	int32_t i;

	for (i = t->root; i != NONE; i = n->next) {
		n = &t->nodes[i];
		if (n->kind == N_BLOCK || n->kind == N_SET)
			continue;
		if (n->kind == N_TEXT && all_blank(t->text + n->off, n->len))
			continue;
		if (p->err != NULL && p->rc == ERR_OK)
			buf_printf(p->err, "%s:%" PRIu32 ": only {%% block %%} "
			    "and {%% set %%} may stand outside blocks in a "
			    "template that extends another", t->name, n->line);
		p->rc = ERR_INVALID;
		return -1;
	}
	return 0;
}

static void
tmpl_clear(struct tmpl *t)
{
	free(t->nodes);
	free(t->exprs);
	free(t->segs);
	free(t->blocks);
	t->nodes = NULL;
	t->exprs = NULL;
	t->segs = NULL;
	t->blocks = NULL;
	t->nnodes = t->nodes_cap = t->nexprs = t->exprs_cap = 0;
	t->nsegs = t->segs_cap = t->nblocks = t->blocks_cap = 0;
	t->text_len = t->src_len;
	t->root = t->parent = NONE;
	t->has_parent = 0;
	t->mark = t->height = 0;
}

static enum err
tmpl_parse(struct tmpl *t, struct buf *errmsg)
{
	struct parser p;
	enum kw stop;
	size_t stop_at;

	tmpl_clear(t);
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.src = t->text;
	p.len = t->src_len;
	p.line = 1;
	p.err = errmsg;
	if (parse_body(&p, &t->root, &stop, &stop_at) == 0 &&
	    stop != KW_EOF)
		perr(&p, stop_at, "unexpected {%% %s %%}", kw_names[stop]);
	assert(p.rc != ERR_OK || p.nest == 0);
	if (p.rc == ERR_OK && t->has_parent)
		check_child(&p);
	return p.rc;
}

/* --- Linking templates --------------------------------------------- */

static int32_t
set_find(const struct tmpl_set *set, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strncmp(set->v[i]->name, name, len) == 0 &&
		    set->v[i]->name[len] == '\0')
			return (int32_t)i;
	return NONE;
}

static enum err
link_error(struct buf *errmsg, const struct tmpl *t, uint32_t line,
    const char *what, uint32_t off, uint32_t len)
{
	if (errmsg != NULL)
		buf_printf(errmsg, "%s:%" PRIu32 ": %s target '%.*s' not found",
		    t->name, line, what, (int)len, t->text + off);
	return ERR_INVALID;
}

/* Resolves t's extends and include names to template indexes. */
static enum err
tmpl_link(const struct tmpl_set *set, struct tmpl *t, struct buf *errmsg)
{
	struct node *n;
	size_t i;

	if (t->has_parent) {
		t->parent = set_find(set, t->text + t->parent_off,
		    t->parent_len);
		if (t->parent == NONE)
			return link_error(errmsg, t, t->parent_line, "extends",
			    t->parent_off, t->parent_len);
	}
	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		if (n->kind != N_INCLUDE)
			continue;
		if ((n->ref = set_find(set, t->text + n->off, n->len)) == NONE)
			return link_error(errmsg, t, n->line, "include",
			    n->off, n->len);
	}
	return ERR_OK;
}

struct walk {
	const struct tmpl_set *set;	/* templates */
	int32_t path[TMPL_MAX_LINKS + 2]; /* templates on the current chain */
	struct buf *err;		/* message, or NULL */
};

static enum err walk_from(struct walk *, int32_t, int);

/* Follows the edge from path[depth - 1] (at line) to template to. */
static enum err
walk_edge(struct walk *w, int depth, uint32_t line, int32_t to)
{
	const struct tmpl *from = w->set->v[w->path[depth - 1]];
	const struct tmpl *t = w->set->v[to];
	enum err e;
	int i;

	if (t->mark == 1 || depth + (t->mark == 2 ? t->height : 1) >
	    TMPL_MAX_LINKS) {
		if (w->err == NULL)
			return ERR_INVALID;
		buf_printf(w->err, "%s:%" PRIu32 ": %s: ", from->name, line,
		    t->mark == 1 ? "include cycle" : "extends/include chain "
		    "too long");
		for (i = 0; i < depth; i++)
			buf_printf(w->err, "%s -> ", w->set->v[w->path[i]]->name);
		buf_printf(w->err, "%s", t->name);
		return ERR_INVALID;
	}
	if (t->mark == 0 && (e = walk_from(w, to, depth)) != ERR_OK)
		return e;
	return ERR_OK;
}

/* Depth-first search from template i (at depth on the path): finds
 * cycles and sets each template's height. */
static enum err
walk_from(struct walk *w, int32_t i, int depth)
{
	struct tmpl *t = w->set->v[i];
	const struct node *n;
	int32_t to;
	size_t k;
	enum err e;

	t->mark = 1;
	t->height = 1;
	w->path[depth] = i;
	for (k = 0; k <= t->nnodes; k++) {
		if (k == t->nnodes) {
			if ((to = t->parent) == NONE)
				break;
			e = walk_edge(w, depth + 1, t->parent_line, to);
		} else {
			n = &t->nodes[k];
			if (n->kind != N_INCLUDE)
				continue;
			to = n->ref;
			e = walk_edge(w, depth + 1, n->line, to);
		}
		if (e != ERR_OK)
			return e;
		if (w->set->v[to]->height + 1 > t->height)
			t->height = w->set->v[to]->height + 1;
	}
	t->mark = 2;
	return ERR_OK;
}

/* ------------------------------------------------------------------ */
/* The set                                                             */

struct tmpl_set *
tmpl_set_new(void)
{
	return calloc(1, sizeof(struct tmpl_set));
}

static void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	tmpl_clear(t);
	free(t->name);
	free(t->text);
	free(t);
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_free(set->v[i]);
	free(set->v);
	free(set);
}

enum err
tmpl_set_add(struct tmpl_set *set, const char *name, const char *src)
{
	struct tmpl *t, **v;
	size_t len = strlen(src);

	if (set_find(set, name, strlen(name)) != NONE)
		return ERR_CONFLICT;
	if (len > TMPL_MAX_SIZE)
		return ERR_TOOLARGE;
	if ((v = grow(set->v, &set->cap, set->n, sizeof(*v))) == NULL)
		return ERR_INTERNAL;
	set->v = v;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ERR_INTERNAL;
	/* Room for the source and, after it, its unescaped literals. */
	t->name = strdup(name);
	t->text = malloc(2 * len + 2);
	if (t->name == NULL || t->text == NULL) {
		tmpl_free(t);
		return ERR_INTERNAL;
	}
	memcpy(t->text, src, len + 1);
	t->src_len = t->text_len = len;
	t->root = t->parent = NONE;
	set->v[set->n++] = t;
	set->compiled = 0;
	return ERR_OK;
}

enum err
tmpl_set_compile(struct tmpl_set *set, struct buf *errmsg)
{
	struct walk w;
	size_t i;
	enum err e = ERR_OK;

	set->compiled = 0;
	for (i = 0; i < set->n && e == ERR_OK; i++)
		e = tmpl_parse(set->v[i], errmsg);
	for (i = 0; i < set->n && e == ERR_OK; i++)
		e = tmpl_link(set, set->v[i], errmsg);
	memset(&w, 0, sizeof(w));
	w.set = set;
	w.err = errmsg;
	for (i = 0; i < set->n && e == ERR_OK; i++)
		if (set->v[i]->mark == 0)
			e = walk_from(&w, (int32_t)i, 0);
	if (e == ERR_OK)
		set->compiled = 1;
	return e;
}

enum err
tmpl_set_load_embedded(struct tmpl_set **out, struct buf *errmsg)
{
	struct tmpl_set *set;
	size_t i;
	enum err e = ERR_OK;

	*out = NULL;
	if ((set = tmpl_set_new()) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < embedded_templates_count && e == ERR_OK; i++) {
		e = tmpl_set_add(set, embedded_templates[i].name,
		    embedded_templates[i].data);
		if (e != ERR_OK && errmsg != NULL)
			buf_printf(errmsg, "%s: cannot add: %s",
			    embedded_templates[i].name, err_str(e));
	}
	if (e == ERR_OK)
		e = tmpl_set_compile(set, errmsg);
	if (e != ERR_OK) {
		tmpl_set_free(set);
		return e == ERR_INTERNAL ? e : ERR_INVALID;
	}
	*out = set;
	return ERR_OK;
}

int
tmpl_exists(const struct tmpl_set *set, const char *name)
{
	return set_find(set, name, strlen(name)) != NONE;
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */

enum vkind { V_NULL, V_BOOL, V_NUM, V_STR, V_JSON, V_LOOP };

struct loopstate {
	int64_t index0;		/* 0-based position of the current item */
	int64_t length;		/* items in the sequence */
};

struct val {
	enum vkind kind;	/* which member of u is set */
	size_t len;		/* V_STR: bytes */
	union {
		int b;			/* V_BOOL */
		double n;		/* V_NUM */
		const char *s;		/* V_STR: not NUL-terminated */
		const cJSON *j;		/* V_JSON: array or object */
		const struct loopstate *loop; /* V_LOOP */
	} u;			/* the value */
};

struct binding {
	const char *name;	/* in a template's text, or "loop" */
	size_t len;		/* bytes of name */
	struct val v;		/* current value */
};

/* Memory for the strings filters make, released stack-wise. */
struct sblk {
	struct sblk *prev;	/* older block, NULL for the first */
	size_t cap;		/* bytes in data */
	size_t used;		/* bytes handed out */
	char *data;		/* the bytes */
};

struct mark {
	struct sblk *blk;	/* block that was newest */
	size_t used;		/* its use at the time */
};

struct render {
	const struct tmpl_set *set; /* templates being rendered */
	const cJSON *ctx;	/* context object, or NULL */
	struct buf *out;	/* where HTML goes */
	struct buf tmp;		/* scratch for money/url formatting */
	struct binding vars[MAX_VARS]; /* loop variables and sets */
	size_t nvars;		/* variables in use */
	size_t scope;		/* first variable that set may overwrite */
	int depth;		/* nested render_nodes calls */
	struct sblk *top;	/* newest scratch block */
	struct sblk first;	/* the scratch block in local */
	char local[2048];	/* scratch bytes on the C stack */
};

static struct mark
mark_get(const struct render *r)
{
	struct mark m = { r->top, r->top->used };

	return m;
}

static void
mark_release(struct render *r, struct mark m)
{
	struct sblk *b;

	while (r->top != m.blk) {
		b = r->top;
		r->top = b->prev;
		free(b);
	}
	r->top->used = m.used;
}

/* Returns n bytes of scratch memory, or NULL when out of memory. */
static char *
scratch(struct render *r, size_t n)
{
	struct sblk *b = r->top;
	size_t cap;
	char *p;

	if (b->cap - b->used < n) {
		cap = n > SCRATCH_BLOCK ? n : SCRATCH_BLOCK;
		if (cap > SIZE_MAX - sizeof(*b) ||
		    (b = malloc(sizeof(*b) + cap)) == NULL)
			return NULL;
		b->prev = r->top;
		b->cap = cap;
		b->used = 0;
		b->data = (char *)(b + 1);
		r->top = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

static void
set_str(struct val *v, const char *s, size_t len)
{
	v->kind = V_STR;
	v->u.s = s;
	v->len = len;
}

static void
set_num(struct val *v, double n)
{
	v->kind = V_NUM;
	v->u.n = n;
}

/* Copies s into scratch memory as the string value v. */
static enum err
set_copy(struct render *r, struct val *v, const char *s, size_t len)
{
	char *p;

	if ((p = scratch(r, len)) == NULL)
		return ERR_INTERNAL;
	memcpy(p, s, len);
	set_str(v, p, len);
	return ERR_OK;
}

/* The type of j without its flag bits.  cJSON's own cJSON_Is*() are
 * library calls; a page tests thousands of types, so they are read here. */
static int
jtype(const cJSON *j)
{
	return j->type & 0xFF;
}

/* Stores the value of j (NULL for none) in *v.  Values are written through
 * pointers, not returned: copying a just-built struct val costs a stall
 * in every {{ }} of a page. */
static void
from_json(const cJSON *j, struct val *v)
{
	memset(v, 0, sizeof(*v));
	if (j == NULL)
		return;
	switch (jtype(j)) {
	case cJSON_False:
	case cJSON_True:
		v->kind = V_BOOL;
		v->u.b = jtype(j) == cJSON_True;
		break;
	case cJSON_Number:
		set_num(v, j->valuedouble);
		break;
	case cJSON_String:
		if (j->valuestring != NULL)
			set_str(v, j->valuestring, strlen(j->valuestring));
		break;
	case cJSON_Array:
	case cJSON_Object:
		v->kind = V_JSON;
		v->u.j = j;
		break;
	default:
		break;
	}
}

/* Returns 1 when the NUL-terminated key s is the n bytes at k.  Most keys
 * of an object differ from k in their first byte, so this stops there. */
static int
key_is(const char *s, const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != k[i] || s[i] == '\0')
			return 0;
	return s[n] == '\0';
}

static const cJSON *
json_get(const cJSON *o, const char *k, size_t n)
{
	const cJSON *c;

	if (o == NULL || jtype(o) != cJSON_Object)
		return NULL;
	for (c = o->child; c != NULL; c = c->next)
		if (c->string != NULL && key_is(c->string, k, n))
			return c;
	return NULL;
}

static int
truthy(const struct val *v)
{
	switch (v->kind) {
	case V_BOOL: return v->u.b;
	case V_NUM: return v->u.n != 0;
	case V_STR: return v->len > 0;
	case V_JSON: return v->u.j->child != NULL;
	case V_LOOP: return 1;
	default: return 0;
	}
}

/* Writes n as an integer when it is one, else in %g form; returns the
 * length.  buf holds at least 32 bytes. */
static size_t
num_text(double n, char *buf)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u;
	size_t len;
	int k;

	if (!(n >= -9007199254740992.0 && n <= 9007199254740992.0 &&
	    n == (double)(int64_t)n)) {
		k = snprintf(buf, 32, "%.15g", n);
		return k < 0 ? 0 : (size_t)k;
	}
	/* Integers, the usual case (counts, ids), without printf. */
	u = n < 0 ? (uint64_t)-(int64_t)n : (uint64_t)n;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (n < 0)
		*--p = '-';
	len = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(buf, p, len);
	buf[len] = '\0';
	return len;
}

static const char *
loop_attr(const struct loopstate *l, const char *k, size_t n, struct val *v)
{
	static const char *const names[] = {
		"index", "index0", "first", "last", "length", "revindex",
		"revindex0",
	};
	const int64_t vals[] = {
		l->index0 + 1, l->index0, l->index0 == 0,
		l->index0 == l->length - 1, l->length, l->length - l->index0,
		l->length - l->index0 - 1,
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i]) != n || memcmp(names[i], k, n) != 0)
			continue;
		if (i == 2 || i == 3) {
			v->kind = V_BOOL;
			v->u.b = (int)vals[i];
		} else
			set_num(v, (double)vals[i]);
		return names[i];
	}
	return NULL;
}

/* Follows the n path segments at s from the JSON value j (NULL for none)
 * into *v: a key of an object or an index of an array; anything else
 * gives none. */
static void
walk_json(const cJSON *j, const struct tmpl *t, const struct seg *s,
    uint32_t n, struct val *v)
{
	for (; n > 0 && j != NULL; n--, s++) {
		if (jtype(j) == cJSON_Object)
			j = json_get(j, t->text + s->off, s->len);
		else if (jtype(j) == cJSON_Array && s->index >= 0 &&
		    s->index <= INT32_MAX)
			j = cJSON_GetArrayItem(j, (int)s->index);
		else
			j = NULL;
	}
	from_json(j, v);
}

/* Evaluates path x: its first segment names a variable or a context key,
 * the rest step into objects, arrays or the loop's attributes. */
static void
eval_path(const struct render *r, const struct tmpl *t, const struct expr *x,
    struct val *v)
{
	const struct seg *s = &t->segs[x->off];
	const struct binding *b = NULL;
	size_t i;

	for (i = r->nvars; i-- > 0;) {
		if (r->vars[i].len == s->len &&
		    memcmp(r->vars[i].name, t->text + s->off, s->len) == 0) {
			b = &r->vars[i];
			break;
		}
	}
	if (b == NULL) {
		walk_json(json_get(r->ctx, t->text + s->off, s->len), t,
		    s + 1, x->len - 1, v);
		return;
	}
	if (b->v.kind == V_JSON) {
		walk_json(b->v.u.j, t, s + 1, x->len - 1, v);
		return;
	}
	memset(v, 0, sizeof(*v));
	if (x->len == 1)
		*v = b->v;
	else if (x->len == 2 && b->v.kind == V_LOOP)
		loop_attr(b->v.u.loop, t->text + s[1].off, s[1].len, v);
}

static int
val_equal(const struct val *a, const struct val *b)
{
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case V_NULL: return 1;
	case V_BOOL: return a->u.b == b->u.b;
	case V_NUM: return a->u.n == b->u.n;
	case V_STR: return a->len == b->len &&
	    memcmp(a->u.s, b->u.s, a->len) == 0;
	case V_JSON: return a->u.j == b->u.j;
	default: return a->u.loop == b->u.loop;
	}
}

/* Returns <0, 0 or >0 for ordered kinds; sets *ok = 0 when a and b are
 * not both numbers or both strings. */
static int
val_order(const struct val *a, const struct val *b, int *ok)
{
	size_t n;
	int c;

	*ok = 1;
	if (a->kind == V_NUM && b->kind == V_NUM)
		return (a->u.n > b->u.n) - (a->u.n < b->u.n);
	if (a->kind == V_STR && b->kind == V_STR) {
		n = a->len < b->len ? a->len : b->len;
		if ((c = memcmp(a->u.s, b->u.s, n)) != 0)
			return c;
		return (a->len > b->len) - (a->len < b->len);
	}
	*ok = 0;
	return 0;
}

static int
compare(int op, const struct val *a, const struct val *b)
{
	int ok, c;

	if (op == C_EQ)
		return val_equal(a, b);
	if (op == C_NE)
		return !val_equal(a, b);
	c = val_order(a, b, &ok);
	if (!ok)
		return 0;
	switch (op) {
	case C_LT: return c < 0;
	case C_LE: return c <= 0;
	case C_GT: return c > 0;
	default: return c >= 0;
	}
}

/* Returns 1 when a is an element of array b, a substring of string b or
 * a key of object b. */
static int
contains(const struct val *a, const struct val *b)
{
	const cJSON *c;
	struct val cv;

	if (b->kind == V_STR && a->kind == V_STR)
		return a->len == 0 || (b->len >= a->len &&
		    memmem(b->u.s, b->len, a->u.s, a->len) != NULL);
	if (b->kind != V_JSON)
		return 0;
	if (jtype(b->u.j) == cJSON_Object)
		return a->kind == V_STR &&
		    json_get(b->u.j, a->u.s, a->len) != NULL;
	for (c = b->u.j->child; c != NULL; c = c->next) {
		from_json(c, &cv);
		if (val_equal(a, &cv))
			return 1;
	}
	return 0;
}

static enum err eval(struct render *, const struct tmpl *, int32_t,
    struct val *);

/* --- Filters ------------------------------------------------------- */

/* Makes v a string: numbers and booleans are written out; null stays
 * null.  Returns ERR_INVALID for arrays and objects. */
static enum err
stringify(struct render *r, struct val *v)
{
	char num[32];

	switch (v->kind) {
	case V_NULL:
	case V_STR:
		return ERR_OK;
	case V_BOOL:
		set_str(v, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
		return ERR_OK;
	case V_NUM:
		return set_copy(r, v, num, num_text(v->u.n, num));
	default:
		return ERR_INVALID;
	}
}

static enum err
filter_case(struct render *r, struct val *v, int upper)
{
	char *p;
	size_t i;
	enum err e;

	if ((e = stringify(r, v)) != ERR_OK || v->kind == V_NULL)
		return e;
	if ((p = scratch(r, v->len)) == NULL)
		return ERR_INTERNAL;
	for (i = 0; i < v->len; i++) {
		char c = v->u.s[i];
		if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		p[i] = c;
	}
	set_str(v, p, v->len);
	return ERR_OK;
}

static size_t
utf8_chars(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			k++;
	return k;
}

static enum err
filter_length(struct val *v)
{
	switch (v->kind) {
	case V_NULL:
		set_num(v, 0);
		return ERR_OK;
	case V_STR:
		set_num(v, (double)utf8_chars(v->u.s, v->len));
		return ERR_OK;
	case V_JSON:
		set_num(v, cJSON_GetArraySize(v->u.j));
		return ERR_OK;
	default:
		return ERR_INVALID;
	}
}

/* Moves what r->tmp holds into scratch memory as the string v. */
static enum err
take_tmp(struct render *r, struct val *v, int rc)
{
	enum err e;

	if (rc == -1)
		e = r->tmp.oom ? ERR_INTERNAL : ERR_INVALID;
	else
		e = set_copy(r, v, r->tmp.data ? r->tmp.data : "", r->tmp.len);
	buf_reset(&r->tmp);
	return e;
}

static enum err
filter_urlencode(struct render *r, struct val *v)
{
	enum err e;

	if ((e = stringify(r, v)) != ERR_OK || v->kind == V_NULL)
		return e;
	return take_tmp(r, v, buf_url_escape(&r->tmp, v->u.s, v->len));
}

/* Reads an integral number of at most 2^53 in magnitude. */
static int
exact_int(const struct val *v, int64_t *out)
{
	if (v->kind != V_NUM || !(v->u.n >= -(double)MONEY_JSON_MAX &&
	    v->u.n <= (double)MONEY_JSON_MAX) ||
	    v->u.n != (double)(int64_t)v->u.n)
		return 0;
	*out = (int64_t)v->u.n;
	return 1;
}

static enum err
filter_money(struct render *r, struct val *v)
{
	struct val amount, cur;
	const char *currency = "usd";
	char code[4];
	int64_t n;

	if (v->kind == V_NULL)
		return ERR_OK;
	amount = *v;
	if (v->kind == V_JSON) {
		from_json(json_get(v->u.j, "amount", 6), &amount);
		from_json(json_get(v->u.j, "currency", 8), &cur);
		if (cur.kind != V_STR || cur.len != 3)
			return ERR_INVALID;
		memcpy(code, cur.u.s, 3);
		code[3] = '\0';
		currency = code;
	}
	if (!exact_int(&amount, &n))
		return ERR_INVALID;
	return take_tmp(r, v, money_format(&r->tmp, n, currency));
}

static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};

/* Reads n digits at s as a number; -1 when one is not a digit. */
static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Reads "YYYY-MM-DD", optionally followed by " HH:MM[:SS...]" or
 * "THH:MM[:SS...]", as SQLite writes dates.  Returns 0 or -1. */
static int
parse_date_text(const char *s, size_t n, struct tm *tm)
{
	memset(tm, 0, sizeof(*tm));
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	tm->tm_year = digits(s, 4) - 1900;
	tm->tm_mon = digits(s + 5, 2) - 1;
	tm->tm_mday = digits(s + 8, 2);
	if (tm->tm_year < -1900 || tm->tm_mon < 0 || tm->tm_mon > 11 ||
	    tm->tm_mday < 1 || tm->tm_mday > 31)
		return -1;
	if (n == 10)
		return 0;
	if (n < 16 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':')
		return -1;
	tm->tm_hour = digits(s + 11, 2);
	tm->tm_min = digits(s + 14, 2);
	if (tm->tm_hour < 0 || tm->tm_hour > 23 || tm->tm_min < 0 ||
	    tm->tm_min > 59)
		return -1;
	return 0;
}

static enum err
filter_date(struct render *r, struct val *v, int with_time)
{
	struct tm tm;
	time_t secs;
	int64_t n;
	int rc;

	if (v->kind == V_NULL)
		return ERR_OK;
	if (v->kind == V_STR) {
		if (parse_date_text(v->u.s, v->len, &tm) == -1)
			return ERR_INVALID;
	} else {
		/* Year 1 to year 9999. */
		if (!exact_int(v, &n) || n < -62135596800 ||
		    n > 253402300799)
			return ERR_INVALID;
		secs = (time_t)n;
		/* The school's zone (lib/tz.h), named after the time. */
		if (localtime_r(&secs, &tm) == NULL)
			return ERR_INVALID;
	}
	rc = buf_printf(&r->tmp, "%d %s %d", tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900);
	if (rc == 0 && with_time)
		rc = buf_printf(&r->tmp, " %02d:%02d %s", tm.tm_hour,
		    tm.tm_min, v->kind == V_STR || tm.tm_zone == NULL ? "UTC" :
		    tm.tm_zone);
	return take_tmp(r, v, rc);
}

static enum err
filter_truncate(struct render *r, struct val *v, const struct val *arg)
{
	static const char ell[] = "\xe2\x80\xa6";	/* … */
	int64_t max;
	size_t i, k = 0;
	char *p;
	enum err e;

	if (!exact_int(arg, &max) || max < 0)
		return ERR_INVALID;
	if ((e = stringify(r, v)) != ERR_OK || v->kind == V_NULL)
		return e;
	if ((int64_t)utf8_chars(v->u.s, v->len) <= max)
		return ERR_OK;
	/* Cut before the first byte of character number max. */
	for (i = 0; i < v->len; i++)
		if (((unsigned char)v->u.s[i] & 0xC0) != 0x80 &&
		    (int64_t)k++ == max)
			break;
	while (i > 0 && is_blank(v->u.s[i - 1]))
		i--;
	if ((p = scratch(r, i + sizeof(ell) - 1)) == NULL)
		return ERR_INTERNAL;
	memcpy(p, v->u.s, i);
	memcpy(p + i, ell, sizeof(ell) - 1);
	set_str(v, p, i + sizeof(ell) - 1);
	return ERR_OK;
}

/* "s" when the count is not 1; pluralize("es"), pluralize("y,ies"). */
static enum err
filter_pluralize(struct val *v, const struct val *arg)
{
	const char *sing = "", *plur = "s", *comma;
	size_t slen = 0, plen = 1;
	double n;

	if (v->kind == V_NULL)
		return ERR_OK;
	if (v->kind == V_JSON)
		n = cJSON_GetArraySize(v->u.j);
	else if (v->kind == V_NUM)
		n = v->u.n;
	else
		return ERR_INVALID;
	if (arg != NULL) {
		if (arg->kind != V_STR)
			return ERR_INVALID;
		plur = arg->u.s;
		plen = arg->len;
		if ((comma = memchr(arg->u.s, ',', arg->len)) != NULL) {
			sing = arg->u.s;
			slen = (size_t)(comma - sing);
			plur = comma + 1;
			plen = arg->len - slen - 1;
		}
	}
	if (n == 1)
		set_str(v, sing, slen);
	else
		set_str(v, plur, plen);
	return ERR_OK;
}

static enum err
apply_filter(struct render *r, const struct tmpl *t, const struct expr *x,
    struct val *v)
{
	struct val arg;
	enum err e;

	memset(&arg, 0, sizeof(arg));
	if (x->b != NONE && x->op != F_DEFAULT &&
	    (e = eval(r, t, x->b, &arg)) != ERR_OK)
		return e;
	switch (x->op) {
	case F_MONEY: return filter_money(r, v);
	case F_DATE: return filter_date(r, v, 0);
	case F_DATETIME: return filter_date(r, v, 1);
	case F_UPPER: return filter_case(r, v, 1);
	case F_LOWER: return filter_case(r, v, 0);
	case F_LENGTH: return filter_length(v);
	case F_URLENCODE: return filter_urlencode(r, v);
	case F_TRUNCATE: return filter_truncate(r, v, &arg);
	case F_PLURALIZE: return filter_pluralize(v, x->b != NONE ? &arg :
	    NULL);
	case F_DEFAULT:
		return v->kind == V_NULL ? eval(r, t, x->b, v) : ERR_OK;
	default:
		return ERR_OK;	/* raw: only marks the output */
	}
}

/* --- Expressions --------------------------------------------------- */

static enum err
eval_binary(struct render *r, const struct tmpl *t, const struct expr *x,
    struct val *v)
{
	struct val b;
	enum err e;
	int yes;

	if ((e = eval(r, t, x->a, v)) != ERR_OK)
		return e;
	/* and/or give one of their operands, as in Jinja: x or "default" */
	if (x->kind == E_AND && !truthy(v))
		return ERR_OK;
	if (x->kind == E_OR && truthy(v))
		return ERR_OK;
	if ((e = eval(r, t, x->b, &b)) != ERR_OK)
		return e;
	if (x->kind == E_AND || x->kind == E_OR) {
		*v = b;
		return ERR_OK;
	}
	if (x->kind == E_CMP)
		yes = compare(x->op, v, &b);
	else
		yes = contains(v, &b) == (x->kind == E_IN);
	v->kind = V_BOOL;
	v->u.b = yes;
	return ERR_OK;
}

static enum err
eval(struct render *r, const struct tmpl *t, int32_t i, struct val *v)
{
	const struct expr *x = &t->exprs[i];
	enum err e;

	memset(v, 0, sizeof(*v));
	switch (x->kind) {
	case E_NULL:
		return ERR_OK;
	case E_BOOL:
		v->kind = V_BOOL;
		v->u.b = x->op;
		return ERR_OK;
	case E_NUM:
		set_num(v, x->num);
		return ERR_OK;
	case E_STR:
		set_str(v, t->text + x->off, x->len);
		return ERR_OK;
	case E_PATH:
		eval_path(r, t, x, v);
		return ERR_OK;
	case E_NOT:
		if ((e = eval(r, t, x->a, v)) != ERR_OK)
			return e;
		v->u.b = !truthy(v);
		v->kind = V_BOOL;
		return ERR_OK;
	case E_FILTER:
		if ((e = eval(r, t, x->a, v)) != ERR_OK)
			return e;
		return apply_filter(r, t, x, v);
	default:
		return eval_binary(r, t, x, v);
	}
}

/* --- Nodes --------------------------------------------------------- */

static enum err render_nodes(struct render *, const struct tmpl *,
    const struct tmpl *, int32_t);
static enum err render_template(struct render *, const struct tmpl *);

static enum err
emit(struct render *r, const struct val *v, int raw)
{
	char num[32];
	int rc = 0;

	switch (v->kind) {
	case V_STR:
		rc = raw ? buf_append(r->out, v->u.s, v->len) :
		    buf_html_escape(r->out, v->u.s, v->len);
		break;
	case V_NUM:
		rc = buf_append(r->out, num, num_text(v->u.n, num));
		break;
	case V_BOOL:
		rc = buf_puts(r->out, v->u.b ? "true" : "false");
		break;
	default:
		break;
	}
	return rc == -1 ? ERR_INTERNAL : ERR_OK;
}

static enum err
render_out(struct render *r, const struct tmpl *t, const struct node *n)
{
	struct mark m = mark_get(r);
	struct val v;
	enum err e;

	if ((e = eval(r, t, n->expr, &v)) == ERR_OK)
		e = emit(r, &v, n->raw);
	mark_release(r, m);
	return e;
}

static enum err
render_if(struct render *r, const struct tmpl *t, const struct tmpl *leaf,
    const struct node *n)
{
	struct mark m = mark_get(r);
	struct val v;
	enum err e;
	int yes;

	if ((e = eval(r, t, n->expr, &v)) != ERR_OK)
		return e;
	yes = truthy(&v);
	mark_release(r, m);
	return render_nodes(r, t, leaf, yes ? n->body : n->alt);
}

static enum err
push_var(struct render *r, const char *name, size_t len,
    const struct val *v)
{
	if (r->nvars >= MAX_VARS)
		return ERR_INVALID;
	r->vars[r->nvars].name = name;
	r->vars[r->nvars].len = len;
	r->vars[r->nvars].v = *v;
	r->nvars++;
	return ERR_OK;
}

/* Renders a body whose sets vanish at its end (include, for's else). */
static enum err
render_scoped(struct render *r, const struct tmpl *t, const struct tmpl *leaf,
    int32_t first, const struct tmpl *page)
{
	size_t nvars = r->nvars, scope = r->scope;
	enum err e;

	r->scope = r->nvars;
	e = page != NULL ? render_template(r, page) :
	    render_nodes(r, t, leaf, first);
	r->nvars = nvars;
	r->scope = scope;
	return e;
}

static enum err
render_items(struct render *r, const struct tmpl *t, const struct tmpl *leaf,
    const struct node *n, const cJSON *list)
{
	struct loopstate ls = { 0, cJSON_GetArraySize(list) };
	struct val lv = { .kind = V_LOOP, .u.loop = &ls };
	size_t scope = r->scope, item;
	const cJSON *el;
	struct mark m;
	enum err e = ERR_OK;

	item = r->nvars;
	if (push_var(r, t->text + n->off, n->len, &lv) != ERR_OK ||
	    push_var(r, "loop", 4, &lv) != ERR_OK)
		return ERR_INVALID;
	r->scope = r->nvars;
	m = mark_get(r);
	for (el = list->child; el != NULL && e == ERR_OK; el = el->next) {
		from_json(el, &r->vars[item].v);
		e = render_nodes(r, t, leaf, n->body);
		r->nvars = item + 2;
		mark_release(r, m);
		ls.index0++;
	}
	r->nvars = item;
	r->scope = scope;
	return e;
}

static enum err
render_for(struct render *r, const struct tmpl *t, const struct tmpl *leaf,
    const struct node *n)
{
	struct mark m = mark_get(r);
	struct val v;
	enum err e;

	if ((e = eval(r, t, n->expr, &v)) != ERR_OK)
		return e;
	if (v.kind == V_JSON && jtype(v.u.j) == cJSON_Array &&
	    v.u.j->child != NULL)
		e = render_items(r, t, leaf, n, v.u.j);
	else
		e = render_scoped(r, t, leaf, n->alt, NULL);
	mark_release(r, m);
	return e;
}

static enum err
render_set(struct render *r, const struct tmpl *t, const struct node *n)
{
	const char *name = t->text + n->off;
	struct val v;
	size_t i;
	enum err e;

	if ((e = eval(r, t, n->expr, &v)) != ERR_OK)
		return e;
	for (i = r->nvars; i-- > r->scope;) {
		if (r->vars[i].len == n->len &&
		    memcmp(r->vars[i].name, name, n->len) == 0) {
			r->vars[i].v = v;
			return ERR_OK;
		}
	}
	return push_var(r, name, n->len, &v);
}

/* Renders the most derived definition of block n for page leaf. */
static enum err
render_block(struct render *r, const struct tmpl *t, const struct tmpl *leaf,
    const struct node *n)
{
	const struct tmpl *c;
	const struct blockdef *d;
	const char *name = t->text + n->off;

	for (c = leaf; c != NULL;
	    c = c->parent == NONE ? NULL : r->set->v[c->parent]) {
		if ((d = find_blockdef(c, name, n->len)) != NULL)
			return render_nodes(r, c, leaf, d->body);
	}
	return render_nodes(r, t, leaf, n->body);
}

static enum err
render_node(struct render *r, const struct tmpl *t, const struct tmpl *leaf,
    const struct node *n)
{
	switch (n->kind) {
	case N_TEXT:
		return buf_append(r->out, t->text + n->off, n->len) == -1 ?
		    ERR_INTERNAL : ERR_OK;
	case N_OUT:
		return render_out(r, t, n);
	case N_IF:
		return render_if(r, t, leaf, n);
	case N_FOR:
		return render_for(r, t, leaf, n);
	case N_BLOCK:
		return render_block(r, t, leaf, n);
	case N_INCLUDE:
		return render_scoped(r, NULL, NULL, NONE,
		    r->set->v[n->ref]);
	case N_SET:
		return render_set(r, t, n);
	}
	return ERR_INTERNAL;
}

static enum err
render_nodes(struct render *r, const struct tmpl *t, const struct tmpl *leaf,
    int32_t i)
{
	enum err e = ERR_OK;

	if (++r->depth > MAX_DEPTH)
		return ERR_INVALID;
	for (; i != NONE && e == ERR_OK; i = t->nodes[i].next)
		e = render_node(r, t, leaf, &t->nodes[i]);
	r->depth--;
	return e;
}

/* Renders page t: the sets outside blocks of each template that extends
 * another run first (child before parent), then the root's body, whose
 * blocks resolve against t's chain. */
static enum err
render_template(struct render *r, const struct tmpl *t)
{
	const struct tmpl *c;
	const struct node *n;
	int32_t i;
	enum err e;

	for (c = t; c->parent != NONE; c = r->set->v[c->parent]) {
		for (i = c->root; i != NONE; i = n->next) {
			n = &c->nodes[i];
			if (n->kind == N_SET &&
			    (e = render_set(r, c, n)) != ERR_OK)
				return e;
		}
	}
	return render_nodes(r, c, t, c->root);
}

enum err
tmpl_render(const struct tmpl_set *set, const char *name, const cJSON *ctx,
    struct buf *out)
{
	struct render r;
	int32_t i;
	enum err e;

	if (!set->compiled)
		return ERR_INVALID;
	if ((i = set_find(set, name, strlen(name))) == NONE)
		return ERR_NOTFOUND;
	/* Only the fields used before the first variable or scratch byte is
	 * written need to be set: vars[] and local[] stay uninitialised. */
	r.set = set;
	r.ctx = ctx;
	r.out = out;
	memset(&r.tmp, 0, sizeof(r.tmp));
	r.nvars = r.scope = 0;
	r.depth = 0;
	r.first.prev = NULL;
	r.first.cap = sizeof(r.local);
	r.first.used = 0;
	r.first.data = r.local;
	r.top = &r.first;
	e = render_template(&r, set->v[i]);
	mark_release(&r, (struct mark){ &r.first, 0 });
	buf_free(&r.tmp);
	if (e == ERR_OK && out->oom)
		e = ERR_INTERNAL;
	return e;
}
