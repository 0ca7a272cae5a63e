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
/* How long a store waits for another process's write lock. */
#define LECTOR_STORE_BUSY_TIMEOUT_MS 5000
/* A batch transaction commits after this many documents or this much
 * text, whichever comes first. Larger batches let the full-text index
 * merge less often; the bytes bound keeps a batch of long documents from
 * growing the write-ahead log without end. */
#define LECTOR_STORE_BATCH 1000
#define LECTOR_STORE_BATCH_BYTES ((size_t)16 << 20)

/* How much C memory of documents a Lua state may hold before each new
 * document makes its collector step (lector_account_document): enough for
 * a window of documents in flight, so that a stream whose documents are
 * released or collected in time never forces a step; small next to the
 * memory targets. */
#define LECTOR_UNSEEN_DOCUMENT_SLACK ((size_t)4 << 20)
/* Nesting accepted when converting Lua values to and from JSON. */
#define LECTOR_JSON_MAX_DEPTH 64
/* Longest JSON text one value (span attributes, a document value, meta)
 * may become. */
#define LECTOR_JSON_MAX_BYTES ((size_t)64 << 20)
/* Longest span layer, label or value key, in bytes. */
#define LECTOR_MAX_NAME_BYTES 256
/* Attribute columns one doc:add_many call may give its spans. */
#define LECTOR_ADD_MANY_MAX_ATTRS 16
/* Attribute columns one doc:span_columns call may ask for. */
#define LECTOR_MAX_SPAN_ATTR_COLUMNS 64

/* Segmentation thresholds (docs/segmentation.md). A line break inside a
 * paragraph is a soft wrap by length only when the line has at least this
 * many characters and this share of the paragraph's longest line. */
#define LECTOR_SEG_WRAP_MIN_CHARS 40
#define LECTOR_SEG_WRAP_MIN_PERCENT 60
/* A line of at least this many words, this share of them capitalized, is a
 * heading and ends its sentence. */
#define LECTOR_SEG_HEADING_MIN_WORDS 3
#define LECTOR_SEG_HEADING_CAPS_PERCENT 70
/* Tokens a credit such as "(AFP)" may hold after a sentence's last period
 * and still stay with that sentence. */
#define LECTOR_SEG_CREDIT_MAX_TOKENS 6
/* Bytes of a list number ("12.") at the start of a line. */
#define LECTOR_SEG_LIST_NUMBER_MAX_BYTES 3
/* The token array is first sized for one token per this many bytes of
 * text. News text averages nearer six, so one allocation is nearly always
 * enough; the array still grows when it is not. */
#define LECTOR_SEG_BYTES_PER_TOKEN 4

/* Plugin archives (docs/plugins.md). An archive holds at most this many
 * entries (files and folders), each file at most MAX_MEMBER bytes, all
 * files together at most MAX_TOTAL bytes. The archive file itself is read
 * into memory once, so it is capped too. */
#define LECTOR_ARCHIVE_MAX_ENTRIES 1000
#define LECTOR_ARCHIVE_MAX_MEMBER ((size_t)16 << 20)
#define LECTOR_ARCHIVE_MAX_TOTAL ((size_t)64 << 20)
#define LECTOR_ARCHIVE_MAX_FILE ((size_t)64 << 20)
/* Unpacked bytes per archive byte above which an archive is taken for a
 * decompression bomb; archives unpacking to less than RATIO_FLOOR bytes
 * are never refused for their ratio (small text compresses well). */
#define LECTOR_ARCHIVE_MAX_RATIO 100
#define LECTOR_ARCHIVE_RATIO_FLOOR ((size_t)1 << 20)
/* Longest member path, deepest folder nesting, largest MANIFEST.sha256 or
 * SIGNATURE member. */
#define LECTOR_ARCHIVE_MAX_PATH 255
#define LECTOR_ARCHIVE_MAX_DEPTH 16
#define LECTOR_ARCHIVE_MAX_MANIFEST ((size_t)1 << 20)

/* Plugins run in sandboxed Lua states (docs/sandbox.md). Bytes one
 * plugin's state may hold; the results a plugin hands to a document in
 * one call (spans, values, errors) count against the same figure. */
#define LECTOR_PLUGIN_MEMORY ((size_t)64 << 20)
/* A plugin call that grows its state by more than this is followed by a
 * full collection (sandbox.c: collect_after_growth). */
