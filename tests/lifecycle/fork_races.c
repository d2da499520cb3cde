/*
 * fork() at the two worst moments, timed exactly rather than hoped for:
 *
 *   callback N      the export thread is inside an observable callback (the
 *                   callback tells the main thread through a pipe and waits
 *                   until it has forked); done N times in one process;
 *   first-export    the export thread is inside the first export, creating
 *                   the library's I/O runtime (this program's own
 *                   pthread_create, which the library's thread spawns
 *                   resolve to, holds the export thread's first spawn until
 *                   the main thread has forked).
 *
 * Each child records its own counter (`child.work`, attribute child=<i>,
 * value i+1), reads the in-memory snapshot back (which must contain it and
 * run the callback), flushes and shuts down with a timeout; both must
 * return OK: its data reached the collector named by the OTEL_* variables.
 * The parent gives every child a deadline and kills one that does not exit
 * by then, reporting where it was stuck (the child says what it starts on
 * stderr). Prints "child <i> <pid>" per child, then "ok".
 *
 * Usage: fork_races callback N | fork_races first-export
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "otelmetrics.h"

#define TIMEOUT_MS 10000
/* A child that has not exited by then is stuck (every call it makes is
 * bounded by TIMEOUT_MS, twice). */
#define CHILD_DEADLINE_MS (4 * TIMEOUT_MS)

#define FAIL(...)                    \
  do {                               \
    fprintf(stderr, __VA_ARGS__);    \
    fprintf(stderr, "\n");           \
    exit(1);                         \
  } while (0)

#define TRY(call)                                                                                   \
  do {                                                                                              \
    otelmetrics_status s_ = (call);                                                                 \
    if (s_) FAIL("[pid %d] %s: %s", (int)getpid(), #call, otelmetrics_last_error_message(NULL)); \
  } while (0)

/* The export thread tells the main thread it is where the fork should
 * happen (`arrived`), then waits for the main thread's word (`forked`). */
static int arrived[2], forked[2];
/* Whether the export thread should stop and wait, in this process. */
static volatile int hold_callback = 0, hold_first_spawn = 0;

static void wait_readable(int fd, int timeout_ms, const char *what) {
  struct pollfd p = {fd, POLLIN, 0};
  int n;
  while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
  }
  if (n != 1) FAIL("[pid %d] timed out waiting for %s", (int)getpid(), what);
  char byte;
  if (read(fd, &byte, 1) != 1) FAIL("read: %s", strerror(errno));
}

static void signal_fd(int fd) {
  char byte = 1;
  if (write(fd, &byte, 1) != 1) FAIL("write: %s", strerror(errno));
}

/* Where the export thread stops: tell the main thread, wait for the fork. */
static void hold_here(void) {
  signal_fd(arrived[1]);
  wait_readable(forked[0], CHILD_DEADLINE_MS, "the main thread to fork");
}

static void report_pid(otelmetrics_observer *observer, void *user_data) {
  (void)user_data;
  otelmetrics_observer_observe_i64(observer, (int64_t)getpid(), NULL, 0);
  if (hold_callback) {
    hold_callback = 0;
    hold_here();
  }
}

/* Interposes the library's thread spawns. The export thread's first spawn
 * is the I/O runtime's worker, created inside the runtime's one-time
 * initialisation during the first export. */
