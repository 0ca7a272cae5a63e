/*
 * Plugin archives: pack a plugin folder into NAME-VERSION.lector, verify an
 * archive completely before anything is written, extract it safely, and
 * the ed25519 keys that sign archives. The format is described in
 * docs/plugins.md ("The archive format").
 */
#ifndef LECTOR_ARCHIVE_H
#define LECTOR_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "lector.h"

#define LECTOR_ARCHIVE_MANIFEST "MANIFEST.sha256"
#define LECTOR_ARCHIVE_SIGNATURE "SIGNATURE"
/* Text that starts each key file and the SIGNATURE member. */
#define LECTOR_KEY_SECRET_TAG "lector-ed25519-secret"
#define LECTOR_KEY_PUBLIC_TAG "lector-ed25519-public"
#define LECTOR_SIGNATURE_TAG "lector-ed25519-signature"

/* Sizes of ed25519 keys in bytes and in hex digits (without the NUL). */
#define LECTOR_PUBLIC_KEY_BYTES 32
#define LECTOR_SECRET_KEY_BYTES 64
#define LECTOR_PUBLIC_KEY_HEX (2 * LECTOR_PUBLIC_KEY_BYTES)
#define LECTOR_SECRET_KEY_HEX (2 * LECTOR_SECRET_KEY_BYTES)

typedef struct lector_archive_member {
  char *path;          /* relative, '/'-separated, no "." or ".." parts */
  uint64_t size;
  char sha256[65];     /* lower-case hex */
} lector_archive_member;

/* What an archive holds: its files (MANIFEST.sha256 and SIGNATURE are not
 * among them), sorted by path, and who signed it. */
typedef struct lector_archive_info {
  lector_archive_member *members;
  size_t count;
  uint64_t total;                        /* bytes of all members */
  int is_signed;
  char signer[LECTOR_PUBLIC_KEY_HEX + 1]; /* the signing key, when signed */
} lector_archive_info;

void lector_archive_info_free(lector_archive_info *info);

/* Pack every regular file under dir (except names starting with '.' and
 * *.lector archives at the top) into the gzip'd tar out_path, with
 * MANIFEST.sha256 and, when secret_key (LECTOR_SECRET_KEY_BYTES) is not
 * NULL, SIGNATURE. Refuses links, devices, bytecode and anything install
 * would refuse. out_path is written whole or not at all. info may be NULL. */
lector_status lector_archive_pack(const char *dir, const char *out_path,
                                  const unsigned char *secret_key, lector_archive_info *info,
                                  lector_error *err);

/* Read and check the whole archive: member names and types, limits,
 * checksums against MANIFEST.sha256, and SIGNATURE when there is one.
 * Nothing is written. A bad signature is refused; whether the signer is
 * trusted is the caller's question. */
lector_status lector_archive_verify(const char *path, lector_archive_info *info,
                                    lector_error *err);

/* Verify, then extract into a fresh folder beside dest that is renamed to
 * dest only when complete. dest must not exist (or be an empty folder).
 * info may be NULL. */
lector_status lector_archive_extract(const char *path, const char *dest,
                                     lector_archive_info *info, lector_error *err);

/* A new ed25519 key pair. */
lector_status lector_archive_keygen(unsigned char public_key[LECTOR_PUBLIC_KEY_BYTES],
                                    unsigned char secret_key[LECTOR_SECRET_KEY_BYTES],
                                    lector_error *err);

/* Remove a file or a folder and everything under it, never following
 * links. A path that does not exist is not an error. */
lector_status lector_archive_remove_tree(const char *path, lector_error *err);

#endif