#define LECTOR_PLUGIN_COLLECT_GROWTH ((size_t)4 << 20)
/* The collector's pause in plugin states, in percent: a cycle starts when
 * the state has grown to 1.5 times what the last one kept (Lua's default
 * is 2 times). There is a state per plugin in every worker, so garbage is
 * multiplied by the workers; this costs about 1% more instructions. */
#define LECTOR_PLUGIN_GC_PAUSE 150
/* Lua VM instructions one call into a plugin may execute. */
#define LECTOR_PLUGIN_INSTRUCTIONS 100000000
/* The instruction budget is checked every this many instructions: how
 * far a plugin may overrun its budget. It costs nothing to keep it small:
 * once a count hook is set, Lua 5.4 traps every instruction to count it
 * (about 2x on a tight loop) whatever the step, and the hook itself runs
 * in a few nanoseconds. Measured on a 2*10^8-instruction loop: step 1000
 * 0.95 s, 10^4 0.96 s, 10^5 1.05 s (no hook: 0.43 s). */
#define LECTOR_PLUGIN_HOOK_STEP 1000
/* Because of that trap, a call with a budget of at least this many
 * instructions starts without the hook, which a timer installs once the
 * call has used half to all of LECTOR_PLUGIN_HOOK_GRACE_NS of processor
 * time (budget_clock.h): most passes end well within it, a tenth to a
 * fifth faster. Smaller budgets are counted from the first instruction. */
#define LECTOR_PLUGIN_LATE_HOOK_BUDGET 10000000
#define LECTOR_PLUGIN_HOOK_GRACE_NS 20000000LL   /* 20 ms */
/* Worst-case steps a plugin's string.find/match/gmatch/gsub may take; the
 * C matcher cannot be interrupted, so a call over this is refused. */
#define LECTOR_PLUGIN_MAX_MATCH_WORK 1e9  /* steps */
/* Bytes a plugin's string.find with plain = true may compare in the worst
 * case, (subject - pattern + 1) * pattern. memchr and memcmp compare a
 * byte about a hundred times faster than the matcher takes a step, so
 * this is about as long as MAX_MATCH_WORK (about a second), and a plain
 * search for a word or a phrase is never refused. */
#define LECTOR_PLUGIN_MAX_PLAIN_FIND_BYTES 1e11
/* Largest file a plugin may read from its folder, code included. */
#define LECTOR_PLUGIN_MAX_READ ((size_t)16 << 20)
/* Nesting and size of the tables copied between a plugin's state and the
 * trusted state (manifests, options, logs). */
#define LECTOR_PLUGIN_MAX_DEPTH 16
#define LECTOR_PLUGIN_MAX_COPY_ITEMS 100000
/* String bytes one copy between states may hold. */
#define LECTOR_PLUGIN_MAX_COPY_BYTES (16 << 20)
/* The options handed to a plugin's call are handed again to its next
 * call while they still hold what a new copy would (sandbox.c: push_opts),
 * if they have at most this many tables and keys in all; larger options
 * are copied for every call. */
#define LECTOR_PLUGIN_KEPT_OPTS_TABLES 16
#define LECTOR_PLUGIN_KEPT_OPTS_KEYS 64

/* Longest error message from a plugin that state:run or loading hands
 * back; the rest is cut. */
#define LECTOR_PLUGIN_MAX_MESSAGE_BYTES ((size_t)16 << 10)

/* The token matcher (docs/lua-api.md#matcher). A match spans at most
 * MAX_TOKENS tokens, which bounds the work per token; a pattern holds at
 * most MAX_ELEMENTS token specs. Sentences are matched in windows of
 * WINDOW_TOKENS start tokens (plus MAX_TOKENS of lookahead), so the
 * matcher's scratch memory does not grow with a sentence's length. */
#define LECTOR_MATCH_MAX_TOKENS 128
#define LECTOR_MATCH_MAX_ELEMENTS 64
#define LECTOR_MATCH_WINDOW_TOKENS 128

/* Lexicons (docs/lua-api.md#lexicon). A phrase holds at most this many
 * tokens, which bounds the work of matching at each token. */
#define LECTOR_LEXICON_MAX_PHRASE_TOKENS 32
/* Largest lexicon file ctx.lexicon reads from a plugin's folder. The
 * lexicon built from it still counts against the plugin's memory. */
#define LECTOR_PLUGIN_MAX_LEXICON_READ ((size_t)64 << 20)

/* Folder depth a plugin checksum follows. */
#define LECTOR_CHECKSUM_MAX_DEPTH 16

