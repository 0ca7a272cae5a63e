/*
 * A processor-time alarm that installs a Lua hook late. Once any count
 * hook is set, Lua 5.4 stops at every instruction to count it, which
 * costs a plugin call a tenth to a fifth of its time even when the call
 * is far within its budget. A call that starts the clock runs without
 * the hook; if it is still running after half to all of the grace (in
 * processor time of its own thread), the signal of a timer that ticks on
 * that thread installs the hook, as lua.c installs its interrupt hook
 * from a signal handler. Starting and stopping make no system call. Linux
 * only (a timer on CLOCK_THREAD_CPUTIME_ID signalling its thread); where
 * that is missing, start says so and the caller sets the hook at once.
 */
#ifndef LECTOR_BUDGET_CLOCK_H
#define LECTOR_BUDGET_CLOCK_H

#include <lua.h>

/* The signal the alarm uses: sent to each thread that started the clock,
 * every half grace of its processor time from its first start on, and
 * unblocked there when the clock is made. A program that embeds liblector
 * must not block it later in such a thread, nor handle or ignore it: the
 * budget of the calls made there would then never be counted. */
int lector_budget_clock_signal(void);

/* Start the clock for L on the calling thread: once this call has used
 * between grace_ns / 2 and grace_ns of the thread's processor time,
 * lua_sethook(L, hook, LUA_MASKCOUNT, count). Returns 1 when started; 0
 * when the clock is not available here, already runs a call on this
 * thread, or ticks for another grace (the caller then sets its hook now). */
int lector_budget_clock_start(lua_State *L, lua_Hook hook, int count, long long grace_ns);

/* Stop the clock this thread started; the hook is not installed after
 * this returns. Harmless when it is not running. */
void lector_budget_clock_stop(void);

#endif
