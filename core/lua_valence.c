/*
 * Valence: the Lua-visible sentence scorer of core/valence.c
 * (docs/lua-api.md#valence).
 *
 * A plugin configures one with the role of each of its lexicon labels and
 * the weights of the rules, then hands it a document's lexicon hits and
 * sentences as columns (what lex:scan and doc:sentence_columns give), or
 * the Document and the lexicon to find both without their columns. It
 * fills columns back: each sentence's span and rounded scores, each
 * paragraph's token-weighted means, the document's, and on request the
 * records of what fired and each scored word's contribution.
 *
 * Its memory is Lua's: the configuration lives in the userdata, the label
 * map in a table, and a call's scratch arrays in a userdata, so a plugin's
 * memory limit counts all of it and an error frees it with the garbage.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "lua_lector.h"
#include "valence.h"
#include "valence_targets.h"

typedef struct valence_box {
  lector_valence_config cfg;
} valence_box;

/* User values: the label -> role map, what ordering ties takes (made on
 * the first tie), and scratch kept between calls: the hits, the lexicon's
 * finds (v:score_document), the rest (blocked ranges, negation marks), the
 * targets' tables and a sentence's clauses. */
enum {
  UV_ROLES = 1, UV_SORTER = 2, UV_HITS = 3, UV_FOUND = 4, UV_EXTRA = 5, UV_TARGETS = 6,
  UV_CLAUSES = 7, UV_COUNT = 7
};

static valence_box *check_valence(lua_State *L, int arg) {
  return luaL_checkudata(L, arg, LECTOR_VALENCE_CLASS);
}

/* n as Lua has it: an integer when it is one and fits (a product of
 * absurd weights may not: it is then a float, not a wrapped integer). */
static void push_vnum(lua_State *L, lector_vnum n) {
  if (n.integer && n.v >= -0x1p63 && n.v < 0x1p63) lua_pushinteger(L, (lua_Integer)n.v);
  else lua_pushnumber(L, n.v);
}

static lector_vnum to_vnum(lua_State *L, int idx) {
  if (lua_isinteger(L, idx)) return (lector_vnum){(double)lua_tointeger(L, idx), 1};
  return (lector_vnum){lua_tonumber(L, idx), 0};
}

/* ---- configuration -------------------------------------------------------- */

/* config.constants: every weight, as a number, and no other key. */
static void read_constants(lua_State *L, int cfg, valence_box *box) {
  if (lua_getfield(L, cfg, "constants") != LUA_TTABLE)
    luaL_argerror(L, 1, "field 'constants' must be a table");
  int k_idx = lua_gettop(L);
  for (int k = 0; k < LECTOR_VK_COUNT; k++) {
    const char *name = lector_valence_constant_name((lector_valence_constant)k);
    if (lua_getfield(L, k_idx, name) != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1)))
      luaL_argerror(L, 1, lua_pushfstring(L, "constants.%s must be a finite number", name));
    box->cfg.k[k] = to_vnum(L, -1);
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  while (lua_next(L, k_idx)) {
    lua_pop(L, 1);
    int known = 0;
    for (int k = 0; k < LECTOR_VK_COUNT && lua_type(L, -1) == LUA_TSTRING; k++)
      known |= strcmp(lua_tostring(L, -1), lector_valence_constant_name((lector_valence_constant)k)) == 0;
    if (!known)
      luaL_argerror(L, 1, lua_pushfstring(L, "constants: unknown key '%s'", luaL_tolstring(L, -1, NULL)));
  }
  lua_pop(L, 1);
}

/* config.roles (label -> role name) as the map label -> role number. [-0, +1, e] */
static void read_roles(lua_State *L, int cfg) {
  if (lua_getfield(L, cfg, "roles") != LUA_TTABLE)
    luaL_argerror(L, 1, "field 'roles' must be a table");
  int roles = lua_gettop(L);
  lua_newtable(L);                                   /* [roles, map] */
  lua_pushnil(L);
  while (lua_next(L, roles)) {                       /* [roles, map, label, role] */
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, 1, "roles must map label strings to role names");
    lector_valence_role role = lector_valence_role_of(lua_tostring(L, -1));
    if (role == LECTOR_VALENCE_NONE)
      luaL_argerror(L, 1, lua_pushfstring(L, "roles.%s: unknown role '%s' (valence, booster, "
                                          "negation, contrast, concession, hedge, scare, "
                                          "neutral)", lua_tostring(L, -2), lua_tostring(L, -1)));
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushinteger(L, role);
    lua_rawset(L, -4);                               /* [roles, map, label] */
  }
  lua_remove(L, roles);                              /* [map] */
}

/* lector.valence{roles = {label = role}, constants = {name = number}} -> Valence */
static int valence_new(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  valence_box *box = lua_newuserdatauv(L, sizeof *box, UV_COUNT);   /* [cfg, box] */
  memset(box, 0, sizeof *box);
  luaL_setmetatable(L, LECTOR_VALENCE_CLASS);
  read_constants(L, 1, box);
  read_roles(L, 1);                                          /* [cfg, box, map] */
  lua_setiuservalue(L, -2, UV_ROLES);
  return 1;
}

/* ---- reading a document --------------------------------------------------- */

/* Push column name of the table at idx (argument arg), which must be a
 * table. Returns its stack index. [-0, +1, v] */
static int column(lua_State *L, int idx, int arg, const char *name) {
  if (lua_getfield(L, idx, name) != LUA_TTABLE)
    luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' must be a table", name));
  return lua_gettop(L);
}

/* Push entry i of each of the n columns at stack indexes cols[]: a row
 * read with one pop afterwards. [-0, +n, -] */
static void push_row(lua_State *L, const int *cols, int n, lua_Integer i) {
  for (int c = 0; c < n; c++) lua_rawgeti(L, cols[c], i);
}

/* The value at idx, entry i of column name, an integer. */
static lua_Integer integer_at(lua_State *L, int idx, lua_Integer i, int arg, const char *name) {
  int ok;
  lua_Integer v = lua_tointegerx(L, idx, &ok);
  if (!ok) luaL_argerror(L, arg, lua_pushfstring(L, "%s[%I] must be an integer", name, i));
  return v;
}

/* The same, a count of tokens (0 to UINT32_MAX), so that sums and
 * differences of them cannot overflow. */
static int64_t count_at(lua_State *L, int idx, lua_Integer i, int arg, const char *name) {
  lua_Integer v = integer_at(L, idx, i, arg, name);
  if (v < 0 || (lua_Unsigned)v > UINT32_MAX)
    luaL_argerror(L, arg, lua_pushfstring(L, "%s[%I] is not a token count or number", name, i));
  return (int64_t)v;
}

