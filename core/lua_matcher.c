/*
 * Matcher: the Lua-visible token matcher (docs/lua-api.md#matcher).
 *
 * A Matcher's user value is a table holding what its compiled patterns
 * refer to or report: labels, capture names, the LPeg patterns of its
 * `pattern`/`re` tests (by predicate id) and the lexicons it points into,
 * so they live as long as it does.
 */
#include <string.h>

#include "lector_limits.h"
#include "lua_lector.h"
#include "matcher.h"

#define LPEG_PATTERN_CLASS "lpeg-pattern"

typedef struct matcher_box {
  lector_matcher *m;
  unsigned stepping;      /* runs of it inside a step: their tests may call m:add */
} matcher_box;

static lector_matcher *check_matcher(lua_State *L, int arg) {
  matcher_box *box = luaL_checkudata(L, arg, LECTOR_MATCHER_CLASS);
  if (!box->m) luaL_argerror(L, arg, "the matcher was released");
  return box->m;
}

/* lector.matcher() -> Matcher */
static int matcher_new(lua_State *L) {
  matcher_box *box = lua_newuserdatauv(L, sizeof *box, 1);   /* [box] */
  box->m = NULL;
  box->stepping = 0;
  luaL_setmetatable(L, LECTOR_MATCHER_CLASS);
  lua_createtable(L, 0, 5);                                  /* [box, uv] */
  static const char *const lists[] = {"labels", "captures", "calls", "keep", NULL};
  for (const char *const *n = lists; *n; n++) {
    lua_newtable(L);
    lua_setfield(L, -2, *n);
  }
  lua_setiuservalue(L, -2, 1);                               /* [box] */
  void *ud;
  lua_Alloc alloc = lua_getallocf(L, &ud);
  box->m = lector_matcher_new(alloc, ud);
  if (!box->m) return luaL_error(L, "out of memory creating a matcher");
  return 1;
}

/* ---- compiling a pattern --------------------------------------------------- */

/* Where a spec is being read, for error messages. */
typedef struct spec_ctx {
  lua_State *L;
  lector_matcher *m;
  int arg;       /* the pattern argument */
  int elem;      /* stack index of the element table */
  int uv;        /* stack index of the matcher's user value */
  lua_Integer n; /* the element's number */
} spec_ctx;

static int spec_error(spec_ctx *c, const char *fmt, const char *what) {
  lua_State *L = c->L;
  const char *msg = lua_pushfstring(L, fmt, what);
  return luaL_argerror(L, c->arg, lua_pushfstring(L, "element %I: %s", c->n, msg));
}

static const char *const FIELDS[] = {
  "text", "lower", "shape", "kind", "lexicon", "label", "pattern", "re", "span", "span_label",
  "starts_sentence", "not", "op", "min", "max", "capture", NULL
};

static void check_fields(spec_ctx *c) {
  lua_State *L = c->L;
  lua_pushnil(L);
  while (lua_next(L, c->elem)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      spec_error(c, "unexpected %s key", luaL_typename(L, -1));
    const char *key = lua_tostring(L, -1);
    const char *const *f = FIELDS;
    while (*f && strcmp(*f, key) != 0) f++;
    if (!*f) spec_error(c, "unknown field '%s'", key);
  }
}

/* Push the raw field of the element; returns its type. */
static int field(spec_ctx *c, const char *name) {
  lua_pushstring(c->L, name);
  return lua_rawget(c->L, c->elem);
}

static void check_string(spec_ctx *c, int idx, const char *name) {
  size_t len;
  const char *s = lua_tolstring(c->L, idx, &len);
  if (len == 0) spec_error(c, "field '%s' holds an empty string", name);
  if (lector_utf8_check(s, len) != len) spec_error(c, "field '%s' is not valid UTF-8", name);
}

/* The field on top (a string or a non-empty list of strings) as arrays in
 * a userdata left on the stack; the strings stay alive in the element. */
typedef struct string_list {
  const char **s;
  size_t *len;
  size_t count;
} string_list;

