/*
 * Token matcher: patterns over tokens (text, folded form, shape, kind,
 * lexicon entries, LPeg tests, spans), with optional and repeated elements
 * and labelled captures, compiled once and run over a document in C.
 */
#ifndef LECTOR_MATCHER_H
#define LECTOR_MATCHER_H

#include "doc.h"
#include "lexicon.h"

#endif