/* The n of the columns at idx: field n, a count >= 0. */
static size_t count_of(lua_State *L, int idx, int arg) {
  lua_getfield(L, idx, "n");
  int ok;
  lua_Integer n = lua_tointegerx(L, -1, &ok);
  if (!ok || n < 0 || (lua_Unsigned)n > UINT32_MAX)
    luaL_argerror(L, arg, "field 'n' must be a count");
  lua_pop(L, 1);
  return (size_t)n;
}

/* A byte range [start, stop) of the text (entry i, its bounds at stack
 * indexes idx and idx + 1), checked. */
static void read_range(lua_State *L, int idx, lua_Integer i, int arg, size_t len, int nonempty,
                       uint32_t *start, uint32_t *stop) {
  lua_Integer a = integer_at(L, idx, i, arg, "start"), b = integer_at(L, idx + 1, i, arg, "stop");
  if (a < 0 || b < a || (lua_Unsigned)b > len || (nonempty && a == b))
    luaL_argerror(L, arg, lua_pushfstring(L, "entry %I: [%I, %I) is not a range of the text", i,
                                          a, b));
  *start = (uint32_t)a;
  *stop = (uint32_t)b;
}

/* The role of a label (the value on top, popped), through the map at roles. */
static lector_valence_role role_of(lua_State *L, int roles) {
  if (lua_type(L, -1) != LUA_TSTRING) {
    lua_pop(L, 1);
    return LECTOR_VALENCE_NONE;
  }
  lua_rawget(L, roles);
  lector_valence_role role = (lector_valence_role)lua_tointeger(L, -1);
  lua_pop(L, 1);
  return role;
}

/* Scratch of at least bytes, the scorer's own (user value slot) when
 * large enough (taken from it for the call, so that a call made
 * meanwhile, from a finalizer, makes its own), left on the stack.
 * [-0, +1, m] */
static void *scratch(lua_State *L, int self, int slot, size_t bytes) {
  if (lua_getiuservalue(L, self, slot) == LUA_TUSERDATA && lua_rawlen(L, -1) >= bytes) {
    lua_pushnil(L);
    lua_setiuservalue(L, self, slot);
    return lua_touserdata(L, -1);
  }
  lua_pop(L, 1);
  return lua_newuserdatauv(L, bytes ? bytes : 1, 0);
}

/* Give the scratch at idx back to the scorer, for its next call. */
static void keep_scratch(lua_State *L, int self, int slot, int idx) {
  lua_pushvalue(L, idx);
  lua_setiuservalue(L, self, slot);
}

/* The hits columns at arg into hits[0..n). */
static void read_hits(lua_State *L, int arg, int roles, size_t len, lector_valence_hit *hits,
                      size_t n) {
  static const char *const names[] = {"start", "stop", "first", "last", "label", "value"};
  int top = lua_gettop(L), cols[6];
  for (int c = 0; c < 6; c++) cols[c] = column(L, arg, arg, names[c]);
  int row = lua_gettop(L) + 1;                       /* a hit's entries: start at row, ... */
  for (size_t k = 0; k < n; k++) {
    lua_Integer i = (lua_Integer)k + 1;
    lector_valence_hit *h = &hits[k];
    push_row(L, cols, 6, i);
    read_range(L, row, i, arg, len, 1, &h->start, &h->stop);
    h->first = count_at(L, row + 2, i, arg, "first");
    h->last = count_at(L, row + 3, i, arg, "last");
    int type = lua_type(L, row + 5);
    if (type != LUA_TNIL && type != LUA_TNUMBER)
      luaL_argerror(L, arg, lua_pushfstring(L, "value[%I] must be a number or nil", i));
    h->value = type == LUA_TNIL ? (lector_vnum){0, 1} : to_vnum(L, row + 5);
    lua_settop(L, row + 4);                          /* the label on top */
    h->role = role_of(L, roles);
    lua_settop(L, row - 1);
  }
  lua_settop(L, top);
}

/* opts.blocked = {start = {...}, stop = {...}}: ranges in text order. */
static size_t read_blocked(lua_State *L, int opts, size_t len, uint32_t *starts_out,
                           uint32_t *stops_out, size_t n) {
  if (n == 0) return 0;
  int top = lua_gettop(L);
  int blocked = lector_opt_table_field(L, opts, "blocked");
  int cols[2] = {column(L, blocked, opts, "start"), column(L, blocked, opts, "stop")};
  for (size_t k = 0; k < n; k++) {
    push_row(L, cols, 2, (lua_Integer)k + 1);
    read_range(L, -2, (lua_Integer)k + 1, opts, len, 0, &starts_out[k], &stops_out[k]);
    lua_pop(L, 2);
  }
  lua_settop(L, top);
  return n;
}

/* How many blocked ranges opts names: #opts.blocked.start. */
static size_t blocked_count(lua_State *L, int opts) {
  int blocked = lector_opt_table_field(L, opts, "blocked");
  if (!blocked) return 0;
  size_t n = lua_rawlen(L, column(L, blocked, opts, "start"));
  lua_pop(L, 2);
  return n;
}

/* ---- writing the results -------------------------------------------------- */

/* Push out[name], made a table when it is not one. [-0, +1, m] */
static int out_table(lua_State *L, int out, const char *name) {
  if (lua_getfield(L, out, name) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, out, name);
  }
  return lua_gettop(L);
}

static void set_number(lua_State *L, int col, lua_Integer i, double v) {
  lua_pushnumber(L, v);
  lua_rawseti(L, col, i);
}

/* The per-sentence span columns: start, stop, label, score,
 * attrs.{pos, neg, neu}. */
typedef struct sentence_columns {
  int spans, start, stop, label, score, pos, neg, neu;   /* spans: the table of the columns */
} sentence_columns;

static void sentence_columns_of(lua_State *L, int out, sentence_columns *c) {
  int spans = out_table(L, out, "sentences");
  c->spans = spans;
  c->start = out_table(L, spans, "start");
  c->stop = out_table(L, spans, "stop");
  c->label = out_table(L, spans, "label");
  c->score = out_table(L, spans, "score");
  int attrs = out_table(L, spans, "attrs");
  c->pos = out_table(L, attrs, "pos");
  c->neg = out_table(L, attrs, "neg");
  c->neu = out_table(L, attrs, "neu");
}

/* The per-paragraph columns, in the order of PARAGRAPH_FIELDS. */
static const char *const PARAGRAPH_FIELDS[] = {"index", "sentences", "compound", "pos", "neg",
                                               "neu"};
enum { PARAGRAPH_FIELD_COUNT = 6 };