static void read_strings(spec_ctx *c, const char *name, string_list *out) {
  lua_State *L = c->L;
  int idx = lua_gettop(L);
  int type = lua_type(L, idx);
  size_t n = type == LUA_TTABLE ? lua_rawlen(L, idx) : 1;
  if (type != LUA_TSTRING && type != LUA_TTABLE)
    spec_error(c, "field '%s' must be a string or a list of strings", name);
  if (n == 0) spec_error(c, "field '%s' is an empty list", name);
  size_t keys = 0;
  if (type == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      lua_pop(L, 1);
      keys++;
    }
    if (keys != n) spec_error(c, "field '%s' must be a list (keys 1..n only)", name);
  }
  luaL_checkstack(L, 4, "reading a pattern");
  char *mem = lua_newuserdatauv(L, n * (sizeof(char *) + sizeof(size_t)), 0);  /* [..., v, ud] */
  out->s = (const char **)(void *)mem;
  out->len = (size_t *)(void *)(mem + n * sizeof(char *));
  out->count = n;
  for (size_t i = 0; i < n; i++) {
    if (type == LUA_TTABLE && lua_rawgeti(L, idx, (lua_Integer)i + 1) != LUA_TSTRING)
      spec_error(c, "field '%s' must be a string or a list of strings", name);
    if (type != LUA_TTABLE) lua_pushvalue(L, idx);
    check_string(c, -1, name);
    out->s[i] = lua_tolstring(L, -1, &out->len[i]);
    lua_pop(L, 1);   /* still referenced by the element */
  }
}

static uint32_t add_test(spec_ctx *c, const lector_match_test *t) {
  uint32_t id = 0;
  lector_status status = lector_matcher_test(c->m, t, &id);
  if (status == LECTOR_ENOMEM) luaL_error(c->L, "out of memory compiling a pattern");
  if (status != LECTOR_OK) spec_error(c, "%s", "invalid test");
  return id;
}

/* text, lower, shape: sets of strings. [-0, +0, e] */
static int string_tests(spec_ctx *c) {
  static const char *const names[] = {"text", "lower", "shape"};
  static const lector_match_field fields[] = {LECTOR_MATCH_TEXT, LECTOR_MATCH_LOWER,
                                              LECTOR_MATCH_SHAPE};
  int tests = 0;
  for (int i = 0; i < 3; i++) {
    if (field(c, names[i]) != LUA_TNIL) {
      string_list list;
      read_strings(c, names[i], &list);
      lector_match_test t = {.field = fields[i], .strings = list.s, .lens = list.len,
                             .count = list.count};
      add_test(c, &t);
      lua_pop(c->L, 1);
      tests++;
    }
    lua_pop(c->L, 1);
  }
  return tests;
}

static int kind_test(spec_ctx *c) {
  if (field(c, "kind") == LUA_TNIL) {
    lua_pop(c->L, 1);
    return 0;
  }
  string_list list;
  read_strings(c, "kind", &list);
  uint32_t kinds = 0;
  for (size_t i = 0; i < list.count; i++) {
    int k = 0;
    while (k < LECTOR_TOKEN_KIND_COUNT && strcmp(lector_token_kind_name(k), list.s[i]) != 0) k++;
    if (k == LECTOR_TOKEN_KIND_COUNT)
      spec_error(c, "unknown token kind '%s' (word, number, punct, symbol, url, email, emoji, "
                    "other)", list.s[i]);
    kinds |= (uint32_t)1 << k;
  }
  lector_match_test t = {.field = LECTOR_MATCH_KIND, .kinds = kinds};
  add_test(c, &t);
  lua_pop(c->L, 2);
  return 1;
}

static int starts_test(spec_ctx *c) {
  int type = field(c, "starts_sentence");
  if (type != LUA_TNIL && type != LUA_TBOOLEAN)
    spec_error(c, "%s", "field 'starts_sentence' must be a boolean");
  if (type == LUA_TBOOLEAN) {
    lector_match_test t = {.field = LECTOR_MATCH_STARTS, .flag = lua_toboolean(c->L, -1)};
    add_test(c, &t);
  }
  lua_pop(c->L, 1);
  return type == LUA_TBOOLEAN;
}

/* span = layer [, span_label = labels] */
static int span_test(spec_ctx *c) {
  lua_State *L = c->L;
  int type = field(c, "span");
  if (type == LUA_TNIL) {
    if (field(c, "span_label") != LUA_TNIL) spec_error(c, "%s", "'span_label' needs 'span'");
    lua_pop(L, 2);
    return 0;
  }
  if (type != LUA_TSTRING) spec_error(c, "%s", "field 'span' must be a layer name (a string)");
  check_string(c, -1, "span");
  size_t len;
  const char *layer = lua_tolstring(L, -1, &len);
  if (len > LECTOR_MAX_NAME_BYTES || strlen(layer) != len)
    spec_error(c, "%s", "field 'span' is not a layer name");
  string_list labels = {0};
  if (field(c, "span_label") != LUA_TNIL) read_strings(c, "span_label", &labels);
  else lua_pushnil(L);
  lector_match_test t = {.field = LECTOR_MATCH_SPAN, .name = layer, .name_len = len,
                         .strings = labels.s, .lens = labels.len, .count = labels.count};
  add_test(c, &t);
  lua_pop(L, 3);
  return 1;
}

