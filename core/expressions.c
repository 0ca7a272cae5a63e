/*
 * The grammar of lector.patterns as a recognizer (see expressions.h).
 *
 * Each rule is a function from a position to the end of its one match, or
 * NO when it has none, as a PEG rule is: a choice takes its first
 * alternative that matches and never goes back to try another once a later
 * part fails, and a repetition takes all it can. That keeps the values and
 * ends exactly those the LPeg grammar gave, which docs/lua-api.md
 * describes rule by rule. Word lists are matched as LPeg's phrase tries
 * matched them: the longest phrase along the text that ends where a word
 * may end.
 */
#include "expressions.h"
#include "lector_limits.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO SIZE_MAX
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *const lector_expr_pattern_names[LECTOR_EXPR_PATTERNS] = {
  "any", "number_words", "integer", "number", "ordinal", "percent", "money", "quantity",
  "duration", "weekday", "month", "year", "date", "time", "url", "email"
};

const char *const lector_expr_kind_names[LECTOR_KINDS] = {
  "number", "ordinal", "percent", "money", "quantity", "duration", "date", "time", "url", "email"
};

struct numeral_memo;

typedef struct text {
  const unsigned char *s;
  size_t n;
  struct numeral_memo *memo;   /* the last numeral read: dates and amounts read it again */
  size_t *blanks;              /* the last blanks read: [where, their end]; each rule after
                                  an amount reads them again */
} text;

/* ---- characters and word boundaries --------------------------------------- */

static bool is_digit_at(const text *t, size_t p) { return p < t->n && (unsigned)(t->s[p] - '0') < 10u; }
static bool is_alpha_byte(unsigned c) { return (unsigned)((c | 0x20) - 'a') < 26u; }
static bool is_alpha_at(const text *t, size_t p) { return p < t->n && is_alpha_byte(t->s[p]); }
static bool is_alnum_byte(unsigned c) { return (unsigned)(c - '0') < 10u || is_alpha_byte(c); }
static bool is_alnum_at(const text *t, size_t p) { return p < t->n && is_alnum_byte(t->s[p]); }
static bool byte_is(const text *t, size_t p, unsigned char c) { return p < t->n && t->s[p] == c; }
static unsigned char ascii_lower(unsigned char c) { return (unsigned)(c - 'A') < 26u ? (unsigned char)(c | 0x20) : c; }

/* The length of the UTF-8 punctuation at p that separates words as ASCII
 * punctuation does (U+0080..U+00BF, U+2000..U+20FF, U+2212), or 0. */
static size_t punct_mb(const text *t, size_t p) {
  if (p + 1 >= t->n) return 0;
  const unsigned char *s = t->s + p;
  if (s[0] == 0xC2) return s[1] >= 0x80 && s[1] <= 0xBF ? 2 : 0;
  if (s[0] != 0xE2 || p + 2 >= t->n) return 0;
  if (s[1] >= 0x80 && s[1] <= 0x83 && s[2] >= 0x80 && s[2] <= 0xBF) return 3;
  return s[1] == 0x88 && s[2] == 0x92 ? 3 : 0;
}

/* Whether a word byte is at p: an ASCII letter, digit or '_', or a byte of
 * any other non-ASCII character. */
static bool word_at(const text *t, size_t p) {
  if (p >= t->n) return false;
  unsigned c = t->s[p];
  if (c < 0x80) return is_alnum_byte(c) || c == '_';
  return punct_mb(t, p) == 0;
}

static bool boundary(const text *t, size_t p) { return !word_at(t, p); }

