/*
 * One member of a JSON object, found by skipping over the others. The
 * text is JSON the store or the encoder checked, so the scanner only needs
 * to find where things end; anything it does not expect makes it answer
 * LECTOR_JSON_UNSURE, and the caller decodes the whole text instead.
 */
#include "json_member.h"

#include <string.h>

static const char *skip_space(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  return p;
}

/* p at an opening quote: past the closing one, or NULL when the text
 * ends first. *escaped tells whether a backslash was seen. */
static const char *skip_string(const char *p, int *escaped) {
  for (p++; *p; p++) {
    if (*p == '"') return p + 1;
    if (*p == '\\') {
      *escaped = 1;
      if (!*++p) return NULL;
    }
  }
  return NULL;
}

/* p at a value: past it, or NULL when the text ends first. Containers are
 * skipped by counting brackets outside strings. */
static const char *skip_value(const char *p) {
  int escaped = 0;
  if (*p == '"') return skip_string(p, &escaped);
  if (*p != '{' && *p != '[') {
    while (*p && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\n' &&
           *p != '\r')
      p++;
    return p;
  }
  size_t depth = 0;
  for (; *p; p++) {
    if (*p == '"') {
      p = skip_string(p, &escaped);
      if (!p) return NULL;
      p--;
    } else if (*p == '{' || *p == '[') {
      depth++;
    } else if ((*p == '}' || *p == ']') && --depth == 0) {
      return p + 1;
    }
  }
  return NULL;
}

lector_json_found lector_json_member(const char *json, const char *name, size_t name_len,
                                     const char **value, size_t *len) {
  lector_json_found found = LECTOR_JSON_ABSENT;
  const char *p = skip_space(json);
  if (*p != '{') return LECTOR_JSON_UNSURE;
  p = skip_space(p + 1);
  if (*p == '}') return LECTOR_JSON_ABSENT;
  for (;;) {
    if (*p != '"') return LECTOR_JSON_UNSURE;
    int escaped = 0;
    const char *key = p + 1;
    p = skip_string(p, &escaped);
    if (!p || escaped) return LECTOR_JSON_UNSURE;
    size_t key_len = (size_t)(p - 1 - key);
    p = skip_space(p);
    if (*p != ':') return LECTOR_JSON_UNSURE;
    p = skip_space(p + 1);
    const char *start = p;
    p = skip_value(p);
    if (!p || p == start) return LECTOR_JSON_UNSURE;
    if (key_len == name_len && memcmp(key, name, name_len) == 0) {
      *value = start;
      *len = (size_t)(p - start);
      found = LECTOR_JSON_FOUND;
    }
    p = skip_space(p);
    if (*p == '}') return found;
    if (*p != ',') return LECTOR_JSON_UNSURE;
    p = skip_space(p + 1);
  }
}
