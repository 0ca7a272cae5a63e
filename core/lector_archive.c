/*
 * Plugin archives. An archive is read into memory once and walked twice
 * from that same buffer: a first walk checks every member and the
 * manifest without writing anything, a second one writes into a fresh
 * temporary folder. So what is written is exactly what was verified, even
 * if the file on disk changes in between.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "lector_archive.h"
#include "lector_limits.h"

#define IO_CHUNK 65536
#define SHA256_BYTES 32

static lector_status fail(lector_error *err, lector_status status, const char *format, ...)
  __attribute__((format(printf, 3, 4)));

static lector_status fail(lector_error *err, lector_status status, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  vsnprintf(err->message, sizeof err->message, format, ap);
  va_end(ap);
  err->status = status;
  return status;
}

static lector_status fail_nomem(lector_error *err) {
  return fail(err, LECTOR_ENOMEM, "out of memory");
}

void lector_archive_info_free(lector_archive_info *info) {
  if (!info) return;
  for (size_t i = 0; i < info->count; i++) free(info->members[i].path);
  free(info->members);
  memset(info, 0, sizeof *info);
}

static void hex_digest(const unsigned char digest[SHA256_BYTES], char hex[65]) {
  sodium_bin2hex(hex, 65, digest, SHA256_BYTES);
}

/* ---- member names --------------------------------------------------------- */

/* A tar writer may start names with "./"; the rest of the name is the
 * member's path. */
static const char *strip_dot_slash(const char *path) {
  while (path[0] == '.' && path[1] == '/') path += 2;
  return path;
}

/* Check one member path; is_dir allows one trailing '/'. The message
 * names the member, so a refusal says what to look at. */
static lector_status check_name(const char *path, int is_dir, lector_error *err) {
  size_t len = strlen(path);
  if (is_dir && len > 0 && path[len - 1] == '/') len--;
  if (len == 0) return fail(err, LECTOR_EINVAL, "a member has an empty name");
  if (len > LECTOR_ARCHIVE_MAX_PATH)
    return fail(err, LECTOR_EINVAL, "member '%.60s...': name longer than %d bytes", path,
                LECTOR_ARCHIVE_MAX_PATH);
  if (path[0] == '/') return fail(err, LECTOR_EINVAL, "member '%s': absolute path", path);
  int depth = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)path[i];
    if (c == '\\') return fail(err, LECTOR_EINVAL, "member '%s': backslash in name", path);
    if (c < 0x20 || c == 0x7f)
      return fail(err, LECTOR_EINVAL, "member '%s': control character in name", path);
    if (c == '/') depth++;
  }
  if (depth >= LECTOR_ARCHIVE_MAX_DEPTH)
    return fail(err, LECTOR_EINVAL, "member '%s': more than %d folders deep", path,
                LECTOR_ARCHIVE_MAX_DEPTH);
  if (utf8proc_decompose((const utf8proc_uint8_t *)path, (utf8proc_ssize_t)len, NULL, 0, 0) < 0)
    return fail(err, LECTOR_EINVAL, "member '%s': name is not valid UTF-8", path);
  for (size_t start = 0; start <= len;) {
    const char *slash = memchr(path + start, '/', len - start);
    size_t stop = slash ? (size_t)(slash - path) : len;
    size_t part = stop - start;
    if (part == 0) return fail(err, LECTOR_EINVAL, "member '%s': empty folder name", path);
    if (part == 2 && path[start] == '.' && path[start + 1] == '.')
      return fail(err, LECTOR_EINVAL, "member '%s': '..' in path", path);
    if (part == 1 && path[start] == '.')
      return fail(err, LECTOR_EINVAL, "member '%s': '.' in path", path);
    start = stop + 1;
  }
  return LECTOR_OK;
}

/* A name as it compares on a case-insensitive file system: case-folded and
 * composed. malloc'd; NULL when out of memory. */
static char *fold_name(const char *path) {
  utf8proc_uint8_t *folded = NULL;
  utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)path, 0, &folded,
                                    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                    UTF8PROC_CASEFOLD);
  if (n < 0) return NULL;
  return (char *)folded;
}

typedef struct name_entry {
  char *name;     /* without a trailing '/' */
  char *folded;
  int is_dir;
} name_entry;

typedef struct name_list {
  name_entry *items;
  size_t count, cap;
} name_list;

static void names_free(name_list *names) {
  for (size_t i = 0; i < names->count; i++) {
    free(names->items[i].name);
    free(names->items[i].folded);
  }
  free(names->items);
  memset(names, 0, sizeof *names);
}