/* Stemmers (docs/lua-api.md#stemmer). libstemmer keeps a buffer as long as
 * the longest word it has stemmed, outside any Lua allocator; words longer
 * than this come back unchanged, so that buffer stays small. */
#define LECTOR_STEM_MAX_WORD_BYTES 256

/* Graphs (docs/lua-api.md#graph). Nodes per graph, undirected edges per
 * graph (about 50 bytes each once ranked), power iterations per rank, and
 * the work of one similarity graph: term pairs compared, the sum over
 * terms of df * (df - 1) / 2. The C code cannot be interrupted by a
 * plugin's instruction budget, so each call's work is bounded up front. */
#define LECTOR_GRAPH_MAX_NODES 20000
#define LECTOR_GRAPH_MAX_EDGES 2000000
#define LECTOR_GRAPH_MAX_ITERATIONS 1000
#define LECTOR_GRAPH_MAX_WORK 100000000

/* Key phrases (docs/lua-api.md#phrases), bounded for the same reason:
 * tokens read per document, words per phrase, the graph's window, the
 * text ranges left out (each token is checked against them), and the
 * words each of an extractor's two memos keeps before it starts afresh
 * (a few MB at most). */
#define LECTOR_PHRASES_MAX_TOKENS 1000000
#define LECTOR_PHRASES_MAX_WORDS 32
#define LECTOR_PHRASES_MAX_WINDOW 16
#define LECTOR_PHRASES_MAX_SKIP 1024
#define LECTOR_PHRASES_MEMO_WORDS 20000
/* The words each memo of terms (ph:terms) keeps: a news corpus's own
 * vocabulary (48,000 distinct folded words in Reuters-21578) mostly fits,
 * so its words are seldom stemmed twice (about 3 MB). */
#define LECTOR_PHRASES_TERM_MEMO_WORDS 60000

/* The REPL's line editor (docs/repl.md): the longest prompt, the lines
 * kept in its history (and its history file), and the completions listed
 * below the line at once (the rest are counted). */
#define LECTOR_REPL_PROMPT_MAX 64
#define LECTOR_REPL_HISTORY_LINES 1000
#define LECTOR_REPL_COMPLETIONS_SHOWN 200

/* Parallel analysis (docs/corpus.md#ingest): worker threads one command
 * may start, and the documents in flight between reading and storing —
 * by default this many per worker, so that a worker does not wait while
 * another finishes a long document the writer must store first — which
 * bounds memory whatever the corpus size. */
/* Name finders (docs/lua-api.md#names). A word of a configured list is at
 * most this long; a finder knows at most MAX_LABELS labels (the rules' own
 * and the configured ones); it remembers the gazetteer labels of at most
 * MEMO phrases (then starts again); a run of words longer than MAX_RUN is
 * cut there (no name is this long: a longer run is a list or a table). */
#define LECTOR_NAMES_MAX_WORD_BYTES 64
#define LECTOR_NAMES_MAX_LABELS 64
#define LECTOR_NAMES_MEMO 30000
#define LECTOR_NAMES_MAX_RUN 16
/* The name finder looks for the other forms of a capitalized word in the
 * text ("Military" at a sentence start when "military" appears). All its
 * searches in one document read at most PER_BYTE times its bytes plus
 * SLACK; past that a form is taken as not found, so a text of many
 * different capitalized words costs linear time, not quadratic. */
#define LECTOR_NAMES_SEARCH_PER_BYTE 256
#define LECTOR_NAMES_SEARCH_SLACK ((size_t)4 << 20)

/* lector.patterns' web addresses: no e-mail address has a longer part
 * before its "@", no host name is longer (DNS), and no URL is taken past
 * this many bytes. Each try of a pattern reads at most this far, so a
 * search over text of n bytes costs O(n) whatever the text holds
 * ("a.a.a.a..." would make unbounded tries read to its end). */
#define LECTOR_EXPR_MAIL_LOCAL_MAX 64
#define LECTOR_EXPR_HOST_MAX 253
#define LECTOR_EXPR_URL_MAX 2048
/* Expression scanners (lector.patterns.scanner): a configured word is at
 * most WORD_BYTES ASCII letters, and a scanner knows at most MAX_WORDS of
 * them (all its lists together). */
#define LECTOR_SCAN_WORD_BYTES 32
#define LECTOR_SCAN_MAX_WORDS 4096

#define LECTOR_MAX_WORKERS 256
#define LECTOR_POOL_WINDOW_PER_WORKER 8
#define LECTOR_MAX_POOL_WINDOW 4096

#endif
