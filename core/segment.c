/*
 * Segmentation: paragraphs, sentences and tokens of normalized text.
 *
 * Three steps, each a forward scan with bounded look-ahead, so the whole is
 * linear in the input on every input:
 *   1. lines are read and grouped into paragraphs (blank lines, indents);
 *   2. each paragraph is cut into tokens, and each token gets a few facts
 *      the sentence step needs (is it a terminator, a closing quote, ...);
 *   3. the paragraph's tokens are grouped into sentences.
 * The rules are written out for users in docs/segmentation.md; keep the two
 * in step.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "lector.h"
#include "lector_limits.h"
#include "token.h"

/* ---- word lists -------------------------------------------------------- */

enum { ABBR_NONE = -1, ABBR_PLAIN = 0, ABBR_TITLE, ABBR_NUMBER };

typedef struct abbreviation {
  const char *word;
  int cls;
} abbreviation;

/* Words whose following period belongs to the word. Titles never end a
 * sentence; number words ("No. 5") are abbreviations only before a number;
 * plain ones may end a sentence (see weak_split). Matched case-sensitively.
 * Sorted by byte value: lookups are binary searches. */
static const abbreviation abbreviations[] = {
  {"Adm", ABBR_TITLE}, {"Ala", ABBR_PLAIN}, {"Amb", ABBR_TITLE}, {"Apr", ABBR_PLAIN},
  {"Ariz", ABBR_PLAIN}, {"Ark", ABBR_PLAIN}, {"Art", ABBR_NUMBER},
  {"Assn", ABBR_PLAIN}, {"Assoc", ABBR_PLAIN}, {"Atty", ABBR_TITLE},
  {"Aug", ABBR_PLAIN}, {"Ave", ABBR_PLAIN}, {"Blvd", ABBR_PLAIN},
  {"Brig", ABBR_TITLE}, {"Bros", ABBR_PLAIN}, {"Calif", ABBR_PLAIN},
  {"Capt", ABBR_TITLE}, {"Cmdr", ABBR_TITLE}, {"Co", ABBR_PLAIN},
  {"Col", ABBR_TITLE}, {"Colo", ABBR_PLAIN}, {"Conn", ABBR_PLAIN},
  {"Corp", ABBR_PLAIN}, {"Cos", ABBR_PLAIN}, {"Cpl", ABBR_TITLE},
  {"Dec", ABBR_PLAIN}, {"Del", ABBR_PLAIN}, {"Dept", ABBR_PLAIN},
  {"Det", ABBR_TITLE}, {"Dr", ABBR_TITLE}, {"Esq", ABBR_PLAIN}, {"Feb", ABBR_PLAIN},
  {"Fig", ABBR_NUMBER}, {"Figs", ABBR_NUMBER}, {"Fla", ABBR_PLAIN},
  {"Fr", ABBR_TITLE}, {"Ft", ABBR_PLAIN}, {"Ga", ABBR_PLAIN},
  {"Gen", ABBR_TITLE}, {"Gens", ABBR_TITLE}, {"Gov", ABBR_TITLE},
  {"Govs", ABBR_TITLE}, {"Hon", ABBR_TITLE}, {"Hwy", ABBR_PLAIN},
  {"Ill", ABBR_PLAIN}, {"Inc", ABBR_PLAIN}, {"Ind", ABBR_PLAIN},
  {"Insp", ABBR_TITLE}, {"Inst", ABBR_PLAIN}, {"Intl", ABBR_PLAIN},
  {"Jan", ABBR_PLAIN}, {"Jr", ABBR_PLAIN}, {"Jul", ABBR_PLAIN}, {"Jun", ABBR_PLAIN},
  {"Kan", ABBR_PLAIN}, {"Kans", ABBR_PLAIN}, {"Ky", ABBR_PLAIN}, {"La", ABBR_PLAIN},
  {"Lt", ABBR_TITLE}, {"Ltd", ABBR_PLAIN}, {"Maj", ABBR_TITLE}, {"Mar", ABBR_PLAIN},
  {"Mass", ABBR_PLAIN}, {"Md", ABBR_PLAIN}, {"Messrs", ABBR_TITLE},
  {"Mfg", ABBR_PLAIN}, {"Mich", ABBR_PLAIN}, {"Minn", ABBR_PLAIN},
  {"Miss", ABBR_PLAIN}, {"Mme", ABBR_TITLE}, {"Mo", ABBR_PLAIN},
  {"Mont", ABBR_PLAIN}, {"Mr", ABBR_TITLE}, {"Mrs", ABBR_TITLE}, {"Ms", ABBR_TITLE},
  {"Msgr", ABBR_TITLE}, {"Mt", ABBR_PLAIN}, {"Neb", ABBR_PLAIN}, {"Nev", ABBR_PLAIN},
  {"No", ABBR_NUMBER}, {"Nos", ABBR_NUMBER}, {"Nov", ABBR_PLAIN},
  {"Nr", ABBR_NUMBER}, {"Oct", ABBR_PLAIN}, {"Okla", ABBR_PLAIN},
  {"Ore", ABBR_PLAIN}, {"Pa", ABBR_PLAIN}, {"Pfc", ABBR_TITLE},
  {"Pres", ABBR_TITLE}, {"Prof", ABBR_TITLE}, {"Pvt", ABBR_TITLE},
  {"Rd", ABBR_PLAIN}, {"Rep", ABBR_TITLE}, {"Reps", ABBR_TITLE}, {"Rev", ABBR_TITLE},
  {"Rt", ABBR_TITLE}, {"Sen", ABBR_TITLE}, {"Sens", ABBR_TITLE},
  {"Sep", ABBR_PLAIN}, {"Sept", ABBR_PLAIN}, {"Sgt", ABBR_TITLE}, {"Sq", ABBR_PLAIN},
  {"Sr", ABBR_PLAIN}, {"St", ABBR_PLAIN}, {"Supt", ABBR_TITLE},
  {"Tenn", ABBR_PLAIN}, {"Tex", ABBR_PLAIN}, {"Univ", ABBR_PLAIN}, {"Va", ABBR_PLAIN},
  {"Vol", ABBR_NUMBER}, {"Vols", ABBR_NUMBER}, {"Vt", ABBR_PLAIN},
  {"Wash", ABBR_PLAIN}, {"Wis", ABBR_PLAIN},
  {"Wyo", ABBR_PLAIN}, {"al", ABBR_PLAIN}, {"approx", ABBR_PLAIN},
  {"cf", ABBR_PLAIN}, {"est", ABBR_PLAIN}, {"etc", ABBR_PLAIN}, {"ft", ABBR_PLAIN},
  {"pp", ABBR_NUMBER}, {"v", ABBR_PLAIN}, {"viz", ABBR_PLAIN}, {"vs", ABBR_PLAIN},
};

/* Capitalized words that usually open a sentence and almost never continue
 * a name. After an abbreviation ("the U.S. The move") one of these means a
 * new sentence; any other capitalized word ("the U.S. Navy") does not.
 * Sorted by byte value. */
static const char *const sentence_starters[] = {
  "A", "About", "According", "After", "Again", "Against", "All", "Also", "Although",
  "Among", "An", "And", "Another", "Any", "Are", "As", "At", "Because", "Before",
  "Both", "But", "By", "Despite", "During", "Each", "Earlier", "Even", "Every",
  "For", "From", "Had", "Has", "Have", "He", "Her", "Here", "His", "How", "However",
  "I", "If", "In", "Instead", "Is", "It", "Its", "Last", "Later", "Many",
  "Meanwhile", "More", "Most", "My", "Neither", "Nevertheless", "No", "None", "Nor",
  "Not", "Now", "Of", "On", "One", "Only", "Or", "Other", "Our", "Over", "She",
  "Since", "So", "Some", "Still", "Such", "That", "The", "Their", "Then", "There",
  "These", "They", "This", "Those", "Though", "Thus", "To", "Under", "Unlike",
  "Until", "Was", "We", "Were", "What", "When", "Where", "Whether", "Which", "While",
  "Who", "Why", "With", "Without", "Yet", "You", "Your",
};

/* Top-level domains besides the two-letter country codes that make
 * "name.tld" a domain name rather than two words and a period. */
static const char *const generic_tlds[] = {
  "app", "biz", "com", "dev", "edu", "gov", "info", "int", "mil", "name", "net",
  "news", "online", "org", "site", "tech",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Compare a counted string with a NUL-terminated one in byte order. */
static int compare_counted(const unsigned char *s, size_t n, const char *z) {
  size_t i = 0;
  for (; i < n && z[i]; i++)
    if (s[i] != (unsigned char)z[i]) return s[i] < (unsigned char)z[i] ? -1 : 1;
  if (i < n) return 1;
  return z[i] ? -1 : 0;
}

static int abbreviation_class(const unsigned char *s, size_t n) {
  size_t lo = 0, hi = COUNT_OF(abbreviations);
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = compare_counted(s, n, abbreviations[mid].word);
    if (c == 0) return abbreviations[mid].cls;
    if (c < 0) hi = mid; else lo = mid + 1;
  }
  return ABBR_NONE;
}

static int in_sorted_list(const char *const *list, size_t count,
                          const unsigned char *s, size_t n) {
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = compare_counted(s, n, list[mid]);
    if (c == 0) return 1;
    if (c < 0) hi = mid; else lo = mid + 1;
  }
  return 0;
}