static lector_status names_add(name_list *names, const char *path, int is_dir,
                               lector_error *err) {
  if (names->count == names->cap) {
    size_t cap = names->cap ? names->cap * 2 : 32;
    name_entry *grown = realloc(names->items, cap * sizeof *grown);
    if (!grown) return fail_nomem(err);
    names->items = grown;
    names->cap = cap;
  }
  size_t len = strlen(path);
  if (is_dir && len > 0 && path[len - 1] == '/') len--;
  name_entry *entry = &names->items[names->count];
  entry->name = strndup(path, len);
  entry->folded = entry->name ? fold_name(entry->name) : NULL;
  entry->is_dir = is_dir;
  if (!entry->folded) {
    free(entry->name);
    return fail_nomem(err);
  }
  names->count++;
  return LECTOR_OK;
}

static int compare_folded(const void *a, const void *b) {
  const name_entry *x = a, *y = b;
  int c = strcmp(x->folded, y->folded);
  return c ? c : strcmp(x->name, y->name);
}

/* Two entries that would land on the same file, on a case-sensitive or a
 * case-insensitive file system. The same folder listed twice is harmless. */
static lector_status check_collisions(name_list *names, lector_error *err) {
  if (names->count < 2) return LECTOR_OK;
  qsort(names->items, names->count, sizeof *names->items, compare_folded);
  for (size_t i = 1; i < names->count; i++) {
    const name_entry *a = &names->items[i - 1], *b = &names->items[i];
    if (strcmp(a->folded, b->folded) != 0) continue;
    if (strcmp(a->name, b->name) == 0) {
      if (a->is_dir && b->is_dir) continue;
      return fail(err, LECTOR_EINVAL, "member '%s': duplicate name", b->name);
    }
    return fail(err, LECTOR_EINVAL, "members '%s' and '%s': names differ only in case", a->name,
                b->name);
  }
  return LECTOR_OK;
}

/* ---- the member list and the manifest ---------------------------------------- */

static lector_status add_member(lector_archive_info *info, size_t *cap, const char *path,
                                uint64_t size, const char sha256[65], lector_error *err) {
  if (info->count == *cap) {
    size_t grown_cap = *cap ? *cap * 2 : 32;
    lector_archive_member *grown = realloc(info->members, grown_cap * sizeof *grown);
    if (!grown) return fail_nomem(err);
    info->members = grown;
    *cap = grown_cap;
  }
  lector_archive_member *m = &info->members[info->count];
  if (!(m->path = strdup(path))) return fail_nomem(err);
  m->size = size;
  memcpy(m->sha256, sha256, 65);
  info->count++;
  info->total += size;
  return LECTOR_OK;
}

static int compare_members(const void *a, const void *b) {
  return strcmp(((const lector_archive_member *)a)->path,
                ((const lector_archive_member *)b)->path);
}

static int is_reserved(const char *path) {
  return strcmp(path, LECTOR_ARCHIVE_MANIFEST) == 0 || strcmp(path, LECTOR_ARCHIVE_SIGNATURE) == 0;
}

/* MANIFEST.sha256 as pack writes it: "HEX  PATH\n" per member, sorted. */
static char *manifest_text(const lector_archive_info *info, size_t *len) {
  size_t size = 1;
  for (size_t i = 0; i < info->count; i++) size += 64 + 2 + strlen(info->members[i].path) + 1;
  char *text = malloc(size), *p = text;
  if (!text) return NULL;
  for (size_t i = 0; i < info->count; i++)
    p += sprintf(p, "%s  %s\n", info->members[i].sha256, info->members[i].path);
  *len = (size_t)(p - text);
  return text;
}

/* Every member listed once with its checksum, every listed file present.
 * info->members must be sorted. */
static lector_status check_manifest(const lector_archive_info *info, const char *text,
                                    size_t len, lector_error *err) {
  unsigned char *listed = calloc(info->count + 1, 1);
  if (!listed) return fail_nomem(err);
  lector_status status = LECTOR_OK;
  size_t lineno = 0;
  for (size_t start = 0; start < len && status == LECTOR_OK;) {
    const char *nl = memchr(text + start, '\n', len - start);
    size_t stop = nl ? (size_t)(nl - text) : len;
    char line[64 + 2 + LECTOR_ARCHIVE_MAX_PATH + 1];
    size_t line_len = stop - start;
    lineno++;
    start = stop + 1;
    if (line_len < 67 || line_len >= sizeof line || text[stop - line_len + 64] != ' ' ||
        text[stop - line_len + 65] != ' ') {
      status = fail(err, LECTOR_EINVAL, "%s line %zu is not 'SHA256  PATH'",
                    LECTOR_ARCHIVE_MANIFEST, lineno);
      break;
    }
    memcpy(line, text + stop - line_len, line_len);
    line[line_len] = '\0';
    line[64] = '\0';
    const char *path = line + 66;
    lector_archive_member key = {.path = (char *)(uintptr_t)path};
    const lector_archive_member *m = bsearch(&key, info->members, info->count,
                                             sizeof *info->members, compare_members);
    if (!m) {
      status = fail(err, LECTOR_EINVAL, "member '%s' is listed in %s but missing", path,
                    LECTOR_ARCHIVE_MANIFEST);
    } else if (listed[m - info->members]++) {
      status = fail(err, LECTOR_EINVAL, "member '%s' is listed twice in %s", path,
                    LECTOR_ARCHIVE_MANIFEST);
    } else if (strcmp(m->sha256, line) != 0) {
      status = fail(err, LECTOR_EINVAL, "member '%s': checksum does not match %s", path,
                    LECTOR_ARCHIVE_MANIFEST);
    }
  }
  for (size_t i = 0; i < info->count && status == LECTOR_OK; i++)
    if (!listed[i])
      status = fail(err, LECTOR_EINVAL, "member '%s' is not listed in %s",
                    info->members[i].path, LECTOR_ARCHIVE_MANIFEST);
  free(listed);
  return status;
}