/* One blank inside an expression: space, tab, no-break or thin spaces. */
static size_t hspace(const text *t, size_t p) {
  if (p >= t->n) return 0;
  const unsigned char *s = t->s + p;
  if (s[0] == ' ' || s[0] == '\t') return 1;
  if (s[0] == 0xC2) return p + 1 < t->n && s[1] == 0xA0 ? 2 : 0;
  if (s[0] != 0xE2 || p + 2 >= t->n || s[1] != 0x80) return 0;
  return (s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xAF ? 3 : 0;
}

static size_t newline(const text *t, size_t p) {
  if (byte_is(t, p, '\n')) return 1;
  return byte_is(t, p, '\r') && byte_is(t, p + 1, '\n') ? 2 : 0;
}

static size_t hspaces(const text *t, size_t p) {
  for (size_t k; (k = hspace(t, p)) != 0;) p += k;
  return p;
}

/* Blanks between the words of one expression: at most one line break,
 * never a blank line. */
static size_t read_ws1(const text *t, size_t p) {
  size_t k = hspace(t, p);
  if (k) {
    p = hspaces(t, p + k);
    k = newline(t, p);
    return k ? hspaces(t, p + k) : p;
  }
  k = newline(t, p);
  return k ? hspaces(t, p + k) : NO;
}

static size_t ws1(const text *t, size_t p) {
  if (t->blanks[0] != p) {
    t->blanks[0] = p;
    t->blanks[1] = read_ws1(t, p);
  }
  return t->blanks[1];
}

static size_t ws0(const text *t, size_t p) {
  size_t q = ws1(t, p);
  return q == NO ? p : q;
}

static size_t digit_run(const text *t, size_t p, size_t most) {
  size_t k = 0;
  while (k < most && is_digit_at(t, p + k)) k++;
  return k;
}

/* ---- word lists ----------------------------------------------------------- */

typedef struct phrase {
  const char *text;
  int64_t num;
  const char *a, *b;
} phrase;

/* A word list; fold: ASCII letters match in either case. Its trie (built
 * once) starts at root[first byte]. */
typedef struct phrase_set {
  const phrase *items;
  uint16_t n;
  bool fold;
  uint16_t root[256];
} phrase_set;

#define PHRASES(name, fold, ...)                                                  \
  static const phrase name##_items[] = {__VA_ARGS__};                             \
  static phrase_set name = {name##_items, COUNT(name##_items), fold, {0}}

PHRASES(SCALES, true, {"thousand", 3, 0, 0}, {"million", 6, 0, 0}, {"billion", 9, 0, 0},
        {"trillion", 12, 0, 0}, {"mln", 6, 0, 0}, {"mn", 6, 0, 0}, {"bln", 9, 0, 0},
        {"bn", 9, 0, 0}, {"tn", 12, 0, 0}, {"trn", 12, 0, 0}, {"lakh", 5, 0, 0},
        {"lakhs", 5, 0, 0}, {"crore", 7, 0, 0}, {"crores", 7, 0, 0});
/* Money also takes single letters: $5m, $40k, $2B. */
PHRASES(MONEY_LETTERS, false, {"m", 6, 0, 0}, {"M", 6, 0, 0}, {"k", 3, 0, 0}, {"K", 3, 0, 0},
        {"B", 9, 0, 0}, {"b", 9, 0, 0});
/* num indexes vulgar_values */
PHRASES(VULGAR, false, {"\xC2\xBD", 0, 0, 0}, {"\xC2\xBC", 1, 0, 0}, {"\xC2\xBE", 2, 0, 0},
        {"\xE2\x85\x93", 3, 0, 0}, {"\xE2\x85\x94", 4, 0, 0}, {"\xE2\x85\x9B", 5, 0, 0});
static const double vulgar_values[] = {0.5, 0.25, 0.75, 1.0 / 3, 2.0 / 3, 0.125};

#define ONES_LIST                                                                 \
  {"one", 1, 0, 0}, {"two", 2, 0, 0}, {"three", 3, 0, 0}, {"four", 4, 0, 0},      \
  {"five", 5, 0, 0}, {"six", 6, 0, 0}, {"seven", 7, 0, 0}, {"eight", 8, 0, 0},    \
  {"nine", 9, 0, 0}
#define TEENS_LIST                                                                \
  {"ten", 10, 0, 0}, {"eleven", 11, 0, 0}, {"twelve", 12, 0, 0},                  \
  {"thirteen", 13, 0, 0}, {"fourteen", 14, 0, 0}, {"fifteen", 15, 0, 0},          \
  {"sixteen", 16, 0, 0}, {"seventeen", 17, 0, 0}, {"eighteen", 18, 0, 0},         \
  {"nineteen", 19, 0, 0}
PHRASES(ONES, true, ONES_LIST);
PHRASES(TEENS, true, TEENS_LIST);
PHRASES(BELOW20, true, ONES_LIST, TEENS_LIST, {"zero", 0, 0, 0});
PHRASES(TENS, true, {"twenty", 20, 0, 0}, {"thirty", 30, 0, 0}, {"forty", 40, 0, 0},
        {"fifty", 50, 0, 0}, {"sixty", 60, 0, 0}, {"seventy", 70, 0, 0}, {"eighty", 80, 0, 0},
        {"ninety", 90, 0, 0});
PHRASES(A_ONE, true, {"a", 1, 0, 0}, {"an", 1, 0, 0});
PHRASES(WORD_SCALES, true, {"thousand", 1000, 0, 0}, {"million", 1000000, 0, 0},
        {"billion", 1000000000, 0, 0}, {"trillion", 1000000000000, 0, 0}, {"dozen", 12, 0, 0});
PHRASES(TENS_OF, true, {"tens", 10, 0, 0}, {"hundreds", 100, 0, 0});
PHRASES(VAGUE_OF, true, {"thousands", 1000, 0, 0}, {"millions", 1000000, 0, 0},
        {"billions", 1000000000, 0, 0});
PHRASES(VAGUE, true, {"dozens", 12, 0, 0}, {"hundreds", 100, 0, 0}, {"thousands", 1000, 0, 0},
        {"millions", 1000000, 0, 0}, {"billions", 1000000000, 0, 0});

PHRASES(SUFFIXES, true, {"st", 0, 0, 0}, {"nd", 0, 0, 0}, {"rd", 0, 0, 0}, {"th", 0, 0, 0});
#define ORD_ONES_LIST                                                             \
  {"first", 1, 0, 0}, {"second", 2, 0, 0}, {"third", 3, 0, 0}, {"fourth", 4, 0, 0}, \
  {"fifth", 5, 0, 0}, {"sixth", 6, 0, 0}, {"seventh", 7, 0, 0}, {"eighth", 8, 0, 0}, \
  {"ninth", 9, 0, 0}
PHRASES(ORD_ONES, true, ORD_ONES_LIST);
PHRASES(ORDINALS, true, ORD_ONES_LIST, {"tenth", 10, 0, 0}, {"eleventh", 11, 0, 0},
        {"twelfth", 12, 0, 0}, {"thirteenth", 13, 0, 0}, {"fourteenth", 14, 0, 0},
        {"fifteenth", 15, 0, 0}, {"sixteenth", 16, 0, 0}, {"seventeenth", 17, 0, 0},
        {"eighteenth", 18, 0, 0}, {"nineteenth", 19, 0, 0}, {"twentieth", 20, 0, 0},
        {"thirtieth", 30, 0, 0}, {"fortieth", 40, 0, 0}, {"fiftieth", 50, 0, 0},
        {"sixtieth", 60, 0, 0}, {"seventieth", 70, 0, 0}, {"eightieth", 80, 0, 0},
        {"ninetieth", 90, 0, 0}, {"hundredth", 100, 0, 0}, {"thousandth", 1000, 0, 0},
        {"millionth", 1000000, 0, 0});

/* num: 1 for percentage points */
PHRASES(PERCENT_WORDS, true, {"percent", 0, 0, 0}, {"per cent", 0, 0, 0}, {"pct", 0, 0, 0},
        {"percentage point", 1, 0, 0}, {"percentage points", 1, 0, 0});

/* Symbols and codes written before the amount (case as written). */
PHRASES(MONEY_PREFIX, false, {"$", 0, "USD", 0}, {"US$", 0, "USD", 0}, {"U.S.$", 0, "USD", 0},
        {"A$", 0, "AUD", 0}, {"AU$", 0, "AUD", 0}, {"C$", 0, "CAD", 0}, {"CA$", 0, "CAD", 0},
        {"HK$", 0, "HKD", 0}, {"NZ$", 0, "NZD", 0}, {"S$", 0, "SGD", 0}, {"NT$", 0, "TWD", 0},
        {"R$", 0, "BRL", 0}, {"MX$", 0, "MXN", 0}, {"\xE2\x82\xAC", 0, "EUR", 0},
        {"\xC2\xA3", 0, "GBP", 0}, {"\xC2\xA5", 0, "JPY", 0}, {"\xE2\x82\xB9", 0, "INR", 0},
        {"\xE2\x82\xBD", 0, "RUB", 0}, {"\xE2\x82\xA9", 0, "KRW", 0},
        {"\xE2\x82\xBA", 0, "TRY", 0}, {"\xE2\x82\xAA", 0, "ILS", 0}, {"Rs", 0, "INR", 0},
        {"Rs.", 0, "INR", 0});
#define ISO(code) {code, 0, code, 0}
PHRASES(ISO_CODES, false, ISO("USD"), ISO("EUR"), ISO("GBP"), ISO("JPY"), ISO("CNY"),
        {"RMB", 0, "CNY", 0}, ISO("RUB"), ISO("INR"), ISO("CHF"), ISO("CAD"), ISO("AUD"),
        ISO("NZD"), ISO("HKD"), ISO("SGD"), ISO("KRW"), ISO("BRL"), ISO("MXN"), ISO("ZAR"),
        ISO("TRY"), ISO("SEK"), ISO("NOK"), ISO("DKK"), ISO("PLN"), ISO("ILS"), ISO("SAR"),
        ISO("AED"), ISO("VES"), ISO("ARS"), ISO("COP"), ISO("CLP"), ISO("PEN"), ISO("EGP"),
        ISO("NGN"), ISO("PKR"), ISO("IDR"), ISO("THB"), ISO("MYR"), ISO("PHP"), ISO("TWD"),
        ISO("UAH"), ISO("IRR"));

/* Currency names after the amount. num: what the word names. "pounds"
 * alone is a weight (a unit); "francs" and "pesos" alone name no single
 * currency. */
enum { NAMES_CODE, NAMES_NONE, NAMES_CENTS };
#define CUR(word, code) {word, NAMES_CODE, code, 0}
PHRASES(MONEY_WORDS, true, CUR("dollar", "USD"), CUR("dollars", "USD"), CUR("us dollars", "USD"),
        CUR("u.s. dollars", "USD"), CUR("american dollars", "USD"), CUR("dlr", "USD"),
        CUR("dlrs", "USD"), CUR("canadian dollars", "CAD"), CUR("canadian dlrs", "CAD"),
        CUR("australian dollars", "AUD"), CUR("australian dlrs", "AUD"),
        CUR("hong kong dollars", "HKD"), CUR("new zealand dollars", "NZD"),
        CUR("singapore dollars", "SGD"), CUR("taiwan dollars", "TWD"), CUR("euro", "EUR"),
        CUR("euros", "EUR"), CUR("pounds sterling", "GBP"), CUR("sterling", "GBP"),
        CUR("stg", "GBP"), CUR("british pounds", "GBP"), CUR("egyptian pounds", "EGP"),
        CUR("yen", "JPY"), CUR("yuan", "CNY"), CUR("renminbi", "CNY"), CUR("ruble", "RUB"),
        CUR("rubles", "RUB"), CUR("rouble", "RUB"), CUR("roubles", "RUB"), CUR("rupee", "INR"),
        CUR("rupees", "INR"), CUR("pakistani rupees", "PKR"), CUR("swiss francs", "CHF"),
        CUR("french francs", "FRF"), CUR("belgian francs", "BEF"), CUR("marks", "DEM"),
        CUR("german marks", "DEM"), CUR("deutsche marks", "DEM"), CUR("d-marks", "DEM"),
        CUR("lire", "ITL"), CUR("lira", "TRY"), CUR("turkish lira", "TRY"),
        CUR("mexican pesos", "MXN"), CUR("argentine pesos", "ARS"),
        CUR("philippine pesos", "PHP"), CUR("riyals", "SAR"), CUR("saudi riyals", "SAR"),
        CUR("rand", "ZAR"), CUR("bolivars", "VES"), CUR("bol\xC3\xADvares", "VES"),
        CUR("reais", "BRL"), CUR("zlotys", "PLN"), CUR("zloty", "PLN"), CUR("shekels", "ILS"),
        CUR("won", "KRW"), {"francs", NAMES_NONE, 0, 0}, {"pesos", NAMES_NONE, 0, 0},
        {"dinars", NAMES_NONE, 0, 0}, {"cents", NAMES_CENTS, "USD", 0},
        {"cts", NAMES_CENTS, "USD", 0});
PHRASES(MONEY_SIGN_AFTER, false, {"\xE2\x82\xAC", 0, "EUR", 0}, {"\xC2\xA3", 0, "GBP", 0});

/* Units: each canonical unit with its dimension, its names ('|' between
 * them; any case) and its symbols (only as written: "5 m" is metres, "5 M"
 * nothing). The two word lists are made of them once. */
typedef struct unit_def {
  const char *names, *symbols, *unit, *dimension;
} unit_def;

static const unit_def units[] = {
  {"kilometre|kilometres|kilometer|kilometers", "km", "km", "length"},
  {"metre|metres|meter|meters", "m", "m", "length"},
  {"centimetre|centimetres|centimeter|centimeters", "cm", "cm", "length"},
  {"millimetre|millimetres|millimeter|millimeters", "mm", "mm", "length"},
  {"mile|miles", "mi", "mi", "length"},
  {"nautical mile|nautical miles", "nmi", "nmi", "length"},
  {"foot|feet", "ft", "ft", "length"},
  {"inch|inches", "", "in", "length"},
  {"yard|yards", "yd|yds", "yd", "length"},
  {"kilogram|kilograms|kilogramme|kilogrammes|kilo|kilos", "kg|kgs", "kg", "mass"},
  {"gram|grams|gramme|grammes", "g", "g", "mass"},
  {"milligram|milligrams", "mg", "mg", "mass"},
  {"tonne|tonnes|metric ton|metric tons", "t", "t", "mass"},
  {"ton|tons|short ton|short tons|long ton|long tons", "", "ton", "mass"},
  {"pound|pounds", "lb|lbs", "lb", "mass"},
  {"ounce|ounces", "oz", "oz", "mass"},
  {"litre|litres|liter|liters", "l|L", "l", "volume"},
  {"millilitre|millilitres|milliliter|milliliters", "ml|mL", "ml", "volume"},
  {"gallon|gallons", "gal", "gal", "volume"},
  {"barrel|barrels", "bbl", "bbl", "volume"},
  {"bushel|bushels", "", "bu", "volume"},
  {"cubic metre|cubic metres|cubic meter|cubic meters", "m3|m\xC2\xB3", "m3", "volume"},
  {"cubic foot|cubic feet", "cu ft", "ft3", "volume"},
  {"square kilometre|square kilometres|square kilometer|square kilometers", "km2|km\xC2\xB2|sq km", "km2", "area"},
  {"square metre|square metres|square meter|square meters", "m2|m\xC2\xB2|sq m", "m2", "area"},
  {"square mile|square miles", "sq mi", "mi2", "area"},
  {"square foot|square feet", "sq ft", "ft2", "area"},
  {"hectare|hectares", "ha", "ha", "area"},
  {"acre|acres", "", "acre", "area"},
  {"kilometres per hour|kilometers per hour", "km/h|kph", "km/h", "speed"},
  {"miles per hour", "mph", "mph", "speed"},
  {"metres per second|meters per second", "m/s", "m/s", "speed"},
  {"knot|knots", "", "kn", "speed"},
  {"barrels per day|barrels a day", "bpd|b/d", "bbl/d", "flow"},
  {"joule|joules", "", "J", "energy"},
  {"kilojoule|kilojoules", "kJ", "kJ", "energy"},
  {"megajoule|megajoules", "MJ", "MJ", "energy"},
  {"kilowatt-hour|kilowatt-hours|kilowatt hours", "kWh", "kWh", "energy"},
  {"megawatt-hour|megawatt-hours|megawatt hours", "MWh", "MWh", "energy"},
  {"gigawatt-hour|gigawatt-hours|gigawatt hours", "GWh", "GWh", "energy"},
  {"terawatt-hour|terawatt-hours|terawatt hours", "TWh", "TWh", "energy"},
  {"calorie|calories", "", "cal", "energy"},
  {"kilocalorie|kilocalories", "kcal", "kcal", "energy"},
  {"british thermal units", "Btu|BTU", "Btu", "energy"},
  {"watt|watts", "", "W", "power"},
  {"kilowatt|kilowatts", "kW", "kW", "power"},
  {"megawatt|megawatts", "MW", "MW", "power"},
  {"gigawatt|gigawatts", "GW", "GW", "power"},
  {"byte|bytes", "", "B", "data"},
  {"kilobyte|kilobytes", "KB|kB", "kB", "data"},
  {"megabyte|megabytes", "MB", "MB", "data"},
  {"gigabyte|gigabytes", "GB", "GB", "data"},
  {"terabyte|terabytes", "TB", "TB", "data"},
  {"petabyte|petabytes", "PB", "PB", "data"},
  {"megabits per second", "Mbps|Mbit/s", "Mbit/s", "data rate"},
  {"gigabits per second", "Gbps|Gbit/s", "Gbit/s", "data rate"},
  {"degrees celsius|degrees centigrade", "\xC2\xB0" "C", "\xC2\xB0" "C", "temperature"},
  {"degrees fahrenheit", "\xC2\xB0" "F", "\xC2\xB0" "F", "temperature"},
};

enum { UNIT_NAME_MAX = 192, UNIT_SYMBOL_MAX = 96, UNIT_CHARS = 4096 };
static phrase unit_name_items[UNIT_NAME_MAX], unit_symbol_items[UNIT_SYMBOL_MAX];
static char unit_chars[UNIT_CHARS];
static phrase_set UNIT_NAMES = {unit_name_items, 0, true, {0}};
static phrase_set UNIT_SYMBOLS = {unit_symbol_items, 0, false, {0}};

#define TU(word, unit) {word, 0, unit, 0}
PHRASES(TIME_UNITS, true, TU("second", "second"), TU("seconds", "second"), TU("sec", "second"),
        TU("secs", "second"), TU("minute", "minute"), TU("minutes", "minute"),
        TU("min", "minute"), TU("mins", "minute"), TU("hour", "hour"), TU("hours", "hour"),
        TU("hr", "hour"), TU("hrs", "hour"), TU("day", "day"), TU("days", "day"),
        TU("week", "week"), TU("weeks", "week"), TU("month", "month"), TU("months", "month"),
        TU("year", "year"), TU("years", "year"), TU("yr", "year"), TU("yrs", "year"),
        TU("decade", "decade"), TU("decades", "decade"), TU("century", "century"),
        TU("centuries", "century"));

#define MONTHS_AS(jan, feb, mar, apr, jun, jul, aug, sep, oct, nov, dec)              \
  {jan, 1, 0, 0}, {feb, 2, 0, 0}, {mar, 3, 0, 0}, {apr, 4, 0, 0}, {jun, 6, 0, 0},     \
  {jul, 7, 0, 0}, {aug, 8, 0, 0}, {sep, 9, 0, 0}, {oct, 10, 0, 0}, {nov, 11, 0, 0},   \
  {dec, 12, 0, 0}
#define TITLE_MONTHS MONTHS_AS("January", "February", "March", "April", "June", "July", \
                               "August", "September", "October", "November", "December")
#define UPPER_MONTHS MONTHS_AS("JANUARY", "FEBRUARY", "MARCH", "APRIL", "JUNE", "JULY", \
                               "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER")