/* ---- explanations and items ----------------------------------------------- */

/* Where the records of the sentence being scored go (stack indexes). */
typedef struct records {
  lua_State *L;
  int explain, items;        /* whether asked for */
  int why, words, rules;     /* the sentence's explanation, its lists */
  int word, word_rules;      /* the valence word being scored */
  int item_list;             /* the sentence's items */
  const lector_valence_hit *hits;
  struct target_call *tg;    /* where the scored words go for opts.targets, or NULL */
} records;

/* opts.targets: the mentions, their tables, and the scored words of the
 * sentence being read (at most its hits). */
typedef struct target_call {
  lector_targets t;
  lector_target_item *items;
  size_t nitems, cap;
} target_call;

static void set_int_field(lua_State *L, int t, const char *name, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, t, name);
}

static void set_vnum_field(lua_State *L, int t, const char *name, lector_vnum v) {
  push_vnum(L, v);
  lua_setfield(L, t, name);
}

static void append(lua_State *L, int list) {
  lua_rawseti(L, list, (lua_Integer)lua_rawlen(L, list) + 1);
}

/* Push a rule record {rule =, hit = (the cue, when there is one)}. */
static int push_rule_of(lua_State *L, const char *rule, size_t cue) {
  lua_createtable(L, 0, 4);
  lua_pushstring(L, rule);
  lua_setfield(L, -2, "rule");
  if (cue != LECTOR_VALENCE_NO_CUE) set_int_field(L, lua_gettop(L), "hit", (lua_Integer)cue + 1);
  return lua_gettop(L);
}

/* ... with its factor. */
static int push_rule(lua_State *L, const char *rule, size_t cue, lector_vnum factor) {
  int t = push_rule_of(L, rule, cue);
  set_vnum_field(L, t, "factor", factor);
  return t;
}

static const char *clause_rule(int hedge) {
  return hedge ? "hedge" : "concession";
}

/* A rule that acted on the word being scored. */
static void word_rule(records *r, const lector_valence_event *ev) {
  lua_State *L = r->L;
  int t;
  switch (ev->kind) {
  case LECTOR_VE_BOOSTER: push_rule(L, "booster", ev->cue, ev->factor); break;
  case LECTOR_VE_CAPITALS:
    t = push_rule(L, "capitals", LECTOR_VALENCE_NO_CUE, ev->factor);
    set_int_field(L, t, "sign", ev->flag);
    break;
  case LECTOR_VE_NEGATED: push_rule(L, "negation", ev->cue, ev->factor); break;
  case LECTOR_VE_SCARE: push_rule(L, "scare", ev->cue, ev->factor); break;
  case LECTOR_VE_CONTRAST_SIDE:
    t = push_rule(L, "contrast", ev->cue, ev->factor);
    lua_pushboolean(L, ev->flag);
    lua_setfield(L, t, "before");
    break;
  default: push_rule(L, clause_rule(ev->flag), ev->cue, ev->factor); break;
  }
  append(L, r->word_rules);
}

static void begin_word(records *r, const lector_valence_event *ev) {
  lua_State *L = r->L;
  lua_createtable(L, 0, 5);
  r->word = lua_gettop(L);
  set_int_field(L, r->word, "hit", (lua_Integer)ev->hit + 1);
  set_vnum_field(L, r->word, "valence", ev->value);
  lua_newtable(L);
  r->word_rules = lua_gettop(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, r->word, "rules");
}

static void end_word(records *r, const lector_valence_event *ev) {
  lua_State *L = r->L;
  if (r->tg && !ev->flag && r->tg->nitems < r->tg->cap)
    r->tg->items[r->tg->nitems++] = (lector_target_item){r->hits[ev->hit].start, ev->value};
  if (r->items && !ev->flag) {
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, r->hits[ev->hit].start);
    lua_rawseti(L, -2, 1);
    push_vnum(L, ev->value);
    lua_rawseti(L, -2, 2);
    append(L, r->item_list);
  }
  if (r->explain) {
    set_vnum_field(L, r->word, "after", ev->value);
    lua_pushvalue(L, r->word);
    append(L, r->words);
    lua_settop(L, r->word - 1);
  }
}

/* A rule of the whole sentence, or its sum. */
static void sentence_rule(records *r, const lector_valence_event *ev) {
  lua_State *L = r->L;
  int t;
  switch (ev->kind) {
  case LECTOR_VE_BARE_NEGATION: push_rule(L, "negation", ev->cue, ev->factor); break;
  case LECTOR_VE_EXCLAMATION:
    t = push_rule(L, "exclamation", LECTOR_VALENCE_NO_CUE, ev->factor);
    set_int_field(L, t, "count", ev->count);
    set_int_field(L, t, "sign", ev->flag);
    break;
  case LECTOR_VE_CONTRAST:
    t = push_rule_of(L, "contrast", ev->cue);
    set_vnum_field(L, t, "before", ev->factor);
    set_vnum_field(L, t, "after", ev->value);
    break;
  case LECTOR_VE_CLAUSE_CUE: push_rule(L, clause_rule(ev->flag), ev->cue, ev->factor); break;
  default:
    set_vnum_field(L, r->why, "sum", ev->value);
    set_vnum_field(L, r->why, "compound", ev->factor);
    return;
  }
  append(L, r->rules);
}

static void on_event(void *ud, const lector_valence_event *ev) {
  records *r = ud;
  lua_State *L = r->L;
  if (ev->kind == LECTOR_VE_WORD_END) {
    end_word(r, ev);
    return;
  }
  if (!r->explain) return;
  luaL_checkstack(L, 8, "explaining a sentence");
  switch (ev->kind) {
  case LECTOR_VE_WORD: begin_word(r, ev); break;
  case LECTOR_VE_BLOCKED:
    set_int_field(L, r->word, "blocked", (lua_Integer)ev->cue + 1);
    break;
  case LECTOR_VE_RULE_WORD:
    lua_createtable(L, 0, 2);
    set_int_field(L, lua_gettop(L), "hit", (lua_Integer)ev->hit + 1);
    lua_pushstring(L, lector_valence_role_name((lector_valence_role)ev->flag));
    lua_setfield(L, -2, "role");
    append(L, r->words);
    break;
  case LECTOR_VE_BOOSTER: case LECTOR_VE_CAPITALS: case LECTOR_VE_NEGATED: case LECTOR_VE_SCARE:
  case LECTOR_VE_CONTRAST_SIDE: case LECTOR_VE_CLAUSE:
    word_rule(r, ev);
    break;
  default: sentence_rule(r, ev); break;
  }
}