/* SIGNATURE is one line: the tag, the public key and the detached
 * signature of MANIFEST.sha256, both in hex. The key in it only names the
 * signer: trusting that key is the caller's decision. */
static lector_status check_signature(lector_archive_info *info, const char *manifest,
                                     size_t manifest_len, const char *text, size_t len,
                                     lector_error *err) {
  char line[256];
  char key_hex[LECTOR_PUBLIC_KEY_HEX + 1], sig_hex[2 * crypto_sign_BYTES + 1];
  unsigned char key[LECTOR_PUBLIC_KEY_BYTES], sig[crypto_sign_BYTES];
  if (len >= sizeof line)
    return fail(err, LECTOR_EINVAL, "%s is not a lector signature", LECTOR_ARCHIVE_SIGNATURE);
  memcpy(line, text, len);
  line[len] = '\0';
  char tag[32];
  if (sscanf(line, "%31s %64s %128s", tag, key_hex, sig_hex) != 3 ||
      strcmp(tag, LECTOR_SIGNATURE_TAG) != 0 ||
      sodium_hex2bin(key, sizeof key, key_hex, strlen(key_hex), NULL, NULL, NULL) != 0 ||
      strlen(key_hex) != LECTOR_PUBLIC_KEY_HEX ||
      sodium_hex2bin(sig, sizeof sig, sig_hex, strlen(sig_hex), NULL, NULL, NULL) != 0 ||
      strlen(sig_hex) != 2 * crypto_sign_BYTES)
    return fail(err, LECTOR_EINVAL, "%s is not a lector signature", LECTOR_ARCHIVE_SIGNATURE);
  if (crypto_sign_verify_detached(sig, (const unsigned char *)manifest, manifest_len, key) != 0)
    return fail(err, LECTOR_EINVAL, "bad signature: %s does not match %s for key %s",
                LECTOR_ARCHIVE_SIGNATURE, LECTOR_ARCHIVE_MANIFEST, key_hex);
  info->is_signed = 1;
  sodium_bin2hex(info->signer, sizeof info->signer, key, sizeof key);
  return LECTOR_OK;
}

/* ---- reading an archive --------------------------------------------------------- */

/* One walk over an archive held in memory. out_dir is NULL when only
 * verifying; otherwise files are written under it. */
typedef struct walk {
  const unsigned char *bytes;
  size_t len;
  const char *out_dir;
  lector_archive_info info;
  size_t members_cap;
  name_list names;
  size_t entries;
  char *manifest, *signature;
  size_t manifest_len, signature_len;
} walk;

static void walk_free(walk *w) {
  lector_archive_info_free(&w->info);
  names_free(&w->names);
  free(w->manifest);
  free(w->signature);
}

static lector_status refuse_type(const char *path, struct archive_entry *entry,
                                 lector_error *err) {
  if (archive_entry_hardlink(entry))
    return fail(err, LECTOR_EINVAL, "member '%s': hard link", path);
  switch (archive_entry_filetype(entry)) {
  case AE_IFLNK: return fail(err, LECTOR_EINVAL, "member '%s': symbolic link", path);
  case AE_IFCHR:
  case AE_IFBLK: return fail(err, LECTOR_EINVAL, "member '%s': device file", path);
  case AE_IFIFO: return fail(err, LECTOR_EINVAL, "member '%s': named pipe", path);
  case AE_IFSOCK: return fail(err, LECTOR_EINVAL, "member '%s': socket", path);
  default: return fail(err, LECTOR_EINVAL, "member '%s': not a regular file", path);
  }
}

/* Create the folders leading to path (relative) under root. Our fresh
 * folder holds no links, and names were checked, so nothing escapes. */
