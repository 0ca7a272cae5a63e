/*
 * The checksum of a plugin: one sha256 over a file, or over a folder's
 * files (their relative paths, sizes and contents, in name order, hidden
 * files included). The lock file pins plugins by it, so any change to code
 * or data changes it. A link anywhere is refused: what it points to could
 * change without the checksum seeing it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "checksum.h"
#include "dirlist.h"
#include "lector_limits.h"

static lector_status fail(lector_error *err, const char *path, const char *what) {
  if (err) {
    err->status = LECTOR_EIO;
    snprintf(err->message, sizeof err->message, "%.160s: %.80s", path, what);
  }
  return LECTOR_EIO;
}

typedef struct walk {
  crypto_hash_sha256_state total;
  lector_checksum_file *files;
  size_t count, cap;
} walk;

static lector_status add_file(walk *w, const char *name, const unsigned char *digest,
                              lector_error *err) {
  if (w->count == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 16;
    lector_checksum_file *grown = realloc(w->files, cap * sizeof *grown);
    if (!grown) return fail(err, name, "out of memory");
    w->files = grown;
    w->cap = cap;
  }
  lector_checksum_file *f = &w->files[w->count];
  if (!(f->path = strdup(name))) return fail(err, name, "out of memory");
  sodium_bin2hex(f->sha256, sizeof f->sha256, digest, crypto_hash_sha256_BYTES);
  w->count++;
  return LECTOR_OK;
}

static lector_status hash_file(walk *w, const char *path, const char *name, lector_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return fail(err, path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return fail(err, path, "not a regular file");
  }
  char header[64];
  int n = snprintf(header, sizeof header, "%lld", (long long)st.st_size);
  crypto_hash_sha256_update(&w->total, (const unsigned char *)name, strlen(name) + 1);
  crypto_hash_sha256_update(&w->total, (const unsigned char *)header, (size_t)n + 1);
  crypto_hash_sha256_state own;
  crypto_hash_sha256_init(&own);
  unsigned char buf[65536];
  ssize_t got;
  while ((got = read(fd, buf, sizeof buf)) != 0) {
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      close(fd);
      return fail(err, path, strerror(errno));
    }
    crypto_hash_sha256_update(&w->total, buf, (size_t)got);
    crypto_hash_sha256_update(&own, buf, (size_t)got);
  }
  close(fd);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&own, digest);
  return add_file(w, name, digest, err);
}

/* Hash a folder's files under their paths relative to the plugin's root
 * (prefix). depth bounds how deep a tree is followed. */
static lector_status hash_dir(walk *w, const char *path, const char *prefix, int depth,
                              lector_error *err) {
  if (depth > LECTOR_CHECKSUM_MAX_DEPTH) return fail(err, path, "folders nested too deep");
  char **names = NULL;
  size_t count = 0;
  int error = lector_dirlist(path, &names, &count);
  if (error) return fail(err, path, strerror(error));
  lector_status status = LECTOR_OK;
  for (size_t i = 0; status == LECTOR_OK && i < count; i++) {
    char child[4096], name[4096];
    int a = snprintf(child, sizeof child, "%s/%s", path, names[i]);
    int b = snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "/" : "", names[i]);
    if (a < 0 || b < 0 || (size_t)a >= sizeof child || (size_t)b >= sizeof name) {
      status = fail(err, path, "a path is too long");
      break;
    }
    struct stat st;
    if (lstat(child, &st) != 0) status = fail(err, child, strerror(errno));
    else if (S_ISLNK(st.st_mode)) status = fail(err, child, "is a link; a plugin may not hold links");
    else if (S_ISDIR(st.st_mode)) status = hash_dir(w, child, name, depth + 1, err);
    else if (S_ISREG(st.st_mode)) status = hash_file(w, child, name, err);
    else status = fail(err, child, "is not a regular file");
  }
  lector_dirlist_free(names, count);
  return status;
}

void lector_checksum_free(lector_checksum *sum) {
  for (size_t i = 0; i < sum->count; i++) free(sum->files[i].path);
  free(sum->files);
  memset(sum, 0, sizeof *sum);
}

lector_status lector_checksum_path(const char *path, lector_checksum *sum, lector_error *err) {
  memset(sum, 0, sizeof *sum);
  struct stat st;
  if (lstat(path, &st) != 0) return fail(err, path, strerror(errno));
  if (S_ISLNK(st.st_mode)) return fail(err, path, "is a link; a plugin may not be a link");
  walk w = {0};
  crypto_hash_sha256_init(&w.total);
  const char *base = strrchr(path, '/');
  lector_status status = S_ISDIR(st.st_mode) ? hash_dir(&w, path, "", 0, err)
                                              : hash_file(&w, path, base ? base + 1 : path, err);
  sum->files = w.files;
  sum->count = w.count;
  if (status != LECTOR_OK) {
    lector_checksum_free(sum);
    return status;
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&w.total, digest);
  sodium_bin2hex(sum->sha256, sizeof sum->sha256, digest, sizeof digest);
  return LECTOR_OK;
}
