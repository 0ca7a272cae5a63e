/*
 * Glue shared by the Lua bindings: the declare/register macro pair, type
 * registration, checked accessors and push functions for each type.
 */
#ifndef LECTOR_LUA_LECTOR_H
#define LECTOR_LUA_LECTOR_H

#include <lauxlib.h>
#include <lua.h>

#include "doc.h"
#include "lexicon.h"
#include "lua_classnames.h"

/* Define a binding and name it in a methods table with the same pair of
 * words, so the two cannot drift apart. */
#define LECTOR_FUNCTION(class, name) static int lua_##class##_##name(lua_State *L)
#define LECTOR_ENTRY(class, name) {#name, lua_##class##_##name}

/* The `lector.core` module: functions and every type's metatable. */
int luaopen_lector_core(lua_State *L);
/* The `lpeg` module, with #patt safe on Debian's LPeg (core/lua_lpeg.c). */
int luaopen_lector_lpeg(lua_State *L);

/* Register a type: its metatable holds the metamethods, and __index finds
 * methods first, then calls the field getter. [-0, +0, e] */
void lector_register_class(lua_State *L, const char *class, const luaL_Reg *metamethods,
                           const luaL_Reg *methods, lua_CFunction field_getter);

void lector_open_document(lua_State *L);
void lector_open_sentence(lua_State *L);
void lector_open_token(lua_State *L);
void lector_open_span(lua_State *L);
void lector_open_store(lua_State *L);
void lector_open_rows(lua_State *L);
void lector_open_reader(lua_State *L);
void lector_open_plugin(lua_State *L);
void lector_open_lexicon(lua_State *L);
void lector_open_matcher(lua_State *L);
void lector_open_stemmer(lua_State *L);
void lector_open_valence(lua_State *L);
void lector_open_names(lua_State *L);
void lector_open_scanner(lua_State *L);
void lector_open_graph(lua_State *L);
void lector_open_phrases(lua_State *L);
/* Add the plugin-archive functions (pack, verify, extract, keygen, ...) to
 * the lector.core table on top of the stack. [-0, +0, e] */
void lector_open_archive(lua_State *L);
/* Add the process functions (catch_interrupts, interrupted, monotonic,
 * thread_cpu, isatty, glob, cores, pool) to the lector.core table on top
 * of the stack. [-0, +0, e] */
void lector_open_process(lua_State *L);
/* The descriptor that becomes readable once the process is interrupted
 * (SIGINT or SIGTERM after lector.core.catch_interrupts), for a reader
 * waiting in poll; -1 before catch_interrupts. */
int lector_interrupt_fd(void);
void lector_open_pool(lua_State *L);
/* lector.core.pool{...} (a Pool of worker threads) and lector.core.cores(). */
int lector_pool_new_lua(lua_State *L);
int lector_cores_lua(lua_State *L);

/* Whether the value at idx is a Store that is still open. [-0, +0, -] */
int lector_store_is_open(lua_State *L, int idx);
/* Push a Rows that will read a statement of the Store at index store (kept
 * alive by it) and return the slot for the statement, which the Rows then
 * owns and finalizes. Once the slot holds a prepared statement, call
 * lector_rows_ready with the Rows' index. [-0, +1, m] */
struct sqlite3_stmt **lector_push_rows(lua_State *L, int store);
void lector_rows_ready(lua_State *L, int idx);
/* Push column `column` of the statement's current row: integer, number,
 * nil for NULL, and a string (of its bytes) for text and blobs. [-0, +1, m] */
void lector_push_sql_value(lua_State *L, struct sqlite3_stmt *stmt, int column);

/* lector.open(path [, opts]) and lector.core.reader(path). */
int lector_store_open_lua(lua_State *L);
int lector_reader_open_lua(lua_State *L);
/* lector.core.sandbox{...}: a plugin in its own sandboxed state. */
int lector_sandbox_open_lua(lua_State *L);
/* lector.lexicon{fold =} and lector.matcher(): new, empty ones. */
int lector_lexicon_new_lua(lua_State *L);
/* Push a new, empty Lexicon that takes its memory from L's allocator and
 * return its C lexicon. [-0, +1, m] */
lector_lexicon *lector_push_lexicon(lua_State *L, int fold);
/* Raise the failure err of an operation on lex: an allocation failure as
 * Lua's memory error, anything else as err's message. [-0, +0, v] */
int lector_lexicon_raise(lua_State *L, const lector_lexicon *lex, const lector_error *err);
int lector_matcher_new_lua(lua_State *L);
/* lector.valence{roles =, constants =}: a sentence scorer (registers its
 * type on first use, so any state that offers the function can call it). */
int lector_valence_new_lua(lua_State *L);
/* lector.names{gazetteer =, ...}: a name finder (registers its type on
 * first use, as lector.valence does). */
int lector_names_new_lua(lua_State *L);
/* lector.stemmer(language) (one cached Stemmer per language and state)
 * and lector.stemmer_languages(). */
