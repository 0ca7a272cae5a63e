/*
 * The `lector.core` module: constructors (doc, load, open, reader), file
 * system helpers for the loaders written in Lua, and the glue every binding
 * shares.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checksum.h"
#include "dirlist.h"
#include "host.h"
#include "lector_limits.h"
#include "lua_lector.h"
#include "store.h"



/* ---- shared glue ------------------------------------------------------ */

void lector_register_class(lua_State *L, const char *class, const luaL_Reg *metamethods,
                           const luaL_Reg *methods, lua_CFunction field_getter) {
  luaL_newmetatable(L, class);                 /* [mt] */
  luaL_setfuncs(L, metamethods, 0);
  lua_newtable(L);                             /* [mt, methods] */
  luaL_setfuncs(L, methods, 0);
  if (field_getter) lua_pushcclosure(L, field_getter, 1);  /* methods as upvalue 1 */
  lua_setfield(L, -2, "__index");              /* [mt] */
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
}

void lector_push_item(lua_State *L, const char *class, int owner, uint32_t index) {
  owner = lua_absindex(L, owner);
  lector_item *item = lua_newuserdatauv(L, sizeof *item, 1);    /* [item] */
  if (luaL_testudata(L, owner, LECTOR_DOCUMENT_CLASS)) lua_pushvalue(L, owner);
  else lua_getiuservalue(L, owner, 1);                          /* [item, Document] */
  item->slot = lua_touserdata(L, -1);
  item->doc = item->slot ? *item->slot : NULL;
  item->index = index;
  item->span_generation = item->doc ? item->doc->span_generation : 0;
  lua_setiuservalue(L, -2, 1);                                  /* [item] */
  luaL_setmetatable(L, class);
}

lector_item *lector_check_item(lua_State *L, int arg, const char *class) {
  lector_item *item = luaL_checkudata(L, arg, class);
  if (!item->slot || !item->doc || *item->slot != item->doc)
    luaL_argerror(L, arg, "its document was released");
  return item;
}

const lector_doc *lector_check_sentences(lua_State *L, int arg, uint32_t *first, uint32_t *end) {
  if (luaL_testudata(L, arg, LECTOR_SENTENCE_CLASS)) {
    lector_item *item = lector_check_item(L, arg, LECTOR_SENTENCE_CLASS);
    *first = item->index;
    *end = item->index + 1;
    return item->doc;
  }
  if (!luaL_testudata(L, arg, LECTOR_DOCUMENT_CLASS))
    luaL_typeerror(L, arg, "Document or Sentence");
  const lector_doc *doc = lector_check_document(L, arg);
  *first = 0;
  *end = (uint32_t)doc->seg.sentence_count;
  return doc;
}

typedef struct owned_string {
  const char *s;
  size_t len;
} owned_string;

static int push_owned(lua_State *L) {
  const owned_string *owned = lua_touserdata(L, 1);
  lua_pushlstring(L, owned->s, owned->len);
  return 1;
}

int lector_push_owned_string(lua_State *L, char *s, size_t len) {
  owned_string owned = {s, len};
  lua_pushcfunction(L, push_owned);
  lua_pushlightuserdata(L, &owned);
  int status = lua_pcall(L, 1, 1, 0);
  free(s);
  if (status != LUA_OK) return lua_error(L);
  return 1;
}

void lector_push_slice(lua_State *L, const lector_doc *doc, uint32_t start, uint32_t stop) {
  lua_pushlstring(L, doc->text + start, stop - start);
}

const char *lector_status_name(lector_status status) {
  switch (status) {
  case LECTOR_OK: return "ok";
  case LECTOR_ENOMEM: return "nomem";
  case LECTOR_EIO: return "io";
  case LECTOR_EEMPTY: return "empty";
  case LECTOR_EBINARY: return "binary";
  case LECTOR_EUTF8: return "utf8";
  case LECTOR_ETOOLARGE: return "too_large";
  case LECTOR_EDB: return "db";
  case LECTOR_ENOTDB: return "not_db";
  case LECTOR_ESCHEMA: return "schema";
  case LECTOR_EREADONLY: return "readonly";
  case LECTOR_EINVAL: return "invalid";
  }
  return "unknown";
}

int lector_push_failure(lua_State *L, const char *prefix, const lector_error *err) {
  lua_pushnil(L);
  if (prefix) lua_pushfstring(L, "%s: %s", prefix, err->message);
  else lua_pushstring(L, err->message);
  lua_pushstring(L, lector_status_name(err->status));
  return 3;
}

