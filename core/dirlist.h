/*
 * A folder's entry names, sorted: what folder walks in lector (corpus
 * folders, plugin checksums) read before they look at each entry.
 */
#ifndef LECTOR_DIRLIST_H
#define LECTOR_DIRLIST_H

#include <stddef.h>

/* The names in path, without "." and "..", sorted bytewise. Returns 0, or
 * an errno value (ENOMEM included) with nothing allocated. Free with
 * lector_dirlist_free. */
int lector_dirlist(const char *path, char ***names, size_t *count);
void lector_dirlist_free(char **names, size_t count);

#endif
