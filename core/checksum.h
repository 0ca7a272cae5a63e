/*
 * Checksums of plugin files and folders, for the lock file.
 */
#ifndef LECTOR_CHECKSUM_H
#define LECTOR_CHECKSUM_H

#include "lector.h"

/* sha256 (hex) of a file, or of a folder's files by relative path, size and
 * content, in name order, hidden files included. Links, devices and the
 * like are refused (LECTOR_EIO). */
lector_status lector_checksum_path(const char *path, char hex[65], lector_error *err);

#endif
