/*
 * Phrases: the Lua-visible key-phrase extractor of core/phrases.c
 * (docs/lua-api.md#phrases).
 *
 * A plugin configures one with its own word lists, lexicons and stemmer,
 * then hands it a document (and the text ranges to leave out) and gets the
 * best phrases back: each one's name and variants, score, count, and the
 * text ranges of its occurrences and of its variants'.
 *
 * The lexicons and the stemmer are kept as the object's user values and
 * looked up again at each call, so closing one makes the next call raise
 * instead of reading freed memory; the lexicons are pinned, as matchers
 * pin theirs. The engine's memory comes from the state's allocator.
 *
 * The engine's answers live in its own arrays until its next call, and
 * anything that allocates Lua memory may run a finalizer that calls it
 * again or closes it (in a trusted state): so an answer is copied into a
 * userdata before any table is made from it, and the engine is looked up
 * again after every collection.
 */
#include <string.h>

#include "lector_limits.h"
#include "lua_lector.h"
#include "phrases.h"

typedef struct phrases_ud {
  lector_phrases *ph;   /* NULL once closed */
  unsigned long uses;   /* calls and closes begun: a finalizer may run one inside another */
} phrases_ud;

/* User values: the stop-word lexicon, the verb lexicon (each may be nil),
 * the stemmer. */
enum { UV_STOPWORDS = 1, UV_VERBS = 2, UV_STEMMER = 3, UV_COUNT = 3 };

static phrases_ud *check_phrases(lua_State *L, int arg) {
  phrases_ud *ud = luaL_checkudata(L, arg, LECTOR_PHRASES_CLASS);
  if (!ud->ph) luaL_argerror(L, arg, "the phrase extractor is closed");
  return ud;
}

/* ---- lector.phrases(config) ------------------------------------------------ */

/* config[field], an integer in [min, max], def when absent. */
static uint32_t config_integer(lua_State *L, const char *field, lua_Integer def, lua_Integer min,
                               lua_Integer max) {
  lua_Integer v = lector_opt_integer_field(L, 1, field, def);
  if (v < min || v > max)
    luaL_argerror(L, 1, lua_pushfstring(L, "field '%s' must be %I to %I", field, min, max));
  return (uint32_t)v;
}

/* config[field], a Lexicon or nil, kept as user value uv of the object at
 * index obj. */
static void keep_lexicon(lua_State *L, int obj, const char *field, int uv) {
  if (lua_getfield(L, 1, field) != LUA_TNIL) {
    if (!luaL_testudata(L, -1, LECTOR_LEXICON_CLASS))
      luaL_argerror(L, 1, lua_pushfstring(L, "field '%s' must be a Lexicon", field));
    lector_pin_lexicon(L, lua_gettop(L));
  }
  lua_setiuservalue(L, obj, uv);
}

