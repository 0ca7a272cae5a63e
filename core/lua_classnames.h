/*
 * Metatable names of every Lua-visible C type, in one place.
 */
#ifndef LECTOR_LUA_CLASSNAMES_H
#define LECTOR_LUA_CLASSNAMES_H

#define LECTOR_DOCUMENT_CLASS "lector.Document"
#define LECTOR_DOCUMENT_HOLD_CLASS "lector.DocumentHold"
#define LECTOR_SENTENCE_CLASS "lector.Sentence"
#define LECTOR_TOKEN_CLASS "lector.Token"
#define LECTOR_SPAN_CLASS "lector.Span"
#define LECTOR_STORE_CLASS "lector.Store"
#define LECTOR_ROWS_CLASS "lector.Rows"
#define LECTOR_READER_CLASS "lector.Reader"
#define LECTOR_PLUGIN_STATE_CLASS "lector.PluginState"
#define LECTOR_LEXICON_CLASS "lector.Lexicon"
#define LECTOR_MATCHER_CLASS "lector.Matcher"
#define LECTOR_VALENCE_CLASS "lector.Valence"
#define LECTOR_NAMES_CLASS "lector.Names"
#define LECTOR_STEMMER_CLASS "lector.Stemmer"
#define LECTOR_GRAPH_CLASS "lector.Graph"
#define LECTOR_PHRASES_CLASS "lector.Phrases"
#define LECTOR_SCANNER_CLASS "lector.Scanner"
#define LECTOR_POOL_CLASS "lector.Pool"

#endif