/* Push lpeg.match and a pattern that returns a position only when the
 * test at the top matches the whole subject: (patt / 0) * -1. The test is
 * replaced. [-1, +1, e] */
static void whole_token(lua_State *L) {
  lua_pushinteger(L, 0);
  lua_arith(L, LUA_OPDIV);
  lua_pushinteger(L, -1);
  lua_arith(L, LUA_OPMUL);
}

static void require_module(lua_State *L, const char *name) {
  lua_getglobal(L, "require");
  lua_pushstring(L, name);
  lua_call(L, 1, 1);
}

/* Compile the re text at the top into an LPeg pattern (replacing it). */
static void compile_re(spec_ctx *c) {
  lua_State *L = c->L;
  require_module(L, "re");                    /* [..., src, re] */
  lua_getfield(L, -1, "compile");             /* [..., src, re, compile] */
  lua_pushvalue(L, -3);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK)
    spec_error(c, "bad 're' (%s)", lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
  lua_replace(L, -3);                         /* [..., patt, re] */
  lua_pop(L, 1);
}

/* pattern = lpeg pattern, re = "re syntax": tests answered by lpeg.match
 * on the token's text. Interned by the pattern object or the re text. */
static int call_tests(spec_ctx *c) {
  lua_State *L = c->L;
  int tests = 0;
  for (int is_re = 0; is_re < 2; is_re++) {
    const char *name = is_re ? "re" : "pattern";
    int type = field(c, name);
    if (type == LUA_TNIL) {
      lua_pop(L, 1);
      continue;
    }
    if (is_re && type != LUA_TSTRING) spec_error(c, "%s", "field 're' must be a string");
    if (!is_re && !luaL_testudata(L, -1, LPEG_PATTERN_CLASS))
      spec_error(c, "%s", "field 'pattern' must be an LPeg pattern");
    /* The pattern object is kept, so its address names it while the
     * matcher lives. */
    if (is_re) lua_pushliteral(L, "re:");
    else {
      lua_getfield(L, c->uv, "keep");
      lua_pushvalue(L, -2);
      lua_pushboolean(L, 1);
      lua_rawset(L, -3);
      lua_pop(L, 1);
      lua_pushfstring(L, "lpeg:%p", lua_topointer(L, -1));
    }
    if (is_re) {
      lua_pushvalue(L, -2);
      lua_concat(L, 2);
    }
    size_t key_len;
    const char *key = lua_tolstring(L, -1, &key_len);
    lua_insert(L, -2);                                      /* [..., key, value] */
    if (is_re) compile_re(c);
    whole_token(L);                                         /* [..., key, patt] */
    lector_match_test t = {.field = LECTOR_MATCH_CALL, .name = key, .name_len = key_len};
    uint32_t id = add_test(c, &t);
    lua_getfield(L, c->uv, "calls");                        /* [..., key, patt, calls] */
    lua_insert(L, -2);
    lua_rawseti(L, -2, (lua_Integer)id + 1);
    lua_pop(L, 2);
    tests++;
  }
  return tests;
}

/* lexicon = Lexicon [, label = labels] */
static int lexicon_test(spec_ctx *c) {
  lua_State *L = c->L;
  if (field(c, "lexicon") == LUA_TNIL) {
    if (field(c, "label") != LUA_TNIL) spec_error(c, "%s", "'label' needs 'lexicon'");
    lua_pop(L, 2);
    return 0;
  }
  if (!luaL_testudata(L, -1, LECTOR_LEXICON_CLASS))
    spec_error(c, "%s", "field 'lexicon' must be a Lexicon");
  lector_lexicon *lex = lector_pin_lexicon(L, lua_gettop(L));   /* kept while the matcher is */
  lua_getfield(L, c->uv, "keep");                           /* [..., lex, keep] */
  lua_pushvalue(L, -2);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  string_list labels = {0};
  if (field(c, "label") != LUA_TNIL) read_strings(c, "label", &labels);
  else lua_pushnil(L);
  lector_match_test t = {.field = LECTOR_MATCH_LEXICON, .lexicon = lex, .strings = labels.s,
                         .lens = labels.len, .count = labels.count};
  add_test(c, &t);
  lua_pop(L, 3);
  return 1;
}