PHRASES(MONTH_NAMES, true, MONTHS_AS("january", "february", "march", "april", "june", "july",
                                     "august", "september", "october", "november", "december"),
        {"may", 5, 0, 0});
PHRASES(MONTH_ABBREVIATIONS, true,
        MONTHS_AS("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        {"sept", 9, 0, 0});
/* After "last" or "mid-", a month must be capitalized: "this may" is no date. */
PHRASES(MONTH_CAPITALIZED, false, TITLE_MONTHS, UPPER_MONTHS, {"May", 5, 0, 0}, {"MAY", 5, 0, 0});
/* Alone, too, and never May: too often the verb or a name. */
PHRASES(MONTH_ALONE, false, TITLE_MONTHS, UPPER_MONTHS);
PHRASES(WEEKDAYS, true, {"monday", 1, 0, 0}, {"tuesday", 2, 0, 0}, {"wednesday", 3, 0, 0},
        {"thursday", 4, 0, 0}, {"friday", 5, 0, 0}, {"saturday", 6, 0, 0}, {"sunday", 7, 0, 0});

PHRASES(DIRECTIONS, true, {"last", -1, 0, 0}, {"past", -1, 0, 0}, {"previous", -1, 0, 0},
        {"next", 1, 0, 0}, {"coming", 1, 0, 0}, {"this", 0, 0, 0});
PHRASES(REL_UNIT, true, TU("week", "week"), TU("month", "month"), TU("year", "year"),
        TU("weekend", "weekend"), TU("quarter", "quarter"), TU("decade", "decade"),
        TU("century", "century"));
PHRASES(REL_UNITS, true, TU("days", "day"), TU("weeks", "week"), TU("months", "month"),
        TU("years", "year"), TU("hours", "hour"), TU("decades", "decade"));
PHRASES(DAYS, true, {"today", 0, 0, 0}, {"yesterday", -1, 0, 0}, {"tomorrow", 1, 0, 0});
PHRASES(PARTS, true, TU("early", "early"), TU("mid", "mid"), TU("late", "late"));

PHRASES(AMPM, true, TU("a.m.", "am"), TU("a.m", "am"), TU("am", "am"), TU("p.m.", "pm"),
        TU("p.m", "pm"), TU("pm", "pm"));
#define Z(zone) {zone, 0, zone, 0}
PHRASES(ZONES, false, Z("GMT"), Z("UTC"), Z("EST"), Z("EDT"), Z("CST"), Z("CDT"), Z("MST"),
        Z("MDT"), Z("PST"), Z("PDT"), Z("BST"), Z("CET"), Z("CEST"), Z("EET"), Z("EEST"),
        Z("MSK"), Z("JST"), Z("HKT"), Z("SGT"), Z("AEST"), Z("AEDT"), Z("IST"));

/* Top-level domains taken without "http://" or "www.": generic ones and
 * country codes that are not English words ("in", "it", "is", "me" ...). */
#define T(tld) {tld, 0, 0, 0}
PHRASES(TLDS, false, T("com"), T("org"), T("net"), T("gov"), T("edu"), T("mil"), T("int"),
        T("info"), T("biz"), T("io"), T("ai"), T("app"), T("dev"), T("news"), T("tv"), T("eu"),
        T("uk"), T("de"), T("fr"), T("ru"), T("cn"), T("jp"), T("ve"), T("br"), T("es"),
        T("ca"), T("au"), T("ch"), T("nl"), T("se"), T("pl"), T("ua"), T("mx"), T("ar"),
        T("cl"), T("co"), T("za"), T("ng"), T("ke"), T("eg"), T("il"), T("ir"), T("iq"),
        T("sy"), T("tr"), T("gr"), T("pt"), T("ie"), T("dk"), T("fi"), T("kr"), T("tw"),
        T("hk"), T("sg"), T("nz"), T("ph"), T("vn"), T("th"), T("pk"), T("bd"), T("lk"),
        T("cu"), T("ec"), T("pe"), T("bo"), T("py"), T("uy"), T("by"), T("kz"), T("ro"),
        T("hu"), T("cz"), T("sk"), T("rs"), T("hr"), T("bg"), T("lt"), T("lv"), T("ee"),
        T("qa"), T("ae"), T("sa"), T("lb"), T("jo"), T("ma"), T("tn"), T("dz"), T("ly"),
        T("sd"), T("et"), T("gh"), T("ug"), T("tz"));

/* Words an expression may open with that no list above gives. */
PHRASES(OPENING_WORDS, true, T("zero"), T("a"), T("an"), T("tens"), T("last"), T("past"),
        T("previous"), T("next"), T("coming"), T("this"), T("today"), T("yesterday"),
        T("tomorrow"), T("tonight"), T("recent"), T("early"), T("mid"), T("late"), T("noon"),
        T("midnight"), T("www"), T("http"), T("https"), T("ftp"));

static phrase_set *const all_sets[] = {
  &SCALES, &MONEY_LETTERS, &VULGAR, &ONES, &TEENS, &BELOW20, &TENS, &A_ONE, &WORD_SCALES,
  &TENS_OF, &VAGUE_OF, &VAGUE, &SUFFIXES, &ORD_ONES, &ORDINALS, &PERCENT_WORDS,
  &MONEY_PREFIX, &ISO_CODES, &MONEY_WORDS, &MONEY_SIGN_AFTER, &UNIT_NAMES, &UNIT_SYMBOLS,
  &TIME_UNITS, &MONTH_NAMES, &MONTH_ABBREVIATIONS, &MONTH_CAPITALIZED, &MONTH_ALONE,
  &WEEKDAYS, &DIRECTIONS, &REL_UNIT, &REL_UNITS, &DAYS, &PARTS, &AMPM, &ZONES, &TLDS,
  &OPENING_WORDS,
};

/* The lists an expression may open with (their words, in any case). */
static phrase_set *const opening_sets[] = {
  &BELOW20, &TENS, &VAGUE, &ORDINALS, &MONTH_NAMES, &MONTH_ABBREVIATIONS, &WEEKDAYS,
  &MONEY_PREFIX, &ISO_CODES, &VULGAR, &OPENING_WORDS,
};

/* Every phrase of the opening lists, lower case, in one folding trie. */
static phrase_set OPENINGS = {NULL, 0, true, {0}};

/* The tries of all the lists, as LPeg's phrase tries were: a choice among
 * children that share no first byte (a ' ' child stands for blanks, ws1,
 * and no sibling starts with a blank), and at each node the phrase that
 * ends there. Node 0 is "none"; children are a list through sibling. */
typedef struct trie_node {
  uint16_t child, sibling;
  int16_t phrase;      /* the index of the phrase ending here, or -1 */
  unsigned char key;   /* lower case in a folding list */
  bool wordy;          /* the phrase ends in a letter or digit: it must end a word */
} trie_node;

enum { TRIE_NODES = 12288 };
static trie_node nodes[TRIE_NODES];
static uint16_t node_count = 1;

static unsigned char key_byte(bool fold, unsigned char c) { return fold ? ascii_lower(c) : c; }

static bool wordy_byte(unsigned char c) { return is_alnum_byte(c) || c == '_'; }

static uint16_t new_node(unsigned char key) {
  if (node_count == TRIE_NODES) abort();   /* the lists are fixed: this cannot happen twice */
  nodes[node_count] = (trie_node){0, 0, -1, key, false};
  return node_count++;
}

static void insert_phrase(phrase_set *set, const char *ph, int16_t index) {
  const unsigned char *c = (const unsigned char *)ph;
  unsigned char k = key_byte(set->fold, *c);
  if (!set->root[k]) set->root[k] = new_node(k);
  uint16_t node = set->root[k];
  for (c++; *c; c++) {
    k = key_byte(set->fold, *c);
    uint16_t ch = nodes[node].child;
    while (ch && nodes[ch].key != k) ch = nodes[ch].sibling;
    if (!ch) {
      ch = new_node(k);
      nodes[ch].sibling = nodes[node].child;
      nodes[node].child = ch;
    }
    node = ch;
  }
  nodes[node].phrase = index;
  nodes[node].wordy = wordy_byte(c[-1]);
}

static pthread_once_t tries_built = PTHREAD_ONCE_INIT;

/* Add each '|'-separated word of words to set as a phrase of the unit. */
static void add_unit_words(phrase_set *set, phrase *items, uint16_t most, const char *words,
                           const unit_def *u, size_t *used) {
  while (*words) {
    size_t len = strcspn(words, "|");
    if (set->n == most || *used + len + 1 > UNIT_CHARS) abort();   /* fixed lists: cannot happen */
    char *copy = memcpy(unit_chars + *used, words, len);
    copy[len] = 0;
    *used += len + 1;
    items[set->n++] = (phrase){copy, 0, u->unit, u->dimension};
    words += len + (words[len] == '|');
  }
}

static void build_tries(void) {
  size_t used = 0;
  for (size_t i = 0; i < COUNT(units); i++) {
    add_unit_words(&UNIT_NAMES, unit_name_items, UNIT_NAME_MAX, units[i].names, &units[i], &used);
    add_unit_words(&UNIT_SYMBOLS, unit_symbol_items, UNIT_SYMBOL_MAX, units[i].symbols, &units[i],
                   &used);
  }
  for (size_t i = 0; i < COUNT(all_sets); i++)
    for (uint16_t k = 0; k < all_sets[i]->n; k++) insert_phrase(all_sets[i], all_sets[i]->items[k].text, (int16_t)k);
  for (size_t i = 0; i < COUNT(opening_sets); i++)
    for (uint16_t k = 0; k < opening_sets[i]->n; k++) insert_phrase(&OPENINGS, opening_sets[i]->items[k].text, 0);
}

/* The child of node that the text at p goes on with, and where it leaves
 * the text (*next); 0 when none. */
static uint16_t step(const phrase_set *set, uint16_t node, const text *t, size_t p, size_t *next) {
  for (uint16_t ch = nodes[node].child; ch; ch = nodes[ch].sibling) {
    if (nodes[ch].key == ' ') {
      size_t q = ws1(t, p);
      if (q == NO) continue;
      *next = q;
      return ch;
    }
    if (p < t->n && nodes[ch].key == key_byte(set->fold, t->s[p])) {
      *next = p + 1;
      return ch;
    }
  }
  return 0;
}

/* The longest phrase of set at p that ends where it may (a word's end
 * after a letter or digit): its end, or NO; *hit gets the phrase. */
static size_t phrase_at(const phrase_set *set, const text *t, size_t p, const phrase **hit) {
  if (p >= t->n) return NO;
  uint16_t node = set->root[key_byte(set->fold, t->s[p])];
  size_t best = NO;
  int16_t found = -1;
  p++;
  while (node) {
    const trie_node *nd = &nodes[node];
    if (nd->phrase >= 0 && (!nd->wordy || boundary(t, p))) {
      best = p;
      found = nd->phrase;
    }
    node = step(set, node, t, p, &p);
  }
  if (best != NO && hit && set->items) *hit = &set->items[found];
  return best;
}

/* The end of phrase ph at p, in any case when fold, or NO: a phrase ending
 * in a letter or digit must end a word. */
static size_t phrase_end(const text *t, size_t p, const char *ph, bool fold) {
  const unsigned char *c = (const unsigned char *)ph;
  for (; *c; c++, p++)
    if (p >= t->n || key_byte(fold, t->s[p]) != key_byte(fold, *c)) return NO;
  if (wordy_byte(c[-1]) && !boundary(t, p)) return NO;
  return p;
}

/* One word, any case, ending a word. */
static size_t word(const text *t, size_t p, const char *w) { return phrase_end(t, p, w, true); }

/* ---- numbers ---------------------------------------------------------------- */

typedef lector_expr_number num;

static num integer(int64_t i) { return (num){i, 0, false}; }
static num real(double f) { return (num){0, f, true}; }
static double as_real(num v) { return v.is_real ? v.real : (double)v.integer; }

/* Lua's integer arithmetic: two's complement, wrapping. */
static int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

static num negate(num v) {
  if (v.is_real) return real(-v.real);
  return integer((int64_t)(0 - (uint64_t)v.integer));
}

/* A written numeral: sign, digits before the point (separators dropped),
 * digits after it, and a vulgar fraction (0 when none). */
typedef struct numeral {
  bool negative;
  char digits[52];   /* the integer digits, then the fraction's */
  size_t nint, nfrac;
  double vulgar;
} numeral;

static int64_t digits_value(const char *d, size_t n) {
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) v = v * 10 + (d[i] - '0');
  return v;
}

static const double two53 = 9007199254740992.0;

/* The value of a numeral times 10^exp10: an integer when it is whole and
 * exact, else a float, computed as the Lua grammar did (the float from
 * the decimal string, so correctly rounded). */
static num decimal_value(const numeral *nm, int exp10) {
  size_t nd = nm->nint + nm->nfrac;
  int e = exp10 - (int)nm->nfrac;
  num v;
  if (nd == 0) v = integer(0);
  else if (nm->nfrac == 0 && exp10 == 0 && nm->nint <= 17) v = integer(digits_value(nm->digits, nd));
  else if (e >= 0 && nd + (size_t)e <= 17) {
    int64_t x = digits_value(nm->digits, nd);
    for (int i = 0; i < e; i++) x *= 10;
    v = integer(x);
  } else {
    char buf[80];
    memcpy(buf, nm->digits, nd);
    char *c = buf + nd;
    *c++ = 'e';
    if (e < 0) *c++ = '-';
    unsigned u = (unsigned)(e < 0 ? -e : e);
    if (u >= 10) *c++ = (char)('0' + u / 10);
    *c++ = (char)('0' + u % 10);
    *c = 0;
    v = real(strtod(buf, NULL));
  }
  if (nm->vulgar != 0) v = real(as_real(v) + nm->vulgar * pow(10.0, exp10));
  if (v.is_real && v.real == floor(v.real) && v.real < two53 && v.real > -two53)
    v = integer((int64_t)v.real);
  return nm->negative ? negate(v) : v;
}

static size_t sign(const text *t, size_t p, bool *negative) {
  *negative = false;
  if (byte_is(t, p, '+')) return p + 1;
  if (byte_is(t, p, '-')) {
    *negative = true;
    return p + 1;
  }
  if (p + 2 < t->n && memcmp(t->s + p, "\xE2\x88\x92", 3) == 0) {
    *negative = true;
    return p + 3;
  }
  return p;
}

/* ",ddd" not followed by a digit */
static bool thousands_group(const text *t, size_t p) {
  return byte_is(t, p, ',') && digit_run(t, p + 1, 3) == 3 && !is_digit_at(t, p + 4);
}

/* Digits before the point: 1-3 digits then 1-9 groups ",ddd" (and no
 * tenth), or else at most 30 digits. */
static size_t int_digits(const text *t, size_t p, numeral *nm) {
  size_t lead = digit_run(t, p, 3);
  if (lead == 0) return NO;
  size_t q = p + lead, groups = 0;
  while (groups < 9 && thousands_group(t, q)) {
    q += 4;
    groups++;
  }
  bool separated = groups > 0 && !(byte_is(t, q, ',') && digit_run(t, q + 1, 3) == 3);
  if (separated) {
    nm->nint = 0;
    for (size_t i = p; i < q; i++)
      if (t->s[i] != ',') nm->digits[nm->nint++] = (char)t->s[i];
    return q;
  }
  size_t n = digit_run(t, p, 31);
  if (n > 30) return NO;
  memcpy(nm->digits, t->s + p, n);
  nm->nint = n;
  return p + n;
}

static size_t vulgar(const text *t, size_t p, double *value) {
  const phrase *ph;
  size_t q = phrase_at(&VULGAR, t, p, &ph);
  if (q != NO) *value = vulgar_values[ph->num];
  return q;
}

static size_t read_numeral(const text *t, size_t p, numeral *nm) {
  p = sign(t, p, &nm->negative);
  nm->nint = nm->nfrac = 0;
  nm->vulgar = 0;
  size_t q = int_digits(t, p, nm);
  if (q == NO) return vulgar(t, p, &nm->vulgar);
  if (byte_is(t, q, '.')) {
    size_t f = digit_run(t, q + 1, 21);
    if (f >= 1 && f <= 20) {
      memcpy(nm->digits + nm->nint, t->s + q + 1, f);
      nm->nfrac = f;
      q += 1 + f;
    }
  }
  size_t v = vulgar(t, q, &nm->vulgar);
  return v == NO ? q : v;
}

typedef struct numeral_memo {
  size_t at, end;
  numeral nm;
} numeral_memo;

static size_t numeral_at(const text *t, size_t p, numeral *nm) {
  numeral_memo *m = t->memo;
  if (m->at != p) {
    m->at = p;
    m->end = read_numeral(t, p, &m->nm);
  }
  if (m->end != NO) *nm = m->nm;
  return m->end;
}

typedef enum scale_words { NO_SCALE, SCALE, MONEY_SCALE } scale_words;

static size_t scale_at(const text *t, size_t p, scale_words scales, int *exp10) {
  if (scales == NO_SCALE) return NO;
  const phrase *ph;
  size_t q = phrase_at(&SCALES, t, p, &ph);
  if (q == NO && scales == MONEY_SCALE) q = phrase_at(&MONEY_LETTERS, t, p, &ph);
  if (q != NO) *exp10 = (int)ph->num;
  return q;
}

/* A numeral and its scale word, if scales allows one; its value unless
 * value is NULL. */
static size_t scaled(const text *t, size_t p, scale_words scales, num *value) {
  numeral nm;
  size_t q = numeral_at(t, p, &nm);
  if (q == NO) return NO;
  int exp10 = 0;
  size_t s = scale_at(t, ws0(t, q), scales, &exp10);
  if (value) *value = decimal_value(&nm, exp10);
  return s == NO ? q : s;
}

static size_t list_num(const phrase_set *set, const text *t, size_t p, int64_t *value) {
  const phrase *ph;
  size_t q = phrase_at(set, t, p, &ph);
  if (q != NO) *value = ph->num;
  return q;
}

/* "-" or blanks */
static size_t dash_or_ws1(const text *t, size_t p) {
  return byte_is(t, p, '-') ? p + 1 : ws1(t, p);
}

/* "twenty-four", "seven", "fifteen" */
static size_t below100(const text *t, size_t p, int64_t *value) {
  int64_t tens, ones;
  size_t q = list_num(&TENS, t, p, &tens);
  if (q == NO) return list_num(&BELOW20, t, p, value);
  size_t r = dash_or_ws1(t, q);
  if (r != NO && (r = list_num(&ONES, t, r, &ones)) != NO) {
    *value = tens + ones;
    return r;
  }
  *value = tens;
  return q;
}

/* After "hundred" or a scale word: blanks, an optional "and" and blanks. */
static size_t and_joint(const text *t, size_t p) {
  p = ws1(t, p);
  if (p == NO) return NO;
  size_t a = word(t, p, "and");
  if (a != NO && (a = ws1(t, a)) != NO) return a;
  return p;
}

/* "three hundred and five", "a hundred", "forty" */
static size_t group(const text *t, size_t p, int64_t *value) {
  int64_t h, rest = 0;
  size_t q = below100(t, p, &h);
  if (q == NO) q = list_num(&A_ONE, t, p, &h);
  size_t r = q == NO ? NO : ws1(t, q);
  if (r != NO && (r = word(t, r, "hundred")) != NO) {
    size_t j = and_joint(t, r);
    size_t k = j == NO ? NO : below100(t, j, &rest);
    if (k == NO) rest = 0;
    *value = h * 100 + rest;
    return k == NO ? r : k;
  }
  return below100(t, p, value);
}

/* The start of one group of number words: a group, or "a"/"an" before a
 * scale word ("a million"). */
static size_t words_head(const text *t, size_t p, int64_t *value) {
  size_t q = group(t, p, value);
  if (q != NO) return q;
  q = list_num(&A_ONE, t, p, value);
  if (q == NO) return NO;
  size_t r = ws1(t, q);
  return r != NO && phrase_at(&WORD_SCALES, t, r, NULL) != NO ? q : NO;
}

/* Number words: groups, each with an optional scale word, summed: "two
 * million three hundred thousand". A group that fails after a scale word
 * leaves the match at that word. */
static size_t number_words(const text *t, size_t p, int64_t *value) {
  int64_t sum = 0;
  size_t end = NO;
  for (;;) {
    int64_t g, s;
    size_t q = words_head(t, p, &g);
    if (q == NO) break;
    size_t r = ws1(t, q);
    if (r == NO || (r = list_num(&WORD_SCALES, t, r, &s)) == NO) {
      sum = wrap_add(sum, g);
      end = q;
      break;
    }
    sum = wrap_add(sum, wrap_mul(g, s));
    end = r;
    p = and_joint(t, r);
    if (p == NO) break;
  }
  *value = sum;
  return end;
}

/* "1.5 million" or number words; the value unless value is NULL */
static size_t amount(const text *t, size_t p, scale_words scales, num *value) {
  size_t q = scaled(t, p, scales, value);
  if (q != NO) return q;
  int64_t w;
  q = number_words(t, p, &w);
  if (q != NO && value) *value = integer(w);
  return q;
}

/* "hundreds", "tens of thousands" */
static size_t vague(const text *t, size_t p, int64_t *value) {
  int64_t a, b;
  size_t q = list_num(&TENS_OF, t, p, &a);
  if (q != NO && (q = ws1(t, q)) != NO && (q = word(t, q, "of")) != NO &&
      (q = ws1(t, q)) != NO && (q = list_num(&VAGUE_OF, t, q, &b)) != NO) {
    *value = a * b;
    return q;
  }
  return list_num(&VAGUE, t, p, value);
}

/* ---- the matches' values ---------------------------------------------------- */

static void set_number(lector_expression *e, lector_expr_kind kind, size_t p, size_t q, num v) {
  e->kind = kind;
  e->text = (lector_expr_span){p, q};
  e->value = v;
}

static void add_field(lector_expression *e, lector_expr_field f) {
  e->fields |= 1u << f;
  if (e->norder < sizeof e->order) e->order[e->norder++] = (uint8_t)f;
}

static size_t number_words_rule(const text *t, size_t p, lector_expression *e) {
  int64_t w;
  size_t q = number_words(t, p, &w);
  if (q == NO || !boundary(t, q)) return NO;
  set_number(e, LECTOR_KIND_NUMBER, p, q, integer(w));
  return q;
}

static size_t integer_rule(const text *t, size_t p, lector_expression *e) {
  numeral nm = {0};
  size_t q = int_digits(t, sign(t, p, &nm.negative), &nm);
  if (q == NO || (byte_is(t, q, '.') && is_digit_at(t, q + 1)) || !boundary(t, q)) return NO;
  set_number(e, LECTOR_KIND_NUMBER, p, q, decimal_value(&nm, 0));
  return q;
}

static size_t vague_rule(const text *t, size_t p, lector_expression *e) {
  int64_t v;
  size_t q = vague(t, p, &v);
  if (q == NO || !boundary(t, q)) return NO;
  set_number(e, LECTOR_KIND_NUMBER, p, q, integer(v));
  e->approx = true;
  return q;
}

static size_t number_rule(const text *t, size_t p, lector_expression *e) {
  num v;
  size_t q = amount(t, p, SCALE, &v);
  if (q != NO && boundary(t, q)) {
    set_number(e, LECTOR_KIND_NUMBER, p, q, v);
    return q;
  }
  return vague_rule(t, p, e);
}

/* "1st", "22nd", "11th": the suffix must fit the number */
static size_t digit_ordinal(const text *t, size_t p, int64_t *value) {
  size_t n = digit_run(t, p, 19);
  if (n == 0 || n > 18) return NO;
  size_t q = phrase_at(&SUFFIXES, t, p + n, NULL);
  if (q == NO) return NO;
  int64_t v = digits_value((const char *)t->s + p, n);
  const char *want = "th";
  if (v / 10 % 10 != 1) {
    if (v % 10 == 1) want = "st";
    else if (v % 10 == 2) want = "nd";
    else if (v % 10 == 3) want = "rd";
  }
  if (ascii_lower(t->s[p + n]) != want[0] || ascii_lower(t->s[p + n + 1]) != want[1]) return NO;
  *value = v;
  return q;
}

static size_t ordinal_rule(const text *t, size_t p, lector_expression *e) {
  int64_t v, ones;
  size_t q = digit_ordinal(t, p, &v);
  if (q == NO) {
    q = list_num(&TENS, t, p, &v);
    size_t r = q == NO ? NO : dash_or_ws1(t, q);
    if (r != NO && (r = list_num(&ORD_ONES, t, r, &ones)) != NO) {
      v += ones;
      q = r;
    } else {
      q = list_num(&ORDINALS, t, p, &v);
    }
  }
  if (q == NO) return NO;
  set_number(e, LECTOR_KIND_ORDINAL, p, q, integer(v));
  return q;
}

/* "%", or a percent word after blanks; *points for percentage points */
static size_t percent_sign(const text *t, size_t q, bool *points) {
  size_t r = ws0(t, q);
  *points = false;
  if (byte_is(t, r, '%')) return r + 1;
  r = ws1(t, q);
  const phrase *ph;
  if (r == NO || (r = phrase_at(&PERCENT_WORDS, t, r, &ph)) == NO) return NO;
  *points = ph->num != 0;
  return r;
}

static size_t percent_rule(const text *t, size_t p, lector_expression *e) {
  num v;
  size_t q = amount(t, p, NO_SCALE, &v);
  if (q == NO || (q = percent_sign(t, q, &e->points)) == NO) return NO;
  set_number(e, LECTOR_KIND_PERCENT, p, q, v);
  return q;
}

/* A currency before the amount: a sign or symbol, or a code and blanks. */
static size_t money_prefix(const text *t, size_t p, const char **currency) {
  const phrase *ph;
  size_t q = phrase_at(&MONEY_PREFIX, t, p, &ph);
  if (q == NO) {
    q = phrase_at(&ISO_CODES, t, p, &ph);
    if (q == NO) return NO;
    size_t r = ws1(t, q);
    if (r != NO) q = r;
    else if (!is_digit_at(t, q)) return NO;
  }
  *currency = ph->a;
  return q;
}

static size_t money_suffix(const text *t, size_t p, const phrase **ph) {
  size_t q = phrase_at(&MONEY_WORDS, t, p, ph);
  if (q == NO) q = phrase_at(&ISO_CODES, t, p, ph);
  if (q == NO) q = phrase_at(&MONEY_SIGN_AFTER, t, p, ph);
  return q;
}

static void set_money(lector_expression *e, size_t p, size_t q, num amount, const phrase *ph) {
  set_number(e, LECTOR_KIND_MONEY, p, q, amount);
  e->currency = ph->a;
  if (ph->num == NAMES_CENTS) e->value = real(as_real(amount) * 0.01);
}

static size_t money_before(const text *t, size_t p, lector_expression *e) {
  const char *currency;
  num v;
  size_t q = money_prefix(t, p, &currency);
  if (q == NO || (q = amount(t, ws0(t, q), MONEY_SCALE, &v)) == NO || !boundary(t, q)) return NO;
  set_number(e, LECTOR_KIND_MONEY, p, q, v);
  e->currency = currency;
  return q;
}

static size_t money_rule(const text *t, size_t p, lector_expression *e) {
  size_t q = money_before(t, p, e);
  if (q != NO) return q;
  num v;
  const phrase *ph;
  q = amount(t, p, MONEY_SCALE, &v);
  if (q == NO || (q = money_suffix(t, ws0(t, q), &ph)) == NO) return NO;
  set_money(e, p, q, v, ph);
  return q;
}

static size_t unit_at(const text *t, size_t p, const phrase **ph) {
  size_t q = phrase_at(&UNIT_NAMES, t, p, ph);
  return q != NO ? q : phrase_at(&UNIT_SYMBOLS, t, p, ph);
}

/* "-" or optional blanks, then a unit */
static size_t unit_after(const text *t, size_t q, const phrase **ph) {
  return unit_at(t, byte_is(t, q, '-') ? q + 1 : ws0(t, q), ph);
}

/* blanks or "-", then a unit of time */
static size_t time_unit_after(const text *t, size_t q, const phrase **ph) {
  size_t r = ws1(t, q);
  if (r == NO && byte_is(t, q, '-')) r = q + 1;
  return r == NO ? NO : phrase_at(&TIME_UNITS, t, r, ph);
}

/* A quantity or a duration: the value and its unit (a unit of time has
 * no dimension). */
static void set_measure(lector_expression *e, lector_expr_kind kind, size_t p, size_t q, num v,
                        const phrase *ph) {
  set_number(e, kind, p, q, v);
  e->unit = ph->a;
  e->dimension = ph->b;
}

/* An amount and a unit: a unit of time for a duration, another for a
 * quantity. */
static size_t measure_rule(const text *t, size_t p, lector_expr_kind kind, lector_expression *e) {
  num v;
  const phrase *ph;
  size_t q = amount(t, p, SCALE, &v);
  if (q == NO) return NO;
  q = kind == LECTOR_KIND_DURATION ? time_unit_after(t, q, &ph) : unit_after(t, q, &ph);
  if (q == NO) return NO;
  set_measure(e, kind, p, q, v, ph);
  return q;
}

static size_t quantity_rule(const text *t, size_t p, lector_expression *e) {
  return measure_rule(t, p, LECTOR_KIND_QUANTITY, e);
}

static size_t duration_rule(const text *t, size_t p, lector_expression *e) {
  return measure_rule(t, p, LECTOR_KIND_DURATION, e);
}

/* ---- dates ------------------------------------------------------------------ */

static void set_date(lector_expression *e, size_t p, size_t q) {
  e->kind = LECTOR_KIND_DATE;
  e->text = (lector_expr_span){p, q};
}

static size_t weekday_rule(const text *t, size_t p, lector_expression *e) {
  int64_t w;
  size_t q = list_num(&WEEKDAYS, t, p, &w);
  if (q == NO) return NO;
  set_date(e, p, q);
  e->weekday = (int)w;
  e->fields |= 1u << LECTOR_FIELD_WEEKDAY;
  return q;
}

/* A month's name, or its abbreviation with an optional point. */
static size_t month_at(const text *t, size_t p, int *month) {
  int64_t m;
  size_t q = list_num(&MONTH_NAMES, t, p, &m);
  if (q == NO) {
    q = list_num(&MONTH_ABBREVIATIONS, t, p, &m);
    if (q == NO) return NO;
    if (byte_is(t, q, '.')) q++;
  }
  *month = (int)m;
  return q;
}

static size_t month_rule(const text *t, size_t p, lector_expression *e) {
  int m;
  size_t q = month_at(t, p, &m);
  if (q == NO || !boundary(t, q)) return NO;
  set_date(e, p, q);
  e->month = m;
  e->fields |= 1u << LECTOR_FIELD_MONTH;
  return q;
}

/* n digits (1 or 2 when n is 12) not followed by a digit */
static size_t digits_n(const text *t, size_t p, int n, int *value) {
  size_t k = digit_run(t, p, n == 12 ? 2 : (size_t)n);
  if (k == 0 || (n != 12 && k != (size_t)n) || is_digit_at(t, p + k)) return NO;
  *value = (int)digits_value((const char *)t->s + p, k);
  return p + k;
}

/* The start of a numeric date ("2025-11-03", "3/11/2025"), which a year
 * alone must not be. */
static bool numeric_date_ahead(const text *t, size_t p) {
  for (int part = 0; part < 3; part++) {
    size_t k = 0;
    while (is_digit_at(t, p + k)) k++;
    if (k == 0) return false;
    p += k;
    if (part == 2) return true;
    if (p >= t->n || !strchr("-/.", t->s[p]) || t->s[p] == 0) return false;
    p++;
  }
  return true;
}

static const int YEAR_MIN = 1800, YEAR_MAX = 2099;

static size_t year_rule(const text *t, size_t p, lector_expression *e) {
  int y;
  if (numeric_date_ahead(t, p)) return NO;
  size_t q = digits_n(t, p, 4, &y);
  if (q == NO || !boundary(t, q) || y < YEAR_MIN || y > YEAR_MAX) return NO;
  set_date(e, p, q);
  e->year = y;
  e->fields |= 1u << LECTOR_FIELD_YEAR | 1u << LECTOR_FIELD_ISO;
  memcpy(e->iso, t->s + p, 4);
  e->iso[4] = 0;
  return q;
}

/* The fields a date or time rule reads, kept apart until the rule has
 * matched. A value counts only once its bit is set, so a form that fails
 * is undone by taking back its bits and flags (a mark). */
typedef lector_expression fields;

typedef struct mark {
  uint32_t fields;
  uint8_t norder;
  bool ago, approx;
  const char *ampm, *zone;
} mark;

static mark mark_of(const fields *f) {
  return (mark){f->fields, f->norder, f->ago, f->approx, f->ampm, f->zone};
}

static void undo(fields *f, mark m) {
  f->fields = m.fields;
  f->norder = m.norder;
  f->ago = m.ago;
  f->approx = m.approx;
  f->ampm = m.ampm;
  f->zone = m.zone;
}

static void put(fields *f, lector_expr_field field, int value) {
  switch (field) {
  case LECTOR_FIELD_YEAR: f->year = value; break;
  case LECTOR_FIELD_MONTH: f->month = value; break;
  case LECTOR_FIELD_DAY: f->day = value; break;
  case LECTOR_FIELD_WEEKDAY: f->weekday = value; break;
  case LECTOR_FIELD_DECADE: f->decade = value; break;
  case LECTOR_FIELD_HOUR: f->hour = value; break;
  case LECTOR_FIELD_MINUTE: f->minute = value; break;
  case LECTOR_FIELD_SECOND: f->second = value; break;
  default: break;
  }
  add_field(f, field);
}

static size_t day_at(const text *t, size_t p, fields *f) {
  int d;
  size_t q = digits_n(t, p, 12, &d);
  if (q == NO) return NO;
  size_t r = phrase_at(&SUFFIXES, t, q, NULL);
  if (r == NO) {
    if (!boundary(t, q)) return NO;
    r = q;
  }
  put(f, LECTOR_FIELD_DAY, d);
  return r;
}

static size_t year_at(const text *t, size_t p, fields *f) {
  int y;
  size_t q = digits_n(t, p, 4, &y);
  if (q == NO || !boundary(t, q)) return NO;
  put(f, LECTOR_FIELD_YEAR, y);
  return q;
}

/* ", " or blanks */
static size_t comma(const text *t, size_t p) {
  size_t q = ws0(t, p);
  if (byte_is(t, q, ',')) return ws0(t, q + 1);
  return ws1(t, p);
}

typedef size_t (*date_form)(const text *t, size_t p, fields *f);

/* An optional part after p: what form reads at after (the end of a
 * separator, NO when there is none); p, with f as it was, when nothing. */
static size_t optional_part(const text *t, size_t p, size_t after, date_form form, fields *f) {
  if (after == NO) return p;
  mark m = mark_of(f);
  size_t q = form(t, after, f);
  if (q != NO) return q;
  undo(f, m);
  return p;
}

/* an optional ", 2025" */
static size_t then_year(const text *t, size_t p, fields *f) {
  return optional_part(t, p, comma(t, p), year_at, f);
}

static size_t month_field(const text *t, size_t p, fields *f) {
  int m;
  size_t q = month_at(t, p, &m);
  if (q != NO) put(f, LECTOR_FIELD_MONTH, m);
  return q;
}

/* November 3, 2025 */
static size_t month_day_year(const text *t, size_t p, fields *f) {
  size_t q = month_field(t, p, f);
  if (q == NO || (q = ws1(t, q)) == NO || (q = day_at(t, q, f)) == NO) return NO;
  return then_year(t, q, f);
}

/* 3 November 2025, 3rd of November */
static size_t day_month_year(const text *t, size_t p, fields *f) {
  size_t q = day_at(t, p, f);
  if (q == NO || (q = ws1(t, q)) == NO) return NO;
  size_t of = word(t, q, "of");
  if (of != NO && (of = ws1(t, of)) != NO) q = of;
  if ((q = month_field(t, q, f)) == NO || !boundary(t, q)) return NO;
  return then_year(t, q, f);
}

/* November 2025 */
static size_t month_year(const text *t, size_t p, fields *f) {
  size_t q = month_field(t, p, f);
  if (q == NO || (q = comma(t, q)) == NO) return NO;
  return year_at(t, q, f);
}

/* 2025-11-03 */
static size_t iso_date(const text *t, size_t p, fields *f) {
  int m, d;
  size_t q = year_at(t, p, f);
  if (q == NO || !byte_is(t, q, '-') || (q = digits_n(t, q + 1, 2, &m)) == NO) return NO;
  put(f, LECTOR_FIELD_MONTH, m);
  if (!byte_is(t, q, '-') || (q = digits_n(t, q + 1, 2, &d)) == NO || !boundary(t, q)) return NO;
  put(f, LECTOR_FIELD_DAY, d);
  return q;
}

/* 11/3/2025, month first */
static size_t us_date(const text *t, size_t p, fields *f) {
  int m, d;
  size_t q = digits_n(t, p, 12, &m);
  if (q == NO || !byte_is(t, q, '/')) return NO;
  put(f, LECTOR_FIELD_MONTH, m);
  if ((q = digits_n(t, q + 1, 12, &d)) == NO || !byte_is(t, q, '/')) return NO;
  put(f, LECTOR_FIELD_DAY, d);
  return year_at(t, q + 1, f);
}

/* The first of forms that matches at p, its fields added to *f. */
static size_t first_form(const date_form *forms, size_t n, const text *t, size_t p, fields *f) {
  mark m = mark_of(f);
  for (size_t i = 0; i < n; i++) {
    size_t q = forms[i](t, p, f);
    if (q != NO) return q;
    undo(f, m);
  }
  return NO;
}

/* Sunday, November 2 */
static size_t weekday_date(const text *t, size_t p, fields *f) {
  int64_t w;
  size_t q = list_num(&WEEKDAYS, t, p, &w);
  if (q == NO || (q = comma(t, q)) == NO) return NO;
  put(f, LECTOR_FIELD_WEEKDAY, (int)w);
  static const date_form forms[] = {month_day_year, day_month_year};
  return first_form(forms, COUNT(forms), t, q, f);
}

static void put_number(fields *f, lector_expr_field field, num v) {
  if (field == LECTOR_FIELD_OFFSET) f->offset = v;
  else f->count = v;
  add_field(f, field);
}

static void put_string(fields *f, lector_expr_field field, const char *s) {
  switch (field) {
  case LECTOR_FIELD_UNIT: f->unit = s; break;
  case LECTOR_FIELD_AMPM: f->ampm = s; break;
  case LECTOR_FIELD_ZONE: f->zone = s; break;
  default: f->part = s; break;
  }
  add_field(f, field);
}

/* A word of set at p, its string kept as field. */
static size_t string_field(const phrase_set *set, lector_expr_field field, const text *t, size_t p,
                           fields *f) {
  const phrase *ph;
  size_t q = phrase_at(set, t, p, &ph);
  if (q != NO) put_string(f, field, ph->a);
  return q;
}

/* today, yesterday, tomorrow */
static size_t named_day(const text *t, size_t p, fields *f) {
  int64_t offset;
  size_t q = list_num(&DAYS, t, p, &offset);
  if (q == NO) return NO;
  put_number(f, LECTOR_FIELD_OFFSET, integer(offset));
  put_string(f, LECTOR_FIELD_UNIT, "day");
  return q;
}

/* tonight, last night */
static size_t night(const text *t, size_t p, fields *f) {
  int64_t offset = 0;
  size_t q = word(t, p, "tonight");
  if (q == NO) {
    offset = -1;
    q = word(t, p, "last");
    if (q == NO || (q = ws1(t, q)) == NO || (q = word(t, q, "night")) == NO) return NO;
  }
  put_number(f, LECTOR_FIELD_OFFSET, integer(offset));
  put_string(f, LECTOR_FIELD_UNIT, "day");
  put_string(f, LECTOR_FIELD_PART, "night");
  return q;
}

/* a number without scale word, or "a"/"an" */
static size_t count_at(const text *t, size_t p, num *v) {
  size_t q = amount(t, p, NO_SCALE, v);
  if (q != NO) return q;
  int64_t one;
  q = list_num(&A_ONE, t, p, &one);
  if (q != NO && v) *v = integer(one);
  return q;
}

/* two weeks ago */
static size_t ago(const text *t, size_t p, fields *f) {
  num count;
  const phrase *unit;
  size_t q = count_at(t, p, NULL);   /* the value only once "ago" is there */
  if (q == NO || (q = ws1(t, q)) == NO || (q = phrase_at(&TIME_UNITS, t, q, &unit)) == NO ||
      (q = ws1(t, q)) == NO || (q = word(t, q, "ago")) == NO)
    return NO;
  count_at(t, p, &count);
  put_number(f, LECTOR_FIELD_COUNT, count);
  put_string(f, LECTOR_FIELD_UNIT, unit->a);
  add_field(f, LECTOR_FIELD_AGO);
  f->ago = true;
  return q;
}

/* last two years */
static size_t direction_count(const text *t, size_t p, fields *f) {
  int64_t offset;
  num count;
  const phrase *unit;
  size_t q = list_num(&DIRECTIONS, t, p, &offset);
  if (q == NO || (q = ws1(t, q)) == NO || (q = count_at(t, q, &count)) == NO ||
      (q = ws1(t, q)) == NO || (q = phrase_at(&REL_UNITS, t, q, &unit)) == NO)
    return NO;
  put_number(f, LECTOR_FIELD_OFFSET, integer(offset));
  put_number(f, LECTOR_FIELD_COUNT, count);
  put_string(f, LECTOR_FIELD_UNIT, unit->a);
  return q;
}

/* recent days, coming months */
static size_t vague_span(const text *t, size_t p, fields *f) {
  int64_t offset = -1;
  const phrase *unit;
  size_t q = word(t, p, "recent");
  if (q == NO) {
    offset = 1;
    q = word(t, p, "coming");
  }
  if (q == NO || (q = ws1(t, q)) == NO || (q = phrase_at(&REL_UNITS, t, q, &unit)) == NO)
    return NO;
  put_number(f, LECTOR_FIELD_OFFSET, integer(offset));
  put_string(f, LECTOR_FIELD_UNIT, unit->a);
  add_field(f, LECTOR_FIELD_APPROX);
  f->approx = true;
  return q;
}

/* last week, next Friday, this March */
static size_t direction_unit(const text *t, size_t p, fields *f) {
  int64_t offset, value;
  const phrase *unit;
  size_t q = list_num(&DIRECTIONS, t, p, &offset);
  if (q == NO || (q = ws1(t, q)) == NO) return NO;
  put_number(f, LECTOR_FIELD_OFFSET, integer(offset));
  size_t r = phrase_at(&REL_UNIT, t, q, &unit);
  if (r != NO) {
    size_t c = ws1(t, r);
    if (c == NO || word(t, c, "century") == NO) {
      put_string(f, LECTOR_FIELD_UNIT, unit->a);
      return r;
    }
  }
  if ((r = list_num(&WEEKDAYS, t, q, &value)) != NO) {
    put(f, LECTOR_FIELD_WEEKDAY, (int)value);
    return r;
  }
  if ((r = list_num(&MONTH_CAPITALIZED, t, q, &value)) != NO) {
    put(f, LECTOR_FIELD_MONTH, (int)value);
    return r;
  }
  return NO;
}

/* 1990s, 1990's */
static size_t decade(const text *t, size_t p, fields *f) {
  if (digit_run(t, p, 3) != 3 || !byte_is(t, p + 3, '0')) return NO;
  size_t q = p + 4;
  if (byte_is(t, q, '\'')) q++;
  else if (q + 2 < t->n && memcmp(t->s + q, "\xE2\x80\x99", 3) == 0) q += 3;
  if (!byte_is(t, q, 's') || !boundary(t, q + 1)) return NO;
  put(f, LECTOR_FIELD_DECADE, (int)digits_value((const char *)t->s + p, 4));
  return q + 1;
}

/* A word of set at p, its number kept as field. */
static size_t number_field(const phrase_set *set, lector_expr_field field, const text *t, size_t p,
                           fields *f) {
  int64_t v;
  size_t q = list_num(set, t, p, &v);
  if (q != NO) put(f, field, (int)v);
  return q;
}

static size_t capitalized_month(const text *t, size_t p, fields *f) {
  return number_field(&MONTH_CAPITALIZED, LECTOR_FIELD_MONTH, t, p, f);
}

/* early 2025, mid-1990s, late November */
static size_t part_of(const text *t, size_t p, fields *f) {
  size_t q = string_field(&PARTS, LECTOR_FIELD_PART, t, p, f);
  if (q == NO) return NO;
  size_t r = ws1(t, q);
  if (r == NO && byte_is(t, q, '-')) r = q + 1;
  if (r == NO) return NO;
  static const date_form forms[] = {decade, month_year, capitalized_month, year_at};
  return first_form(forms, COUNT(forms), t, r, f);
}

static size_t weekday_alone(const text *t, size_t p, fields *f) {
  return number_field(&WEEKDAYS, LECTOR_FIELD_WEEKDAY, t, p, f);
}

static size_t month_alone(const text *t, size_t p, fields *f) {
  return number_field(&MONTH_ALONE, LECTOR_FIELD_MONTH, t, p, f);
}

static bool leap(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

/* Refuse impossible dates; derive relative, offset and iso. */
static bool settle_date(lector_expression *e) {
  bool has_month = LECTOR_HAS(e, LECTOR_FIELD_MONTH), has_year = LECTOR_HAS(e, LECTOR_FIELD_YEAR);
  if (has_month && (e->month < 1 || e->month > 12)) return false;
  if (LECTOR_HAS(e, LECTOR_FIELD_DAY)) {
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = days[e->month - 1];
    if (e->month == 2 && has_year && !leap(e->year)) last = 28;
    if (e->day < 1 || e->day > last) return false;
  }
  if (e->ago) {
    e->offset = negate(e->count);
    e->fields = (e->fields | 1u << LECTOR_FIELD_OFFSET) & ~(1u << LECTOR_FIELD_COUNT | 1u << LECTOR_FIELD_AGO);
  }
  if (LECTOR_HAS(e, LECTOR_FIELD_OFFSET)) {
    double o = as_real(e->offset);
    e->relative = o < 0 ? "past" : o > 0 ? "future" : "present";
    e->fields |= 1u << LECTOR_FIELD_RELATIVE;
    if (LECTOR_HAS(e, LECTOR_FIELD_COUNT) || e->approx || !LECTOR_HAS(e, LECTOR_FIELD_UNIT))
      e->fields &= ~(1u << LECTOR_FIELD_OFFSET);
  }
  if (has_year) {
    e->fields |= 1u << LECTOR_FIELD_ISO;
    if (!has_month) snprintf(e->iso, sizeof e->iso, "%04d", e->year);
    else if (!LECTOR_HAS(e, LECTOR_FIELD_DAY)) snprintf(e->iso, sizeof e->iso, "%04d-%02d", e->year, e->month);
    else snprintf(e->iso, sizeof e->iso, "%04d-%02d-%02d", e->year, e->month, e->day);
  }
  return true;
}

/* Every form but a year alone; an impossible date matches nothing, not a
 * shorter form. */
static size_t date_main(const text *t, size_t p, lector_expression *e) {
  static const date_form forms[] = {
    weekday_date, month_day_year, day_month_year, month_year, iso_date, us_date,
    named_day, night, ago, direction_count, vague_span, direction_unit,
    decade, part_of, weekday_alone, month_alone,
  };
  /* the forms that may start with a digit, in the same order */
  static const date_form digit_forms[] = {day_month_year, iso_date, us_date, ago, decade};
  fields f = *e;
  size_t q = is_digit_at(t, p) ? first_form(digit_forms, COUNT(digit_forms), t, p, &f)
                               : first_form(forms, COUNT(forms), t, p, &f);
  if (q == NO) return NO;
  set_date(&f, p, q);
  if (!settle_date(&f)) return NO;
  *e = f;
  return q;
}

static size_t date_rule(const text *t, size_t p, lector_expression *e) {
  size_t q = date_main(t, p, e);
  return q != NO ? q : year_rule(t, p, e);
}

/* ---- times ------------------------------------------------------------------ */

static size_t ampm_at(const text *t, size_t p, fields *f) {
  return string_field(&AMPM, LECTOR_FIELD_AMPM, t, p, f);
}

static size_t zone_at(const text *t, size_t p, fields *f) {
  return string_field(&ZONES, LECTOR_FIELD_ZONE, t, p, f);
}

/* 10:30, 10:30:15, with a.m. or p.m. or at a word's end */
static size_t colon_clock(const text *t, size_t p, fields *f) {
  int h, m, s;
  size_t q = digits_n(t, p, 12, &h);
  if (q == NO || !byte_is(t, q, ':') || (q = digits_n(t, q + 1, 2, &m)) == NO) return NO;
  put(f, LECTOR_FIELD_HOUR, h);
  put(f, LECTOR_FIELD_MINUTE, m);
  size_t r;
  if (byte_is(t, q, ':') && (r = digits_n(t, q + 1, 2, &s)) != NO) {
    put(f, LECTOR_FIELD_SECOND, s);
    q = r;
  }
  r = ampm_at(t, ws0(t, q), f);
  if (r != NO) return r;
  return boundary(t, q) ? q : NO;
}

/* 10.30 am */
static size_t dotted_clock(const text *t, size_t p, fields *f) {
  int h, m;
  size_t q = digits_n(t, p, 12, &h);
  if (q == NO || !byte_is(t, q, '.') || (q = digits_n(t, q + 1, 2, &m)) == NO) return NO;
  put(f, LECTOR_FIELD_HOUR, h);
  put(f, LECTOR_FIELD_MINUTE, m);
  return ampm_at(t, ws0(t, q), f);
}

/* 3 p.m. */
static size_t hour_ampm(const text *t, size_t p, fields *f) {
  int h;
  size_t q = digits_n(t, p, 12, &h);
  if (q == NO) return NO;
  put(f, LECTOR_FIELD_HOUR, h);
  return ampm_at(t, ws0(t, q), f);
}

/* a clock and an optional zone */
static size_t clock_zone(const text *t, size_t p, fields *f) {
  static const date_form forms[] = {colon_clock, dotted_clock, hour_ampm};
  size_t q = first_form(forms, COUNT(forms), t, p, f);
  return q == NO ? NO : optional_part(t, q, ws1(t, q), zone_at, f);
}

/* 1430 GMT */
static size_t military(const text *t, size_t p, fields *f) {
  if (digit_run(t, p, 5) != 4) return NO;
  size_t q = ws1(t, p + 4);
  if (q == NO) return NO;
  put(f, LECTOR_FIELD_HOUR, (int)digits_value((const char *)t->s + p, 2));
  put(f, LECTOR_FIELD_MINUTE, (int)digits_value((const char *)t->s + p + 2, 2));
  return zone_at(t, q, f);
}

static size_t noon(const text *t, size_t p, fields *f) {
  int h = 12;
  size_t q = word(t, p, "noon");
  if (q == NO) {
    h = 0;
    q = word(t, p, "midnight");
  }
  if (q == NO) return NO;
  put(f, LECTOR_FIELD_HOUR, h);
  put(f, LECTOR_FIELD_MINUTE, 0);
  return q;
}

/* Whether a clock may start at p, whose digit run is k long: one or two
 * digits before ':', '.', blanks or a.m./p.m. */
static bool clock_ahead(const text *t, size_t p, size_t k) {
  if (k == 0 || k > 2 || p + k >= t->n) return false;
  unsigned char c = t->s[p + k];
  return c && strchr(":.aApP \t\r\n\xC2\xE2", c);
}

static size_t time_rule(const text *t, size_t p, lector_expression *e) {
  static const date_form forms[] = {clock_zone, military, noon};
  /* what a digit run allows: a clock after one or two digits, 1430 GMT
   * after four, nothing else */
  size_t k = digit_run(t, p, 5);
  size_t first = 0, last = COUNT(forms);
  if (k == 4) first = 1, last = 2;
  else if (k) {
    if (!clock_ahead(t, p, k)) return NO;
    last = 1;
  }
  fields f = *e;
  size_t q = first_form(forms + first, last - first, t, p, &f);
  if (q == NO) return NO;
  int h = f.hour;
  if (f.ampm) {
    if (h < 1 || h > 12) return NO;
    h = h % 12 + (f.ampm[0] == 'p' ? 12 : 0);
  }
  if (h > 23 || f.minute > 59 || (LECTOR_HAS(&f, LECTOR_FIELD_SECOND) && f.second > 59)) return NO;
  f.hour = h;
  f.kind = LECTOR_KIND_TIME;
  f.text = (lector_expr_span){p, q};
  f.fields |= 1u << LECTOR_FIELD_ISO;
  if (LECTOR_HAS(&f, LECTOR_FIELD_SECOND)) snprintf(f.iso, sizeof f.iso, "%02d:%02d:%02d", h, f.minute, f.second);
  else snprintf(f.iso, sizeof f.iso, "%02d:%02d", h, f.minute);
  *e = f;
  return q;
}

/* ---- URLs and e-mail addresses ---------------------------------------------- */

/* A host's label at p, which must end before `end` (a host's limit):
 * a try stops reading there, as "1-1-1-..." would otherwise make every
 * try read to the end of the run. */
static size_t label(const text *t, size_t p, size_t end) {
  if (!is_alnum_at(t, p)) return NO;
  do p++;
  while (p < end && (is_alnum_at(t, p) || byte_is(t, p, '-')));
  return p < end ? p : NO;
}

static bool url_safe(const text *t, size_t p) {
  if (p >= t->n) return false;
  unsigned char c = t->s[p];
  if (c <= 31 || (c < 128 && strchr(" \t\r\n<>\"'`{}|\\^.,;:!?)]", c))) return false;
  return punct_mb(t, p) == 0;
}

static bool trailing_punct(unsigned char c) { return c && strchr(".,;:!?)]'", c); }

/* The rest of a URL: its characters, with punctuation inside but not at
 * its end, up to LECTOR_EXPR_URL_MAX bytes from start. */
static size_t url_rest(const text *t, size_t start, size_t p) {
  size_t end = start + LECTOR_EXPR_URL_MAX;
  for (;;) {
    if (p >= end) return end;
    if (url_safe(t, p)) {
      p++;
      continue;
    }
    size_t q = p;
    while (q < t->n && trailing_punct(t->s[q])) q++;
    if (q == p || !url_safe(t, q)) return p;
    p = q;
  }
}

/* A host's characters, at most LECTOR_EXPR_HOST_MAX of them. */
static size_t host_chars(const text *t, size_t p) {
  size_t q = p;
  while (q - p < LECTOR_EXPR_HOST_MAX &&
         (is_alnum_at(t, q) || byte_is(t, q, '.') || byte_is(t, q, '-')))
    q++;
  return q > p ? q : NO;
}

/* Whether a host ends at r: no letter, digit, "-" or ".label" goes on. */
static bool host_ends(const text *t, size_t r) {
  return !is_alnum_at(t, r) && !byte_is(t, r, '-') && !(byte_is(t, r, '.') && is_alnum_at(t, r + 1));
}

/* The end of a last label at p (a known top-level domain, or two letters
 * or more) that ends by `end`, or NO. */
typedef size_t (*last_label)(const text *t, size_t p, size_t end);

static size_t known_tld(const text *t, size_t p, size_t end) {
  size_t r = phrase_at(&TLDS, t, p, NULL);
  return r != NO && r <= end && host_ends(t, r) ? r : NO;
}

static size_t letters_tld(const text *t, size_t p, size_t end) {
  size_t r = p;
  while (r < end && is_alpha_at(t, r)) r++;
  return r - p >= 2 && host_ends(t, r) ? r : NO;
}

/* Labels and dots up to a last label: a host of LECTOR_EXPR_HOST_MAX
 * bytes at most, so that no try reads further. */
static size_t dotted_host(const text *t, size_t p, last_label last) {
  size_t end = p + LECTOR_EXPR_HOST_MAX;
  for (;;) {
    size_t q = label(t, p, end);
    if (q == NO || !byte_is(t, q, '.')) return NO;
    p = q + 1;
    size_t r = last(t, p, end);
    if (r != NO) return r;
    if (p >= end) return NO;
  }
}

static size_t url_rule(const text *t, size_t p, lector_expression *e) {
  size_t q = word(t, p, "https");
  if (q == NO) q = word(t, p, "http");
  if (q == NO) q = word(t, p, "ftp");
  size_t h = q, r;
  if (q != NO && q + 2 < t->n && memcmp(t->s + q, "://", 3) == 0 && (r = host_chars(t, q + 3)) != NO) {
    e->scheme = (lector_expr_span){p, q};
    e->fields |= 1u << LECTOR_FIELD_SCHEME;
    h = q + 3;
    q = url_rest(t, p, r);
  } else if ((q = word(t, p, "www")) != NO && byte_is(t, q, '.') && (r = host_chars(t, q + 1)) != NO) {
    h = p;
    q = url_rest(t, p, r);
  } else if ((r = dotted_host(t, p, known_tld)) != NO) {
    h = p;
    q = byte_is(t, r, '/') ? url_rest(t, p, r + 1) : r;
  } else {
    return NO;
  }
  e->kind = LECTOR_KIND_URL;
  e->text = (lector_expr_span){p, q};
  e->host = (lector_expr_span){h, r};
  return q;
}

static bool mail_byte(unsigned char c) { return is_alnum_byte(c) || (c && strchr("._%+-", c)); }

static size_t email_rule(const text *t, size_t p, lector_expression *e) {
  size_t q = p;
  while (q < t->n && q - p <= LECTOR_EXPR_MAIL_LOCAL_MAX && mail_byte(t->s[q])) q++;
  if (q == p || q - p > LECTOR_EXPR_MAIL_LOCAL_MAX || !byte_is(t, q, '@')) return NO;
  size_t r = dotted_host(t, q + 1, letters_tld);
  if (r == NO) return NO;
  e->kind = LECTOR_KIND_EMAIL;
  e->text = (lector_expr_span){p, r};
  e->user = (lector_expr_span){p, q};
  e->domain = (lector_expr_span){q + 1, r};
  return r;
}

/* ---- everything at once ----------------------------------------------------- */

/* Whether an expression may start at p: a digit, a sign, a word of the
 * opening lists, or a word followed by "." or "@" (hosts, addresses).
 * Every pattern tests it first, so most words are rejected at once. */
static bool may_start(const text *t, size_t p) {
  if (p >= t->n) return false;
  unsigned char c = t->s[p];
  if ((unsigned)(c - '0') < 10u || c == '+' || c == '-') return true;
  if (p + 2 < t->n && memcmp(t->s + p, "\xE2\x88\x92", 3) == 0) return true;
  if (phrase_at(&OPENINGS, t, p, NULL) != NO) return true;
  size_t q = p;
  while (q < t->n && q - p <= LECTOR_EXPR_HOST_MAX &&
         (is_alnum_byte(t->s[q]) || (t->s[q] && strchr("_%+-", t->s[q]))))
    q++;
  return q > p && q - p <= LECTOR_EXPR_HOST_MAX && q < t->n && (t->s[q] == '.' || t->s[q] == '@') &&
         is_alnum_at(t, q + 1);
}

/* An amount read once; what follows it decides the kind: a currency,
 * "%" or a percent word, a unit of time, another unit, or else a year
 * alone or a number. */
static size_t amount_kinds(const text *t, size_t p, lector_expression *e) {
  int y;
  bool yearish = !numeric_date_ahead(t, p) && digits_n(t, p, 4, &y) != NO && boundary(t, p + 4);
  num v;
  size_t q = amount(t, p, SCALE, &v), r;
  if (q == NO) return NO;
  const phrase *ph;
  if ((r = money_suffix(t, ws0(t, q), &ph)) != NO) {
    set_money(e, p, r, v, ph);
    return r;
  }
  if ((r = percent_sign(t, q, &e->points)) != NO) {
    set_number(e, LECTOR_KIND_PERCENT, p, r, v);
    return r;
  }
  if ((r = time_unit_after(t, q, &ph)) != NO) {
    set_measure(e, LECTOR_KIND_DURATION, p, r, v, ph);
    return r;
  }
  if ((r = unit_after(t, q, &ph)) != NO) {
    set_measure(e, LECTOR_KIND_QUANTITY, p, r, v, ph);
    return r;
  }
  if (!boundary(t, q)) return NO;
  if (yearish && q - p == 4 && !v.is_real && v.integer >= YEAR_MIN && v.integer <= YEAR_MAX)
    return year_rule(t, p, e);
  set_number(e, LECTOR_KIND_NUMBER, p, q, v);
  return q;
}

static size_t any_rule(const text *t, size_t p, lector_expression *e) {
  typedef size_t (*rule)(const text *, size_t, lector_expression *);
  static const rule rules[] = {email_rule, url_rule, money_before, date_main, time_rule,
                               ordinal_rule, amount_kinds, vague_rule};
  /* a rule that fails leaves e as it found it */
  for (size_t i = 0; i < COUNT(rules); i++) {
    size_t q = rules[i](t, p, e);
    if (q != NO) return q;
  }
  return NO;
}

typedef size_t (*rule_fn)(const text *, size_t, lector_expression *);

static const rule_fn rules_by_pattern[LECTOR_EXPR_PATTERNS] = {
  [LECTOR_EXPR_ANY] = any_rule,
  [LECTOR_EXPR_NUMBER_WORDS] = number_words_rule,
  [LECTOR_EXPR_INTEGER] = integer_rule,
  [LECTOR_EXPR_NUMBER] = number_rule,
  [LECTOR_EXPR_ORDINAL] = ordinal_rule,
  [LECTOR_EXPR_PERCENT] = percent_rule,
  [LECTOR_EXPR_MONEY] = money_rule,
  [LECTOR_EXPR_QUANTITY] = quantity_rule,
  [LECTOR_EXPR_DURATION] = duration_rule,
  [LECTOR_EXPR_WEEKDAY] = weekday_rule,
  [LECTOR_EXPR_MONTH] = month_rule,
  [LECTOR_EXPR_YEAR] = year_rule,
  [LECTOR_EXPR_DATE] = date_rule,
  [LECTOR_EXPR_TIME] = time_rule,
  [LECTOR_EXPR_URL] = url_rule,
  [LECTOR_EXPR_EMAIL] = email_rule,
};

/* What each pattern's first rules can start with (every pattern also
 * starts as may_start allows). */
#define DIGITS "0123456789"
#define LETTERS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define MULTIBYTE "\xC2\xE2"               /* £ ¥ ½ ¼ ¾, and − € ₹ ⅓ ... */
#define AMOUNT_FIRST DIGITS LETTERS "+-" MULTIBYTE
static const char *const first_bytes[LECTOR_EXPR_PATTERNS] = {
  [LECTOR_EXPR_ANY] = AMOUNT_FIRST "$%_",
  [LECTOR_EXPR_NUMBER_WORDS] = LETTERS,
  [LECTOR_EXPR_INTEGER] = DIGITS "+-\xE2",
  [LECTOR_EXPR_NUMBER] = AMOUNT_FIRST,
  [LECTOR_EXPR_ORDINAL] = DIGITS LETTERS,
  [LECTOR_EXPR_PERCENT] = AMOUNT_FIRST,
  [LECTOR_EXPR_MONEY] = AMOUNT_FIRST "$",
  [LECTOR_EXPR_QUANTITY] = AMOUNT_FIRST,
  [LECTOR_EXPR_DURATION] = AMOUNT_FIRST,
  [LECTOR_EXPR_WEEKDAY] = LETTERS,
  [LECTOR_EXPR_MONTH] = LETTERS,
  [LECTOR_EXPR_YEAR] = DIGITS,
  [LECTOR_EXPR_DATE] = AMOUNT_FIRST,
  [LECTOR_EXPR_TIME] = DIGITS LETTERS,
  [LECTOR_EXPR_URL] = DIGITS LETTERS,
  [LECTOR_EXPR_EMAIL] = DIGITS LETTERS "%+-_",
};

const char *lector_expression_first_bytes(lector_expr_pattern which) {
  return (unsigned)which < LECTOR_EXPR_PATTERNS ? first_bytes[which] : "";
}

bool lector_expression_at(const char *s, size_t len, size_t pos, lector_expr_pattern which,
                          lector_expression *out) {
  if ((unsigned)which >= LECTOR_EXPR_PATTERNS) return false;
  pthread_once(&tries_built, build_tries);
  numeral_memo memo = {.at = NO};
  size_t blanks[2] = {NO, NO};
  text t = {(const unsigned char *)s, len, &memo, blanks};
  if (!may_start(&t, pos)) return false;
  *out = (lector_expression){0};
  return rules_by_pattern[which](&t, pos, out) != NO;
}