/* Push the sentence's explanation table and its lists (why, words, rules
 * at the top three slots), when asked for; and its items list. */
static void begin_records(records *r) {
  lua_State *L = r->L;
  if (r->explain) {
    lua_createtable(L, 0, 4);
    r->why = lua_gettop(L);
    lua_newtable(L);
    r->words = lua_gettop(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, r->why, "words");
    lua_newtable(L);
    r->rules = lua_gettop(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, r->why, "rules");
  }
  if (r->items) {
    lua_newtable(L);
    r->item_list = lua_gettop(L);
  }
}

/* ---- the document --------------------------------------------------------- */

/* Token-weighted sums: of a paragraph, and of the paragraphs before it. */
typedef struct weighted {
  double w, c, pos, neg, neu;
} weighted;

/* The sentences kept as the most positive (or negative) ones: index and
 * rounded compound, in the order of the list. */
typedef struct extreme {
  lua_Integer index;
  double rc;
} extreme;

typedef struct extreme_list {
  extreme e[LECTOR_VALENCE_MAX_EXTREMES + 1];
  int n;
  double sign;                     /* 1: highest first; -1: lowest first */
} extreme_list;

typedef struct doc_state {
  lua_State *L;
  const lector_valence_config *cfg;
  int paragraphs;                  /* the paragraph columns: PARAGRAPH_FIELDS at paragraphs + k */
  lua_Integer np;                  /* paragraphs written */
  lua_Integer para, nsent;         /* the current paragraph's index and sentences */
  int in_para, scored;             /* a paragraph is open; a sentence of it was scored */
  weighted p, total;
  lua_Integer positive, negative;
  int max_extremes;
  extreme_list most[2];            /* the most positive, the most negative */
} doc_state;

/* Write the open paragraph's entry and add its sums to the document's. */
static void close_paragraph(doc_state *d) {
  lua_State *L = d->L;
  lua_Integer np = ++d->np;
  lua_pushinteger(L, d->para);
  lua_rawseti(L, d->paragraphs, np);
  lua_pushinteger(L, d->nsent);
  lua_rawseti(L, d->paragraphs + 1, np);
  if (d->scored) {
    const double means[] = {d->p.c, d->p.pos, d->p.neg, d->p.neu};
    for (int k = 0; k < 4; k++)
      set_number(L, d->paragraphs + 2 + k, np, lector_valence_round4(means[k] / d->p.w));
  } else {
    for (int k = 0; k < 4; k++) {
      lua_pushinteger(L, k == 3);
      lua_rawseti(L, d->paragraphs + 2 + k, np);
    }
  }
  d->total.w += d->p.w;
  d->total.c += d->p.c;
  d->total.pos += d->p.pos;
  d->total.neg += d->p.neg;
  d->total.neu += d->p.neu;
}

static void enter_paragraph(doc_state *d, lua_Integer para) {
  if (d->in_para && para == d->para) return;
  if (d->in_para) close_paragraph(d);
  d->in_para = 1;
  d->para = para;
  d->nsent = 0;
  d->scored = 0;
  d->p = (weighted){0, 0, 0, 0, 0};
}

/* table.sort's comparator over positions: keys[a] > keys[b] (upvalue 1:
 * keys). A C function, so that sorting runs no Lua code. */
static int key_greater(lua_State *L) {
  lua_rawgeti(L, lua_upvalueindex(1), lua_tointeger(L, 1));
  lua_rawgeti(L, lua_upvalueindex(1), lua_tointeger(L, 2));
  lua_pushboolean(L, lua_tonumber(L, -2) > lua_tonumber(L, -1));
  return 1;
}

/*
 * Order the n entries of x by key, highest first, as table.sort orders
 * them: among equal keys its order is its own, and a list kept by
 * table.sort must come out as it would. Sorts the positions 1..n with the
 * comparator above. [-0, +0, e]
 */
/* Push the scorer's sorter: {table.sort, the comparator, its keys}, made
 * on first use. [-0, +1, e] */