int lector_stemmer_new_lua(lua_State *L);
int lector_stemmer_languages_lua(lua_State *L);
/* The stemmer of the Stemmer at idx; NULL when it is no Stemmer or is
 * closed. [-0, +0, -] */
struct lector_stemmer *lector_test_stemmer(lua_State *L, int idx);
/* lector.phrases{...} (docs/lua-api.md#phrases). */
int lector_phrases_new_lua(lua_State *L);
/* lector.core.expression(name): the lpeg.Cmt function of one pattern of
 * lector.patterns (lua_expressions.c); plugin states hand it to the
 * module when they load it. */
int lector_expression_matcher_lua(lua_State *L);
/* Push the table of expression e found in subject s, the value P.any
 * captures (lua_expressions.c). [-0, +1, m] */
struct lector_expression;
void lector_push_expression(lua_State *L, const char *s, const struct lector_expression *e);
/* lector.core.scanner{...}: lector.patterns.scanner, an expression scanner
 * (lua_scanner.c; registers its type on first use). */
int lector_scanner_new_lua(lua_State *L);
/* Push the lector.graph table {new, similarity, rank, mmr}. [-0, +1, m] */
void lector_push_graph_module(lua_State *L);
/* The lexicon behind argument arg, a live Lexicon; raises otherwise. */
struct lector_lexicon *lector_check_lexicon(lua_State *L, int arg);

/* A phrase of a lexicon found in a document: its first token (0-based), its
 * token count and its entry. */
typedef struct lector_lexicon_find {
  uint32_t token, len;
  const struct lector_lexicon_entry *entry;
} lector_lexicon_find;

/* The finds of a scan, in text order: items starts as room for cap finds
 * given by the caller; once they outgrow it they move to a userdata that
 * doubles, kept at stack slot keep (so an error leaves nothing to free). */
typedef struct lector_lexicon_finds {
  lua_State *L;
  lector_lexicon_find *items;
  size_t n, cap;
  int keep;
} lector_lexicon_finds;

/* Every phrase of lex in sentences [first, end) of doc (with all, the
 * overlapping ones too, as lector_lexicon_scan gives them) appended to
 * finds. [-0, +0, m] */
void lector_lexicon_find_all(const struct lector_lexicon *lex, const lector_doc *doc,
                             uint32_t first, uint32_t end, int all, lector_lexicon_finds *finds);
/* The same, for a matcher that keeps pointers into it: closing the Lexicon
 * then leaves its memory until it is collected. */
struct lector_lexicon *lector_pin_lexicon(lua_State *L, int arg);

/* What a state's Documents hand to their C documents (spans, values,
 * errors) can be counted against a limit; the sandbox sets one for each
 * plugin state. room() gives the bytes that may still be handed over and
 * raises when nothing more may be; charge() counts a result's bytes, or
 * raises without counting them when they are over the room; refuse()
 * raises for a result whose JSON alone would be over it. */
typedef struct lector_results_guard {
  size_t (*room)(lua_State *L);
  void (*charge)(lua_State *L, size_t bytes);
  int (*refuse)(lua_State *L, const char *what, size_t room);
} lector_results_guard;
/* Count every result L's Documents take with guard (static storage). [-0, +0, m] */
void lector_guard_document_results(lua_State *L, lector_results_guard *guard);
/* Push a new Document that takes over one reference to doc (which may be
 * NULL, to be filled in through the returned slot). [-0, +1, m] */
lector_doc **lector_push_document(lua_State *L, lector_doc *doc);
/* Tell the collector about the C memory of the document just put in slot
 * (lector_push_document's). [-0, +0, -] */
void lector_account_document(lua_State *L, lector_doc **slot);
/* Let go of the Document at arg now, not when it is collected (also its
 * __close and __gc): the object is dead from then on (lector_check_document
 * refuses it), and its C memory is freed once nothing else holds it, or,
 * while a C function holds it (lector_hold_document), when the last such
 * function is done with it. [-0, +0, v] */
void lector_release_document(lua_State *L, int arg);
/* The document of the Document at arg (NULL when arg is none or empty),
 * taken out of it with its reference: the Document is left empty (its
 * views die), so nothing of L keeps it. [-0, +0, -] */
lector_doc *lector_take_document(lua_State *L, int arg);
/* Empty the Document whose slot lector_push_document gave, once a call
 * it was handed to has returned (no C function of L can be using it then):
 * its document, and one released while held, are let go of now, so that
 * nothing of L keeps them. [-0, +0, -] */
void lector_drop_document(lua_State *L, lector_doc **slot);
/* The document behind argument arg; raises when it is not a live one. */
lector_doc *lector_check_document(lua_State *L, int arg);
/* The same, for a C function that may run Lua code while it uses the
 * document: a metamethod, a Lua call, or any allocation (the collector
 * may run a finalizer). Pushes the Document's hold, marked to be closed:
 * until the function returns (or an error unwinds it), a release of the
 * Document only marks it, and its memory goes when the last such function
 * is done. Nothing may then move the slots below the hold, and the
 * function's results go above it. [-0, +1, e] */
