/*
 * Lexicon storage and phrase matching (lexicon.h).
 */
#include "lexicon.h"