static lua_Integer count_field(spec_ctx *c, const char *name, lua_Integer def) {
  lua_State *L = c->L;
  int type = field(c, name);
  int isint = 0;
  lua_Integer v = lua_tointegerx(L, -1, &isint);
  lua_pop(L, 1);
  if (type == LUA_TNIL) return def;
  if (type != LUA_TNUMBER || !isint) spec_error(c, "field '%s' must be an integer", name);
  if (v < 0) spec_error(c, "field '%s' must not be negative", name);
  return v;
}

/* op, or min and max: the element's repetition. */
static void read_repeat(spec_ctx *c, uint32_t *min, uint32_t *max) {
  lua_State *L = c->L;
  int type = field(c, "op");
  const char *op = lua_tostring(L, -1);
  lua_pop(L, 1);
  int has_min = field(c, "min") != LUA_TNIL, has_max = field(c, "max") != LUA_TNIL;
  lua_pop(L, 2);
  *min = *max = 1;
  if (type != LUA_TNIL) {
    if (type != LUA_TSTRING) spec_error(c, "%s", "field 'op' must be \"?\", \"*\" or \"+\"");
    if (has_min || has_max) spec_error(c, "%s", "'op' cannot be combined with 'min' or 'max'");
    if (strcmp(op, "?") == 0) *min = 0;
    else if (strcmp(op, "*") == 0) *min = 0, *max = UINT32_MAX;
    else if (strcmp(op, "+") == 0) *max = UINT32_MAX;
    else spec_error(c, "bad 'op' '%s' (expected \"?\", \"*\" or \"+\")", op);
    return;
  }
  lua_Integer lo = count_field(c, "min", 1);
  lua_Integer hi = count_field(c, "max", has_min ? -1 : 1);
  if (has_max && hi == 0) spec_error(c, "%s", "field 'max' must be at least 1");
  if (hi >= 0 && lo > hi) spec_error(c, "%s", "'min' is greater than 'max'");
  *min = lo > LECTOR_MATCH_MAX_TOKENS ? LECTOR_MATCH_MAX_TOKENS + 1 : (uint32_t)lo;
  *max = hi < 0 || hi >= UINT32_MAX ? UINT32_MAX : (uint32_t)hi;
  if (*min > *max) *max = *min;
}

/* The capture's index among the pattern's names (a list at names_idx),
 * added when new; -1 without a capture. */
static int read_capture(spec_ctx *c, int names_idx) {
  lua_State *L = c->L;
  int type = field(c, "capture");
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return -1;
  }
  if (type != LUA_TSTRING) spec_error(c, "%s", "field 'capture' must be a string");
  check_string(c, -1, "capture");
  lua_Integer n = (lua_Integer)lua_rawlen(L, names_idx), i = 1;
  for (; i <= n; i++) {
    lua_rawgeti(L, names_idx, i);
    int same = lua_rawequal(L, -1, -2);
    lua_pop(L, 1);
    if (same) break;
  }
  if (i > n) lua_rawseti(L, names_idx, ++n);
  else lua_pop(L, 1);
  return (int)(i - 1);
}

static void compile_element(spec_ctx *c, int names_idx) {
  lua_State *L = c->L;
  if (lua_type(L, c->elem) != LUA_TTABLE)
    spec_error(c, "expected a table, got %s", luaL_typename(L, c->elem));
  check_fields(c);
  uint32_t min, max;
  read_repeat(c, &min, &max);
  int negate = lector_opt_boolean_field(L, c->elem, "not");
  if (field(c, "not") > LUA_TNIL && !lua_isboolean(L, -1))
    spec_error(c, "%s", "field 'not' must be a boolean");
  lua_pop(L, 1);
  int has_lexicon = field(c, "lexicon") != LUA_TNIL;
  lua_pop(L, 1);
  if (negate && has_lexicon) spec_error(c, "%s", "'not' cannot be used with 'lexicon'");
  int capture = read_capture(c, names_idx);
  lector_status status = lector_matcher_element(c->m, min, max, negate, capture);
  if (status != LECTOR_OK) spec_error(c, "%s", "bad repetition");
  int tests = string_tests(c) + kind_test(c) + starts_test(c) + span_test(c) + call_tests(c);
  tests += lexicon_test(c);
  if (negate && tests == 0) spec_error(c, "%s", "'not' needs a test to negate");
}

