/*
 * The token matcher (matcher.h).
 */
#include "matcher.h"