lector_doc *lector_hold_document(lua_State *L, int arg);
/* lector_check_sentences, holding the Document (of the Sentence) at arg
 * as lector_hold_document does. [-0, +1, e] */
const lector_doc *lector_hold_sentences(lua_State *L, int arg, uint32_t *first, uint32_t *end);
/* Sentences, tokens and spans are views: an index (0-based) into one of a
 * document's arrays. A view keeps its Document object alive (as its user
 * value) and borrows the C document through it, so when a Document is
 * invalidated — as a plugin's is at the end of each call — its views die
 * with it instead of keeping the text in memory. */
typedef struct lector_item {
  lector_doc *doc;          /* borrowed; valid while *slot == doc */
  lector_doc **slot;        /* the Document object's pointer */
  uint32_t index;
  uint32_t span_generation; /* doc's when made: a Span view is valid while it holds */
} lector_item;

/* Push item number index as a value of class; owner is the stack index of
 * the Document, or of another view of it. [-0, +1, m] */
void lector_push_item(lua_State *L, const char *class, int owner, uint32_t index);
lector_item *lector_check_item(lua_State *L, int arg, const char *class);
/* The document of the Document or Sentence at arg, and the sentences that
 * covers as [*first, *end): what lexicons and matchers search. */
const lector_doc *lector_check_sentences(lua_State *L, int arg, uint32_t *first, uint32_t *end);
/* Push a malloc'd string and free it, even when pushing raises. [-0, +1, e] */
int lector_push_owned_string(lua_State *L, char *s, size_t len);
/* Push a token's case-folded form (lector_token_fold). [-0, +1, e] */
void lector_push_folded(lua_State *L, const lector_doc *doc, const lector_token *t);
/* Push the slice [start, stop) of the document's text. [-0, +1, m] */
void lector_push_slice(lua_State *L, const lector_doc *doc, uint32_t start, uint32_t stop);

/* JSON for Lua values (lua_json.c). encode pushes the text, and raises
 * "WHAT cannot be stored as JSON: reason" on a value JSON cannot hold;
 * decode pushes the value, whole numbers as integers. [-0, +1, e] */
const char *lector_json_encode(lua_State *L, int idx, const char *what);
void lector_json_decode(lua_State *L, const char *json);
/* Push the value of member `name` of the JSON object json, decoded, and
 * return 1; return 0 and push nothing when the object has no such member.
 * Raises as lector_json_decode on text that is not JSON. [-0, +(0|1), e] */
int lector_json_push_member(lua_State *L, const char *json, const char *name, size_t name_len);
/* The same, but a text that would be longer than limit bytes is not built:
 * NULL is returned and nothing pushed. [-0, +(0|1), e] */
const char *lector_json_encode_limited(lua_State *L, int idx, const char *what, size_t limit);
/* The same, but a text shorter than size bytes is written to buf, NUL-
 * terminated, and buf returned with nothing pushed (a longer one is
 * pushed). *len gets the text's length. [-0, +(0|1), e] */
const char *lector_json_encode_into(lua_State *L, int idx, const char *what, size_t limit,
                                    char *buf, size_t size, size_t *len);
/* Push the lector.json table {encode, decode, null}. [-0, +1, e] */
void lector_open_json(lua_State *L);

/* The short name scripts see for a status, e.g. "utf8", "too_large". */
const char *lector_status_name(lector_status status);
/* Push nil, message, status name: the expected-failure return. [-0, +3, m] */
int lector_push_failure(lua_State *L, const char *prefix, const lector_error *err);

/* A table field as an optional string / integer / boolean, raising with the
 * argument position when it has the wrong type. */
const char *lector_opt_string_field(lua_State *L, int arg, const char *field);
/* Raise a failed allocation of C memory as a Lua memory error (kind
 * "memory" in a plugin); refused: the bytes refused, 0 when unknown. [-0, +0, v] */
int lector_raise_memory(lua_State *L, size_t refused, const char *doing);
/* The collector sees only an object's small userdata: let C memory that
 * grew from before to after bytes pay for a collector step in proportion.
 * [-0, +0, e] */
void lector_account_growth(lua_State *L, size_t before, size_t after);
lua_Integer lector_opt_integer_field(lua_State *L, int arg, const char *field, lua_Integer def);
int lector_opt_boolean_field(lua_State *L, int arg, const char *field);
/* A table field, pushed: returns its stack index, or 0 when the options at
 * arg (none, nil or a table) lack it, with nothing pushed; raises "field
 * 'NAME' must be a table" for another type. Raw access. [-0, +(0|1), v] */
int lector_opt_table_field(lua_State *L, int arg, const char *field);

#endif