static lector_status make_parents(const char *root, const char *path, lector_error *err) {
  char full[PATH_MAX];
  int n = snprintf(full, sizeof full, "%s/%s", root, path);
  if (n < 0 || (size_t)n >= sizeof full) return fail(err, LECTOR_EIO, "%s: path too long", path);
  for (char *p = full + strlen(root) + 1; (p = strchr(p, '/')); p++) {
    *p = '\0';
    int failed = mkdir(full, 0755) != 0 && errno != EEXIST;
    *p = '/';
    if (failed) return fail(err, LECTOR_EIO, "%s: cannot create folder: %s", path, strerror(errno));
  }
  return LECTOR_OK;
}

static int open_output(const walk *w, const char *path, lector_error *err) {
  if (make_parents(w->out_dir, path, err) != LECTOR_OK) return -1;
  char full[PATH_MAX];
  snprintf(full, sizeof full, "%s/%s", w->out_dir, path);
  int fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) fail(err, LECTOR_EIO, "%s: cannot write: %s", path, strerror(errno));
  return fd;
}

static int write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Keep a small member (the manifest or the signature) in memory. */
static lector_status keep(char **buf, size_t *len, const void *data, size_t n, const char *path,
                          lector_error *err) {
  if (*len + n > LECTOR_ARCHIVE_MAX_MANIFEST)
    return fail(err, LECTOR_ETOOLARGE, "member '%s': over %zu bytes", path,
                LECTOR_ARCHIVE_MAX_MANIFEST);
  char *grown = realloc(*buf, *len + n + 1);
  if (!grown) return fail_nomem(err);
  memcpy(grown + *len, data, n);
  *len += n;
  grown[*len] = '\0';
  *buf = grown;
  return LECTOR_OK;
}

/* Read one regular member's content: limits, the bytecode check, its
 * checksum, and, when extracting, the file itself. */
static lector_status read_member(walk *w, struct archive *a, const char *path, uint64_t *size,
                                 char sha256[65], lector_error *err) {
  int reserved = is_reserved(path);
  int fd = -1;
  if (w->out_dir && !reserved && (fd = open_output(w, path, err)) < 0) return err->status;
  crypto_hash_sha256_state hash;
  crypto_hash_sha256_init(&hash);
  unsigned char head[4];
  size_t head_len = 0;
  lector_status status = LECTOR_OK;
  char buf[IO_CHUNK];
  *size = 0;
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      status = fail(err, LECTOR_EINVAL, "member '%s': %s", path, archive_error_string(a));
      break;
    }
    *size += (uint64_t)n;
    uint64_t total = w->info.total + *size;
    if (*size > LECTOR_ARCHIVE_MAX_MEMBER) {
      status = fail(err, LECTOR_ETOOLARGE, "member '%s': over the size limit of %zu bytes", path,
                    LECTOR_ARCHIVE_MAX_MEMBER);
      break;
    }
    if (total > LECTOR_ARCHIVE_MAX_TOTAL) {
      status = fail(err, LECTOR_ETOOLARGE, "member '%s': the archive unpacks to more than %zu bytes",
                    path, LECTOR_ARCHIVE_MAX_TOTAL);
      break;
    }
    if (total > LECTOR_ARCHIVE_RATIO_FLOOR && total / w->len > LECTOR_ARCHIVE_MAX_RATIO) {
      status = fail(err, LECTOR_ETOOLARGE,
                    "member '%s': the archive unpacks to over %d times its size "
                    "(a compression bomb?)", path, LECTOR_ARCHIVE_MAX_RATIO);
      break;
    }
    while (head_len < sizeof head && head_len < *size) {
      head[head_len] = (unsigned char)buf[head_len - (*size - (uint64_t)n)];
      head_len++;
    }
    crypto_hash_sha256_update(&hash, (const unsigned char *)buf, (unsigned long long)n);
    if (reserved) {
      status = strcmp(path, LECTOR_ARCHIVE_MANIFEST) == 0
        ? keep(&w->manifest, &w->manifest_len, buf, (size_t)n, path, err)
        : keep(&w->signature, &w->signature_len, buf, (size_t)n, path, err);
      if (status != LECTOR_OK) break;
    }
    if (fd >= 0 && write_all(fd, buf, (size_t)n) != 0) {
      status = fail(err, LECTOR_EIO, "%s: cannot write: %s", path, strerror(errno));
      break;
    }
  }
  if (fd >= 0 && close(fd) != 0 && status == LECTOR_OK)
    status = fail(err, LECTOR_EIO, "%s: cannot write: %s", path, strerror(errno));
  if (status == LECTOR_OK && head_len == sizeof head && memcmp(head, "\x1bLua", 4) == 0)
    status = fail(err, LECTOR_EINVAL, "member '%s': Lua bytecode (only source code is accepted)",
                  path);
  unsigned char digest[SHA256_BYTES];
  crypto_hash_sha256_final(&hash, digest);
  hex_digest(digest, sha256);
  return status;
}