static void push_sorter(lua_State *L, int self) {
  if (lua_getiuservalue(L, self, UV_SORTER) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_createtable(L, 3, 0);                          /* [sorter] */
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  if (lua_getfield(L, -1, "table") != LUA_TTABLE || lua_getfield(L, -1, "sort") != LUA_TFUNCTION)
    luaL_error(L, "the scorer needs table.sort, which is not loaded");
  lua_rawseti(L, -4, 1);                             /* [sorter, loaded, table] */
  lua_pop(L, 2);
  lua_newtable(L);                                   /* [sorter, keys] */
  lua_pushvalue(L, -1);
  lua_rawseti(L, -3, 3);
  lua_pushcclosure(L, key_greater, 1);               /* [sorter, cmp] */
  lua_rawseti(L, -2, 2);
  lua_pushvalue(L, -1);
  lua_setiuservalue(L, self, UV_SORTER);
}

static void sort_ties(lua_State *L, int self, extreme_list *x, int n) {
  luaL_checkstack(L, 8, "sorting the extremes");
  push_sorter(L, self);                              /* [sorter] */
  int sorter = lua_gettop(L);
  lua_rawgeti(L, sorter, 3);                         /* [sorter, keys] */
  lua_createtable(L, n, 0);                          /* [sorter, keys, positions] */
  for (int p = 1; p <= n; p++) {
    lua_pushinteger(L, p);
    lua_rawseti(L, -2, p);
    lua_pushnumber(L, x->e[p - 1].rc * x->sign);
    lua_rawseti(L, -3, p);
  }
  lua_rawgeti(L, sorter, 1);
  lua_pushvalue(L, -2);
  lua_rawgeti(L, sorter, 2);                         /* [..., positions, sort, positions, cmp] */
  lua_call(L, 2, 0);                                 /* [sorter, keys, positions] */
  /* table.sort leaves a permutation of 1..n; a script that replaced it
   * (trusted code can) may leave anything, which must not index x */
  extreme sorted[LECTOR_VALENCE_MAX_EXTREMES + 1];
  char taken[LECTOR_VALENCE_MAX_EXTREMES + 1] = {0};
  for (int p = 1; p <= n; p++) {
    lua_rawgeti(L, -1, p);
    int ok;
    lua_Integer at = lua_tointegerx(L, -1, &ok);
    if (!ok || at < 1 || at > n || taken[at - 1])
      luaL_error(L, "table.sort did not sort the scorer's ties (was it replaced?)");
    taken[at - 1] = 1;
    sorted[p - 1] = x->e[at - 1];
    lua_pop(L, 1);
  }
  memcpy(x->e, sorted, (size_t)n * sizeof *sorted);
  lua_settop(L, sorter - 1);
}

/*
 * Keep sentence index (rounded compound rc) if it is among the most
 * extreme max: the list stays ordered by key (rc * sign), highest first.
 * A key that ties one kept, or a list holding ties, is placed by
 * table.sort (sort_ties); any other has one place, found here.
 */
static void keep_extreme(lua_State *L, extreme_list *x, int max, lua_Integer index, double rc) {
  const int self = 1;                                /* the scorer, v:score's argument 1 */
  double key = rc * x->sign;
  int n = x->n, at = n, tie = 0;
  for (int i = n - 1; i >= 0; i--) {
    double k = x->e[i].rc * x->sign;
    if (k == key || (i > 0 && k == x->e[i - 1].rc * x->sign)) {
      tie = 1;
      break;
    }
    if (key > k) at = i;
  }
  if (!tie && at >= max) return;
  if (tie) {
    x->e[n] = (extreme){index, rc};
    sort_ties(L, self, x, n + 1);
  } else {
    memmove(&x->e[at + 1], &x->e[at], (size_t)(n - at) * sizeof x->e[0]);
    x->e[at] = (extreme){index, rc};
  }
  x->n = n + 1 > max ? max : n + 1;
}

/* Write list x into out[name] as {index =, compound =} entries, reusing
 * the entries an earlier document left there. [-0, +0, m] */
static void write_extremes(lua_State *L, int out, const char *name, const extreme_list *x) {
  int list = out_table(L, out, name);
  lua_Integer old = (lua_Integer)lua_rawlen(L, list);
  for (int k = 0; k < x->n; k++) {
    if (lua_rawgeti(L, list, k + 1) != LUA_TTABLE) {
      lua_pop(L, 1);
      lua_createtable(L, 0, 2);
      lua_pushvalue(L, -1);
      lua_rawseti(L, list, k + 1);
    }
    set_int_field(L, lua_gettop(L), "index", x->e[k].index);
    lua_pushnumber(L, x->e[k].rc);
    lua_setfield(L, -2, "compound");
    lua_pop(L, 1);
  }
  for (lua_Integer k = old; k > x->n; k--) {
    lua_pushnil(L);
    lua_rawseti(L, list, k);
  }
  lua_pop(L, 1);
}

/* A scored sentence: its span columns, its paragraph's sums, its label. */
static void add_scored(doc_state *d, const sentence_columns *c, lua_Integer index, int64_t tokens,
                       const lector_valence_score *s) {
  lua_State *L = d->L;
  double compound = s->compound.v, neutral = d->cfg->k[LECTOR_VK_NEUTRAL].v;
  double rc = lector_valence_round4(compound);
  const char *label = "neutral";
  d->scored = 1;
  if (compound >= neutral) {
    label = "positive";
    d->positive++;
    keep_extreme(L, &d->most[0], d->max_extremes, index, rc);
  } else if (compound <= -neutral) {
    label = "negative";
    d->negative++;
    keep_extreme(L, &d->most[1], d->max_extremes, index, rc);
  }
  double w = (double)tokens;
  d->p.c = d->p.c + compound * w;
  d->p.pos = d->p.pos + s->pos.v * w;
  d->p.neg = d->p.neg + s->neg.v * w;
  d->p.neu = d->p.neu + s->neu.v * w;
  lua_pushstring(L, label);
  lua_rawseti(L, c->label, index);
  set_number(L, c->score, index, rc);
  set_number(L, c->pos, index, lector_valence_round4(s->pos.v));
  set_number(L, c->neg, index, lector_valence_round4(s->neg.v));
  set_number(L, c->neu, index, lector_valence_round4(s->neu.v));
}

static void add_unscored(doc_state *d, const sentence_columns *c, lua_Integer index,
                         int64_t tokens) {
  lua_State *L = d->L;
  d->p.neu = d->p.neu + (double)tokens;
  lua_pushstring(L, "neutral");
  lua_rawseti(L, c->label, index);
  lua_pushinteger(L, 0);
  lua_rawseti(L, c->score, index);
  const int attrs[] = {c->pos, c->neg, c->neu};
  for (int k = 0; k < 3; k++) {
    lua_pushnil(L);
    lua_rawseti(L, attrs[k], index);
  }
}

/* The document's means, counts and the columns' n. */
static void finish_document(doc_state *d, int out, lua_Integer nsentences, int spans) {
  lua_State *L = d->L;
  if (d->in_para) close_paragraph(d);
  set_int_field(L, d->paragraphs - 1, "n", d->np);
  set_int_field(L, spans, "n", nsentences);
  write_extremes(L, out, "most_positive", &d->most[0]);
  write_extremes(L, out, "most_negative", &d->most[1]);
  static const char *const names[] = {"compound", "pos", "neg", "neu"};
  const double sums[] = {d->total.c, d->total.pos, d->total.neg, d->total.neu};
  for (int k = 0; k < 4; k++) {
    if (d->total.w > 0) lua_pushnumber(L, lector_valence_round4(sums[k] / d->total.w));
    else lua_pushinteger(L, k == 3);
    lua_setfield(L, out, names[k]);
  }
  set_int_field(L, out, "positive", d->positive);
  set_int_field(L, out, "negative", d->negative);
  set_int_field(L, out, "neutral", nsentences - d->positive - d->negative);
}

/* Push the offsets of the contrast and concession words of hits
 * [first, end), or nil when there are none: where clauses are cut. */
static void push_cuts(lua_State *L, const lector_valence_hit *hits, size_t first, size_t end) {
  lua_Integer n = 0;
  for (size_t i = first; i < end; i++) {
    if (hits[i].role != LECTOR_VALENCE_CONTRAST && hits[i].role != LECTOR_VALENCE_CONCESSION)
      continue;
    if (n == 0) lua_newtable(L);
    lua_pushinteger(L, hits[i].start);
    lua_rawseti(L, -2, ++n);
  }
  if (n == 0) lua_pushnil(L);
}

/* Where the sentences are read: the columns of argument 4 (start, stop,
 * tokens, paragraph), or, with doc set, the document's own, from
 * sentence number first on. */
typedef struct sentence_input {
  int cols[4];
  const lector_doc *doc;
  uint32_t first;
} sentence_input;

typedef struct score_call {
  lua_State *L;
  valence_box *box;
  lector_valence_text t;
  sentence_input in;
  sentence_columns out;
  int all;
  int explain_list, items_list, cuts_list;   /* 0 when not asked for */
  target_call *tg;                           /* NULL when not asked for */
} score_call;

/* Sentence index (1-based) of the input into s, entering its paragraph. */
static void read_sentence(score_call *c, doc_state *d, lua_Integer index,
                          lector_valence_sentence *s) {
  if (c->in.doc) {
    const lector_sentence *ds = &c->in.doc->seg.sentences[c->in.first + (size_t)index - 1];
    s->start = ds->start;
    s->stop = ds->stop;
    s->tokens = ds->token_count;
    enter_paragraph(d, (lua_Integer)ds->paragraph + 1);
    return;
  }
  lua_State *L = c->L;
  int row = lua_gettop(L) + 1;
  push_row(L, c->in.cols, 4, index);
  read_range(L, row, index, 4, c->t.len, 0, &s->start, &s->stop);
  s->tokens = count_at(L, row + 2, index, 4, "tokens");
  enter_paragraph(d, integer_at(L, row + 3, index, 4, "paragraph"));
  lua_settop(L, row - 1);
}

/* The sentence's mentions counted in their clauses, when opts.targets
 * names any in it. */
static void count_targets(score_call *c, const lector_valence_sentence *s, lua_Integer index) {
  target_call *tg = c->tg;
  if (!lector_targets_in_sentence(&tg->t, s->start, s->stop)) return;
  lua_State *L = c->L;
  size_t ncuts = 0;
  for (size_t i = s->first_hit; i < s->end_hit; i++)
    ncuts += c->t.hits[i].role == LECTOR_VALENCE_CONTRAST
             || c->t.hits[i].role == LECTOR_VALENCE_CONCESSION;
  size_t nclauses = lector_targets_clause_count(c->t.text, s->start, s->stop, ncuts);
  int top = lua_gettop(L);
  double *sums = scratch(L, 1, UV_CLAUSES, nclauses * (sizeof(double) + sizeof(uint32_t))
                                               + ncuts * sizeof(uint32_t));
  uint32_t *starts = (uint32_t *)(sums + nclauses), *cuts = starts + nclauses;
  size_t k = 0;
  for (size_t i = s->first_hit; i < s->end_hit; i++)
    if (c->t.hits[i].role == LECTOR_VALENCE_CONTRAST
        || c->t.hits[i].role == LECTOR_VALENCE_CONCESSION)
      cuts[k++] = c->t.hits[i].start;
  lector_targets_add_sentence(&tg->t, &c->box->cfg, c->t.text, s->start, s->stop,
                              (uint32_t)index, cuts, ncuts, tg->items, tg->nitems, starts, sums);
  keep_scratch(L, 1, UV_CLAUSES, top + 1);
  lua_settop(L, top);
}

static void score_one(score_call *c, doc_state *d, lua_Integer index, size_t *h, size_t *cursor) {
  lua_State *L = c->L;
  lector_valence_sentence s;
  read_sentence(c, d, index, &s);
  lua_pushinteger(L, s.start);
  lua_rawseti(L, c->out.start, index);
  lua_pushinteger(L, s.stop);
  lua_rawseti(L, c->out.stop, index);
  d->nsent++;
  d->p.w = d->p.w + (double)s.tokens;
  int scored = c->all;
  s.first_hit = *h;
  while (*h < c->t.nhits && c->t.hits[*h].start < s.stop)
    scored |= c->t.hits[(*h)++].role == LECTOR_VALENCE_WORD;
  s.end_hit = *h;
  if (c->cuts_list) {
    push_cuts(L, c->t.hits, s.first_hit, s.end_hit);
    lua_rawseti(L, c->cuts_list, index);
  }
  if (c->tg) c->tg->nitems = 0;
  if (!scored) {
    if (c->tg) count_targets(c, &s, index);
    add_unscored(d, &c->out, index, s.tokens);
    return;
  }
  s.exclamations = lector_valence_exclamations(c->t.text, s.start, s.stop);
  int top = lua_gettop(L);
  records r = {.L = L, .explain = c->explain_list != 0, .items = c->items_list != 0,
               .hits = c->t.hits, .tg = c->tg};
  luaL_checkstack(L, 12, "scoring a sentence");
  begin_records(&r);
  lector_valence_score score;
  int records_wanted = r.explain || r.items || r.tg;
  lector_valence_score_sentence(&c->box->cfg, &c->t, &s, cursor, records_wanted ? on_event : NULL,
                                &r, &score);
  if (r.explain) {
    lua_pushvalue(L, r.why);
    lua_rawseti(L, c->explain_list, index);
  }
  if (r.items) {
    lua_pushvalue(L, r.item_list);
    lua_rawseti(L, c->items_list, index);
  }
  lua_settop(L, top);
  if (c->tg) count_targets(c, &s, index);
  add_scored(d, &c->out, index, s.tokens, &score);
}

/* opts.NAME: a boolean option (false when absent). */
static int flag(lua_State *L, int opts, const char *name) {
  return lector_opt_boolean_field(L, opts, name);
}

/* A per-sentence list of out, emptied, when flag is set; else 0. */
static int fresh_list(lua_State *L, int out, const char *name, int wanted) {
  if (!wanted) {
    lua_pushnil(L);
    lua_setfield(L, out, name);
    return 0;
  }
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, out, name);
  return lua_gettop(L);
}