/* Option fields are read raw: an __index function on an options table must
 * not run, and a string read raw stays alive as long as the table holds it
 * (the table is an argument, so it is on the stack). */
const char *lector_opt_string_field(lua_State *L, int arg, const char *field) {
  if (lua_isnoneornil(L, arg)) return NULL;
  lua_pushstring(L, field);
  int type = lua_rawget(L, arg);
  if (type != LUA_TNIL && type != LUA_TSTRING)
    luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' must be a string", field));
  size_t len = 0;
  const char *value = lua_tolstring(L, -1, &len);
  lua_pop(L, 1);
  if (value && strlen(value) != len)
    luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' holds a NUL byte", field));
  if (value && lector_utf8_check(value, len) != len)
    luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' is not valid UTF-8", field));
  return value;
}

/* Under a memory limit, Lua is asked for one byte more than the whole
 * limit, so that the failure is Lua's own memory error, which the sandbox
 * reports with kind "memory"; without one, for the size refused (when
 * known). */
int lector_raise_memory(lua_State *L, size_t refused, const char *doing) {
  lector_host_usage usage;
  lector_host_usage_get(L, &usage);
  if (usage.limit || refused) lua_newuserdatauv(L, usage.limit ? usage.limit + 1 : refused, 0);
  return luaL_error(L, "out of memory %s", doing);
}

/* Growth under 1 KiB is not reported: LUA_GCSTEP with 0 is not "nothing"
 * but a whole basic step, and forcing one per small object kept the
 * collector cycling without pause (a pass making a graph per document ran
 * several times slower). */
void lector_account_growth(lua_State *L, size_t before, size_t after) {
  size_t kb = after > before ? (after - before) / 1024 : 0;
  if (kb > 0) lua_gc(L, LUA_GCSTEP, kb > INT32_MAX ? INT32_MAX : (int)kb);
}

lua_Integer lector_opt_integer_field(lua_State *L, int arg, const char *field, lua_Integer def) {
  if (lua_isnoneornil(L, arg)) return def;
  lua_pushstring(L, field);
  int type = lua_rawget(L, arg);
  int isint = 0;
  lua_Integer value = lua_tointegerx(L, -1, &isint);
  lua_pop(L, 1);
  if (type == LUA_TNIL) return def;
  if (!isint || type != LUA_TNUMBER)
    luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' must be an integer", field));
  return value;
}

int lector_opt_boolean_field(lua_State *L, int arg, const char *field) {
  if (lua_isnoneornil(L, arg)) return 0;
  lua_pushstring(L, field);
  lua_rawget(L, arg);
  int value = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return value;
}

int lector_opt_table_field(lua_State *L, int arg, const char *field) {
  if (lua_isnoneornil(L, arg)) return 0;
  lua_pushstring(L, field);
  int type = lua_rawget(L, arg);
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (type != LUA_TTABLE)
    luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' must be a table", field));
  return lua_gettop(L);
}

/* ---- constructors ------------------------------------------------------ */

/* What lector.doc and lector.load accept in their options table, read in
 * full before any text is touched, so a bad option cannot leak the text. */
typedef struct doc_opts {
  lector_text_opts text;
  const char *id, *source, *title, *meta_json;
  int guess_title;   /* no title given: take the text's first line */
} doc_opts;

/* [-0, +(0|1), e]: leaves the encoded meta on the stack when there is one. */
static void read_doc_opts(lua_State *L, int arg, doc_opts *opts) {
  memset(opts, 0, sizeof *opts);
  if (lua_isnoneornil(L, arg)) return;
  luaL_checktype(L, arg, LUA_TTABLE);
  opts->text.lossy = lector_opt_boolean_field(L, arg, "lossy");
  opts->guess_title = lector_opt_boolean_field(L, arg, "guess_title");
  lua_Integer max = lector_opt_integer_field(L, arg, "max_bytes", 0);
  if (max < 0) luaL_argerror(L, arg, "field 'max_bytes' must not be negative");
  opts->text.max_bytes = (size_t)max;
  opts->id = lector_opt_string_field(L, arg, "id");
  opts->source = lector_opt_string_field(L, arg, "source");
  opts->title = lector_opt_string_field(L, arg, "title");
  if (opts->id && (!*opts->id || strlen(opts->id) > LECTOR_MAX_NAME_BYTES))
    luaL_argerror(L, arg, "field 'id' must be 1 to 256 bytes");
  lua_pushliteral(L, "meta");
  int type = lua_rawget(L, arg);
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  if (type != LUA_TTABLE) luaL_argerror(L, arg, "field 'meta' must be a table");
  opts->meta_json = lector_json_encode(L, -1, "meta");
  if (opts->meta_json[0] != '{') luaL_argerror(L, arg, "field 'meta' must have string keys");
  lua_remove(L, -2);
}