static lector_status walk_entry(walk *w, struct archive *a, struct archive_entry *entry,
                                lector_error *err) {
  if (++w->entries > LECTOR_ARCHIVE_MAX_ENTRIES)
    return fail(err, LECTOR_ETOOLARGE, "more than %d members", LECTOR_ARCHIVE_MAX_ENTRIES);
  const char *raw = archive_entry_pathname(entry);
  if (!raw) return fail(err, LECTOR_EINVAL, "a member's name cannot be read");
  const char *path = strip_dot_slash(raw);
  int is_dir = archive_entry_filetype(entry) == AE_IFDIR && !archive_entry_hardlink(entry);
  if (is_dir && *path == '\0') return LECTOR_OK;  /* "./" itself */
  if (check_name(path, is_dir, err) != LECTOR_OK) return err->status;
  if (!is_dir && (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry)))
    return refuse_type(path, entry, err);
  if (names_add(&w->names, path, is_dir, err) != LECTOR_OK) return err->status;
  if (is_dir) return LECTOR_OK;
  if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0 &&
      (uint64_t)archive_entry_size(entry) > LECTOR_ARCHIVE_MAX_MEMBER)
    return fail(err, LECTOR_ETOOLARGE, "member '%s': over the size limit of %zu bytes", path,
                LECTOR_ARCHIVE_MAX_MEMBER);
  uint64_t size;
  char sha256[65];
  if (read_member(w, a, path, &size, sha256, err) != LECTOR_OK) return err->status;
  if (is_reserved(path)) return LECTOR_OK;
  return add_member(&w->info, &w->members_cap, path, size, sha256, err);
}

/* Walk every member of the in-memory archive, then check names, manifest
 * and signature. */
static lector_status walk_archive(walk *w, lector_error *err) {
  struct archive *a = archive_read_new();
  if (!a) return fail_nomem(err);
  archive_read_support_filter_gzip(a);
  archive_read_support_format_tar(a);
  lector_status status = LECTOR_OK;
  if (archive_read_open_memory(a, w->bytes, w->len) != ARCHIVE_OK) {
    status = fail(err, LECTOR_EINVAL, "not a lector archive (a gzip'd tar): %s",
                  archive_error_string(a));
  } else {
    struct archive_entry *entry;
    int r;
    while (status == LECTOR_OK && (r = archive_read_next_header(a, &entry)) != ARCHIVE_EOF) {
      if (r != ARCHIVE_OK)
        status = fail(err, LECTOR_EINVAL, "damaged archive: %s", archive_error_string(a));
      else
        status = walk_entry(w, a, entry, err);
    }
  }
  archive_read_free(a);
  if (status != LECTOR_OK) return status;
  if (check_collisions(&w->names, err) != LECTOR_OK) return err->status;
  if (!w->manifest)
    return fail(err, LECTOR_EINVAL, "no %s member (not a lector archive)", LECTOR_ARCHIVE_MANIFEST);
  if (w->info.count > 1)
    qsort(w->info.members, w->info.count, sizeof *w->info.members, compare_members);
  if (check_manifest(&w->info, w->manifest, w->manifest_len, err) != LECTOR_OK)
    return err->status;
  if (w->signature)
    return check_signature(&w->info, w->manifest, w->manifest_len, w->signature,
                           w->signature_len, err);
  return LECTOR_OK;
}

