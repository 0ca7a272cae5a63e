/*
 * The budget clock (see budget_clock.h). One timer per thread, made on
 * the thread's first start and deleted when the thread ends. What the
 * signal handler reads is this thread's own: the state to hook, set
 * before the timer is armed and cleared before it is disarmed, so a
 * signal that comes late finds nothing to do.
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
  lua_State *volatile running;   /* the state to hook when the alarm goes off */
  lua_Hook hook;
  int count;
} thread_clock;

/* 0: not tried on this thread yet; 1: made; -1: not available here. */
static _Thread_local int clock_made;
static _Thread_local thread_clock clock_of_thread;

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static pthread_key_t clock_key;
static int handler_ok;

int lector_budget_clock_signal(void) {
  return SIGRTMIN + 3;
}

static void on_alarm(int signo) {
  (void)signo;
  int saved_errno = errno;
  lua_State *L = clock_of_thread.running;
  atomic_signal_fence(memory_order_acquire);
  if (L) {
    clock_of_thread.running = NULL;
    lua_sethook(L, clock_of_thread.hook, LUA_MASKCOUNT, clock_of_thread.count);
  }
  errno = saved_errno;
}

/* A thread's timer goes with the thread (the key holds a copy of its
 * id: an id may be 0, and a NULL value is never destroyed). */
static void delete_timer(void *timer) {
  timer_delete(*(timer_t *)timer);
  free(timer);
}

static void install_handler(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_alarm;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  handler_ok = sigaction(lector_budget_clock_signal(), &action, NULL) == 0 &&
               pthread_key_create(&clock_key, delete_timer) == 0;
}

/* Worker threads block every signal; this one is for their own alarm. */
static int make_clock(void) {
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
  if (timer_create(CLOCK_THREAD_CPUTIME_ID, &event, &clock_of_thread.timer) != 0) return -1;
  timer_t *kept = malloc(sizeof *kept);
  if (kept) *kept = clock_of_thread.timer;
  if (!kept || pthread_setspecific(clock_key, kept) != 0) {
    free(kept);
    timer_delete(clock_of_thread.timer);
    return -1;
  }
  return 1;
}

int lector_budget_clock_start(lua_State *L, lua_Hook hook, int count, long long grace_ns) {
  if (clock_made == 0) clock_made = make_clock();
  if (clock_made < 0 || clock_of_thread.running) return 0;
  clock_of_thread.hook = hook;
  clock_of_thread.count = count;
  atomic_signal_fence(memory_order_release);
  clock_of_thread.running = L;
  struct itimerspec alarm = {.it_value = {.tv_sec = (time_t)(grace_ns / 1000000000),
                                          .tv_nsec = (long)(grace_ns % 1000000000)}};
  if (timer_settime(clock_of_thread.timer, 0, &alarm, NULL) != 0) {
    clock_of_thread.running = NULL;   /* after fork, say: the timer is the parent's */
    return 0;
  }
  return 1;
}

void lector_budget_clock_stop(void) {
  if (clock_made <= 0) return;
  clock_of_thread.running = NULL;
  atomic_signal_fence(memory_order_seq_cst);
  struct itimerspec off;
  memset(&off, 0, sizeof off);
  timer_settime(clock_of_thread.timer, 0, &off, NULL);
}