/* Turn normalized text into a document held by *slot (a Document already
 * on the stack), freeing the text in every case. The id defaults to the
 * start of the text's hash, so the same text gets the same id. */
static lector_status fill_document(lector_doc **slot, lector_text *text, const doc_opts *opts,
                                   lector_error *err) {
  char hash_id[17] = "-";
  lector_status status = lector_doc_new(text, opts->id ? opts->id : hash_id, opts->source,
                                        opts->title, opts->meta_json, slot, err);
  lector_text_free(text);
  if (status != LECTOR_OK || opts->id) return status;
  lector_doc *doc = *slot;
  memcpy(hash_id, doc->sha256, 16);
  hash_id[16] = '\0';
  char *id = strdup(hash_id), *source = opts->source ? doc->source : strdup(hash_id);
  if (!id || !source) {
    free(id);
    if (source != doc->source) free(source);
    err->status = LECTOR_ENOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
    return LECTOR_ENOMEM;
  }
  free(doc->id);
  doc->id = id;
  if (source != doc->source) {
    free(doc->source);
    doc->source = source;
  }
  return LECTOR_OK;
}

/* lector.doc(text [, opts]) -> Document | nil, message, status */
LECTOR_FUNCTION(core, doc) {
  size_t len;
  const char *raw = luaL_checklstring(L, 1, &len);
  doc_opts opts;
  read_doc_opts(L, 2, &opts);
  lector_doc **slot = lector_push_document(L, NULL);
  lector_text text = {0};
  lector_error err = {0};
  if (lector_text_normalize(raw, len, &opts.text, &text, &err) != LECTOR_OK)
    return lector_push_failure(L, NULL, &err);
  char *guessed = !opts.title && opts.guess_title ? lector_doc_guess_title(text.data, text.len)
                                                  : NULL;
  if (guessed) opts.title = guessed;
  lector_status status = fill_document(slot, &text, &opts, &err);
  free(guessed);
  if (status != LECTOR_OK) return lector_push_failure(L, NULL, &err);
  lector_account_document(L, slot);
  return 1;
}

/* lector.load(path [, opts]) -> Document | nil, message, status
 * The id and source default to the path; a plain-text file's title is its
 * first line unless opts.title says otherwise. */
LECTOR_FUNCTION(core, load) {
  const char *path = luaL_checkstring(L, 1);
  doc_opts opts;
  read_doc_opts(L, 2, &opts);
  if (!opts.id) opts.id = path;
  if (!opts.source) opts.source = path;
  lector_doc **slot = lector_push_document(L, NULL);
  char *raw = NULL;
  size_t len = 0;
  lector_text text = {0};
  lector_error err = {0};
  lector_status status = lector_text_read_file(path, &opts.text, &raw, &len, &err);
  if (status == LECTOR_OK) status = lector_text_normalize(raw, len, &opts.text, &text, &err);
  free(raw);
  if (status != LECTOR_OK) return lector_push_failure(L, path, &err);
  char *guessed = opts.title ? NULL : lector_doc_guess_title(text.data, text.len);
  opts.title = opts.title ? opts.title : guessed;
  status = fill_document(slot, &text, &opts, &err);
  free(guessed);
  if (status != LECTOR_OK) return lector_push_failure(L, path, &err);
  lector_account_document(L, slot);
  return 1;
}

static const char *path_kind(const char *path) {
  struct stat st;
  /* lstat: a link is reported as such and never followed into a corpus. */
  if (lstat(path, &st) != 0) return "other";
  if (S_ISDIR(st.st_mode)) return "dir";
  if (S_ISREG(st.st_mode)) return "file";
  if (S_ISLNK(st.st_mode)) return "link";
  return "other";
}

typedef struct listing {
  const char *path;
  char **names;
  size_t count;
} listing;

/* Build the entries table from a listing; runs protected, so the caller
 * frees the names whether or not this raises. */