/* The whole file in memory, up to LECTOR_ARCHIVE_MAX_FILE bytes. */
static lector_status slurp(const char *path, unsigned char **bytes, size_t *len,
                           lector_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(err, LECTOR_EIO, "cannot open: %s", strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return fail(err, LECTOR_EIO, "not a regular file");
  }
  if ((size_t)st.st_size > LECTOR_ARCHIVE_MAX_FILE) {
    close(fd);
    return fail(err, LECTOR_ETOOLARGE, "archive over %zu bytes", LECTOR_ARCHIVE_MAX_FILE);
  }
  *len = (size_t)st.st_size;
  *bytes = malloc(*len ? *len : 1);
  if (!*bytes) {
    close(fd);
    return fail_nomem(err);
  }
  size_t got = 0;
  while (got < *len) {
    ssize_t n = read(fd, *bytes + got, *len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  if (got != *len) {
    free(*bytes);
    *bytes = NULL;
    return fail(err, LECTOR_EIO, "cannot read the whole archive");
  }
  if (*len == 0) {
    free(*bytes);
    *bytes = NULL;
    return fail(err, LECTOR_EINVAL, "empty file (not a lector archive)");
  }
  return LECTOR_OK;
}

static void take_info(walk *w, lector_archive_info *info) {
  if (info) {
    *info = w->info;
    memset(&w->info, 0, sizeof w->info);
  }
}

lector_status lector_archive_verify(const char *path, lector_archive_info *info,
                                    lector_error *err) {
  if (info) memset(info, 0, sizeof *info);
  if (sodium_init() < 0) return fail(err, LECTOR_ENOMEM, "libsodium failed to start");
  walk w = {0};
  unsigned char *bytes = NULL;
  lector_status status = slurp(path, &bytes, &w.len, err);
  w.bytes = bytes;
  if (status == LECTOR_OK) status = walk_archive(&w, err);
  if (status == LECTOR_OK) take_info(&w, info);
  walk_free(&w);
  free(bytes);
  return status;
}

lector_status lector_archive_extract(const char *path, const char *dest,
                                     lector_archive_info *info, lector_error *err) {
  if (info) memset(info, 0, sizeof *info);
  if (sodium_init() < 0) return fail(err, LECTOR_ENOMEM, "libsodium failed to start");
  unsigned char *bytes = NULL;
  size_t len = 0;
  if (slurp(path, &bytes, &len, err) != LECTOR_OK) return err->status;
  walk check = {.bytes = bytes, .len = len};
  lector_status status = walk_archive(&check, err);
  walk_free(&check);
  char tmp[PATH_MAX];
  int n = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", dest);
  if (status == LECTOR_OK && (n < 0 || (size_t)n >= sizeof tmp))
    status = fail(err, LECTOR_EIO, "%s: path too long", dest);
  if (status == LECTOR_OK && !mkdtemp(tmp))
    status = fail(err, LECTOR_EIO, "%s: cannot create a temporary folder: %s", dest,
                  strerror(errno));
  if (status != LECTOR_OK) {
    free(bytes);
    return status;
  }
  walk out = {.bytes = bytes, .len = len, .out_dir = tmp};
  status = walk_archive(&out, err);
  if (status == LECTOR_OK && rename(tmp, dest) != 0)
    status = fail(err, LECTOR_EIO, "%s: cannot move the extracted files into place: %s", dest,
                  strerror(errno));
  if (status == LECTOR_OK) {
    take_info(&out, info);
  } else {
    lector_error ignored = {0};
    lector_archive_remove_tree(tmp, &ignored);
  }
  walk_free(&out);
  free(bytes);
  return status;
}

/* ---- packing ------------------------------------------------------------------ */

typedef struct pack_file {
  char *path;
  unsigned char *data;
  size_t size;
} pack_file;

typedef struct pack {
  const char *root;
  pack_file *files;
  size_t count, cap;
  size_t total;
  name_list names;
} pack;

static void pack_free(pack *p) {
  for (size_t i = 0; i < p->count; i++) {
    free(p->files[i].path);
    free(p->files[i].data);
  }
  free(p->files);
  names_free(&p->names);
}

static lector_status read_small_file(const char *full, const char *rel, unsigned char **data,
                                     size_t *size, lector_error *err) {
  int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(err, LECTOR_EIO, "%s: cannot open: %s", rel, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || (size_t)st.st_size > LECTOR_ARCHIVE_MAX_MEMBER) {
    close(fd);
    return fail(err, LECTOR_ETOOLARGE, "%s: over the size limit of %zu bytes", rel,
                LECTOR_ARCHIVE_MAX_MEMBER);
  }
  *data = malloc((size_t)st.st_size + 1);
  if (!*data) {
    close(fd);
    return fail_nomem(err);
  }
  size_t got = 0;
  for (;;) {
    ssize_t n = read(fd, *data + got, (size_t)st.st_size + 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || (got += (size_t)n) > (size_t)st.st_size) break;
  }
  close(fd);
  if (got != (size_t)st.st_size) {
    free(*data);
    *data = NULL;
    return fail(err, LECTOR_EIO, "%s: changed while being read", rel);
  }
  *size = got;
  return LECTOR_OK;
}

static lector_status pack_add(pack *p, const char *full, const char *rel, lector_error *err) {
  if (p->count + 1 > LECTOR_ARCHIVE_MAX_ENTRIES)
    return fail(err, LECTOR_ETOOLARGE, "more than %d files", LECTOR_ARCHIVE_MAX_ENTRIES);
  if (check_name(rel, 0, err) != LECTOR_OK) return err->status;
  if (p->count == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 32;
    pack_file *grown = realloc(p->files, cap * sizeof *grown);
    if (!grown) return fail_nomem(err);
    p->files = grown;
    p->cap = cap;
  }
  pack_file *f = &p->files[p->count];
  memset(f, 0, sizeof *f);
  if (read_small_file(full, rel, &f->data, &f->size, err) != LECTOR_OK) return err->status;
  if (!(f->path = strdup(rel))) {
    free(f->data);
    return fail_nomem(err);
  }
  p->count++;
  p->total += f->size;
  if (p->total > LECTOR_ARCHIVE_MAX_TOTAL)
    return fail(err, LECTOR_ETOOLARGE, "the files add up to more than %zu bytes",
                LECTOR_ARCHIVE_MAX_TOTAL);
  if (f->size >= 4 && memcmp(f->data, "\x1bLua", 4) == 0)
    return fail(err, LECTOR_EINVAL, "%s: Lua bytecode (only source code is accepted)", rel);
  return names_add(&p->names, rel, 0, err);
}

static int has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Collect the regular files under rel (relative to the root; "" for the
 * root itself). Names starting with '.' are skipped at every level. */
static lector_status pack_walk(pack *p, const char *rel, int depth, lector_error *err) {
  if (depth > LECTOR_ARCHIVE_MAX_DEPTH)
    return fail(err, LECTOR_EINVAL, "%s: more than %d folders deep", rel,
                LECTOR_ARCHIVE_MAX_DEPTH);
  char full[PATH_MAX];
  snprintf(full, sizeof full, "%s%s%s", p->root, *rel ? "/" : "", rel);
  DIR *dir = opendir(full);
  if (!dir) return fail(err, LECTOR_EIO, "%s: cannot read folder: %s", full, strerror(errno));
  lector_status status = LECTOR_OK;
  struct dirent *entry;
  while (status == LECTOR_OK && (entry = readdir(dir))) {
    const char *name = entry->d_name;
    if (name[0] == '.') continue;
    if (depth == 0 && (is_reserved(name) || has_suffix(name, ".lector"))) continue;
    char child_rel[PATH_MAX], child[PATH_MAX];
    int n = snprintf(child_rel, sizeof child_rel, "%s%s%s", rel, *rel ? "/" : "", name);
    int m = snprintf(child, sizeof child, "%s/%s", full, name);
    if (n < 0 || m < 0 || (size_t)n >= sizeof child_rel || (size_t)m >= sizeof child) {
      status = fail(err, LECTOR_EINVAL, "%s: path too long", name);
      break;
    }
    struct stat st;
    if (lstat(child, &st) != 0)
      status = fail(err, LECTOR_EIO, "%s: %s", child_rel, strerror(errno));
    else if (S_ISDIR(st.st_mode))
      status = pack_walk(p, child_rel, depth + 1, err);
    else if (S_ISREG(st.st_mode))
      status = pack_add(p, child, child_rel, err);
    else if (S_ISLNK(st.st_mode))
      status = fail(err, LECTOR_EINVAL, "%s: symbolic link (a pack holds regular files only)",
                    child_rel);
    else
      status = fail(err, LECTOR_EINVAL, "%s: not a regular file", child_rel);
  }
  closedir(dir);
  return status;
}

static int compare_pack_files(const void *a, const void *b) {
  return strcmp(((const pack_file *)a)->path, ((const pack_file *)b)->path);
}

static int write_member(struct archive *a, const char *path, const void *data, size_t size) {
  struct archive_entry *entry = archive_entry_new();
  if (!entry) return -1;
  archive_entry_set_pathname(entry, path);
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, 0644);
  archive_entry_set_size(entry, (la_int64_t)size);
  /* A fixed time, so the same folder packs to the same bytes. */
  archive_entry_set_mtime(entry, 0, 0);
  int r = archive_write_header(a, entry);
  archive_entry_free(entry);
  if (r != ARCHIVE_OK) return -1;
  const char *p = data;
  while (size > 0) {
    la_ssize_t n = archive_write_data(a, p, size);
    if (n <= 0) return -1;
    p += n;
    size -= (size_t)n;
  }
  return 0;
}

static char *signature_text(const char *manifest, size_t len, const unsigned char *secret_key) {
  unsigned char sig[crypto_sign_BYTES], pk[LECTOR_PUBLIC_KEY_BYTES];
  char sig_hex[2 * crypto_sign_BYTES + 1], pk_hex[LECTOR_PUBLIC_KEY_HEX + 1];
  crypto_sign_detached(sig, NULL, (const unsigned char *)manifest, len, secret_key);
  crypto_sign_ed25519_sk_to_pk(pk, secret_key);
  sodium_bin2hex(sig_hex, sizeof sig_hex, sig, sizeof sig);
  sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
  size_t size = sizeof LECTOR_SIGNATURE_TAG + sizeof pk_hex + sizeof sig_hex + 2;
  char *text = malloc(size);
  if (text) snprintf(text, size, "%s %s %s\n", LECTOR_SIGNATURE_TAG, pk_hex, sig_hex);
  return text;
}

static lector_status write_pack(const pack *p, const char *tmp, const char *manifest,
                                size_t manifest_len, const char *signature, lector_error *err) {
  struct archive *a = archive_write_new();
  if (!a) return fail_nomem(err);
  lector_status status = LECTOR_OK;
  if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_open_filename(a, tmp) != ARCHIVE_OK ||
      write_member(a, LECTOR_ARCHIVE_MANIFEST, manifest, manifest_len) != 0 ||
      (signature && write_member(a, LECTOR_ARCHIVE_SIGNATURE, signature, strlen(signature)) != 0))
    status = fail(err, LECTOR_EIO, "cannot write the archive: %s", archive_error_string(a));
  for (size_t i = 0; i < p->count && status == LECTOR_OK; i++)
    if (write_member(a, p->files[i].path, p->files[i].data, p->files[i].size) != 0)
      status = fail(err, LECTOR_EIO, "cannot write the archive: %s", archive_error_string(a));
  if (archive_write_close(a) != ARCHIVE_OK && status == LECTOR_OK)
    status = fail(err, LECTOR_EIO, "cannot write the archive: %s", archive_error_string(a));
  archive_write_free(a);
  return status;
}

