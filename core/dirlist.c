/*
 * Sorted folder listings, in plain C: a caller that may raise Lua errors
 * takes the whole list first, so no error can leave a DIR open.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dirlist.h"

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void lector_dirlist_free(char **names, size_t count) {
  for (size_t i = 0; i < count; i++) free(names[i]);
  free(names);
}

int lector_dirlist(const char *path, char ***names, size_t *count) {
  *names = NULL;
  *count = 0;
  DIR *dir = opendir(path);
  if (!dir) return errno;
  char **list = NULL;
  size_t n = 0, cap = 0;
  struct dirent *entry;
  int failed = 0;
  while (!failed && (entry = readdir(dir))) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **grown = realloc(list, cap * sizeof *list);
      if (!grown) { failed = 1; break; }
      list = grown;
    }
    if (!(list[n] = strdup(entry->d_name))) failed = 1;
    else n++;
  }
  closedir(dir);
  if (failed) {
    lector_dirlist_free(list, n);
    return ENOMEM;
  }
  if (n > 1) qsort(list, n, sizeof *list, compare_names);
  *names = list;
  *count = n;
  return 0;
}
