/*
 * Checksums of plugin files and folders, for the lock file.
 */
#ifndef LECTOR_CHECKSUM_H
#define LECTOR_CHECKSUM_H

#include "lector.h"

typedef struct lector_checksum_file {
  char *path;              /* relative to the plugin's folder */
  char sha256[65];
} lector_checksum_file;

typedef struct lector_checksum {
  char sha256[65];         /* of the whole plugin */
  lector_checksum_file *files;
  size_t count;
} lector_checksum;

/* sha256 (hex) of a file, or of a folder's files by relative path, size and
 * content, in name order, hidden files included; and each file's own
 * sha256, so a change can be named. Links, devices and the like are
 * refused (LECTOR_EIO). Free with lector_checksum_free. */
lector_status lector_checksum_path(const char *path, lector_checksum *sum, lector_error *err);
void lector_checksum_free(lector_checksum *sum);

#endif