int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg) {
  static int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
  if (!real) *(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
  char name[16] = "";
  pthread_getname_np(pthread_self(), name, sizeof name);
  if (hold_first_spawn && strncmp(name, "OpenTelemetry", 13) == 0) {
    hold_first_spawn = 0;
    hold_here();
  }
  return real(thread, attr, start, arg);
}

static otelmetrics_provider *provider;
static otelmetrics_counter_u64 *child_work;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* What a child does: its own data, read back, flushed, shut down. */
static void run_child(int i) {
  hold_callback = 0;
  hold_first_spawn = 0;
  char value[16];
  snprintf(value, sizeof value, "%d", i);
  otelmetrics_attribute attr = otelmetrics_attr_string("child", value);
  TRY(otelmetrics_counter_u64_add(child_work, (uint64_t)i + 1, &attr, 1));
  fprintf(stderr, "[child %d] read_json\n", i);
  char *json = NULL;
  size_t len = 0;
  TRY(otelmetrics_provider_read_json(provider, &json, &len));
  char expected[64];
  snprintf(expected, sizeof expected, "{\"key\":\"child\",\"value\":{\"stringValue\":\"%d\"}}", i);
  if (!strstr(json, expected)) FAIL("[child %d] its own data is not in its snapshot: %s", i, json);
  otelmetrics_string_free(json);
  fprintf(stderr, "[child %d] force_flush\n", i);
  TRY(otelmetrics_provider_force_flush(provider, TIMEOUT_MS));
  fprintf(stderr, "[child %d] shutdown\n", i);
  TRY(otelmetrics_provider_shutdown(provider, TIMEOUT_MS));
  fflush(stderr);
  _exit(0);
}

/* Waits for the child by its deadline; kills and reports one stuck. */
static void reap(pid_t child, int i) {
  double deadline = now_ms() + CHILD_DEADLINE_MS;
  int status = 0;
  pid_t got;
  while ((got = waitpid(child, &status, WNOHANG)) == 0 && now_ms() < deadline) {
    struct timespec tick = {0, 10 * 1000 * 1000};
    nanosleep(&tick, NULL);
  }
  if (got == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL("child %d (pid %d) was stuck: not exited after %d ms", i, (int)child, CHILD_DEADLINE_MS);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) FAIL("child %d (pid %d) failed (status %d)", i, (int)child, status);
  printf("child %d %d\n", i, (int)child);
  fflush(stdout);
}

/* Forks once the export thread is held where `arm` set it to stop. */
static void fork_when_held(volatile int *arm, int i) {
  *arm = 1;
  wait_readable(arrived[0], CHILD_DEADLINE_MS, "the export thread to get there");
  fflush(stdout);
  fflush(stderr);
  pid_t child = fork();
  if (child < 0) FAIL("fork: %s", strerror(errno));
  if (child == 0) run_child(i);
  signal_fd(forked[1]);
  reap(child, i);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int first_export = strcmp(argv[1], "first-export") == 0;
  int rounds = first_export ? 1 : (argc > 2 ? atoi(argv[2]) : 1);
  if (pipe(arrived) || pipe(forked)) FAIL("pipe: %s", strerror(errno));
  otelmetrics_provider_builder *b = NULL;
  otelmetrics_meter *m = NULL;
  otelmetrics_observable_gauge_i64 *g = NULL;
  TRY(otelmetrics_provider_builder_new(&b)); /* the OTLP settings come from OTEL_* */
  TRY(otelmetrics_provider_builder_enable_in_memory_reader(b));
  TRY(otelmetrics_provider_builder_set_export_interval_ms(b, 50));
  TRY(otelmetrics_provider_builder_build(b, &provider));
  otelmetrics_provider_builder_free(b);
  TRY(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("fork.races"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                     NULL, 0, &m));
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("child.work"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                           &child_work));
  TRY(otelmetrics_meter_create_observable_gauge_i64(m, OTELMETRICS_STR("pid"), OTELMETRICS_STR(""),
                                                    OTELMETRICS_STR(""), report_pid, NULL, NULL, &g));
  for (int i = 0; i < rounds; i++) fork_when_held(first_export ? &hold_first_spawn : &hold_callback, i);
  TRY(otelmetrics_provider_shutdown(provider, TIMEOUT_MS));
  otelmetrics_observable_gauge_i64_free(g);
  otelmetrics_counter_u64_free(child_work);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(provider);
  printf("ok\n");
  return 0;
}