static int push_listing(lua_State *L) {
  const listing *list = lua_touserdata(L, 1);
  lua_createtable(L, (int)list->count, 0);
  for (size_t i = 0; i < list->count; i++) {
    lua_createtable(L, 0, 2);
    lua_pushstring(L, list->names[i]);
    lua_setfield(L, -2, "name");
    const char *child = lua_pushfstring(L, "%s/%s", list->path, list->names[i]);
    lua_pushstring(L, path_kind(child));
    lua_setfield(L, -3, "kind");
    lua_pop(L, 1);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* lector.core.listdir(path) -> {{name=, kind=}...} sorted by name
 *                           | nil, message, "io"
 * kind is "file", "dir", "link" (never followed) or "other". */
LECTOR_FUNCTION(core, listdir) {
  const char *path = luaL_checkstring(L, 1);
  listing list = {.path = path};
  int error = lector_dirlist(path, &list.names, &list.count);
  if (error == ENOMEM) return luaL_error(L, "out of memory listing %s", path);
  if (error) {
    lector_error err = {.status = LECTOR_EIO};
    snprintf(err.message, sizeof err.message, "cannot read directory: %s", strerror(error));
    return lector_push_failure(L, path, &err);
  }
  lua_pushcfunction(L, push_listing);
  lua_pushlightuserdata(L, &list);
  int status = lua_pcall(L, 1, 1, 0);
  lector_dirlist_free(list.names, list.count);
  if (status != LUA_OK) return lua_error(L);
  return 1;
}

/* lector.core.kind(path) -> "file" | "dir" | "other", size in bytes |
 * nil, message, "io" (follows links: a path the user names is taken as
 * meant) */
LECTOR_FUNCTION(core, kind) {
  const char *path = luaL_checkstring(L, 1);
  struct stat st;
  if (stat(path, &st) != 0) {
    lector_error err = {.status = LECTOR_EIO};
    snprintf(err.message, sizeof err.message, "%s", strerror(errno));
    return lector_push_failure(L, path, &err);
  }
  lua_pushstring(L, S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : "other");
  lua_pushinteger(L, (lua_Integer)st.st_size);
  return 2;
}

/* lector.core.mkdirs(path) -> true | nil, message, "io": create a folder
 * and its missing parents. */
LECTOR_FUNCTION(core, mkdirs) {
  size_t len;
  const char *path = luaL_checklstring(L, 1, &len);
  luaL_Buffer b;
  char *prefix = luaL_buffinitsize(L, &b, len + 1);
  memcpy(prefix, path, len + 1);
  for (size_t i = 1; i <= len; i++) {
    if (prefix[i] != '/' && prefix[i] != '\0') continue;
    char saved = prefix[i];
    prefix[i] = '\0';
    struct stat st;
    int failed = mkdir(prefix, 0777) != 0 &&
                 (errno != EEXIST || stat(prefix, &st) != 0 || !S_ISDIR(st.st_mode));
    if (failed && errno == 0) errno = ENOTDIR;
    prefix[i] = saved;
    if (failed) {
      lector_error err = {.status = LECTOR_EIO};
      snprintf(err.message, sizeof err.message, "cannot create folder: %s", strerror(errno));
      return lector_push_failure(L, path, &err);
    }
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* Push the checksum's hex and its {path = sha256} table; runs protected so
 * the caller frees the C lists either way. */
static int push_checksum(lua_State *L) {
  const lector_checksum *sum = lua_touserdata(L, 1);
  lua_pushstring(L, sum->sha256);
  lua_createtable(L, 0, (int)sum->count);
  for (size_t i = 0; i < sum->count; i++) {
    lua_pushstring(L, sum->files[i].sha256);
    lua_setfield(L, -2, sum->files[i].path);
  }
  return 2;
}

/* lector.core.checksum(path) -> hex, {relative path = hex} | nil, message,
 * "io": what a lock file pins a plugin file or folder by. */
LECTOR_FUNCTION(core, checksum) {
  const char *path = luaL_checkstring(L, 1);
  lector_checksum sum;
  lector_error err = {0};
  if (lector_checksum_path(path, &sum, &err) != LECTOR_OK) return lector_push_failure(L, NULL, &err);
  lua_pushcfunction(L, push_checksum);
  lua_pushlightuserdata(L, &sum);
  int status = lua_pcall(L, 1, 2, 0);
  lector_checksum_free(&sum);
  if (status != LUA_OK) return lua_error(L);
  return 2;
}

/* lector.core.copy_results(dst, src, {run_id...}): the spans and values of
 * src those runs produced, added to dst (the same text). */
LECTOR_FUNCTION(core, copy_results) {
  lector_check_document(L, 1);
  lector_check_document(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  lua_Integer n = (lua_Integer)lua_rawlen(L, 3);
  int64_t *ids = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *ids, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, 3, i);
    ids[i - 1] = lua_tointeger(L, -1);
    lua_pop(L, 1);
  }
  /* Looked up again: making the list may collect. */
  lector_doc *dst = lector_check_document(L, 1);
  lector_doc *src = lector_check_document(L, 2);
  lector_status status = lector_doc_copy_results(dst, src, ids, (size_t)n);
  if (status == LECTOR_EINVAL) return luaL_argerror(L, 2, "not the same text");
  if (status != LECTOR_OK) return luaL_error(L, "out of memory copying results");
  return 0;
}

/* lector.core.bundled_plugin_dirs() -> {folder...}: where the plugins that
 * come with lector are, found from the executable's own place so that an
 * installed lector (PREFIX/bin -> PREFIX/share/lector/plugins) and one in
 * its build folder (BUILD -> BUILD/share/lector/plugins) both find theirs.
 * $LECTOR_BUNDLED_PLUGINS overrides. */
LECTOR_FUNCTION(core, bundled_plugin_dirs) {
  lua_newtable(L);
  const char *override = getenv("LECTOR_BUNDLED_PLUGINS");
  if (override && *override) {
    lua_pushstring(L, override);
    lua_rawseti(L, -2, 1);
    return 1;
  }
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return 1;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash) return 1;
  *slash = '\0';
  static const char *const relative[] = {"/share/lector/plugins", "/../share/lector/plugins"};
  lua_Integer count = 0;
  for (size_t i = 0; i < sizeof relative / sizeof *relative; i++) {
    const char *dir = lua_pushfstring(L, "%s%s", exe, relative[i]);
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) lua_rawseti(L, -2, ++count);
    else lua_pop(L, 1);
  }
  return 1;
}

/* lector.core.release(doc): the engine is done with doc; free its memory
 * now rather than when the collector finds it. */
LECTOR_FUNCTION(core, release) {
  lector_release_document(L, 1);
  return 0;
}

/* lector.core.document_memory() -> bytes of C memory held by the Documents
 * of this state, as the collector is told of them */
LECTOR_FUNCTION(core, document_memory) {
  lua_pushinteger(L, (lua_Integer)lector_host_unseen(L, 0, 0));
  return 1;
}

static const luaL_Reg core_functions[] = {
  LECTOR_ENTRY(core, bundled_plugin_dirs),
  LECTOR_ENTRY(core, release),
  LECTOR_ENTRY(core, document_memory),
  LECTOR_ENTRY(core, checksum),
  LECTOR_ENTRY(core, copy_results),
  LECTOR_ENTRY(core, mkdirs),
  LECTOR_ENTRY(core, doc),
  LECTOR_ENTRY(core, load),
  LECTOR_ENTRY(core, listdir),
  LECTOR_ENTRY(core, kind),
  {"open", lector_store_open_lua},
  {"reader", lector_reader_open_lua},
  {"sandbox", lector_sandbox_open_lua},
  {"lexicon", lector_lexicon_new_lua},
  {"matcher", lector_matcher_new_lua},
  {"valence", lector_valence_new_lua},
  {"names", lector_names_new_lua},
  {"stemmer", lector_stemmer_new_lua},
  {"stemmer_languages", lector_stemmer_languages_lua},
  {"phrases", lector_phrases_new_lua},
  {"expression", lector_expression_matcher_lua},
  {"scanner", lector_scanner_new_lua},
  {NULL, NULL}
};

int luaopen_lector_core(lua_State *L) {
  lector_open_document(L);
  lector_open_sentence(L);
  lector_open_token(L);
  lector_open_span(L);
  lector_open_store(L);
  lector_open_rows(L);
  lector_open_reader(L);
  lector_open_plugin(L);
  lector_open_lexicon(L);
  lector_open_matcher(L);
  lector_open_valence(L);
  lector_open_names(L);
  lector_open_stemmer(L);
  lector_open_graph(L);
  lector_open_phrases(L);
  lector_open_scanner(L);
  lector_open_pool(L);
  luaL_newlib(L, core_functions);
  lector_open_process(L);
  lector_push_graph_module(L);
  lua_setfield(L, -2, "graph");
  lector_open_json(L);
  lua_setfield(L, -2, "json");
  lector_open_archive(L);
  lua_pushstring(L, lector_version());
  lua_setfield(L, -2, "version");
  lua_pushinteger(L, (lua_Integer)LECTOR_DEFAULT_MAX_DOC_BYTES);
  lua_setfield(L, -2, "default_max_bytes");
  return 1;
}