/* config[field], a list of strings, added to list. */
static void add_words(lua_State *L, lector_phrases *ph, const char *field,
                      lector_phrases_list list) {
  int type = lua_getfield(L, 1, field);
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  if (type != LUA_TTABLE)
    luaL_argerror(L, 1, lua_pushfstring(L, "field '%s' must be a list of strings", field));
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = 1; i <= n; i++) {
    size_t len;
    if (lua_rawgeti(L, -1, i) != LUA_TSTRING || (lua_tolstring(L, -1, &len), len == 0))
      luaL_argerror(L, 1, lua_pushfstring(L, "field '%s': item %I must be a non-empty string",
                                          field, i));
    const char *word = lua_tolstring(L, -1, &len);
    lector_error err;
    if (lector_phrases_add(ph, list, word, len, &err) != LECTOR_OK)
      lector_raise_memory(L, 0, "adding a word to a phrase extractor");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* lector.phrases{stemmer =, stopwords =, verbs =, more_stopwords =,
 *   connectors =, edge_words =, edge_suffixes =, max_words =, window =,
 *   max_tokens =, max_distinct =} -> Phrases */
static int phrases_new(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lector_phrases_config cfg = {
    .max_words = config_integer(L, "max_words", 4, 1, LECTOR_PHRASES_MAX_WORDS),
    .window = config_integer(L, "window", 3, 2, LECTOR_PHRASES_MAX_WINDOW),
    .max_tokens = config_integer(L, "max_tokens", 20000, 1, LECTOR_PHRASES_MAX_TOKENS),
    .max_distinct = config_integer(L, "max_distinct", 10000, 1, LECTOR_GRAPH_MAX_NODES),
  };
  lua_settop(L, 1);
  phrases_ud *ud = lua_newuserdatauv(L, sizeof *ud, UV_COUNT);   /* [config, Phrases] */
  ud->ph = NULL;
  ud->uses = 0;
  luaL_setmetatable(L, LECTOR_PHRASES_CLASS);
  lua_getfield(L, 1, "stemmer");
  if (!lector_test_stemmer(L, -1)) luaL_argerror(L, 1, "field 'stemmer' must be an open Stemmer");
  lua_setiuservalue(L, 2, UV_STEMMER);
  keep_lexicon(L, 2, "stopwords", UV_STOPWORDS);
  keep_lexicon(L, 2, "verbs", UV_VERBS);
  void *alloc_ud = NULL;
  lua_Alloc alloc = lua_getallocf(L, &alloc_ud);
  ud->ph = lector_phrases_new(&cfg, alloc, alloc_ud);
  if (!ud->ph) return lector_raise_memory(L, sizeof *ud, "making a phrase extractor");
  add_words(L, ud->ph, "more_stopwords", LECTOR_PHRASES_STOPWORD);
  add_words(L, ud->ph, "connectors", LECTOR_PHRASES_CONNECTOR);
  add_words(L, ud->ph, "edge_words", LECTOR_PHRASES_EDGE_WORD);
  add_words(L, ud->ph, "edge_suffixes", LECTOR_PHRASES_EDGE_SUFFIX);
  lector_account_growth(L, 0, lector_phrases_bytes(ud->ph));
  return 1;
}

/* ---- ph:extract(doc [, opts]) ---------------------------------------------- */

/* A {start, stop} pair at index idx; what names it in messages. */
static lector_phrases_range check_range(lua_State *L, int idx, const char *what) {
  lector_phrases_range r = {0, 0};
  if (!lua_istable(L, idx)) luaL_argerror(L, 3, lua_pushfstring(L, "%s must be {start, stop}", what));
  for (int i = 1; i <= 2; i++) {
    int isint = 0;
    lua_rawgeti(L, idx, i);
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    lua_pop(L, 1);
    if (!isint || v < 0 || v > UINT32_MAX)
      luaL_argerror(L, 3, lua_pushfstring(L, "%s must be {start, stop}, byte offsets", what));
    if (i == 1) r.start = (uint32_t)v;
    else r.stop = (uint32_t)v;
  }
  return r;
}

/* opts.skip as ranges in a userdata block pushed on the stack. [-0, +1, e] */
static const lector_phrases_range *push_skip(lua_State *L, size_t *count) {
  *count = 0;
  if (lua_isnoneornil(L, 3) || lua_getfield(L, 3, "skip") == LUA_TNIL) {
    if (!lua_isnoneornil(L, 3)) lua_pop(L, 1);
    lua_newuserdatauv(L, sizeof(lector_phrases_range), 0);
    return lua_touserdata(L, -1);
  }
  int list = lua_gettop(L);
  if (!lua_istable(L, list)) luaL_argerror(L, 3, "field 'skip' must be a list of {start, stop}");
  size_t n = lua_rawlen(L, list);
  if (n > LECTOR_PHRASES_MAX_SKIP)
    luaL_argerror(L, 3, lua_pushfstring(L, "field 'skip' holds at most %d ranges",
                                        LECTOR_PHRASES_MAX_SKIP));
  lector_phrases_range *ranges = lua_newuserdatauv(L, (n ? n : 1) * sizeof *ranges, 0);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, list, (lua_Integer)i + 1);
    ranges[i] = check_range(L, lua_gettop(L), "an item of field 'skip'");
    lua_pop(L, 1);
  }
  lua_remove(L, list);
  *count = n;
  return ranges;
}

/* The lexicon kept as user value uv (NULL for none); raises when it was
 * closed. */
static const lector_lexicon *kept_lexicon(lua_State *L, int uv) {
  if (lua_getiuservalue(L, 1, uv) == LUA_TNIL) {
    lua_pop(L, 1);
    return NULL;
  }
  const lector_lexicon *lex = lector_check_lexicon(L, lua_gettop(L));
  lua_pop(L, 1);
  return lex;
}