/* m:add(label, pattern) -> m
 * Compiles the list of token specs; any mistake raises naming the element,
 * and leaves the matcher as it was. */
LECTOR_FUNCTION(matcher, add) {
  lector_matcher *m = check_matcher(L, 1);
  if (((matcher_box *)lua_touserdata(L, 1))->stepping)
    return luaL_error(L, "cannot add to a matcher while it runs (from one of its tests)");
  size_t label_len;
  const char *label = luaL_checklstring(L, 2, &label_len);
  luaL_argcheck(L, label_len > 0 && label_len <= LECTOR_MAX_NAME_BYTES, 2,
                "a label is 1 to 256 bytes");
  luaL_argcheck(L, lector_utf8_check(label, label_len) == label_len, 2, "not valid UTF-8");
  luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  lua_Integer n = (lua_Integer)lua_rawlen(L, 3);
  luaL_argcheck(L, n > 0, 3, "a pattern needs at least one element");
  luaL_argcheck(L, n <= LECTOR_MATCH_MAX_ELEMENTS, 3, "too many elements (at most 64)");
  lua_getiuservalue(L, 1, 1);                                  /* 4: uv */
  lua_newtable(L);                                             /* 5: capture names */
  spec_ctx c = {L, m, 3, 0, 4, 0};
  lector_matcher_begin(m);
  for (lua_Integer i = 1; i <= n; i++) {
    luaL_checkstack(L, 16, "compiling a pattern");
    lua_rawgeti(L, 3, i);                                      /* 6: element */
    c.elem = 6;
    c.n = i;
    compile_element(&c, 5);
    lua_settop(L, 5);
  }
  uint32_t pattern;
  lector_status status = lector_matcher_commit(m, (uint32_t)lua_rawlen(L, 5), &pattern);
  if (status != LECTOR_OK) return luaL_error(L, "out of memory compiling a pattern");
  lua_getfield(L, 4, "captures");
  lua_pushvalue(L, 5);
  lua_rawseti(L, -2, (lua_Integer)pattern + 1);
  lua_getfield(L, 4, "labels");
  lua_pushvalue(L, 2);
  lua_rawseti(L, -2, (lua_Integer)pattern + 1);
  lua_settop(L, 1);
  return 1;
}

/* ---- running --------------------------------------------------------------- */

/* What the callback needs, refreshed on every call of the iterator (the
 * Lua state and stack slots differ from call to call). */
typedef struct run_box {
  lua_State *L;
  int calls, match;       /* stack indices: calls table, lpeg.match */
  int self;               /* index of the run's userdata */
  const lector_doc *doc;
  int is_sentence;
  int stepping;           /* inside a step: a test calling the run again is refused */
  int failed;             /* a test raised during this step: its error is user value 5 */
  lector_match_run *run;
} run_box;

#define RUN_BOX_BYTES ((sizeof(run_box) + 15) & ~(size_t)15)

/* One LPeg test on one token, protected: [lpeg.match, test, box, token]
 * -> the match */
static int protected_test(lua_State *L) {
  run_box *box = lua_touserdata(L, 3);
  const lector_token *t = &box->doc->seg.tokens[lua_tointeger(L, 4)];
  lua_settop(L, 2);
  lua_pushlstring(L, box->doc->text + t->start, t->stop - t->start);
  lua_call(L, 2, 1);
  return 1;
}

/* A test that raises fails the step: the matcher's C code is never
 * unwound through (step raises the error once the step is over). */
static int call_test(void *ud, uint32_t pred, uint32_t token) {
  run_box *box = ud;
  lua_State *L = box->L;
  if (box->failed) return 0;
  if (!lua_checkstack(L, 6)) {
    box->failed = 2;
    return 0;
  }
  lua_pushcfunction(L, protected_test);
  lua_pushvalue(L, box->match);
  lua_rawgeti(L, box->calls, (lua_Integer)pred + 1);
  lua_pushlightuserdata(L, box);
  lua_pushinteger(L, token);
  if (lua_pcall(L, 4, 1, 0) != LUA_OK) {
    box->failed = 1;
    lua_setiuservalue(L, box->self, 5);
    return 0;
  }
  int matched = !lua_isnil(L, -1);
  lua_pop(L, 1);
  return matched;
}

