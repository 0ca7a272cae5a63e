/*
 * The checksum of a plugin: one sha256 over a file, or over a folder's
 * files (their relative paths, sizes and contents, in name order, hidden
 * files included). The lock file pins plugins by it, so any change to code
 * or data changes it. A link anywhere is refused: what it points to could
 * change without the checksum seeing it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "checksum.h"
#include "lector_limits.h"

static lector_status fail(lector_error *err, const char *path, const char *what) {
  if (err) {
    err->status = LECTOR_EIO;
    snprintf(err->message, sizeof err->message, "%.160s: %.80s", path, what);
  }
  return LECTOR_EIO;
}

static lector_status hash_file(crypto_hash_sha256_state *state, const char *path,
                               const char *name, lector_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return fail(err, path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return fail(err, path, "not a regular file");
  }
  char header[64];
  int n = snprintf(header, sizeof header, "%lld", (long long)st.st_size);
  crypto_hash_sha256_update(state, (const unsigned char *)name, strlen(name) + 1);
  crypto_hash_sha256_update(state, (const unsigned char *)header, (size_t)n + 1);
  unsigned char buf[65536];
  ssize_t got;
  while ((got = read(fd, buf, sizeof buf)) != 0) {
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      close(fd);
      return fail(err, path, strerror(errno));
    }
    crypto_hash_sha256_update(state, buf, (size_t)got);
  }
  close(fd);
  return LECTOR_OK;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hash a folder's files under their paths relative to the plugin's root
 * (prefix). depth bounds how deep a tree is followed. */
static lector_status hash_dir(crypto_hash_sha256_state *state, const char *path,
                              const char *prefix, int depth, lector_error *err) {
  if (depth > LECTOR_CHECKSUM_MAX_DEPTH) return fail(err, path, "folders nested too deep");
  DIR *dir = opendir(path);
  if (!dir) return fail(err, path, strerror(errno));
  char **names = NULL;
  size_t count = 0, cap = 0;
  struct dirent *entry;
  lector_status status = LECTOR_OK;
  while ((entry = readdir(dir))) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 32;
      char **grown = realloc(names, cap * sizeof *names);
      if (!grown) { status = fail(err, path, "out of memory"); break; }
      names = grown;
    }
    if (!(names[count] = strdup(entry->d_name))) { status = fail(err, path, "out of memory"); break; }
    count++;
  }
  closedir(dir);
  if (status == LECTOR_OK) qsort(names, count, sizeof *names, compare_names);
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
    else if (S_ISDIR(st.st_mode)) status = hash_dir(state, child, name, depth + 1, err);
    else if (S_ISREG(st.st_mode)) status = hash_file(state, child, name, err);
    else status = fail(err, child, "is not a regular file");
  }
  for (size_t i = 0; i < count; i++) free(names[i]);
  free(names);
  return status;
}

lector_status lector_checksum_path(const char *path, char hex[65], lector_error *err) {
  struct stat st;
  if (lstat(path, &st) != 0) return fail(err, path, strerror(errno));
  if (S_ISLNK(st.st_mode)) return fail(err, path, "is a link; a plugin may not be a link");
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  const char *base = strrchr(path, '/');
  lector_status status = S_ISDIR(st.st_mode)
                             ? hash_dir(&state, path, "", 0, err)
                             : hash_file(&state, path, base ? base + 1 : path, err);
  if (status != LECTOR_OK) return status;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  sodium_bin2hex(hex, 65, digest, sizeof digest);
  return LECTOR_OK;
}