/* One call of the engine: what it reads, and its answer. */
typedef struct phrases_call {
  lector_phrases_input in;
  int terms;                        /* ph:terms rather than ph:extract */
  uint32_t first, count;            /* the tokens a terms call reads */
  lector_phrases_result phrases;
  lector_phrases_term_list list;
  /* how much of the engine's arrays the answer reads */
  size_t occurrences, parts, variants, text;
} phrases_call;

/* The engine of the object at 1, with its lexicons and stemmer read into
 * c->in again; raises when one of them is closed. Allocates nothing. */
static lector_phrases *engine_input(lua_State *L, phrases_ud *ud, phrases_call *c) {
  if (!ud->ph) luaL_argerror(L, 1, "the phrase extractor is closed");
  c->in.stopwords = kept_lexicon(L, UV_STOPWORDS);
  if (!c->terms) c->in.verbs = kept_lexicon(L, UV_VERBS);
  lua_getiuservalue(L, 1, UV_STEMMER);
  c->in.stemmer = lector_test_stemmer(L, -1);
  if (!c->in.stemmer) luaL_argerror(L, 1, "its stemmer is closed");
  lua_pop(L, 1);
  return ud->ph;
}

static lector_status run_engine(lector_phrases *ph, phrases_call *c, lector_error *err) {
  if (c->terms) return lector_phrases_terms(ph, &c->in, c->first, c->count, &c->list, err);
  return lector_phrases_extract(ph, &c->in, &c->phrases, err);
}

static size_t larger(size_t a, size_t b) {
  return a > b ? a : b;
}

static size_t ranges_end(const lector_phrases_range *ranges, size_t n, size_t end) {
  for (size_t i = 0; i < n; i++) end = larger(end, ranges[i].stop);
  return end;
}

/* The bytes a copy of c's answer takes, noting in c how much of each
 * array it reads: phrases first (they hold a double), then ranges, then
 * counts, then text, so that each part is aligned. */
static size_t answer_bytes(phrases_call *c) {
  const size_t range = sizeof(lector_phrases_range), count = sizeof(uint32_t);
  if (c->terms) {
    const lector_phrases_term_list *t = &c->list;
    c->text = ranges_end(t->number_like, t->number_like_count,
                         ranges_end(t->terms, t->count, 0));
    return ((size_t)t->count + t->number_like_count) * range + t->number_count * count + c->text;
  }
  const lector_phrases_result *r = &c->phrases;
  c->occurrences = c->parts = c->variants = c->text = 0;
  for (uint32_t i = 0; i < r->count; i++) {
    const lector_phrase *p = &r->phrases[i];
    c->occurrences = larger(c->occurrences, (size_t)p->first_occurrence + p->count);
    c->parts = larger(c->parts, (size_t)p->first_part + p->part_count);
    c->variants = larger(c->variants, (size_t)p->first_variant + p->variant_count);
    c->text = larger(c->text, p->name.stop);
  }
  c->text = ranges_end(r->variants, c->variants, c->text);
  return r->count * sizeof(lector_phrase) + (c->occurrences + c->variants) * range +
         c->parts * count + c->text;
}

/* Copy n items of size bytes to *at, moving *at past them. */
static void *copy_out(char **at, const void *from, size_t n, size_t size) {
  void *to = *at;
  if (n) memcpy(to, from, n * size);
  *at += n * size;
  return to;
}

/* Copy c's answer into block (answer_bytes long) and point c at the copy. */
static void copy_answer(phrases_call *c, char *block) {
  const size_t range = sizeof(lector_phrases_range), count = sizeof(uint32_t);
  if (c->terms) {
    lector_phrases_term_list *t = &c->list;
    t->terms = copy_out(&block, t->terms, t->count, range);
    t->number_like = copy_out(&block, t->number_like, t->number_like_count, range);
    t->numbers = copy_out(&block, t->numbers, t->number_count, count);
    t->text = copy_out(&block, t->text, c->text, 1);
    return;
  }
  lector_phrases_result *r = &c->phrases;
  r->phrases = copy_out(&block, r->phrases, r->count, sizeof(lector_phrase));
  r->occurrences = copy_out(&block, r->occurrences, c->occurrences, range);
  r->variants = copy_out(&block, r->variants, c->variants, range);
  r->parts = copy_out(&block, r->parts, c->parts, count);
  r->text = copy_out(&block, r->text, c->text, 1);
}