/* ---- token facts --------------------------------------------------------- */

/* What the sentence step needs to know about each token. */
enum {
  F_SPACE_BEFORE = 1u << 0,  /* white space (or the paragraph start) before it */
  F_NL_BEFORE = 1u << 1,     /* a line break before it */
  F_UPPER = 1u << 2,         /* a word starting with an upper-case letter */
  F_LOWER = 1u << 3,         /* a word starting with a lower-case letter */
  F_TERM = 1u << 4,          /* . ! ? ... and other full stops */
  F_ELLIPSIS = 1u << 5,
  F_CJK_TERM = 1u << 6,      /* a full stop that needs no space after it */
  F_ABBR = 1u << 7,          /* a word that keeps its period (U.S., Mr., R.) */
  F_TITLE = 1u << 8,         /* ... and never ends a sentence */
  F_CLOSER = 1u << 9,        /* closing bracket or quote */
  F_OPENER = 1u << 10,       /* opening bracket or quote */
  F_DQ_OPEN = 1u << 11,      /* an opening double quote */
  F_DQ_CLOSE = 1u << 12,     /* a closing double quote */
  F_DQ_LOW = 1u << 13,       /* the German low quote, closed by U+201C */
  F_DQ_LEFT = 1u << 14,      /* U+201C, which closes a low quote */
  F_STRAIGHT_DQ = 1u << 15,  /* ", open or close by context */
  F_STRAIGHT_SQ = 1u << 16,  /* ' on its own */
  F_CLAUSE = 1u << 17,       /* , ; : and their CJK and Arabic forms */
  F_WRAP_END = 1u << 18,     /* , ; or a hyphen: a line ending here goes on */
  F_LPAREN = 1u << 19,
  F_RPAREN = 1u << 20,
  F_LINE_END = 1u << 21,     /* the last token of its line or paragraph */
  /* a token that match_quotes may open or close a quotation with */
  F_ANY_DQ = F_DQ_OPEN | F_DQ_CLOSE | F_DQ_LEFT | F_STRAIGHT_DQ
};

/* ---- the segmenter's state ---------------------------------------------- */

typedef struct line_info {
  uint32_t start, cstart, cend;  /* line start; its text without edge spaces */
  uint32_t indent;               /* bytes of leading white space */
  uint32_t chars;                /* code points in [cstart, cend) */
  uint32_t words, caps;          /* cased words on the line; capitalized ones */
  int ends_terminal;             /* last visible character ends a sentence */
} line_info;

typedef struct quote_range {
  size_t open, close;            /* token indexes of a matched pair */
} quote_range;

typedef struct segmenter {
  const unsigned char *text;
  size_t len;
  lector_segments *out;
  size_t paragraph_cap, sentence_cap, token_cap;
  line_info *lines;              /* the current block of non-blank lines */
  size_t line_count, line_cap;
  uint32_t *flags;               /* facts for the current paragraph's tokens */
  size_t flag_cap;
  uint32_t paragraph_flags;      /* the union of those facts */
  int ascii;                     /* the whole text is ASCII */
  quote_range *quotes;           /* matched quotes in the current paragraph */
  size_t quote_count, quote_cap;
  /* Scanner state for the current paragraph. The memos make the look-ahead
   * for e-mail addresses and domain names pay once per run of characters,
   * not once per token inside the run. */
  size_t end;                    /* end of the current paragraph */
  size_t at_pos;                 /* next '@' at or after the cursor, or end */
  size_t at_local_start;         /* where the address before at_pos may start */
  size_t at_email_end;           /* end of that address, 0 if it is not one */
  size_t no_domain_until;        /* a dotted run up to here is no domain */
} segmenter;

/* Grow an array to hold at least need elements, doubling; NULL when out of
 * memory (the old array is then untouched). */
static void *grow(void *array, size_t *cap, size_t need, size_t size) {
  size_t n = *cap ? *cap : 64;
  while (n < need) {
    if (n > SIZE_MAX / 2 / size) return NULL;
    n *= 2;
  }
  void *p = realloc(array, n * size);
  if (p) *cap = n;
  return p;
}

/* ---- character helpers -------------------------------------------------- */

static lector_cclass class_at(const segmenter *sg, size_t p, uint32_t *cp, size_t *n) {
  unsigned c = sg->text[p];
  if (c < 0x80) {
    *cp = c;
    *n = 1;
    return (lector_cclass)lector_ascii_cclass[c];
  }
  *n = lector_utf8_decode(sg->text + p, sg->end - p, cp);
  return lector_cclass_of(*cp);
}

/* 1 for the bytes of ASCII letters and digits: the inner loop of word
 * scanning is a table look-up. */
static const unsigned char ascii_alnum[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int is_ascii_alnum(unsigned c) { return ascii_alnum[c & 0xFF]; }

/* Text read eight bytes at a time: a byte of ones, and bit 7 of each byte. */
enum { WORD_BYTES = sizeof(uint64_t) };
static const uint64_t byte_ones = 0x0101010101010101u, byte_high_bits = 0x8080808080808080u;

/* Eight bytes of text as one number, the first byte lowest, whatever the
 * machine's byte order (compilers make this one load). */
static inline uint64_t load_le64(const unsigned char *p) {
  return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
         (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
         (uint64_t)p[7] << 56;
}

/* Bit 7 set in each byte of w that is an ASCII letter or digit. Each range
 * test adds a constant to the byte's low seven bits, so that bit 7 of the
 * sum tells the byte's side of the bound, and no sum carries into the next
 * byte; bytes of 0x80 and above are cleared at the end. */
static inline uint64_t alnum_bytes(uint64_t w) {
  uint64_t low = w & ~byte_high_bits;
  uint64_t folded = low | byte_ones * 0x20;  /* A-Z onto a-z */
  uint64_t letter = (folded + byte_ones * (0x80 - 'a')) & ~(folded + byte_ones * (0x7F - 'z'));
  uint64_t digit = (low + byte_ones * (0x80 - '0')) & ~(low + byte_ones * (0x7F - '9'));
  return (letter | digit) & ~w & byte_high_bits;
}

/* The position of the first byte whose bit 7 is set in marks (which has
 * no other bits, and one at least). Without the compiler's count of
 * trailing zeros: the lowest bit is bit 8i + 7, and multiplying 1 << 8i by
 * the constant puts i in the top byte. */
static inline size_t first_marked_byte(uint64_t marks) {
#if defined(__GNUC__)
  return (size_t)__builtin_ctzll(marks) / 8;
#else
  uint64_t lowest = marks & (~marks + 1);
  return (size_t)(((lowest >> 7) * 0x0001020304050607u) >> 56);
#endif
}

/* End of the run of ASCII letters and digits from q, eight bytes at a time
 * while eight are left in the text: a loop over bytes mispredicts its exit
 * at the end of nearly every word. When the text goes on past the
 * paragraph, the byte at its end is white space (read_line trims a line to
 * its visible text), so the run stops there by itself, and reading past
 * the paragraph within the text is safe. */
static inline size_t ascii_run_end(const segmenter *sg, size_t q) {
  const unsigned char *t = sg->text;
  while (sg->len - q >= WORD_BYTES) {
    uint64_t stops = ~alnum_bytes(load_le64(t + q)) & byte_high_bits;
    if (stops) return q + first_marked_byte(stops);
    q += WORD_BYTES;
  }
  while (q < sg->end && ascii_alnum[t[q]]) q++;
  return q;
}

/* 1 for the bytes that, right after a run of ASCII letters and digits, may
 * carry the word on or make it more: a hyphen, an apostrophe, '&', a
 * period, every byte of a non-ASCII character; the colon of "http:" and
 * "https:"; and the '@' or the other marks of an e-mail address's local
 * part ("j.smith@", "j_smith@"). A word followed by any other byte ends
 * with its run, and can be neither a URL nor part of an address. */
static const unsigned char run_goes_on[256] = {
  ['&'] = 1, ['\''] = 1, ['-'] = 1, ['.'] = 1,
  [':'] = 1,
  ['@'] = 1, ['_'] = 1, ['%'] = 1, ['+'] = 1,
  /* 0x80 to 0xFF */
  [0x80] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
};

/* What the first byte of a token, or a byte between tokens, tells the
 * tokenizer, in the facts' own bits: F_SPACE_BEFORE for ASCII white space
 * (with F_NL_BEFORE for a line break), F_UPPER or F_LOWER for an ASCII
 * letter, LEAD_NON_ASCII for the lead and continuation bytes of other
 * characters (which may be white space too), 0 for the rest. One look-up
 * decides what the byte is and what a word starting there records. */
enum { LEAD_NON_ASCII = 1u << 7 };
#define S F_SPACE_BEFORE
#define N (F_SPACE_BEFORE | F_NL_BEFORE)
#define U F_UPPER
#define L F_LOWER
#define X LEAD_NON_ASCII
static const unsigned char token_lead[256] = {
  S, S, S, S, S, S, S, S, S, S, N, S, S, S, S, S,
  S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
  S, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
  U, U, U, U, U, U, U, U, U, U, U, 0, 0, 0, 0, 0,
  0, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
  L, L, L, L, L, L, L, L, L, L, L, 0, 0, 0, 0, S,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
  X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X
};
#undef S
#undef N
#undef U
#undef L
#undef X

static int is_ascii_digit(unsigned c) { return c >= '0' && c <= '9'; }

static int is_full_stop(uint32_t cp) {
  switch (cp) {
  case '.': case '!': case '?': case 0x2026: case 0x203C: case 0x2047: case 0x2048:
  case 0x2049: case 0x3002: case 0xFF61: case 0xFF01: case 0xFF1F: case 0x061F:
  case 0x06D4: case 0x0964: case 0x0965: case 0x0589: case 0x1362:
    return 1;
  default:
    return 0;
  }
}

static int is_closing_mark(uint32_t cp) {
  if (cp == ')' || cp == ']' || cp == '}' || cp == '"' || cp == '\'') return 1;
  if (cp < 0x80) return 0;
  utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)cp);
  return cat == UTF8PROC_CATEGORY_PE || cat == UTF8PROC_CATEGORY_PF;
}