/* The member list of a pack, as verify would report it. */
static lector_status pack_info(const pack *p, lector_archive_info *info, lector_error *err) {
  size_t cap = 0;
  for (size_t i = 0; i < p->count; i++) {
    unsigned char digest[SHA256_BYTES];
    char hex[65];
    crypto_hash_sha256(digest, p->files[i].data, p->files[i].size);
    hex_digest(digest, hex);
    if (add_member(info, &cap, p->files[i].path, p->files[i].size, hex, err) != LECTOR_OK)
      return err->status;
  }
  return LECTOR_OK;
}

lector_status lector_archive_pack(const char *dir, const char *out_path,
                                  const unsigned char *secret_key, lector_archive_info *info,
                                  lector_error *err) {
  if (sodium_init() < 0) return fail(err, LECTOR_ENOMEM, "libsodium failed to start");
  pack p = {.root = dir};
  lector_archive_info members = {0};
  char *manifest = NULL, *signature = NULL;
  size_t manifest_len = 0;
  char tmp[PATH_MAX];
  int tmp_fd = -1;
  lector_status status = pack_walk(&p, "", 0, err);
  if (status == LECTOR_OK && p.count == 0)
    status = fail(err, LECTOR_EINVAL, "%s: no files to pack", dir);
  if (status == LECTOR_OK) status = check_collisions(&p.names, err);
  if (status == LECTOR_OK) {
    qsort(p.files, p.count, sizeof *p.files, compare_pack_files);
    status = pack_info(&p, &members, err);
  }
  if (status == LECTOR_OK && !(manifest = manifest_text(&members, &manifest_len)))
    status = fail_nomem(err);
  if (status == LECTOR_OK && secret_key &&
      !(signature = signature_text(manifest, manifest_len, secret_key)))
    status = fail_nomem(err);
  if (status == LECTOR_OK) {
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out_path);
    if (n < 0 || (size_t)n >= sizeof tmp || (tmp_fd = mkstemp(tmp)) < 0)
      status = fail(err, LECTOR_EIO, "%s: cannot create: %s", out_path, strerror(errno));
    else {
      /* mkstemp makes the file private; an archive is meant to be shared. */
      fchmod(tmp_fd, 0644);
      close(tmp_fd);
    }
  }
  if (status == LECTOR_OK) status = write_pack(&p, tmp, manifest, manifest_len, signature, err);
  if (status == LECTOR_OK && rename(tmp, out_path) != 0)
    status = fail(err, LECTOR_EIO, "%s: cannot write: %s", out_path, strerror(errno));
  if (status != LECTOR_OK && tmp_fd >= 0) unlink(tmp);
  if (status == LECTOR_OK && info) {
    members.is_signed = secret_key != NULL;
    if (signature) memcpy(members.signer, signature + sizeof LECTOR_SIGNATURE_TAG,
                          LECTOR_PUBLIC_KEY_HEX);
    *info = members;
  } else {
    lector_archive_info_free(&members);
  }
  free(manifest);
  free(signature);
  pack_free(&p);
  return status;
}

/* ---- keys and removal ------------------------------------------------------------ */

lector_status lector_archive_keygen(unsigned char public_key[LECTOR_PUBLIC_KEY_BYTES],
                                    unsigned char secret_key[LECTOR_SECRET_KEY_BYTES],
                                    lector_error *err) {
  if (sodium_init() < 0) return fail(err, LECTOR_ENOMEM, "libsodium failed to start");
  crypto_sign_keypair(public_key, secret_key);
  return LECTOR_OK;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

lector_status lector_archive_remove_tree(const char *path, lector_error *err) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (errno == ENOENT) return LECTOR_OK;
    return fail(err, LECTOR_EIO, "%s: %s", path, strerror(errno));
  }
  /* FTW_PHYS: a link is removed, never followed. */
  if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
    return fail(err, LECTOR_EIO, "%s: cannot remove: %s", path, strerror(errno));
  return LECTOR_OK;
}
