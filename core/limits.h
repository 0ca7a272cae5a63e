/*
 * Every limit lector enforces, in one place. Hosts may change the defaults
 * through options; plugins never can.
 */
#ifndef LECTOR_LIMITS_H
#define LECTOR_LIMITS_H

/* Raw input accepted for one document unless --max-bytes says otherwise. */
#define LECTOR_DEFAULT_MAX_DOC_BYTES ((size_t)64 << 20)
/* Offsets are 32-bit: no option may raise the document limit past this. */
#define LECTOR_HARD_MAX_DOC_BYTES ((size_t)1 << 31)
/* A JSONL line may hold a whole document plus its JSON escaping. */
#define LECTOR_JSONL_LINE_FACTOR 2
/* The first line of a text file becomes its title when no longer than this. */
#define LECTOR_MAX_TITLE_BYTES 300
/* Documents written per SQLite transaction. */
#define LECTOR_STORE_BATCH 200
/* Nesting accepted when converting Lua values to and from JSON. */
#define LECTOR_JSON_MAX_DEPTH 64
/* Longest span layer, label or value key, in bytes. */
#define LECTOR_MAX_NAME_BYTES 256

#endif
