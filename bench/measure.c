/* lector-bench-measure: run one command and report its wall time and peak
 * resident memory, for `make bench`:
 *   lector-bench-measure STDOUT_FILE STDERR_FILE COMMAND [ARGS...]
 * The command's standard output and error go to the two files (so the
 * bench can read its summary lines); this program prints one line,
 *   seconds=S cpu_s=C peak_rss_kb=K status=N
 * where S is the wall time, C the processor time of all its threads (user
 * and system), K the largest resident set of the command's process (all its
 * threads: that is what one process with worker threads costs), from
 * wait4's rusage, and N its exit code (128 + signal when killed).
 * Exit code: 0 when the measure was taken, 2 on a usage or system error. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* In the child: point fd at path (created or truncated). */
static int redirect(int fd, const char *path) {
  int to = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (to < 0) return -1;
  int ok = dup2(to, fd) >= 0;
  close(to);
  return ok ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s STDOUT_FILE STDERR_FILE COMMAND [ARGS...]\n", argv[0]);
    return 2;
  }
  double start = now();
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 2;
  }
  if (pid == 0) {
    if (redirect(STDOUT_FILENO, argv[1]) != 0 || redirect(STDERR_FILENO, argv[2]) != 0) {
      perror("lector-bench-measure: redirect");
      _exit(127);
    }
    execvp(argv[3], argv + 3);
    /* stderr is the command's file now: the reason lands there. */
    fprintf(stderr, "lector-bench-measure: %s: %s\n", argv[3], strerror(errno));
    _exit(127);
  }
  int wstatus = 0;
  struct rusage usage;
  pid_t done;
  do {
    done = wait4(pid, &wstatus, 0, &usage);
  } while (done < 0 && errno == EINTR);
  if (done < 0) {
    perror("wait4");
    return 2;
  }
  double seconds = now() - start;
  double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
               usage.ru_stime.tv_usec / 1e6;
  int status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  printf("seconds=%.6f cpu_s=%.6f peak_rss_kb=%ld status=%d\n", seconds, cpu, usage.ru_maxrss,
         status);
  return 0;
}
