/*
 * The budget clock (see budget_clock.h). Each thread that starts it gets
 * one periodic timer of its own processor time, made on its first start
 * and deleted when the thread ends; starting and stopping a call then
 * costs no system call (two timer_settime calls per call cost a no-op
 * plugin call about half its time). The alarm goes off every half grace;
 * when it finds the same call running as at the last alarm, that call has
 * used at least half the grace and at most all of it, and gets its hook.
 * What the signal handler reads is this thread's own: the state to hook
 * is set after the rest and cleared first, so an alarm between calls, or
 * one that comes late, finds nothing to do.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "budget_clock.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

typedef struct thread_clock {
  timer_t timer;
  long long period_ns;                /* of the running timer */
  lua_State *volatile running;        /* the state to hook, during a call */
  volatile unsigned long call;        /* calls started on this thread */
  unsigned long seen;                 /* the call the last alarm found running */
  lua_Hook hook;
  int count;
} thread_clock;

/* 0: not tried on this thread yet; 1: made; -1: not available here.
 * Initial-exec: the signal handler reads them, and in a shared library
 * the default model may reach them through a call that allocates. */
#define SIGNAL_SAFE_TLS __attribute__((tls_model("initial-exec")))
static _Thread_local int clock_made SIGNAL_SAFE_TLS;
static _Thread_local thread_clock clock_of_thread SIGNAL_SAFE_TLS;

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static pthread_key_t clock_key;
static int handler_ok;

int lector_budget_clock_signal(void) {
  return SIGRTMIN + 3;
}

static void on_alarm(int signo) {
  (void)signo;
  int saved_errno = errno;
  thread_clock *c = &clock_of_thread;
  lua_State *L = c->running;
  atomic_signal_fence(memory_order_acquire);
  if (!L) {
    c->seen = 0;
  } else if (c->seen != c->call) {
    c->seen = c->call;                /* a call begun since the last alarm */
  } else {
    c->running = NULL;
    lua_sethook(L, c->hook, LUA_MASKCOUNT, c->count);
  }
  errno = saved_errno;
}

/* A thread's timer goes with the thread (the key holds a copy of its
 * id: an id may be 0, and a NULL value is never destroyed). A plugin call
 * made by a later destructor of the thread is counted from its start. */
static void delete_timer(void *timer) {
  clock_made = -1;
  clock_of_thread.running = NULL;
  timer_delete(*(timer_t *)timer);
  free(timer);
}

/* A child of fork has none of its parent's timers: its thread makes its
 * own at its next start. */
static void forget_clock_in_child(void) {
  clock_made = 0;
  memset(&clock_of_thread, 0, sizeof clock_of_thread);
}

static void install_handler(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_alarm;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  handler_ok = sigaction(lector_budget_clock_signal(), &action, NULL) == 0 &&
               pthread_key_create(&clock_key, delete_timer) == 0 &&
               pthread_atfork(NULL, NULL, forget_clock_in_child) == 0;
}

/* The thread's timer, made and started; worker threads block every
 * signal, and this one is for their own alarm. */
static int make_clock(long long period_ns) {
  pthread_once(&handler_once, install_handler);
  if (!handler_ok) return -1;
  sigset_t alarm;
  sigemptyset(&alarm);
  sigaddset(&alarm, lector_budget_clock_signal());
  if (pthread_sigmask(SIG_UNBLOCK, &alarm, NULL) != 0) return -1;
  struct sigevent event;
  memset(&event, 0, sizeof event);
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = lector_budget_clock_signal();
  event.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
  thread_clock *c = &clock_of_thread;
  if (timer_create(CLOCK_THREAD_CPUTIME_ID, &event, &c->timer) != 0) return -1;
  timer_t *kept = malloc(sizeof *kept);
  if (kept) *kept = c->timer;
  if (!kept || pthread_setspecific(clock_key, kept) != 0) {
    free(kept);
    timer_delete(c->timer);
    return -1;
  }
  struct timespec every = {.tv_sec = (time_t)(period_ns / 1000000000),
                           .tv_nsec = (long)(period_ns % 1000000000)};
  struct itimerspec periodic = {.it_interval = every, .it_value = every};
  if (timer_settime(c->timer, 0, &periodic, NULL) != 0) return -1;   /* the key deletes it */
  c->period_ns = period_ns;
  return 1;
}

int lector_budget_clock_start(lua_State *L, lua_Hook hook, int count, long long grace_ns) {
  thread_clock *c = &clock_of_thread;
  long long period_ns = grace_ns / 2 > 0 ? grace_ns / 2 : 1;
  if (clock_made == 0) clock_made = make_clock(period_ns);
  /* nested, or a grace other than the timer's: counted from the start */
  if (clock_made < 0 || c->running || c->period_ns != period_ns) return 0;
  c->hook = hook;
  c->count = count;
  c->call++;
  atomic_signal_fence(memory_order_release);
  c->running = L;
  return 1;
}

void lector_budget_clock_stop(void) {
  clock_of_thread.running = NULL;
  atomic_signal_fence(memory_order_seq_cst);
}