/* The sentences of argument 4 (their count), or with in->doc set, the
 * document's from in->first to end. */
static size_t read_sentence_input(lua_State *L, sentence_input *in, uint32_t end) {
  if (in->doc) return end - in->first;
  static const char *const names[] = {"start", "stop", "tokens", "paragraph"};
  size_t n = count_of(L, 4, 4);
  for (int c = 0; c < 4; c++) in->cols[c] = column(L, 4, 4, names[c]);
  return n;
}

/* The paragraph columns (out.paragraphs), at consecutive stack slots
 * after the table itself. */
static int paragraph_columns(lua_State *L, int out) {
  int paragraphs = out_table(L, out, "paragraphs");
  for (int k = 0; k < PARAGRAPH_FIELD_COUNT; k++) out_table(L, paragraphs, PARAGRAPH_FIELDS[k]);
  return paragraphs + 1;
}

/* opts.extremes: how many of the most positive and negative sentences to
 * keep, 0 to LECTOR_VALENCE_MAX_EXTREMES (3 when absent). */
static int extremes_option(lua_State *L, int opts) {
  lua_Integer n = lector_opt_integer_field(L, opts, "extremes", 3);
  if (n < 0 || n > LECTOR_VALENCE_MAX_EXTREMES)
    luaL_argerror(L, opts, lua_pushfstring(L, "field 'extremes' must be 0 to %d",
                                           LECTOR_VALENCE_MAX_EXTREMES));
  return (int)n;
}

/* opts.targets = {n =, start = {...}, key = {...}}: the mentions (their
 * starts, and a key from 1 to n that mentions of one entity share), read
 * into tables of a userdata left on the stack; NULL without the option. */