/* Push a run of the matcher at 1 over the target at 2 with options at 3:
 * a userdata whose user values are the matcher, the target, the calls
 * table and lpeg.match. The target's document is held below it (making
 * the run may collect, and require is Lua code). [-0, +2, e] */
static run_box *push_run(lua_State *L) {
  lector_matcher *m = check_matcher(L, 1);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  int all = lector_opt_boolean_field(L, 3, "all");
  lua_settop(L, 3);
  uint32_t first, end;
  const lector_doc *doc = lector_hold_sentences(L, 2, &first, &end);  /* [m, target, opts, hold] */
  size_t bytes = lector_matcher_run_bytes(m, doc, first, end);
  run_box *box = lua_newuserdatauv(L, RUN_BOX_BYTES + bytes, 5);    /* [run] */
  memset(box, 0, sizeof *box);
  box->doc = doc;
  box->is_sentence = luaL_testudata(L, 2, LECTOR_SENTENCE_CLASS) != NULL;
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, -2, 2);
  lua_getiuservalue(L, 1, 1);
  lua_getfield(L, -1, "calls");                                      /* [run, uv, calls] */
  lua_setiuservalue(L, -3, 3);
  lua_pop(L, 1);
  require_module(L, "lpeg");
  lua_getfield(L, -1, "match");                                      /* [run, lpeg, match] */
  lua_setiuservalue(L, -3, 4);
  lua_pop(L, 1);
  box->run = lector_matcher_run_init((char *)box + RUN_BOX_BYTES, m, doc, first, end, all,
                                     call_test, box);
  return box;
}

/* Make the run at idx ready to step: its target still alive and held
 * (an LPeg test is Lua code), the callback's slots pushed. [-0, +4, e] */
static run_box *resume_run(lua_State *L, int idx) {
  run_box *box = lua_touserdata(L, idx);
  if (box->stepping) luaL_error(L, "a run of a matcher was called from one of its own tests");
  lua_getiuservalue(L, idx, 2);                               /* [target] */
  uint32_t first, end;
  const lector_doc *doc = lector_hold_sentences(L, lua_gettop(L), &first, &end);
  if (doc != box->doc) luaL_error(L, "the document being matched was released");
  lua_getiuservalue(L, idx, 3);                               /* [target, hold, calls] */
  box->calls = lua_gettop(L);
  lua_getiuservalue(L, idx, 4);
  box->match = lua_gettop(L);
  box->L = L;
  box->self = idx;
  return box;
}

/* The next hit of the run; the matcher at matcher_idx counts the step,
 * during which its tests may not change it. Raises a test's error after
 * the step. */
static int step(lua_State *L, run_box *box, int matcher_idx, lector_match_hit *hit) {
  matcher_box *m = lua_touserdata(L, matcher_idx);
  box->stepping = 1;
  box->failed = 0;
  m->stepping++;
  int found = lector_matcher_next(box->run, hit);
  m->stepping--;
  box->stepping = 0;
  if (box->failed == 2) luaL_error(L, "stack overflow (matching)");
  if (box->failed) {
    lua_getiuservalue(L, box->self, 5);
    lua_error(L);
  }
  return found;
}

static void push_range(lua_State *L, const lector_doc *doc, uint32_t first, uint32_t end) {
  uint32_t start = doc->seg.tokens[first].start, stop = doc->seg.tokens[end - 1].stop;
  lua_pushinteger(L, start);
  lua_setfield(L, -2, "start");
  lua_pushinteger(L, stop);
  lua_setfield(L, -2, "stop");
  lua_pushinteger(L, (lua_Integer)first + 1);
  lua_setfield(L, -2, "first");
  lua_pushinteger(L, end);
  lua_setfield(L, -2, "last");
  lector_push_slice(L, doc, start, stop);
  lua_setfield(L, -2, "text");
}