/* Run c and copy its answer into a userdata left pushed. The engine's
 * arrays are read with no Lua allocation between the run and the copy:
 * making the copy's block may run a finalizer that calls or closes the
 * engine, and then c is run again. When the engine runs out of memory it
 * is tried once more after a full collection (dead engines and graphs
 * free their memory only when collected), its finalizers too may close
 * it. [-0, +1, e] */
static void run_copied(lua_State *L, phrases_ud *ud, phrases_call *c, const char *doing) {
  char *block = NULL;
  size_t room = 0;
  int collected = 0;
  lua_pushnil(L);                                   /* the copy's slot */
  for (;;) {
    unsigned long use = ++ud->uses;
    lector_phrases *ph = engine_input(L, ud, c);
    size_t before = lector_phrases_bytes(ph);
    lector_error err;
    lector_status status = run_engine(ph, c, &err);
    if (status == LECTOR_ENOMEM && !collected) {
      collected = 1;
      lua_gc(L, LUA_GCCOLLECT);
      continue;
    }
    if (status == LECTOR_ENOMEM) lector_raise_memory(L, 0, doing);
    if (status != LECTOR_OK) luaL_error(L, "%s", err.message);
    size_t after = lector_phrases_bytes(ph), need = answer_bytes(c);
    if (!block || need > room) {
      lua_pop(L, 1);
      block = lua_newuserdatauv(L, need ? need : 1, 0);
      room = need;
      if (ud->uses != use) continue;
    }
    copy_answer(c, block);
    lector_account_growth(L, before, after);
    return;
  }
}