static target_call *read_targets(lua_State *L, int opts, size_t len, size_t nhits) {
  int top = lua_gettop(L);
  int targets = lector_opt_table_field(L, opts, "targets");
  if (!targets) return NULL;
  size_t n = count_of(L, targets, opts);
  int cols[2] = {column(L, targets, opts, "start"), column(L, targets, opts, "key")};
  size_t tables = (lector_targets_bytes(n) + 7) / 8 * 8;
  target_call *tg = scratch(L, 1, UV_TARGETS, sizeof *tg + tables
                                                   + nhits * sizeof(lector_target_item)
                                                   + 2 * n * sizeof(uint32_t));
  char *memory = (char *)(tg + 1);
  tg->items = (lector_target_item *)(memory + tables);
  tg->nitems = 0;
  tg->cap = nhits;
  uint32_t *start = (uint32_t *)(tg->items + nhits), *key = start + n;
  for (size_t k = 0; k < n; k++) {
    lua_Integer i = (lua_Integer)k + 1;
    push_row(L, cols, 2, i);
    lua_Integer a = integer_at(L, -2, i, opts, "start"), b = integer_at(L, -1, i, opts, "key");
    if (a < 0 || (lua_Unsigned)a > len)
      luaL_argerror(L, opts, lua_pushfstring(L, "targets: start[%I] is outside the text", i));
    if (b < 1 || (lua_Unsigned)b > n)
      luaL_argerror(L, opts, lua_pushfstring(L, "targets: key[%I] must be 1 to %I", i,
                                             (lua_Integer)n));
    start[k] = (uint32_t)a;
    key[k] = (uint32_t)(b - 1);
    lua_pop(L, 2);
  }
  lector_targets_init(&tg->t, start, key, n, memory);
  lua_replace(L, top + 1);            /* the userdata stays, at the first slot used */
  lua_settop(L, top + 1);
  return tg;
}

/* out.targets: one row per entity, as columns (see docs/lua-api.md). */
static void write_targets(lua_State *L, target_call *tg, int out) {
  lector_targets *t = &tg->t;
  lector_targets_sort(t);
  lua_createtable(L, 0, 9);
  int rows = lua_gettop(L);
  static const char *const names[] = {"mention", "mentions", "clauses", "positive", "negative",
                                      "neutral", "sum", "sentences"};
  for (int k = 0; k < 8; k++) {
    lua_createtable(L, (int)t->nrows, 0);
    lua_setfield(L, rows, names[k]);
  }
  int cols = lua_gettop(L) + 1;
  for (int k = 0; k < 8; k++) lua_getfield(L, rows, names[k]);
  for (size_t r = 0; r < t->nrows; r++) {
    const lector_target_row *row = &t->rows[r];
    lua_Integer i = (lua_Integer)r + 1;
    const lua_Integer counts[] = {(lua_Integer)row->mention + 1, row->mentions, row->clauses, row->positive,
                               row->negative, row->neutral};
    for (int k = 0; k < 6; k++) {
      lua_pushinteger(L, counts[k]);
      lua_rawseti(L, cols + k, i);
    }
    lua_pushnumber(L, row->sum);
    lua_rawseti(L, cols + 6, i);
    lua_createtable(L, (int)row->nsentences, 0);
    lua_Integer j = 0;
    for (uint32_t e = row->first_entry; e != UINT32_MAX; e = t->entry_next[e]) {
      lua_pushinteger(L, t->entry_sentence[e]);
      lua_rawseti(L, -2, ++j);
    }
    lua_rawseti(L, cols + 7, i);
  }
  lua_settop(L, rows);
  lua_pushinteger(L, (lua_Integer)t->nrows);
  lua_setfield(L, rows, "n");
  lua_setfield(L, out, "targets");
}

/*
 * What v:score and v:score_document share once the hits are known: the
 * sentences of in (argument 4, or the document's up to sentence end)
 * scored into out (argument 5) with opts (argument 6). [-0, +1, e]
 */
static int score_hits(lua_State *L, valence_box *box, const char *text, size_t len,
                      lector_valence_hit *hits, size_t nhits, sentence_input in, uint32_t end) {
  score_call c = {.L = L, .box = box, .all = flag(L, 6, "all") || flag(L, 6, "explain"),
                  .in = in};
  size_t nblocked = blocked_count(L, 6);
  int extra = lua_gettop(L) + 1;
  uint32_t *block = scratch(L, 1, UV_EXTRA, 2 * nblocked * sizeof(uint32_t) + nhits);
  read_blocked(L, 6, len, block, block + nblocked, nblocked);
  c.t = (lector_valence_text){text, len, hits, nhits, block, block + nblocked, nblocked,
                              (uint8_t *)(block + 2 * nblocked)};
  size_t nsentences = read_sentence_input(L, &c.in, end);
  sentence_columns_of(L, 5, &c.out);
  doc_state d = {.L = L, .cfg = &box->cfg, .paragraphs = paragraph_columns(L, 5),
                 .max_extremes = extremes_option(L, 6)};
  d.most[0].sign = 1;
  d.most[1].sign = -1;
  c.explain_list = fresh_list(L, 5, "explain", flag(L, 6, "explain"));
  int items = flag(L, 6, "items");
  c.items_list = fresh_list(L, 5, "items", items);
  c.cuts_list = fresh_list(L, 5, "cuts", items);
  int targets = lua_gettop(L) + 1;
  c.tg = read_targets(L, 6, len, nhits);
  size_t h = 0, cursor = 0;
  for (size_t k = 0; k < nsentences; k++) score_one(&c, &d, (lua_Integer)k + 1, &h, &cursor);
  finish_document(&d, 5, (lua_Integer)nsentences, c.out.spans);
  if (c.tg) {
    write_targets(L, c.tg, 5);
    keep_scratch(L, 1, UV_TARGETS, targets);
  } else {
    lua_pushnil(L);
    lua_setfield(L, 5, "targets");
  }
  keep_scratch(L, 1, UV_EXTRA, extra);
  lua_pushvalue(L, 5);
  return 1;
}

/* The checks v:score and v:score_document share: sentences (a table, or
 * with sentences_optional also nil), out, opts. */
static valence_box *check_score_args(lua_State *L, int sentences_optional) {
  valence_box *box = check_valence(L, 1);
  if (!(sentences_optional && lua_isnoneornil(L, 4))) luaL_checktype(L, 4, LUA_TTABLE);
  luaL_checktype(L, 5, LUA_TTABLE);
  if (!lua_isnoneornil(L, 6)) luaL_checktype(L, 6, LUA_TTABLE);
  lua_settop(L, 6);
  luaL_checkstack(L, 40, "scoring a document");
  return box;
}