/* Push the hit table; uv is the matcher's user value. [-0, +1, m] */
static void push_hit(lua_State *L, int uv, const lector_doc *doc, const lector_match_hit *hit) {
  luaL_checkstack(L, 6, "matching");
  lua_createtable(L, 0, 7);
  lua_getfield(L, uv, "labels");
  lua_rawgeti(L, -1, (lua_Integer)hit->pattern + 1);
  lua_setfield(L, -3, "label");
  lua_pop(L, 1);
  push_range(L, doc, hit->first, hit->end);
  lua_createtable(L, 0, (int)hit->captures);                   /* [hit, captures] */
  lua_getfield(L, uv, "captures");
  lua_rawgeti(L, -1, (lua_Integer)hit->pattern + 1);           /* [hit, caps, all, names] */
  for (uint32_t i = 0; i < hit->captures; i++) {
    if (hit->cap_first[i] == hit->cap_end[i]) continue;
    lua_rawgeti(L, -1, (lua_Integer)i + 1);
    lua_createtable(L, 0, 5);
    push_range(L, doc, hit->cap_first[i], hit->cap_end[i]);
    lua_rawset(L, -5);
  }
  lua_pop(L, 2);
  lua_setfield(L, -2, "captures");
}

static int next_hit(lua_State *L) {
  int idx = lua_upvalueindex(1);
  run_box *box = resume_run(L, idx);
  lua_getiuservalue(L, idx, 1);                                /* the matcher */
  int matcher = lua_gettop(L);
  lector_match_hit hit;
  if (!step(L, box, matcher, &hit)) return 0;
  lua_getiuservalue(L, matcher, 1);
  push_hit(L, lua_gettop(L), box->doc, &hit);
  return 1;
}

/* m:matches(doc_or_sentence [, {all = true}]) -> iterator over hit tables */
LECTOR_FUNCTION(matcher, matches) {
  push_run(L);
  lua_pushcclosure(L, next_hit, 1);
  return 1;
}

/* m:count(doc_or_sentence [, {all = true}]) -> how many hits matches gives */
LECTOR_FUNCTION(matcher, count) {
  push_run(L);
  run_box *box = resume_run(L, lua_gettop(L));
  lector_match_hit hit;
  lua_Integer n = 0;
  while (step(L, box, 1, &hit)) n++;
  lua_pushinteger(L, n);
  return 1;
}

/* m:labels() -> the labels of the patterns, each once, in order added */
LECTOR_FUNCTION(matcher, labels) {
  check_matcher(L, 1);
  lua_getiuservalue(L, 1, 1);
  lua_getfield(L, -1, "labels");                 /* [m, uv, labels] */
  lua_newtable(L);                               /* [m, uv, labels, out] */
  lua_newtable(L);                               /* [m, uv, labels, out, seen] */
  lua_Integer n = (lua_Integer)lua_rawlen(L, 3), k = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, 3, i);
    if (lua_rawget(L, 5) == LUA_TNIL) {
      lua_rawgeti(L, 3, i);
      lua_pushvalue(L, -1);
      lua_rawseti(L, 4, ++k);
      lua_pushboolean(L, 1);
      lua_rawset(L, 5);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return 1;
}

static int matcher_len(lua_State *L) {
  lua_pushinteger(L, lector_matcher_patterns(check_matcher(L, 1)));
  return 1;
}

static int matcher_gc(lua_State *L) {
  matcher_box *box = luaL_checkudata(L, 1, LECTOR_MATCHER_CLASS);
  lector_matcher_free(box->m);
  box->m = NULL;
  return 0;
}

static int matcher_tostring(lua_State *L) {
  lua_pushfstring(L, "lector.Matcher (%d patterns)",
                  (int)lector_matcher_patterns(check_matcher(L, 1)));
  return 1;
}

static const luaL_Reg matcher_metamethods[] = {
  {"__len", matcher_len},
  {"__gc", matcher_gc},
  {"__tostring", matcher_tostring},
  {NULL, NULL}
};

static const luaL_Reg matcher_methods[] = {
  LECTOR_ENTRY(matcher, add),
  LECTOR_ENTRY(matcher, matches),
  LECTOR_ENTRY(matcher, count),
  LECTOR_ENTRY(matcher, labels),
  {NULL, NULL}
};

static int matcher_field(lua_State *L) {
  check_matcher(L, 1);
  const char *key = luaL_checkstring(L, 2);
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  lua_pushnil(L);
  return 1;
}

void lector_open_matcher(lua_State *L) {
  lector_register_class(L, LECTOR_MATCHER_CLASS, matcher_metamethods, matcher_methods, matcher_field);
}

int lector_matcher_new_lua(lua_State *L) {
  return matcher_new(L);
}