/* Push the list of n integers. [-0, +1, m] */
static void push_integers(lua_State *L, const uint32_t *values, uint32_t n) {
  lua_createtable(L, (int)n, 0);
  for (uint32_t i = 0; i < n; i++) {
    lua_pushinteger(L, values[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* Push the list of the n ranges' starts (or stops). [-0, +1, m] */
static void push_ends(lua_State *L, const lector_phrases_range *ranges, uint32_t n, int stops) {
  lua_createtable(L, (int)n, 0);
  for (uint32_t i = 0; i < n; i++) {
    lua_pushinteger(L, stops ? ranges[i].stop : ranges[i].start);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

static void push_text(lua_State *L, const lector_phrases_result *res, lector_phrases_range r) {
  lua_pushlstring(L, res->text + r.start, r.stop - r.start);
}

/* Push {phrase =, variants =, score =, count =, starts =, stops =, parts =}. [-0, +1, m] */
static void push_phrase(lua_State *L, const lector_phrases_result *res, const lector_phrase *p) {
  const lector_phrases_range *occurrences = res->occurrences + p->first_occurrence;
  lua_createtable(L, 0, 7);
  push_text(L, res, p->name);
  lua_setfield(L, -2, "phrase");
  lua_createtable(L, (int)p->variant_count, 0);
  for (uint32_t i = 0; i < p->variant_count; i++) {
    push_text(L, res, res->variants[p->first_variant + i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "variants");
  lua_pushnumber(L, p->score);
  lua_setfield(L, -2, "score");
  lua_pushinteger(L, p->count);
  lua_setfield(L, -2, "count");
  push_ends(L, occurrences, p->count, 0);
  lua_setfield(L, -2, "starts");
  push_ends(L, occurrences, p->count, 1);
  lua_setfield(L, -2, "stops");
  push_integers(L, res->parts + p->first_part, p->part_count);
  lua_setfield(L, -2, "parts");
}

/* ph:extract(doc [, {count =, skip = {{start, stop}...}, headline = {start, stop}}])
 * -> {{phrase =, variants =, score =, count =, starts =, stops =, parts =}...} best first */
LECTOR_FUNCTION(phrases, extract) {
  phrases_ud *ud = check_phrases(L, 1);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  phrases_call c = {0};
  lua_Integer count = lector_opt_integer_field(L, 3, "count", 10);
  luaL_argcheck(L, count >= 1, 3, "field 'count' must be at least 1");
  c.in.count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
  c.in.skip = push_skip(L, &c.in.skip_count);                 /* [ph, doc, opts, skip] */
  if (!lua_isnil(L, 3) && lua_getfield(L, 3, "headline") != LUA_TNIL)
    c.in.headline = check_range(L, lua_gettop(L), "field 'headline'");
  lua_settop(L, 4);
  c.in.doc = lector_hold_document(L, 2);                      /* [ph, doc, opts, skip, hold] */
  run_copied(L, ud, &c, "extracting phrases");               /* [..., hold, copy] */
  const lector_phrases_result *res = &c.phrases;
  luaL_checkstack(L, 4, NULL);
  lua_createtable(L, (int)res->count, 0);
  for (uint32_t i = 0; i < res->count; i++) {
    push_phrase(L, res, res->phrases + i);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* ---- ph:terms(doc, first, last) ------------------------------------------- */

/* Push the list of the n ranges' texts. [-0, +1, m] */
static void push_texts(lua_State *L, const char *text, const lector_phrases_range *ranges,
                       uint32_t n) {
  lua_createtable(L, (int)n, 0);
  for (uint32_t i = 0; i < n; i++) {
    lua_pushlstring(L, text + ranges[i].start, ranges[i].stop - ranges[i].start);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* ph:terms(doc, first, last) -> terms, words, numbers, number_like: the
 * terms of tokens first..last (last = first - 1 for none); numbers (the
 * positions of the number tokens' terms) and number_like are nil when
 * empty. */
LECTOR_FUNCTION(phrases, terms) {
  phrases_ud *ud = check_phrases(L, 1);
  lua_settop(L, 4);
  phrases_call c = {0};
  c.terms = 1;
  c.in.doc = lector_hold_document(L, 2);                      /* [ph, doc, first, last, hold] */
  lua_Integer first = luaL_checkinteger(L, 3), last = luaL_checkinteger(L, 4);
  lua_Integer tokens = (lua_Integer)c.in.doc->seg.token_count;
  luaL_argcheck(L, first >= 1 && first <= tokens + 1, 3, "not a token of the document");
  luaL_argcheck(L, last >= first - 1 && last <= tokens, 4, "not a token of the document");
  c.first = (uint32_t)(first - 1);
  c.count = (uint32_t)(last - first + 1);
  run_copied(L, ud, &c, "reading terms");                     /* [..., hold, copy] */
  const lector_phrases_term_list *res = &c.list;
  luaL_checkstack(L, 6, NULL);
  push_texts(L, res->text, res->terms, res->count);
  lua_pushinteger(L, res->words);
  if (res->number_count) {
    lua_createtable(L, (int)res->number_count, 0);
    for (uint32_t i = 0; i < res->number_count; i++) {   /* positions from 1, as Lua counts */
      lua_pushinteger(L, (lua_Integer)res->numbers[i] + 1);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
  } else {
    lua_pushnil(L);
  }
  if (res->number_like_count) push_texts(L, res->text, res->number_like, res->number_like_count);
  else lua_pushnil(L);
  return 4;
}

/* __gc and __close: free the engine now; later use raises. */
static int phrases_close(lua_State *L) {
  phrases_ud *ud = luaL_checkudata(L, 1, LECTOR_PHRASES_CLASS);
  lector_phrases_free(ud->ph);
  ud->ph = NULL;
  ud->uses++;
  return 0;
}

static int phrases_tostring(lua_State *L) {
  phrases_ud *ud = luaL_checkudata(L, 1, LECTOR_PHRASES_CLASS);
  lua_pushstring(L, ud->ph ? "lector.Phrases" : "lector.Phrases (closed)");
  return 1;
}

static const luaL_Reg phrases_metamethods[] = {
  {"__gc", phrases_close},
  {"__close", phrases_close},
  {"__tostring", phrases_tostring},
  {NULL, NULL}
};

static const luaL_Reg phrases_methods[] = {
  LECTOR_ENTRY(phrases, extract),
  LECTOR_ENTRY(phrases, terms),
  {NULL, NULL}
};

void lector_open_phrases(lua_State *L) {
  lector_register_class(L, LECTOR_PHRASES_CLASS, phrases_metamethods, phrases_methods, NULL);
}

int lector_phrases_new_lua(lua_State *L) {
  return phrases_new(L);
}