/* v:score(text, hits, sentences, out [, opts]) -> out
 *   hits: lex:scan's columns (n, start, stop, first, last, label, value);
 *   sentences: doc:sentence_columns' (n, start, stop, tokens, paragraph);
 *   opts: {all =, explain =, items =, extremes =, blocked = {start =, stop =}}. */
LECTOR_FUNCTION(valence, score) {
  size_t len;
  luaL_checklstring(L, 2, &len);
  luaL_checktype(L, 3, LUA_TTABLE);
  valence_box *box = check_score_args(L, 0);
  const char *text = lua_tostring(L, 2);
  size_t nhits = count_of(L, 3, 3);
  int slot = lua_gettop(L) + 1;
  lector_valence_hit *hits = scratch(L, 1, UV_HITS, nhits * sizeof *hits);
  lua_getiuservalue(L, 1, UV_ROLES);
  read_hits(L, 3, lua_gettop(L), len, hits, nhits);
  lua_pop(L, 1);
  score_hits(L, box, text, len, hits, nhits, (sentence_input){.doc = NULL}, 0);
  keep_scratch(L, 1, UV_HITS, slot);
  return 1;
}

/* ---- finding the hits in C ------------------------------------------------ */

/* The finds of a scan begin in a userdata kept between calls, with room
 * for FOUND_FIRST (most news articles have fewer). */
enum { FOUND_FIRST = 64 };

/* A lexicon value as Lua reads it from lex:scan: none (integer 0 here),
 * an integer when whole, else a float. */
static lector_vnum value_of(double value) {
  lua_Integer i;
  if (isnan(value)) return (lector_vnum){0, 1};
  if (lua_numbertointeger(value, &i) && (double)i == value) return (lector_vnum){(double)i, 1};
  return (lector_vnum){value, 0};
}

/* The roles of the few labels a document's finds carry, each looked up
 * once in the map at roles. */
typedef struct role_cache {
  const char *label[16];
  lector_valence_role role[16];
  int n;
} role_cache;

static lector_valence_role cached_role(lua_State *L, role_cache *c, int roles, const char *label) {
  for (int i = 0; i < c->n; i++)
    if (c->label[i] == label) return c->role[i];
  lua_pushstring(L, label);
  lector_valence_role role = role_of(L, roles);
  if (c->n < 16) {
    c->label[c->n] = label;
    c->role[c->n++] = role;
  }
  return role;
}

/* v:score_document(doc, lex, sentences, out [, opts]) -> out: v:score with
 * the hits lex:scan(doc) would give, found here without their columns;
 * with sentences nil, the document's own sentences, read here too.
 * Explanations name hits by their number in those columns: with this
 * method opts.explain is refused. */
LECTOR_FUNCTION(valence, score_document) {
  lector_check_lexicon(L, 3);
  valence_box *box = check_score_args(L, 1);
  if (flag(L, 6, "explain"))
    return luaL_argerror(L, 6, "explanations need the hits' columns: use v:score");
  uint32_t sentence, sentence_end;
  const lector_doc *doc = lector_hold_sentences(L, 2, &sentence, &sentence_end);   /* 7 */
  uint32_t first_sentence = sentence;
  if (!luaL_testudata(L, 2, LECTOR_DOCUMENT_CLASS))
    return luaL_argerror(L, 2, "a Document is needed");
  const lector_lexicon *lex = lector_check_lexicon(L, 3);
  int keep = lua_gettop(L) + 1;
  lector_lexicon_finds list = {
      L, scratch(L, 1, UV_FOUND, FOUND_FIRST * sizeof(lector_lexicon_find)), 0, 0, keep};
  list.cap = lua_rawlen(L, keep) / sizeof(lector_lexicon_find);
  lector_lexicon_find_all(lex, doc, sentence, sentence_end, 0, &list);
  int slot = lua_gettop(L) + 1;
  lector_valence_hit *hits = scratch(L, 1, UV_HITS, list.n * sizeof *hits);
  lua_getiuservalue(L, 1, UV_ROLES);
  int roles = lua_gettop(L);
  role_cache cache = {.n = 0};
  for (size_t k = 0; k < list.n; k++) {
    const lector_lexicon_find *f = &list.items[k];
    const lector_token *first = &doc->seg.tokens[f->token];
    hits[k] = (lector_valence_hit){first->start, doc->seg.tokens[f->token + f->len - 1].stop,
                                   (int64_t)f->token + 1, (int64_t)f->token + f->len,
                                   cached_role(L, &cache, roles, f->entry->label),
                                   value_of(f->entry->value)};
  }
  lua_pop(L, 1);
  sentence_input in = {.doc = lua_isnil(L, 4) ? doc : NULL, .first = first_sentence};
  score_hits(L, box, doc->text, doc->len, hits, list.n, in, sentence_end);
  keep_scratch(L, 1, UV_FOUND, keep);
  keep_scratch(L, 1, UV_HITS, slot);
  return 1;
}

/* v:compound(sum) -> tanh(sum / constants.scale) */
LECTOR_FUNCTION(valence, compound) {
  valence_box *box = check_valence(L, 1);
  luaL_checknumber(L, 2);
  push_vnum(L, lector_valence_compound(&box->cfg, to_vnum(L, 2)));
  return 1;
}

static int valence_tostring(lua_State *L) {
  check_valence(L, 1);
  lua_pushliteral(L, "lector.Valence");
  return 1;
}

static const luaL_Reg valence_metamethods[] = {
  {"__tostring", valence_tostring},
  {NULL, NULL}
};

static const luaL_Reg valence_methods[] = {
  LECTOR_ENTRY(valence, score),
  LECTOR_ENTRY(valence, score_document),
  LECTOR_ENTRY(valence, compound),
  {NULL, NULL}
};

/* v.NAME: its methods; a scorer has no fields. */
static int valence_field(lua_State *L) {
  check_valence(L, 1);
  if (lua_type(L, 2) == LUA_TSTRING) lua_rawget(L, lua_upvalueindex(1));
  else lua_pushnil(L);
  return 1;
}

void lector_open_valence(lua_State *L) {
  lector_register_class(L, LECTOR_VALENCE_CLASS, valence_metamethods, valence_methods,
                        valence_field);
}

int lector_valence_new_lua(lua_State *L) {
  if (luaL_getmetatable(L, LECTOR_VALENCE_CLASS) == LUA_TNIL) lector_open_valence(L);
  lua_pop(L, 1);
  return valence_new(L);
}