/* ---- lines and paragraphs ---------------------------------------------- */

/* Does the visible text [from, to) end like a sentence: a full stop,
 * possibly followed by closing quotes and brackets? Only used to decide
 * whether an indented line starts a paragraph. */
static int ends_terminal(const unsigned char *t, size_t from, size_t to) {
  while (to > from) {
    size_t b = to - 1;
    while (b > from && (t[b] & 0xC0) == 0x80) b--;
    uint32_t cp;
    lector_utf8_decode(t + b, to - b, &cp);
    if (is_full_stop(cp)) return 1;
    if (!is_closing_mark(cp)) return 0;
    to = b;
  }
  return 0;
}

static int is_space_at(const unsigned char *t, size_t p, size_t end, size_t *n) {
  if (t[p] < 0x80) {
    *n = 1;
    return lector_ascii_cclass[t[p]] == LECTOR_CC_SPACE;
  }
  uint32_t cp;
  *n = lector_utf8_decode(t + p, end - p, &cp);
  return lector_cclass_of(cp) == LECTOR_CC_SPACE;
}

/* Code points in [from, to): every byte but a UTF-8 continuation byte
 * (10xxxxxx) starts one. Eight bytes are counted at a time: a line is
 * counted on every call, and a byte at a time this was the segmenter's
 * largest single cost. Byte order does not matter, only the sum. */
static uint32_t count_code_points(const unsigned char *t, size_t from, size_t to) {
  size_t i = from, chars = 0;
  for (; to - i >= WORD_BYTES; i += WORD_BYTES) {
    uint64_t w;
    memcpy(&w, t + i, sizeof w);
    /* bit 7 of each continuation byte: bit 7 set and bit 6 (shifted up) clear */
    uint64_t continuation = w & ~(w << 1) & byte_high_bits;
    /* the multiplication sums the eight 0/1 bytes into the top byte */
    chars += WORD_BYTES - (size_t)(((continuation >> 7) * byte_ones) >> 56);
  }
  for (; i < to; i++) chars += (t[i] & 0xC0) != 0x80;
  return (uint32_t)chars;
}

/* Is every byte of t[0, len) ASCII? Then a line's length in code points is
 * its length in bytes, and no line needs counting. Most news text is; a
 * text that is not usually shows it early, where the scan stops. */
static int text_is_ascii(const unsigned char *t, size_t len) {
  size_t i = 0;
  for (; len - i >= 4 * WORD_BYTES; i += 4 * WORD_BYTES) {
    uint64_t w[4];
    memcpy(w, t + i, sizeof w);
    if ((w[0] | w[1] | w[2] | w[3]) & byte_high_bits) return 0;
  }
  unsigned any = 0;
  for (; i < len; i++) any |= t[i];
  return any < 0x80;
}

/* Measure one line [start, end): where its visible text starts and stops,
 * its indent, and its length in code points (its length in bytes when the
 * text is ASCII). A line with no visible text is blank (cstart == cend). */
static void read_line(const unsigned char *t, size_t start, size_t end, int ascii,
                      line_info *li) {
  size_t p = start, n;
  while (p < end && is_space_at(t, p, end, &n)) p += n;
  size_t q = end;
  while (q > p) {
    size_t b = q - 1;
    while (b > p && (t[b] & 0xC0) == 0x80) b--;
    if (!is_space_at(t, b, q, &n)) break;
    q = b;
  }
  li->start = (uint32_t)start;
  li->cstart = (uint32_t)p;
  li->cend = (uint32_t)q;
  li->indent = (uint32_t)(p - start);
  li->chars = ascii ? (uint32_t)(q - p) : count_code_points(t, p, q);
  li->words = li->caps = 0;
  li->ends_terminal = q > p && ends_terminal(t, p, q);
}

/* ---- tokens ----------------------------------------------------------------- */

/* Length of "http://", "https://" or "www." at p (case-insensitive), or 0.
 * "www." counts only when a name follows. */
static size_t url_prefix(const segmenter *sg, size_t p) {
  /* lengths written out: this runs for every word starting with h or w
   * that does not take plain_word_end's short way */
  static const struct { const char *s; size_t n; } prefixes[] = {
    {"https://", 8}, {"http://", 7}, {"www.", 4}};
  const unsigned char *t = sg->text;
  /* Every prefix needs more than four bytes before the paragraph's end,
   * and its second letter is t or w: most words fail here at once. */
  if (sg->end - p <= 4 || ((t[p + 1] | 0x20) != 't' && (t[p + 1] | 0x20) != 'w')) return 0;
  for (size_t k = 0; k < COUNT_OF(prefixes); k++) {
    size_t n = prefixes[k].n, i = 0;
    if (sg->end - p <= n) continue;
    while (i < n && (t[p + i] | 0x20) == (unsigned char)prefixes[k].s[i]) i++;
    if (i == n && (k < 2 || is_ascii_alnum(t[p + n]))) return n;
  }
  return 0;
}

/* Scan the rest of a URL from q (its prefix or domain already taken) and
 * trim the punctuation that usually follows a URL in prose: a final
 * period or comma, and a closing parenthesis the URL did not open. */
