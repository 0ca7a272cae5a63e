/*
 * Finding one member of a JSON object without decoding the object: reading
 * a few attributes of many spans costs no table per span.
 */
#ifndef LECTOR_JSON_MEMBER_H
#define LECTOR_JSON_MEMBER_H

#include <stddef.h>

typedef enum lector_json_found {
  LECTOR_JSON_ABSENT = 0,   /* the object has no member of that name */
  LECTOR_JSON_FOUND = 1,    /* *value, *len: the member's value, as written */
  LECTOR_JSON_UNSURE = -1   /* a key holds an escape, or the text is not an object:
                             * decode the whole text to know */
} lector_json_found;

/* The value of the top-level member `name` (name_len bytes, no escapes
 * needed) of the JSON object in json (NUL-terminated). When a key appears
 * twice, the last one counts, as decoders do. */
lector_json_found lector_json_member(const char *json, const char *name, size_t name_len,
                                     const char **value, size_t *len);

#endif
