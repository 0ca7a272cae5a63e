/*
 * lector.core functions for plugin sharing: pack, verify and extract
 * archives, make ed25519 keys, write a secret key file, remove a folder.
 * Refusals are expected failures: nil, message, status.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lector_archive.h"
#include "lua_lector.h"

/* Build the info table: {files = {{path=, size=, sha256=}...}, total=,
 * signed=, key=}. Runs protected, so the caller frees info either way. */
static int push_info_table(lua_State *L) {
  const lector_archive_info *info = lua_touserdata(L, 1);
  luaL_checkstack(L, 4, "archive info");
  lua_createtable(L, 0, 4);
  lua_createtable(L, (int)info->count, 0);                /* [info, files] */
  for (size_t i = 0; i < info->count; i++) {
    const lector_archive_member *m = &info->members[i];
    lua_createtable(L, 0, 3);
    lua_pushstring(L, m->path);
    lua_setfield(L, -2, "path");
    lua_pushinteger(L, (lua_Integer)m->size);
    lua_setfield(L, -2, "size");
    lua_pushstring(L, m->sha256);
    lua_setfield(L, -2, "sha256");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "files");
  lua_pushinteger(L, (lua_Integer)info->total);
  lua_setfield(L, -2, "total");
  lua_pushboolean(L, info->is_signed);
  lua_setfield(L, -2, "signed");
  if (info->is_signed) {
    lua_pushstring(L, info->signer);
    lua_setfield(L, -2, "key");
  }
  return 1;
}

/* Push the info table (or the failure) and free info. */
static int finish(lua_State *L, lector_status status, lector_archive_info *info,
                  const char *prefix, const lector_error *err) {
  if (status != LECTOR_OK) {
    lector_archive_info_free(info);
    return lector_push_failure(L, prefix, err);
  }
  lua_pushcfunction(L, push_info_table);
  lua_pushlightuserdata(L, info);
  int called = lua_pcall(L, 1, 1, 0);
  lector_archive_info_free(info);
  if (called != LUA_OK) return lua_error(L);
  return 1;
}

/* Decode a hex key of exactly `bytes` bytes; raises on a malformed key
 * (keys come from files lector wrote, so a bad one is misuse). */
static void check_hex_key(lua_State *L, int arg, unsigned char *key, size_t bytes) {
  size_t len;
  const char *hex = luaL_checklstring(L, arg, &len);
  size_t got = 0;
  if (len != 2 * bytes || sodium_hex2bin(key, bytes, hex, len, NULL, &got, NULL) != 0 ||
      got != bytes)
    luaL_argerror(L, arg, lua_pushfstring(L, "a key of %d hex digits expected", (int)(2 * bytes)));
}

/* core.pack(dir, out_path [, secret_hex]) -> info | nil, message, status */
LECTOR_FUNCTION(core, pack) {
  const char *dir = luaL_checkstring(L, 1);
  const char *out_path = luaL_checkstring(L, 2);
  unsigned char secret[LECTOR_SECRET_KEY_BYTES];
  int sign = !lua_isnoneornil(L, 3);
  if (sign) check_hex_key(L, 3, secret, sizeof secret);
  lector_archive_info info = {0};
  lector_error err = {0};
  lector_status status = lector_archive_pack(dir, out_path, sign ? secret : NULL, &info, &err);
  sodium_memzero(secret, sizeof secret);
  return finish(L, status, &info, dir, &err);
}

/* core.verify(archive) -> info | nil, message, status. Writes nothing. */
LECTOR_FUNCTION(core, verify) {
  const char *path = luaL_checkstring(L, 1);
  lector_archive_info info = {0};
  lector_error err = {0};
  lector_status status = lector_archive_verify(path, &info, &err);
  return finish(L, status, &info, path, &err);
}

/* core.extract(archive, dest) -> info | nil, message, status. dest must
 * not exist yet; it appears complete or not at all. */
LECTOR_FUNCTION(core, extract) {
  const char *path = luaL_checkstring(L, 1);
  const char *dest = luaL_checkstring(L, 2);
  lector_archive_info info = {0};
  lector_error err = {0};
  lector_status status = lector_archive_extract(path, dest, &info, &err);
  return finish(L, status, &info, path, &err);
}

/* core.keygen() -> public_hex, secret_hex */
LECTOR_FUNCTION(core, keygen) {
  unsigned char pk[LECTOR_PUBLIC_KEY_BYTES], sk[LECTOR_SECRET_KEY_BYTES];
  char pk_hex[LECTOR_PUBLIC_KEY_HEX + 1], sk_hex[LECTOR_SECRET_KEY_HEX + 1];
  lector_error err = {0};
  if (lector_archive_keygen(pk, sk, &err) != LECTOR_OK) return lector_push_failure(L, NULL, &err);
  sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
  sodium_bin2hex(sk_hex, sizeof sk_hex, sk, sizeof sk);
  sodium_memzero(sk, sizeof sk);
  lua_pushstring(L, pk_hex);
  lua_pushstring(L, sk_hex);
  sodium_memzero(sk_hex, sizeof sk_hex);
  return 2;
}

/* core.public_key(secret_hex) -> the public key's hex */
LECTOR_FUNCTION(core, public_key) {
  unsigned char sk[LECTOR_SECRET_KEY_BYTES], pk[LECTOR_PUBLIC_KEY_BYTES];
  char pk_hex[LECTOR_PUBLIC_KEY_HEX + 1];
  check_hex_key(L, 1, sk, sizeof sk);
  crypto_sign_ed25519_sk_to_pk(pk, sk);
  sodium_memzero(sk, sizeof sk);
  sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
  lua_pushstring(L, pk_hex);
  return 1;
}

/* core.write_private(path, text) -> true | nil, message, "io": create a
 * file only its owner can read; an existing file is never replaced. */
LECTOR_FUNCTION(core, write_private) {
  const char *path = luaL_checkstring(L, 1);
  size_t len;
  const char *text = luaL_checklstring(L, 2, &len);
  lector_error err = {.status = LECTOR_EIO};
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    snprintf(err.message, sizeof err.message, "cannot create: %s", strerror(errno));
    return lector_push_failure(L, path, &err);
  }
  ssize_t n;
  do n = write(fd, text, len);
  while (n < 0 && errno == EINTR);
  int failed = n != (ssize_t)len;
  int saved = errno;
  if (close(fd) != 0 && !failed) {
    failed = 1;
    saved = errno;
  }
  if (failed) {
    unlink(path);
    snprintf(err.message, sizeof err.message, "cannot write: %s", strerror(saved));
    return lector_push_failure(L, path, &err);
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* core.remove_tree(path) -> true | nil, message, "io" (links are removed,
 * never followed; a missing path is fine) */
LECTOR_FUNCTION(core, remove_tree) {
  const char *path = luaL_checkstring(L, 1);
  lector_error err = {0};
  if (lector_archive_remove_tree(path, &err) != LECTOR_OK)
    return lector_push_failure(L, NULL, &err);
  lua_pushboolean(L, 1);
  return 1;
}

static const luaL_Reg archive_functions[] = {
  LECTOR_ENTRY(core, pack),
  LECTOR_ENTRY(core, verify),
  LECTOR_ENTRY(core, extract),
  LECTOR_ENTRY(core, keygen),
  LECTOR_ENTRY(core, public_key),
  LECTOR_ENTRY(core, write_private),
  LECTOR_ENTRY(core, remove_tree),
  {NULL, NULL}
};

void lector_open_archive(lua_State *L) {
  luaL_setfuncs(L, archive_functions, 0);
}