static size_t scan_url_body(const segmenter *sg, size_t start, size_t q) {
  const unsigned char *t = sg->text;
  size_t opens = 0, closes = 0;
  while (q < sg->end) {
    unsigned c = t[q];
    if (c < 0x80) {
      if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' || c == '`') break;
      opens += c == '(';
      closes += c == ')';
      q++;
      continue;
    }
    uint32_t cp;
    size_t n;
    lector_cclass k = class_at(sg, q, &cp, &n);
    if (!lector_cclass_is_letter(k) && k != LECTOR_CC_MARK && k != LECTOR_CC_DIGIT) break;
    q += n;
  }
  while (q > start) {
    unsigned c = t[q - 1];
    if (c == ')' && closes > opens) closes--;
    else if (!strchr(".,;:!?'*", (int)c) || c == 0) break;
    q--;
  }
  return q;
}

static int is_email_local(unsigned c) {
  return is_ascii_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* End of the domain of an e-mail address whose '@' is at at, or 0: labels
 * of letters, digits and hyphens, at least two, the last one letters. */
static size_t email_domain_end(const segmenter *sg, size_t at) {
  const unsigned char *t = sg->text;
  size_t q = at + 1, labels = 0, last = q;
  while (q < sg->end && is_ascii_alnum(t[q])) {
    last = q;
    while (q < sg->end && (is_ascii_alnum(t[q]) || t[q] == '-')) q++;
    labels++;
    if (q + 1 < sg->end && t[q] == '.' && is_ascii_alnum(t[q + 1])) q++;
    else break;
  }
  if (labels < 2 || q - last < 2) return 0;
  for (size_t i = last; i < q; i++)
    if (!((t[i] | 0x20) >= 'a' && (t[i] | 0x20) <= 'z')) return 0;
  return q;
}

/* Find the next '@' at or after p and the e-mail address around it, for
 * email_at; also run at each paragraph's start, so that the memo is always
 * valid. A long run without '@' costs one memchr. */
static void find_next_at(segmenter *sg, size_t p) {
  const unsigned char *t = sg->text;
  const unsigned char *a = memchr(t + p, '@', sg->end - p);
  sg->at_pos = a ? (size_t)(a - t) : sg->end;
  sg->at_email_end = 0;
  if (a) {
    size_t b = sg->at_pos;
    while (b > 0 && is_email_local(t[b - 1])) b--;
    sg->at_local_start = b;
    sg->at_email_end = email_domain_end(sg, sg->at_pos);
  }
}

/* End of an e-mail address starting at p, or 0. The next '@' and the
 * address around it are reused until the scan passes that '@'; this check
 * runs for every word and number, so it is kept apart from the search to
 * stay small enough to inline. */
static size_t email_at(segmenter *sg, size_t p) {
  if (sg->at_pos < p) find_next_at(sg, p);
  if (sg->at_email_end && p >= sg->at_local_start && p < sg->at_pos) return sg->at_email_end;
  return 0;
}

static int is_tld(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < 'a' || s[i] > 'z') return 0;
  return n == 2 || in_sorted_list(generic_tlds, COUNT_OF(generic_tlds), s, n);
}

/* End of a domain name whose first label is [start, dot), or 0. A failed
 * attempt records how far the dotted run goes: any later start inside it
 * would reach the same last label and fail the same way. */
static size_t try_domain(segmenter *sg, size_t start, size_t dot) {
  const unsigned char *t = sg->text;
  if (dot < sg->no_domain_until) return 0;
  size_t q = dot, last = start;
  while (q + 1 < sg->end && t[q] == '.' && is_ascii_alnum(t[q + 1])) {
    q++;
    last = q;
    while (q < sg->end && (is_ascii_alnum(t[q]) || t[q] == '-')) q++;
  }
  if (last > start && is_tld(t + last, q - last)) return q;
  sg->no_domain_until = q;
  return 0;
}

/* Is the character at q one that lets a word go on after an inner hyphen
 * (letters or digits) or apostrophe (letters only)? */
static int word_goes_on(const segmenter *sg, size_t q, int digits_too) {
  if (q >= sg->end) return 0;
  uint32_t cp;
  size_t n;
  lector_cclass k = class_at(sg, q, &cp, &n);
  return lector_cclass_is_letter(k) || (digits_too && k == LECTOR_CC_DIGIT);
}

static int mark_at(const segmenter *sg, size_t q) {
  uint32_t cp;
  size_t n;
  return q < sg->end && class_at(sg, q, &cp, &n) == LECTOR_CC_MARK;
}

static int is_hebrew_letter(uint32_t cp) { return cp >= 0x05D0 && cp <= 0x05EA; }

/* A word from p: letters, combining marks, digits, and inner hyphens,
 * apostrophes and joiners. *ascii tells whether it is plain ASCII letters,
 * digits and hyphens (a candidate first label of a domain name). */
static size_t scan_word(const segmenter *sg, size_t p, int *ascii) {
  const unsigned char *t = sg->text;
  size_t q = p;
  uint32_t prev = 0;
  *ascii = 1;
  while (q < sg->end) {
    unsigned c = t[q];
    if (c < 0x80) {
      if (is_ascii_alnum(c)) {
        /* the common case: a run of ASCII letters and digits */
        q = ascii_run_end(sg, q + 1);
        prev = t[q - 1];
        continue;
      }
      if (c == '-' && word_goes_on(sg, q + 1, 1)) { prev = c; q++; continue; }
      if (c == '\'' && word_goes_on(sg, q + 1, 0)) { *ascii = 0; prev = c; q++; continue; }
      /* AT&T, S&P, R&D */
      if (c == '&' && prev >= 'A' && prev <= 'Z' && q + 1 < sg->end &&
          t[q + 1] >= 'A' && t[q + 1] <= 'Z') {
        *ascii = 0;
        prev = c;
        q++;
        continue;
      }
      break;
    }
    uint32_t cp;
    size_t n;
    lector_cclass k = class_at(sg, q, &cp, &n);
    int glue = lector_cclass_is_letter(k) || k == LECTOR_CC_MARK || k == LECTOR_CC_DIGIT;
    if (!glue && k == LECTOR_CC_JOINER) glue = word_goes_on(sg, q + n, 0) || mark_at(sg, q + n);
    if (!glue && (cp == 0x2019 || cp == 0x02BC)) glue = word_goes_on(sg, q + n, 0);
    if (!glue && (cp == 0x2010 || cp == 0x2011)) glue = word_goes_on(sg, q + n, 1);
    if (!glue && (cp == 0x05F3 || cp == 0x05F4) && is_hebrew_letter(prev) && q + n < sg->end) {
      uint32_t next;
      lector_utf8_decode(t + q + n, sg->end - q - n, &next);
      glue = is_hebrew_letter(next);
    }
    if (!glue) break;
    *ascii = 0;
    prev = cp;
    q += n;
  }
  return q;
}

/* After a single letter at p: "U.S.", "a.m.", "J.R.R." — two or more
 * letter-period pairs. Returns the end after the last period, or 0. */
static size_t scan_acronym(const segmenter *sg, size_t p) {
  size_t q = p, groups = 0;
  while (q < sg->end) {
    uint32_t cp;
    size_t n;
    if (!lector_cclass_is_letter(class_at(sg, q, &cp, &n))) break;
    if (q + n >= sg->end || sg->text[q + n] != '.') break;
    groups++;
    q += n + 1;
  }
  return groups >= 2 ? q : 0;
}

static int number_follows(const segmenter *sg, size_t q) {
  while (q < sg->end && (sg->text[q] == ' ' || sg->text[q] == '\t')) q++;
  return q < sg->end && is_ascii_digit(sg->text[q]);
}

/* The word [p, q), followed by a period at q and then by no letter or
 * digit, keeps the period when it is a listed abbreviation ("Mr.", "Inc.",
 * "No." before a number) or an initial (a single capital letter, "R.").
 * Returns the token's end and adds the abbreviation's facts to *flags. */
static size_t abbreviation_end(const segmenter *sg, size_t p, size_t q, int initial,
                               uint32_t *flags) {
  int cls = abbreviation_class(sg->text + p, q - p);
  if (cls == ABBR_TITLE || (cls == ABBR_NUMBER && number_follows(sg, q + 1))) {
    *flags |= F_ABBR | F_TITLE;
    return q + 1;
  }
  if (cls == ABBR_PLAIN || initial) {
    *flags |= F_ABBR;
    return q + 1;
  }
  return q;
}

/*
 * The word [p, q) is followed by a period at q: it may be a domain name
 * ("venezuelanalysis.com", which becomes a URL when a path follows), an
 * acronym ("U.S."), a listed abbreviation ("Mr.") or an initial ("R."),
 * the last three keeping their period. first is the class of its first
 * character, first_len that character's length. Returns the token's end.
 */
static size_t scan_word_period(segmenter *sg, size_t p, size_t q, lector_cclass first,
                               size_t first_len, int ascii, int *kind, uint32_t *flags) {
  const unsigned char *t = sg->text;
  size_t r;
  if (ascii && (r = try_domain(sg, p, q)) != 0) {
    *kind = LECTOR_TOKEN_URL;
    *flags &= ~(uint32_t)(F_UPPER | F_LOWER);
    if (r + 1 < sg->end && t[r] == '/' && t[r + 1] > 0x20) return scan_url_body(sg, r, r + 1);
    return r;
  }
  int single = q - p == first_len && lector_cclass_is_letter(first);
  if (single && (r = scan_acronym(sg, p)) != 0) {
    *flags |= F_ABBR;
    return r;
  }
  if (word_goes_on(sg, q + 1, 1)) return q;
  return abbreviation_end(sg, p, q, single && first == LECTOR_CC_UPPER, flags);
}

/*
 * A word from p, whose first character (of class first, first_len bytes)
 * the caller has already classified, or a word that turns out to be more
 * when a period follows it (see scan_word_period).
 */
static size_t scan_wordlike(segmenter *sg, size_t p, lector_cclass first, size_t first_len,
                            int *kind, uint32_t *flags) {
  int ascii;
  size_t q = scan_word(sg, p, &ascii);
  *kind = LECTOR_TOKEN_WORD;
  if (first == LECTOR_CC_UPPER) *flags |= F_UPPER;
  else if (first == LECTOR_CC_LOWER) *flags |= F_LOWER;
  if (q >= sg->end || sg->text[q] != '.') return q;
  return scan_word_period(sg, p, q, first, first_len, ascii, kind, flags);
}

/* Keycap emoji: a digit, '#' or '*', an optional U+FE0F, then U+20E3. */
static size_t keycap_end(const segmenter *sg, size_t p) {
  size_t q = p + 1;
  uint32_t cp;
  size_t n;
  if (q >= sg->end || sg->text[q] < 0x80) return 0;
  class_at(sg, q, &cp, &n);
  if (cp == 0xFE0F) {
    q += n;
    if (q >= sg->end) return 0;
    class_at(sg, q, &cp, &n);
  }
  return cp == 0x20E3 ? q + n : 0;
}

static int is_ordinal_suffix(const unsigned char *s, size_t n) {
  if (n == 1) return (s[0] | 0x20) == 's';  /* 1990s */
  if (n != 2) return 0;
  unsigned a = s[0] | 0x20, b = s[1] | 0x20;
  return (a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') ||
         (a == 't' && b == 'h');
}

/* A number: digits with inner . , : / before more digits ("1,000.5",
 * "10:30", "1.000.000"); ASCII letters right after make "3rd" (still a
 * number) or "10km" (a word). */
static size_t scan_number(const segmenter *sg, size_t p, int *kind) {
  const unsigned char *t = sg->text;
  size_t q = p;
  for (;;) {
    while (q < sg->end) {
      uint32_t cp;
      size_t n;
      if (is_ascii_digit(t[q])) {  /* most digits, without the general look-up */
        q++;
        continue;
      }
      if (class_at(sg, q, &cp, &n) != LECTOR_CC_DIGIT) break;
      q += n;
    }
    if (q + 1 < sg->end && (t[q] == '.' || t[q] == ',' || t[q] == ':' || t[q] == '/') &&
        is_ascii_digit(t[q + 1])) {
      q++;
      continue;
    }
    break;
  }
  *kind = LECTOR_TOKEN_NUMBER;
  size_t r = ascii_run_end(sg, q);
  if (r > q && !is_ordinal_suffix(t + q, r - q)) *kind = LECTOR_TOKEN_WORD;
  return r;
}

static int is_regional_indicator(uint32_t cp) { return cp >= 0x1F1E6 && cp <= 0x1F1FF; }

/* An emoji sequence: a pictograph with its modifiers (variation selector,
 * skin tone, tags, keycap), joined by ZWJ to further pictographs; or a
 * pair of regional indicators (a flag). */
static size_t scan_emoji(const segmenter *sg, size_t p) {
  uint32_t cp, next;
  size_t n, m;
  class_at(sg, p, &cp, &n);
  size_t q = p + n;
  if (is_regional_indicator(cp)) {
    if (q < sg->end) {
      class_at(sg, q, &next, &m);
      if (is_regional_indicator(next)) q += m;
    }
    return q;
  }
  while (q < sg->end) {
    lector_cclass k = class_at(sg, q, &next, &m);
    if (k == LECTOR_CC_EMOJI_MOD) { q += m; continue; }
    if (next != 0x200D || q + m >= sg->end) break;
    size_t after;
    if (class_at(sg, q + m, &next, &after) != LECTOR_CC_EMOJI) break;
    q += m + after;
  }
  return q;
}

/* Facts for a punctuation code point other than the ASCII ones. */
static uint32_t punct_flags(uint32_t cp) {
  switch (cp) {
  case 0x2026: return F_TERM | F_ELLIPSIS;
  case 0x203C: case 0x2047: case 0x2048: case 0x2049:
  case 0x061F: case 0x06D4: case 0x0964: case 0x0965: case 0x0589: case 0x1362:
    return F_TERM;
  case 0x3002: case 0xFF61: case 0xFF01: case 0xFF1F: return F_TERM | F_CJK_TERM;
  case 0x201C: return F_OPENER | F_DQ_OPEN | F_DQ_LEFT;
  case 0x201E: return F_OPENER | F_DQ_OPEN | F_DQ_LOW;
  case 0x00AB: return F_OPENER | F_DQ_OPEN;
  case 0x201D: case 0x00BB: return F_CLOSER | F_DQ_CLOSE;
  case 0xFF0C: case 0x3001: case 0xFF1B: case 0x060C: case 0x061B: return F_CLAUSE | F_WRAP_END;
  case 0xFF1A: return F_CLAUSE;
  default: break;
  }
  switch (utf8proc_category((utf8proc_int32_t)cp)) {
  case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PI: return F_OPENER;
  case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PF: return F_CLOSER;
  default: return 0;
  }
}

/* ASCII punctuation and symbols. Runs of '.' (an ellipsis), of '?' and '!'
 * ("?!"), and of '-' ("--") are one token; every other mark is one. */
static size_t scan_ascii_mark(const segmenter *sg, size_t p, int *kind, uint32_t *flags) {
  const unsigned char *t = sg->text;
  unsigned c = t[p];
  size_t q = p + 1;
  *kind = lector_ascii_cclass[c] == LECTOR_CC_SYMBOL ? LECTOR_TOKEN_SYMBOL : LECTOR_TOKEN_PUNCT;
  switch (c) {
  case '.':
    while (q < sg->end && t[q] == '.') q++;
    *flags |= q - p > 1 ? F_TERM | F_ELLIPSIS : F_TERM;
    break;
  case '?': case '!':
    while (q < sg->end && (t[q] == '?' || t[q] == '!')) q++;
    *flags |= F_TERM;
    break;
  case '-':
    while (q < sg->end && t[q] == '-') q++;
    *flags |= F_WRAP_END;
    break;
  case ',': case ';': *flags |= F_CLAUSE | F_WRAP_END; break;
  case ':': *flags |= F_CLAUSE; break;
  case '(': *flags |= F_OPENER | F_LPAREN; break;
  case '[': case '{': *flags |= F_OPENER; break;
  case ')': *flags |= F_CLOSER | F_RPAREN; break;
  case ']': case '}': *flags |= F_CLOSER; break;
  case '"': *flags |= F_STRAIGHT_DQ; break;
  case '\'': *flags |= F_STRAIGHT_SQ; break;
  default: break;
  }
  return q;
}

/* Marks and emoji modifiers that follow a lone character stay with it;
 * a U+FE0F makes the character an emoji. */
static size_t take_modifiers(const segmenter *sg, size_t q, int *kind) {
  while (q < sg->end) {
    uint32_t cp;
    size_t n;
    lector_cclass k = class_at(sg, q, &cp, &n);
    if (k != LECTOR_CC_MARK && k != LECTOR_CC_EMOJI_MOD) break;
    if (cp == 0xFE0F) *kind = LECTOR_TOKEN_EMOJI;
    q += n;
  }
  return q;
}

/* A URL starting with "http://", "https://" or "www." at p: its end, or 0
 * when there is none or nothing follows the prefix. */
static size_t url_at(const segmenter *sg, size_t p) {
  size_t n = url_prefix(sg, p);
  if (n == 0) return 0;
  size_t q = scan_url_body(sg, p, p + n);
  return q > p + n ? q : 0;
}

/* The end of the plain ASCII word at p, whose first character is a letter
 * (lead tells which case), or 0 when the token there may be more: a URL, an
 * e-mail address, a word that goes on past its first run of letters and
 * digits. Most tokens of news text are such words: for them this gives
 * what scan_token would, without its general dispatch. The byte after the
 * run tells them apart (see run_goes_on), so a plain word pays for no URL
 * or e-mail look-up. A period followed by white space, as at the end of a
 * sentence, makes no domain name, acronym or address either: only the
 * abbreviations are left to check, and *flags takes their facts. */
static size_t plain_word_end(const segmenter *sg, size_t p, uint32_t lead, uint32_t *flags) {
  const unsigned char *t = sg->text;
  size_t q = ascii_run_end(sg, p + 1);
  if (q == sg->end || !run_goes_on[t[q]]) return q;
  if (t[q] == '.' && (q + 1 == sg->end || (token_lead[t[q + 1]] & F_SPACE_BEFORE)))
    return abbreviation_end(sg, p, q, q - p == 1 && (lead & F_UPPER), flags);
  return 0;
}

/*
 * One token starting with the ASCII character at p, which is not white
 * space. The character's class picks the few scanners that can start
 * there, so a plain word or mark pays for no other test than its own:
 * URLs start with h or w, e-mail addresses with a letter or digit,
 * keycaps with a digit, '#' or '*'.
 */
static size_t scan_ascii_token(segmenter *sg, size_t p, int *kind, uint32_t *flags) {
  unsigned c = sg->text[p];
  lector_cclass k = (lector_cclass)lector_ascii_cclass[c];
  size_t n;
  if (k == LECTOR_CC_UPPER || k == LECTOR_CC_LOWER) {
    if (((c | 0x20) == 'h' || (c | 0x20) == 'w') && (n = url_at(sg, p)) != 0) {
      *kind = LECTOR_TOKEN_URL;
      return n;
    }
    if ((n = email_at(sg, p)) != 0) {
      *kind = LECTOR_TOKEN_EMAIL;
      return n;
    }
    return scan_wordlike(sg, p, k, 1, kind, flags);
  }
  if (k == LECTOR_CC_DIGIT && (n = email_at(sg, p)) != 0) {
    *kind = LECTOR_TOKEN_EMAIL;
    return n;
  }
  if ((k == LECTOR_CC_DIGIT || c == '#' || c == '*') && (n = keycap_end(sg, p)) != 0) {
    *kind = LECTOR_TOKEN_EMOJI;
    return n;
  }
  if (k == LECTOR_CC_DIGIT) return scan_number(sg, p, kind);
  return scan_ascii_mark(sg, p, kind, flags);
}

/* One token starting at p, which is not white space. Returns its end. */
static size_t scan_token(segmenter *sg, size_t p, int *kind, uint32_t *flags) {
  if (sg->text[p] < 0x80) return scan_ascii_token(sg, p, kind, flags);
  uint32_t cp;
  size_t n;
  lector_cclass k = class_at(sg, p, &cp, &n);
  switch (k) {
  case LECTOR_CC_UPPER: case LECTOR_CC_LOWER: case LECTOR_CC_LETTER: case LECTOR_CC_MARK:
    return scan_wordlike(sg, p, k, n, kind, flags);
  case LECTOR_CC_DIGIT:
    return scan_number(sg, p, kind);
  case LECTOR_CC_HAN:
    *kind = LECTOR_TOKEN_WORD;
    return take_modifiers(sg, p + n, &(int){0});
  case LECTOR_CC_HIRAGANA: case LECTOR_CC_KATAKANA: {
    size_t q = p + n, m;
    uint32_t next;
    lector_cclass j;
    while (q < sg->end && ((j = class_at(sg, q, &next, &m)) == k || j == LECTOR_CC_MARK ||
                           next == 0x30FC))
      q += m;
    *kind = LECTOR_TOKEN_WORD;
    return q;
  }
  case LECTOR_CC_EMOJI: case LECTOR_CC_EMOJI_MOD:
    *kind = LECTOR_TOKEN_EMOJI;
    return scan_emoji(sg, p);
  case LECTOR_CC_PUNCT:
    *kind = LECTOR_TOKEN_PUNCT;
    *flags |= punct_flags(cp);
    return p + n;
  case LECTOR_CC_SYMBOL:
    *kind = LECTOR_TOKEN_SYMBOL;
    return take_modifiers(sg, p + n, kind);
  default:
    *kind = LECTOR_TOKEN_OTHER;
    return take_modifiers(sg, p + n, &(int){0});
  }
}

/* Make room for the index-th token of the paragraph whose first token is
 * t0, and its facts; *room is how many tokens then fit in both arrays, so
 * that the tokenizer checks one count per token. */
static int make_room(segmenter *sg, size_t t0, size_t index, size_t *room) {
  lector_segments *out = sg->out;
  if (t0 + index == sg->token_cap) {
    lector_token *p = grow(out->tokens, &sg->token_cap, t0 + index + 1, sizeof *p);
    if (!p) return -1;
    out->tokens = p;
  }
  if (index == sg->flag_cap) {
    uint32_t *f = grow(sg->flags, &sg->flag_cap, index + 1, sizeof *f);
    if (!f) return -1;
    sg->flags = f;
  }
  size_t tokens = sg->token_cap - t0 - index, flags = sg->flag_cap - index;
  *room = tokens < flags ? tokens : flags;
  return 0;
}

/* The words and capitalized words counted on a line; the tokenizer keeps
 * the counts of the current line apart and adds them when it leaves. */
static void add_words(line_info *li, uint32_t words, uint32_t caps) {
  li->words += words;
  li->caps += caps;
}

/* Cut the paragraph [start, end), whose lines are lines[first..last), into
 * tokens, recording each token's facts and counting words per line. The
 * last token of each line is marked, so that the sentence step finds the
 * tokens that may end a sentence by one fact each. */
static int tokenize_paragraph(segmenter *sg, size_t start, size_t end, size_t first_line) {
  const unsigned char *t = sg->text;
  lector_segments *out = sg->out;
  size_t t0 = out->token_count, count = 0, room = 0, p = start, line = first_line;
  uint32_t before = F_SPACE_BEFORE, seen = 0, words = 0, caps = 0;
  sg->end = end;
  find_next_at(sg, start);
  sg->no_domain_until = 0;
  while (p < end) {
    uint32_t lead = token_lead[t[p]];
    size_t n;
    if (lead & F_SPACE_BEFORE) {
      before |= lead;
      p++;
      continue;
    }
    if ((lead & LEAD_NON_ASCII) && is_space_at(t, p, end, &n)) {
      before |= F_SPACE_BEFORE;
      p += n;
      continue;
    }
    if (before & F_NL_BEFORE) {
      add_words(&sg->lines[line++], words, caps);
      words = caps = 0;
      if (count > 0) sg->flags[count - 1] |= F_LINE_END;
    }
    /* Most tokens are plain words: they take the short way. */
    int kind = LECTOR_TOKEN_WORD;
    uint32_t flags = before;
    size_t stop = lead & (F_UPPER | F_LOWER) ? plain_word_end(sg, p, lead, &flags) : 0;
    uint32_t cased;  /* F_UPPER or F_LOWER for a word that starts with a cased letter */
    if (stop != 0) {
      flags |= lead;
      cased = lead;
    } else {
      stop = scan_token(sg, p, &kind, &flags);
      cased = kind == LECTOR_TOKEN_WORD ? flags & (F_UPPER | F_LOWER) : 0;
    }
    words += cased != 0;
    caps += cased == F_UPPER;
    if (room == 0 && make_room(sg, t0, count, &room) != 0) return -1;
    room--;
    seen |= flags;
    sg->flags[count] = flags;
    lector_token *tok = &out->tokens[t0 + count++];
    tok->start = (uint32_t)p;
    tok->stop = (uint32_t)stop;
    tok->kind = (uint8_t)kind;
    before = 0;
    p = stop;
  }
  add_words(&sg->lines[line], words, caps);
  if (count > 0) sg->flags[count - 1] |= F_LINE_END;
  out->token_count = t0 + count;
  sg->paragraph_flags = seen;
  return 0;
}

/* ---- sentences ---------------------------------------------------------------- */

/* The state of one paragraph's sentence split. Token indexes are relative
 * to the paragraph's first token. */
typedef struct splitter {
  segmenter *sg;
  const lector_token *tok;       /* the paragraph's tokens */
  const uint32_t *f;             /* and their facts */
  size_t count;
  const line_info *lines;        /* the paragraph's lines */
  size_t line_count;
  uint32_t longest_line;         /* in code points */
  size_t quote_cursor;
  int credit_pending;            /* a credit follows: end the sentence at the line end */
  int layout;                    /* the paragraph's kind once needed: LAYOUT_* */
} splitter;

/* What hard_break needs to know of a paragraph, worked out the first time
 * it is asked (most paragraphs never are). */
enum { LAYOUT_UNKNOWN, LAYOUT_LINES, LAYOUT_WRAPPED };

static int straight_quote_opens(const splitter *sp, size_t j, int open_straight) {
  int before = j == 0 || (sp->f[j] & F_SPACE_BEFORE);
  int after = j + 1 >= sp->count || (sp->f[j + 1] & F_SPACE_BEFORE);
  if (before != after) return before;
  return !open_straight;
}

/* Pair up double quotes in the paragraph, one level deep: an opening quote
 * replaces an unclosed one, so an unbalanced quote never swallows the rest
 * of the paragraph. The pairs come out in order and do not overlap. */
static int match_quotes(splitter *sp) {
  segmenter *sg = sp->sg;
  size_t open = 0;
  int is_open = 0, open_low = 0, open_straight = 0;
  sg->quote_count = 0;
  if (!(sg->paragraph_flags & F_ANY_DQ)) return 0;  /* most paragraphs quote no one */
  for (size_t j = 0; j < sp->count; j++) {
    uint32_t f = sp->f[j];
    if (!(f & F_ANY_DQ)) continue;  /* most tokens are no quote at all */
    int closes = 0, opens = 0;
    if (f & F_STRAIGHT_DQ) {
      opens = straight_quote_opens(sp, j, is_open && open_straight);
      closes = !opens;
    } else {
      closes = (f & F_DQ_CLOSE) || (is_open && open_low && (f & F_DQ_LEFT));
      opens = !closes && (f & F_DQ_OPEN);
    }
    if (closes && is_open) {
      if (sg->quote_count == sg->quote_cap) {
        quote_range *q = grow(sg->quotes, &sg->quote_cap, sg->quote_count + 1, sizeof *q);
        if (!q) return -1;
        sg->quotes = q;
      }
      sg->quotes[sg->quote_count].open = open;
      sg->quotes[sg->quote_count].close = j;
      sg->quote_count++;
      is_open = 0;
    } else if (opens) {
      open = j;
      is_open = 1;
      open_low = (f & F_DQ_LOW) != 0;
      open_straight = (f & F_STRAIGHT_DQ) != 0;
    }
  }
  return 0;
}

/* Is a boundary after token k inside a matched quotation? k only grows
 * between calls, so the cursor only moves forward. */
static int inside_quote(splitter *sp, size_t k) {
  const segmenter *sg = sp->sg;
  while (sp->quote_cursor < sg->quote_count && sg->quotes[sp->quote_cursor].close <= k)
    sp->quote_cursor++;
  return sp->quote_cursor < sg->quote_count && sg->quotes[sp->quote_cursor].open <= k;
}

/* Take the closing quotes, brackets and further stops glued to the stop
 * at i ("peace.”", "?!", "(He left.)"). Returns the last token taken. */
static size_t take_closers(const splitter *sp, size_t i) {
  size_t k = i;
  while (k + 1 < sp->count) {
    uint32_t g = sp->f[k + 1];
    /* French spacing puts a space before the closing guillemet */
    if ((g & F_SPACE_BEFORE) && ((g & F_NL_BEFORE) || !(g & F_DQ_CLOSE))) break;
    if (!(g & (F_CLOSER | F_TERM | F_STRAIGHT_DQ | F_STRAIGHT_SQ))) break;
    k++;
  }
  return k;
}

static int is_starter(const splitter *sp, size_t j) {
  const lector_token *t = &sp->tok[j];
  return in_sorted_list(sentence_starters, COUNT_OF(sentence_starters),
                        sp->sg->text + t->start, t->stop - t->start);
}

/* Does token j begin with a capital, directly or after an opening quote or
 * bracket ("... “We")? */
static int opens_capitalized(const splitter *sp, size_t j) {
  if (sp->f[j] & F_UPPER) return 1;
  return (sp->f[j] & (F_OPENER | F_STRAIGHT_DQ)) && j + 1 < sp->count &&
         !(sp->f[j + 1] & F_SPACE_BEFORE) && (sp->f[j + 1] & F_UPPER);
}

/* A short parenthesis right after the stop that runs to the end of its
 * line, like "(AFP)": a credit that belongs to the sentence before it. */
static int is_credit(const splitter *sp, size_t j) {
  if (!(sp->f[j] & F_LPAREN)) return 0;
  for (size_t k = j + 1; k < sp->count && k <= j + LECTOR_SEG_CREDIT_MAX_TOKENS; k++) {
    if (sp->f[k] & (F_LPAREN | F_TERM)) return 0;
    if (sp->f[k] & F_RPAREN) return k + 1 == sp->count || (sp->f[k + 1] & F_NL_BEFORE);
  }
  return 0;
}

/* "1." or "12." alone at the start of a line: a list number, not a
 * sentence. */
static int is_list_number(const splitter *sp, size_t s, size_t i) {
  if (i != s + 1 || sp->tok[i].stop - sp->tok[i].start != 1) return 0;
  const lector_token *t = &sp->tok[s];
  return t->kind == LECTOR_TOKEN_NUMBER && (s == 0 || (sp->f[s] & F_NL_BEFORE)) &&
         t->stop - t->start <= LECTOR_SEG_LIST_NUMBER_MAX_BYTES;
}

/* A full stop at i, with its closers up to k: does a sentence end after k?
 * s is the current sentence's first token. */
static int strong_split(splitter *sp, size_t s, size_t i, size_t k) {
  size_t next = k + 1;
  uint32_t run = 0, g = sp->f[next];
  for (size_t j = i; j <= k; j++) run |= sp->f[j];
  if (run & F_CJK_TERM) return 1;
  if (!(g & F_SPACE_BEFORE)) return 0;
  if (inside_quote(sp, k)) return 0;
  if (sp->f[i] & F_ELLIPSIS) {
    int only_ellipses = 1;
    for (size_t j = i; j <= k; j++)
      if ((sp->f[j] & F_TERM) && !(sp->f[j] & F_ELLIPSIS)) only_ellipses = 0;
    if (only_ellipses) return opens_capitalized(sp, next);
  }
  if (g & (F_LOWER | F_CLAUSE | F_CLOSER)) return 0;
  if (is_list_number(sp, s, i)) return 0;
  if (is_credit(sp, next)) {
    sp->credit_pending = 1;
    return 0;
  }
  return 1;
}

/* An abbreviation's period at i (closers up to k): the sentence ends only
 * when a word that usually opens a sentence follows ("the U.S. The move",
 * but not "the U.S. Navy"); never after a title ("Mr."). */
static int weak_split(splitter *sp, size_t i, size_t k) {
  size_t next = k + 1;
  if (sp->f[i] & F_TITLE) return 0;
  if (!(sp->f[next] & F_SPACE_BEFORE)) return 0;
  if (inside_quote(sp, k)) return 0;
  return (sp->f[next] & F_UPPER) && is_starter(sp, next);
}

static int is_heading(const line_info *li) {
  return li->words >= LECTOR_SEG_HEADING_MIN_WORDS &&
         (uint64_t)li->caps * 100 >= (uint64_t)li->words * LECTOR_SEG_HEADING_CAPS_PERCENT;
}

static int is_long_line(const splitter *sp, const line_info *li) {
  return li->chars >= LECTOR_SEG_WRAP_MIN_CHARS &&
         (uint64_t)li->chars * 100 >= (uint64_t)sp->longest_line * LECTOR_SEG_WRAP_MIN_PERCENT;
}

/* Whether tokens first..last (one line) stand in a table's columns:
 * three spaces between two of them, or a dot leader ("O/N
 * Repos......58.9 vs 59.0"). Prose has neither. */
static int has_columns(const splitter *sp, size_t first, size_t last) {
  const unsigned char *t = sp->sg->text;
  for (size_t j = first; j <= last; j++) {
    const lector_token *tok = &sp->tok[j];
    if (j > first && tok->start - sp->tok[j - 1].stop >= 3) return 1;
    if (t[tok->start] == '.' && tok->stop - tok->start >= 4 && t[tok->start + 1] == '.') return 1;
  }
  return 0;
}

/* The line after token k is an item of a list: a bullet, then a capital
 * ("- Raised the tax"; not "- a claim he denied"). */
static int opens_item(const splitter *sp, size_t k) {
  const lector_token *t = &sp->tok[k + 1];
  const unsigned char *b = sp->sg->text + t->start;
  size_t n = t->stop - t->start;
  int bullet = (n == 1 && (b[0] == '-' || b[0] == '*')) ||
               (n == 3 && b[0] == 0xE2 && b[1] == 0x80 && b[2] == 0xA2);   /* U+2022 */
  return bullet && k + 2 < sp->count && (sp->f[k + 2] & F_UPPER);
}

/* The break after token k ends a table's row: the line it ends or the
 * next one is in columns. */
static int ends_row(const splitter *sp, size_t k) {
  size_t first = k, last = k + 1;
  while (first > 0 && !(sp->f[first] & F_NL_BEFORE)) first--;
  while (last + 1 < sp->count && !(sp->f[last] & F_LINE_END)) last++;
  return has_columns(sp, first, k) || has_columns(sp, k + 1, last);
}

/* A paragraph of at least three lines whose inner lines are all long, and
 * mostly prose, is running text wrapped by hand: a line of it that looks
 * like a heading is a name that runs over ("... listed on the / National
 * Association of Securities Dealers Automated Quotation / System"). Its
 * first line may be short: the paragraph began inside a line ("NEW YORK,
 * Feb 26 - Standard Oil Co and BP North America" with the dateline taken
 * out), and is no heading of its own either. */
static int is_wrapped_prose(const splitter *sp, const line_info *lines, size_t line_count) {
  if (line_count < 3) return 0;
  size_t headings = 0;
  for (size_t l = 1; l + 1 < line_count; l++) {
    if (!is_long_line(sp, &lines[l])) return 0;
    headings += (size_t)is_heading(&lines[l]);
  }
  return headings * 2 < line_count - 2;
}

static int layout_of(splitter *sp) {
  if (sp->layout == LAYOUT_UNKNOWN)
    sp->layout = is_wrapped_prose(sp, sp->lines, sp->line_count) ? LAYOUT_WRAPPED : LAYOUT_LINES;
  return sp->layout;
}

/* A word of two or more capital letters and nothing else: the place of a
 * dateline ("LONDON (Reuters) -"), which a headline line may stand on. */
static int is_all_caps_word(const splitter *sp, size_t j) {
  const lector_token *t = &sp->tok[j];
  if (t->kind != LECTOR_TOKEN_WORD || t->stop - t->start < 2) return 0;
  for (uint32_t p = t->start; p < t->stop; p++) {
    unsigned char c = (unsigned char)sp->sg->text[p];
    if (c < 'A' || c > 'Z') return 0;
  }
  return 1;
}

/* Whether token j is a word of the sorted list, written as it is there,
 * with a final period or not ("Inc."). The lists hold short words only. */
static int is_word_of(const splitter *sp, size_t j, const char *const *list, size_t count) {
  const lector_token *t = &sp->tok[j];
  if (t->kind != LECTOR_TOKEN_WORD || t->stop - t->start > 5) return 0;
  const unsigned char *w = sp->sg->text + t->start;
  size_t n = t->stop - t->start;
  if (n > 1 && w[n - 1] == '.') n--;
  return in_sorted_list(list, count, w, n);
}

static int ends_possessive(const splitter *sp, size_t j) {
  const lector_token *t = &sp->tok[j];
  const char *w = (const char *)sp->sg->text + t->start;
  size_t n = t->stop - t->start;
  return t->kind == LECTOR_TOKEN_WORD && n > 2 && w[n - 1] == 's' &&
         (w[n - 2] == '\'' || (n > 4 && memcmp(w + n - 4, "\xE2\x80\x99", 3) == 0));
}

static int is_char(const splitter *sp, size_t j, char c) {
  const lector_token *t = &sp->tok[j];
  return t->stop - t->start == 1 && sp->sg->text[t->start] == c;
}

/* A "(" or "<" on the line of token k, not closed before it ends. */
static int bracket_left_open(const splitter *sp, size_t k) {
  for (size_t j = k + 1; j-- > 0;) {
    if (is_char(sp, j, ')') || is_char(sp, j, '>')) return 0;
    if (is_char(sp, j, '(') || is_char(sp, j, '<')) return 1;
    if (sp->f[j] & F_NL_BEFORE) return 0;
  }
  return 0;
}

/* "(FDIC) said": a name's short form, in brackets, and the sentence goes
 * on (not a credit such as "(AFP) -"). */
static int is_bracketed_short_form(const splitter *sp, size_t j) {
  return j + 3 < sp->count && is_char(sp, j, '(') && is_all_caps_word(sp, j + 1) &&
         is_char(sp, j + 2, ')') && (sp->f[j + 3] & F_LOWER);
}

/* The line ending at token k leaves its phrase open, so no heading or
 * caption ends there: on a word like "of" ("MidCon Corp, a subsidiary of
 * / Occidental Petroleum Corp"), on a possessive ("Esselte Business
 * Systems Inc's / Esselte Meto division"), inside a bracket ("<America
 * First Federally Guaranteed / Mortgage Fund Two>"), before a company
 * suffix ("Medco Containment Services / Inc said") or the name's short
 * form ("The Nuclear Regulatory Commission / (NRC) proposed"). */
static int is_open_ended(const splitter *sp, size_t k) {
  static const char *const joiners[] = {"a", "an", "and", "at", "by", "for", "from", "of",
                                        "or", "the", "to", "with"};
  static const char *const suffixes[] = {"AG", "Co", "Corp", "Cos", "GmbH", "Inc", "LLC",
                                         "Ltd", "NV", "PLC", "Plc"};   /* in byte order */
  /* a suffix before a capitalized word is no company's ("Ballymena / Co
   * Antrim"), unless that word is one too ("Co Ltd") */
  const size_t nsuffixes = COUNT_OF(suffixes);
  int suffix = is_word_of(sp, k + 1, suffixes, nsuffixes) &&
               (k + 2 >= sp->count || !(sp->f[k + 2] & F_UPPER) ||
                is_word_of(sp, k + 2, suffixes, nsuffixes));
  return is_word_of(sp, k, joiners, COUNT_OF(joiners)) || ends_possessive(sp, k) ||
         bracket_left_open(sp, k) ||
         suffix || is_bracketed_short_form(sp, k + 1);
}

/* A line break after token k (on line number line, li), with no full stop
 * before it: is it a hard break (the line was a headline, caption or table
 * row) or a soft wrap inside running text? In wrapped prose only a first
 * line that is short or a heading can be a line of its own, when every
 * word of it is capitalized ("Markets Rally Again") or what follows opens
 * a sentence: a dateline ("LONDON (Reuters) -") or a word such as "The". */
static int hard_break(splitter *sp, size_t k, size_t line, const line_info *li) {
  if ((sp->f[k + 1] & F_LOWER) || (sp->f[k] & F_WRAP_END)) return 0;
  if (ends_row(sp, k) || opens_item(sp, k)) return 1;
  int layout = layout_of(sp);
  if ((layout == LAYOUT_WRAPPED && line > 0) || is_open_ended(sp, k)) return 0;
  if (layout == LAYOUT_WRAPPED)
    return line == 0 && (is_heading(li) || !is_long_line(sp, li)) &&
           ((li->words >= 2 && li->caps == li->words) || is_all_caps_word(sp, k + 1) ||
            is_starter(sp, k + 1));
  return is_heading(li) || !is_long_line(sp, li);
}

static int push_sentence(segmenter *sg, size_t t0, size_t first, size_t end, uint32_t paragraph) {
  lector_segments *out = sg->out;
  if (out->sentence_count == sg->sentence_cap) {
    lector_sentence *p = grow(out->sentences, &sg->sentence_cap, out->sentence_count + 1,
                              sizeof *p);
    if (!p) return -1;
    out->sentences = p;
  }
  lector_sentence *s = &out->sentences[out->sentence_count++];
  s->start = out->tokens[t0 + first].start;
  s->stop = out->tokens[t0 + end - 1].stop;
  s->first_token = (uint32_t)(t0 + first);
  s->token_count = (uint32_t)(end - first);
  s->paragraph = paragraph;
  return 0;
}

/* Group the paragraph's tokens [t0, t0 + count) into sentences. Every
 * token lands in exactly one sentence; a boundary is only ever placed
 * between two tokens, so no sentence is empty. */
static int split_sentences(segmenter *sg, size_t t0, size_t count, const line_info *lines,
                           size_t line_count, uint32_t paragraph) {
  splitter sp = {sg, sg->out->tokens + t0, sg->flags, count, lines, line_count, 0, 0, 0,
                 LAYOUT_UNKNOWN};
  for (size_t l = 0; l < line_count; l++)
    if (lines[l].chars > sp.longest_line) sp.longest_line = lines[l].chars;
  if (match_quotes(&sp) != 0) return -1;
  size_t s = 0, i = 0, line = 0;
  while (i < count) {
    /* A token that is no stop and is not followed by a line break ends no
     * sentence: skip the run of them, the most of every paragraph. The
     * paragraph's last token is marked as a line's last. */
    while (!(sp.f[i] & (F_TERM | F_ABBR | F_LINE_END))) i++;
    uint32_t f = sp.f[i];
    size_t k = (f & (F_TERM | F_ABBR)) ? take_closers(&sp, i) : i;
    if (k + 1 >= count) return push_sentence(sg, t0, s, count, paragraph);
    int strong = 0;
    for (size_t j = i; j <= k; j++) strong |= (sp.f[j] & F_TERM) != 0;
    int split = strong ? strong_split(&sp, s, i, k) : (f & F_ABBR) ? weak_split(&sp, i, k) : 0;
    if (sp.f[k + 1] & F_NL_BEFORE) {
      /* After a full stop the line break is just white space: the stop
       * already decided. Otherwise the line itself decides. */
      if (!strong && !split) split = sp.credit_pending || hard_break(&sp, k, line, &lines[line]);
      sp.credit_pending = 0;
      if (line + 1 < line_count) line++;
    }
    if (split) {
      if (push_sentence(sg, t0, s, k + 1, paragraph) != 0) return -1;
      s = k + 1;
    }
    i = k + 1;
  }
  return 0;
}

/* ---- paragraphs ------------------------------------------------------------------ */

static int push_paragraph(segmenter *sg) {
  lector_segments *out = sg->out;
  if (out->paragraph_count == sg->paragraph_cap) {
    lector_paragraph *p = grow(out->paragraphs, &sg->paragraph_cap, out->paragraph_count + 1,
                               sizeof *p);
    if (!p) return -1;
    out->paragraphs = p;
  }
  out->paragraph_count++;
  return 0;
}

/* One paragraph made of lines[first..last). */
static int do_paragraph(segmenter *sg, size_t first, size_t last) {
  lector_segments *out = sg->out;
  size_t t0 = out->token_count, s0 = out->sentence_count;
  if (tokenize_paragraph(sg, sg->lines[first].cstart, sg->lines[last - 1].cend, first) != 0)
    return -1;
  size_t count = out->token_count - t0;
  if (count == 0) return 0;
  if (push_paragraph(sg) != 0) return -1;
  uint32_t index = (uint32_t)(out->paragraph_count - 1);
  if (split_sentences(sg, t0, count, sg->lines + first, last - first, index) != 0) return -1;
  lector_paragraph *p = &out->paragraphs[index];
  p->start = out->tokens[t0].start;
  p->stop = out->tokens[t0 + count - 1].stop;
  p->first_sentence = (uint32_t)s0;
  p->sentence_count = (uint32_t)(out->sentence_count - s0);
  return 0;
}

/*
 * A block of non-blank lines is one paragraph, except that a line indented
 * deeper than the block's shallowest line starts a new one when it is
 * deeper than the line before, or when the line before ended a sentence
 * (newswire style: paragraphs open with an indent, no blank lines). Lines
 * at the same indent as an indented line before them that did not end a
 * sentence (a table) stay together. A block indented evenly throughout
 * carries no paragraph marks.
 */
static int do_block(segmenter *sg) {
  if (sg->line_count == 0) return 0;
  const line_info *l = sg->lines;
  uint32_t least = l[0].indent;
  for (size_t k = 1; k < sg->line_count; k++)
    if (l[k].indent < least) least = l[k].indent;
  size_t first = 0;
  for (size_t k = 1; k < sg->line_count; k++) {
    int starts = l[k].indent > least &&
                 (l[k].indent > l[k - 1].indent || l[k - 1].ends_terminal);
    if (!starts) continue;
    if (do_paragraph(sg, first, k) != 0) return -1;
    first = k;
  }
  if (do_paragraph(sg, first, sg->line_count) != 0) return -1;
  sg->line_count = 0;
  return 0;
}

static int reserve_output(segmenter *sg, size_t len) {
  lector_segments *out = sg->out;
  out->tokens = grow(NULL, &sg->token_cap, len / LECTOR_SEG_BYTES_PER_TOKEN + 1,
                     sizeof *out->tokens);
  out->sentences = grow(NULL, &sg->sentence_cap, len / 128 + 1, sizeof *out->sentences);
  out->paragraphs = grow(NULL, &sg->paragraph_cap, len / 512 + 1, sizeof *out->paragraphs);
  return out->tokens && out->sentences && out->paragraphs ? 0 : -1;
}

static int segment_text(segmenter *sg) {
  const unsigned char *t = sg->text;
  size_t pos = 0;
  while (pos < sg->len) {
    const unsigned char *nl = memchr(t + pos, '\n', sg->len - pos);
    size_t end = nl ? (size_t)(nl - t) : sg->len;
    line_info li;
    read_line(t, pos, end, sg->ascii, &li);
    if (li.cstart == li.cend) {
      if (do_block(sg) != 0) return -1;
    } else {
      if (sg->line_count == sg->line_cap) {
        line_info *p = grow(sg->lines, &sg->line_cap, sg->line_count + 1, sizeof *p);
        if (!p) return -1;
        sg->lines = p;
      }
      sg->lines[sg->line_count++] = li;
    }
    pos = end + 1;
  }
  return do_block(sg);
}

/*
 * Split normalized text into paragraphs, sentences and tokens. Text over
 * LECTOR_HARD_MAX_DOC_BYTES cannot be addressed by 32-bit offsets and is
 * refused. On any failure *out is left empty and nothing leaks. Empty or
 * all-white-space text gives no paragraphs and LECTOR_OK.
 */
lector_status lector_segment(const char *text, size_t len, lector_segments *out) {
  if (!out) return LECTOR_EINVAL;
  memset(out, 0, sizeof *out);
  if (!text && len) return LECTOR_EINVAL;
  if (len > LECTOR_HARD_MAX_DOC_BYTES) return LECTOR_ETOOLARGE;
  segmenter sg;
  memset(&sg, 0, sizeof sg);
  sg.text = (const unsigned char *)text;
  sg.len = len;
  sg.out = out;
  sg.ascii = text_is_ascii(sg.text, len);
  /* News text averages about six bytes a token and a hundred a sentence;
   * starting near that saves most of the regrowth (and its copying). */
  int rc = reserve_output(&sg, len);
  if (rc == 0) rc = segment_text(&sg);
  free(sg.lines);
  free(sg.flags);
  free(sg.quotes);
  if (rc != 0) {
    lector_segments_free(out);
    return LECTOR_ENOMEM;
  }
  return LECTOR_OK;
}

/* Free what lector_segment allocated and leave seg empty; safe to call
 * twice and on a zeroed struct. */
void lector_segments_free(lector_segments *seg) {
  if (!seg) return;
  free(seg->paragraphs);
  free(seg->sentences);
  free(seg->tokens);
  memset(seg, 0, sizeof *seg);
}
