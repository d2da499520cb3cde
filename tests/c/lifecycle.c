/*
 * Lifecycle, from C:
 * - force_flush and shutdown return by their timeout while the collector
 *   accepts the connection and never answers (a listening socket of this
 *   program that never accepts), long before the export timeout; the
 *   export that then fails is reported to the diagnostic hook with the
 *   number of data points dropped;
 * - a second shutdown, and every provider call after it, report SHUTDOWN;
 * - a bound handle that has recorded (its fast path armed) reports SHUTDOWN
 *   once its own provider is shut down, and keeps recording when another
 *   provider is shut down;
 * - handles may be freed in any order: instruments and meters outlive their
 *   provider (reporting SHUTDOWN), bound handles outlive their instrument
 *   and their attribute set (still recording), instruments outlive their
 *   meter; every *_free(NULL) is a no-op;
 * - a callback's user-data destructor runs exactly once, whatever the
 *   order of unregister, free, shutdown and provider free, and the callback
 *   is not called after it was unregistered.
 *
 * Usage: lifecycle [WORK_DIR]
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, sockets */
#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "snapshot.h"
#include "tracked.h"

/* Well below the export timeout, so returning in time proves the call
 * honoured its own timeout and did not wait for the export. */
#define EXPORT_TIMEOUT_MS 4000
#define CALL_TIMEOUT_MS 200
#define RETURNED_IN_TIME_MS 3000

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A TCP listener on 127.0.0.1 that never accepts: connections complete in
 * the kernel's backlog, requests are never answered. Returns the fd. */
static int black_hole(uint16_t *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(fd >= 0);
  CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
  CHECK(listen(fd, 16) == 0);
  CHECK(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
  *port = ntohs(addr.sin_port);
  return fd;
}

/* What the diagnostic hook received (it runs on the export thread). */
static struct {
  pthread_mutex_t lock;
  char errors[4096];
} diagnostics = {PTHREAD_MUTEX_INITIALIZER, ""};

static void collect_diagnostic(otelmetrics_log_level level, otelmetrics_str message, void *user_data) {
  (void)user_data;
  if (level != OTELMETRICS_LOG_ERROR) return;
  pthread_mutex_lock(&diagnostics.lock);
  size_t used = strlen(diagnostics.errors);
  if (used + 2 >= sizeof diagnostics.errors) { /* full: the first ones are what the test reads */
    pthread_mutex_unlock(&diagnostics.lock);
    return;
  }
  size_t room = sizeof diagnostics.errors - used - 2; /* a newline and the NUL */
  size_t n = message.len < room ? message.len : room;
  memcpy(diagnostics.errors + used, message.ptr, n);
  diagnostics.errors[used + n] = '\n';
  diagnostics.errors[used + n + 1] = '\0';
  pthread_mutex_unlock(&diagnostics.lock);
}

/* Polls (bounded by `deadline_ms`) until an error diagnostic contains `text`. */
static int diagnosed_within(const char *text, double deadline_ms) {
  const double end = now_ms() + deadline_ms;
  const struct timespec pause = {0, 20 * 1000 * 1000};
  for (;;) {
    pthread_mutex_lock(&diagnostics.lock);
    int found = strstr(diagnostics.errors, text) != NULL;
    pthread_mutex_unlock(&diagnostics.lock);
    if (found) return 1;
    if (now_ms() > end) return 0;
    nanosleep(&pause, NULL);
  }
}

static void test_timeouts_against_a_silent_collector(void) {
  uint16_t port = 0;
  int fd = black_hole(&port);
  char endpoint[64];
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u/v1/metrics", (unsigned)port);

  otelmetrics_provider_builder *b = NULL;
  otelmetrics_provider *p = NULL;
  CHECK_OK(otelmetrics_provider_builder_new(&b));
  CHECK_OK(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_OTLP));
  CHECK_OK(otelmetrics_provider_builder_set_otlp_protocol(b, OTELMETRICS_PROTOCOL_HTTP_PROTOBUF));
  CHECK_OK(otelmetrics_provider_builder_set_otlp_endpoint(b, otelmetrics_str_from_cstr(endpoint)));
  CHECK_OK(otelmetrics_provider_builder_set_export_interval_ms(b, 600000));
  CHECK_OK(otelmetrics_provider_builder_set_export_timeout_ms(b, EXPORT_TIMEOUT_MS));
  CHECK_OK(otelmetrics_provider_builder_set_otlp_timeout_ms(b, EXPORT_TIMEOUT_MS));
  CHECK_OK(otelmetrics_provider_builder_build(b, &p));
  otelmetrics_provider_builder_free(b);
  CHECK_OK(otelmetrics_set_diagnostic_hook(collect_diagnostic, NULL));
  otelmetrics_meter *m = test_meter_new(p, "silent");
  otelmetrics_counter_u64 *c = NULL;
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("unanswered"), OTELMETRICS_STR(""),
                                                OTELMETRICS_STR(""), &c));
  CHECK_OK(otelmetrics_counter_u64_add(c, 1, NULL, 0));

  CHECK_CONTEXT("force_flush against a silent collector");
  double start = now_ms();
  CHECK_FAILS(otelmetrics_provider_force_flush(p, CALL_TIMEOUT_MS), OTELMETRICS_STATUS_TIMEOUT);
  double flush_ms = now_ms() - start;
  CHECK(flush_ms < RETURNED_IN_TIME_MS);
  /* Recording never blocks on the stuck export. */
  CHECK_OK(otelmetrics_counter_u64_add(c, 1, NULL, 0));

  CHECK_CONTEXT("shutdown against a silent collector");
  start = now_ms();
  otelmetrics_status s = otelmetrics_provider_shutdown(p, CALL_TIMEOUT_MS);
  double shutdown_ms = now_ms() - start;
  CHECK(s == OTELMETRICS_STATUS_TIMEOUT || s == OTELMETRICS_STATUS_EXPORT_FAILED);
  CHECK(shutdown_ms < RETURNED_IN_TIME_MS);
  printf("against a silent collector: force_flush returned in %.0f ms, shutdown in %.0f ms (timeouts %d ms)\n",
         flush_ms, shutdown_ms, CALL_TIMEOUT_MS);

  CHECK_CONTEXT("after a shutdown that timed out");
  CHECK_FAILS(otelmetrics_provider_force_flush(p, CALL_TIMEOUT_MS), OTELMETRICS_STATUS_SHUTDOWN);
  /* A second shutdown while the first still finishes in the background
   * waits for it again (TIMEOUT if it is still not done); once it is done,
   * SHUTDOWN. Either way it returns in time. */
  start = now_ms();
  s = otelmetrics_provider_shutdown(p, CALL_TIMEOUT_MS);
  CHECK(s == OTELMETRICS_STATUS_SHUTDOWN || s == OTELMETRICS_STATUS_TIMEOUT);
  CHECK(now_ms() - start < RETURNED_IN_TIME_MS);
  CHECK_FAILS(otelmetrics_counter_u64_add(c, 1, NULL, 0), OTELMETRICS_STATUS_SHUTDOWN);
  otelmetrics_counter_u64_free(c);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(p);

  /* Closing the socket ends the stuck exports: each failure reaches the
   * hook with what was dropped, at the latest by the export timeout. */
  close(fd);
  CHECK_CONTEXT("the failed export reaches the diagnostic hook");
  CHECK(diagnosed_within("dropped", EXPORT_TIMEOUT_MS + 5000));
  CHECK_OK(otelmetrics_set_diagnostic_hook(NULL, NULL));
}

static void test_shutdown_twice(void) {
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = NULL;
  char *json = NULL;
  CHECK_CONTEXT("shutdown twice");
  CHECK_OK(otelmetrics_provider_force_flush(p, 2000));
  CHECK_OK(otelmetrics_provider_shutdown(p, 2000));
  CHECK_FAILS(otelmetrics_provider_shutdown(p, 2000), OTELMETRICS_STATUS_SHUTDOWN);
  CHECK_FAILS(otelmetrics_provider_shutdown(p, 0), OTELMETRICS_STATUS_SHUTDOWN);
  CHECK_FAILS(otelmetrics_provider_force_flush(p, 2000), OTELMETRICS_STATUS_SHUTDOWN);
  CHECK_FAILS(otelmetrics_provider_read_json(p, &json, NULL), OTELMETRICS_STATUS_SHUTDOWN);
  CHECK_FAILS(otelmetrics_provider_get_meter(p, OTELMETRICS_STR("late"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                             NULL, 0, &m),
              OTELMETRICS_STATUS_SHUTDOWN);
  CHECK(m == NULL && json == NULL);
  CHECK_FAILS(otelmetrics_provider_shutdown(NULL, 10), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_provider_force_flush(NULL, 10), OTELMETRICS_STATUS_NULL_POINTER);
  otelmetrics_provider_free(p);
}

/* Provider freed first (never shut down): everything made from it still
 * answers, with SHUTDOWN, and can be freed afterwards. */
static void test_provider_freed_first(void) {
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "orphans");
  otelmetrics_histogram_f64 *h = NULL;
  otelmetrics_bound_histogram_f64 *bound = NULL;
  otelmetrics_counter_u64 *c = NULL;
  CHECK_OK(otelmetrics_meter_create_histogram_f64(m, OTELMETRICS_STR("orphan.h"), OTELMETRICS_STR(""),
                                                  OTELMETRICS_STR(""), NULL, 0, &h));
  CHECK_OK(otelmetrics_histogram_f64_bind(h, NULL, &bound));
  CHECK_OK(otelmetrics_bound_histogram_f64_record(bound, 1.0));
  otelmetrics_provider_free(p);
  CHECK_CONTEXT("after the provider was freed");
  CHECK_FAILS(otelmetrics_histogram_f64_record(h, 1.0, NULL, 0), OTELMETRICS_STATUS_SHUTDOWN);
  CHECK_FAILS(otelmetrics_bound_histogram_f64_record(bound, 1.0), OTELMETRICS_STATUS_SHUTDOWN);
  CHECK_FAILS(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("late"), OTELMETRICS_STR(""),
                                                   OTELMETRICS_STR(""), &c),
              OTELMETRICS_STATUS_SHUTDOWN);
  CHECK(c == NULL);
  otelmetrics_histogram_f64_free(h);
  otelmetrics_bound_histogram_f64_free(bound);
  otelmetrics_meter_free(m);
}

/* Bound handles outlive their instrument and attribute set; instruments
 * outlive their meter. */
static void test_children_outlive_parents(void) {
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "outliving");
  otelmetrics_counter_u64 *c = NULL;
  otelmetrics_gauge_f64 *g = NULL;
  otelmetrics_bound_counter_u64 *bound = NULL;
  otelmetrics_attributes *set = NULL;
  otelmetrics_attribute who = otelmetrics_attr_string("who", "bound");
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("outlive.counter"), OTELMETRICS_STR(""),
                                                OTELMETRICS_STR(""), &c));
  CHECK_OK(otelmetrics_meter_create_gauge_f64(m, OTELMETRICS_STR("outlive.gauge"), OTELMETRICS_STR(""),
                                              OTELMETRICS_STR(""), &g));
  CHECK_OK(otelmetrics_attributes_new(&who, 1, &set));
  CHECK_OK(otelmetrics_counter_u64_bind(c, set, &bound));
  otelmetrics_attributes_free(set);
  otelmetrics_counter_u64_free(c);
  otelmetrics_meter_free(m);
  CHECK_CONTEXT("children after their parents were freed");
  CHECK_OK(otelmetrics_bound_counter_u64_add(bound, 20));
  CHECK_OK(otelmetrics_bound_counter_u64_add(bound, 22));
  otelmetrics_attribute where = otelmetrics_attr_string("who", "gauge");
  CHECK_OK(otelmetrics_gauge_f64_record(g, 6.25, &where, 1));
  char *json = snapshot_take(p);
  CHECK_POINT(json, "outlive.counter", "who", "bound", "\"asInt\":\"42\"");
  CHECK_POINT(json, "outlive.gauge", "who", "gauge", "\"asDouble\":6.25");
  otelmetrics_string_free(json);
  otelmetrics_bound_counter_u64_free(bound);
  otelmetrics_gauge_f64_free(g);
  test_provider_close(p);
}

/* Bound records skip their checks until any provider shuts down (or the
 * process forks): another provider's shutdown must cost a re-check, never
 * a refusal or a lost measurement; the own provider's must refuse. */
static void test_bound_handles_and_shutdown_of_other_providers(void) {
  otelmetrics_provider *mine = test_provider_new(NULL);
  otelmetrics_provider *other = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(mine, "epochs");
  otelmetrics_counter_u64 *c = NULL;
  otelmetrics_bound_counter_u64 *bound = NULL;
  otelmetrics_attributes *set = NULL;
  otelmetrics_attribute who = otelmetrics_attr_string("who", "bound");
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("epochs.counter"), OTELMETRICS_STR(""),
                                                OTELMETRICS_STR(""), &c));
  CHECK_OK(otelmetrics_attributes_new(&who, 1, &set));
  CHECK_OK(otelmetrics_counter_u64_bind(c, set, &bound));
  CHECK_OK(otelmetrics_bound_counter_u64_add(bound, 20));
  CHECK_OK(otelmetrics_bound_counter_u64_add(bound, 1));
  CHECK_CONTEXT("after another provider's shutdown");
  test_provider_close(other);
  CHECK_OK(otelmetrics_bound_counter_u64_add(bound, 21));
  CHECK_FAILS(otelmetrics_bound_counter_u64_add(bound, (uint64_t)INT64_MAX + 1), OTELMETRICS_STATUS_INVALID_VALUE);
  char *json = snapshot_take(mine);
  CHECK_POINT(json, "epochs.counter", "who", "bound", "\"asInt\":\"42\"");
  otelmetrics_string_free(json);
  CHECK_CONTEXT("after its own provider's shutdown");
  CHECK_OK(otelmetrics_provider_shutdown(mine, 5000));
  CHECK_FAILS(otelmetrics_bound_counter_u64_add(bound, 1), OTELMETRICS_STATUS_SHUTDOWN);
  CHECK_FAILS(otelmetrics_bound_counter_u64_add(bound, 1), OTELMETRICS_STATUS_SHUTDOWN);
  otelmetrics_bound_counter_u64_free(bound);
  otelmetrics_attributes_free(set);
  otelmetrics_counter_u64_free(c);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(mine);
}

static void test_free_null_is_a_no_op(void) {
  otelmetrics_provider_builder_free(NULL);
  otelmetrics_provider_free(NULL);
  otelmetrics_meter_free(NULL);
  otelmetrics_attributes_free(NULL);
  otelmetrics_view_free(NULL);
  otelmetrics_string_free(NULL);
  otelmetrics_callback_registration_free(NULL);
  otelmetrics_counter_u64_free(NULL);
  otelmetrics_counter_f64_free(NULL);
  otelmetrics_up_down_counter_i64_free(NULL);
  otelmetrics_up_down_counter_f64_free(NULL);
  otelmetrics_histogram_u64_free(NULL);
  otelmetrics_histogram_f64_free(NULL);
  otelmetrics_gauge_u64_free(NULL);
  otelmetrics_gauge_i64_free(NULL);
  otelmetrics_gauge_f64_free(NULL);
  otelmetrics_bound_counter_u64_free(NULL);
  otelmetrics_bound_counter_f64_free(NULL);
  otelmetrics_bound_up_down_counter_i64_free(NULL);
  otelmetrics_bound_up_down_counter_f64_free(NULL);
  otelmetrics_bound_histogram_u64_free(NULL);
  otelmetrics_bound_histogram_f64_free(NULL);
  otelmetrics_bound_gauge_u64_free(NULL);
  otelmetrics_bound_gauge_i64_free(NULL);
  otelmetrics_bound_gauge_f64_free(NULL);
  otelmetrics_observable_counter_u64_free(NULL);
  otelmetrics_observable_counter_f64_free(NULL);
  otelmetrics_observable_up_down_counter_i64_free(NULL);
  otelmetrics_observable_up_down_counter_f64_free(NULL);
  otelmetrics_observable_gauge_u64_free(NULL);
  otelmetrics_observable_gauge_i64_free(NULL);
  otelmetrics_observable_gauge_f64_free(NULL);
}

static void observe_one(otelmetrics_observer *o, void *user_data) {
  ((tracked *)user_data)->calls++;
  otelmetrics_observer_observe_u64(o, 1, NULL, 0);
}

typedef enum { FREE_LIVE, FREE_AFTER_SHUTDOWN, FREE_AFTER_PROVIDER_FREE } free_moment;

/* An observable instrument's destructor runs once, at its free. */
static void check_instrument_destructor_once(free_moment when) {
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "destructors");
  otelmetrics_observable_counter_u64 *inst = NULL;
  tracked t = {0, 0};
  CHECK_OK(otelmetrics_meter_create_observable_counter_u64(m, OTELMETRICS_STR("destructed"), OTELMETRICS_STR(""),
                                                           OTELMETRICS_STR(""), observe_one, &t, tracked_release, &inst));
  otelmetrics_string_free(snapshot_take(p));
  CHECK(t.calls == 1);
  if (when != FREE_LIVE) CHECK_OK(otelmetrics_provider_shutdown(p, 2000));
  if (when == FREE_AFTER_PROVIDER_FREE) {
    otelmetrics_provider_free(p);
    p = NULL;
  }
  CHECK(t.freed == 0);
  otelmetrics_observable_counter_u64_free(inst);
  CHECK(t.freed == 1);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(p);
  CHECK(t.freed == 1 && t.calls <= 2); /* at most the final collection of the shutdown */
}

/* A registration's destructor runs once: at unregister, not again at a
 * second unregister or at free; and the callback stops being called. */
static void check_registration_destructor_once(int unregister_first, int free_instrument_first) {
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "registrations");
  otelmetrics_observable_gauge_i64 *g = NULL;
  otelmetrics_callback_registration *reg = NULL;
  tracked t = {0, 0};
  CHECK_OK(otelmetrics_meter_create_observable_gauge_i64(m, OTELMETRICS_STR("registered"), OTELMETRICS_STR(""),
                                                         OTELMETRICS_STR(""), NULL, NULL, NULL, &g));
  const void *list[] = {g};
  CHECK_OK(otelmetrics_meter_register_callback(m, list, 1, tracked_count_call, &t, tracked_release, &reg));
  otelmetrics_string_free(snapshot_take(p));
  CHECK(t.calls == 1 && t.freed == 0);
  if (free_instrument_first) {
    otelmetrics_observable_gauge_i64_free(g);
    g = NULL;
  }
  if (unregister_first) {
    CHECK_OK(otelmetrics_callback_registration_unregister(reg));
    CHECK(t.freed == 1);
    CHECK_OK(otelmetrics_callback_registration_unregister(reg)); /* idempotent */
    otelmetrics_string_free(snapshot_take(p));
    CHECK(t.calls == 1); /* not called once unregistered */
  }
  otelmetrics_callback_registration_free(reg);
  CHECK(t.freed == 1);
  otelmetrics_observable_gauge_i64_free(g);
  otelmetrics_meter_free(m);
  test_provider_close(p);
  CHECK(t.freed == 1);
}

static void test_destructors_run_once(void) {
  CHECK_CONTEXT("instrument freed while live");
  check_instrument_destructor_once(FREE_LIVE);
  CHECK_CONTEXT("instrument freed after shutdown");
  check_instrument_destructor_once(FREE_AFTER_SHUTDOWN);
  CHECK_CONTEXT("instrument freed after the provider was freed");
  check_instrument_destructor_once(FREE_AFTER_PROVIDER_FREE);
  CHECK_CONTEXT("registration unregistered, then freed");
  check_registration_destructor_once(1, 0);
  CHECK_CONTEXT("registration freed without unregister");
  check_registration_destructor_once(0, 0);
  CHECK_CONTEXT("registration freed after its instrument");
  check_registration_destructor_once(0, 1);
  CHECK_CONTEXT("registration unregistered after its instrument was freed");
  check_registration_destructor_once(1, 1);
}

int main(void) {
  test_free_null_is_a_no_op();
  test_shutdown_twice();
  test_provider_freed_first();
  test_children_outlive_parents();
  test_bound_handles_and_shutdown_of_other_providers();
  test_destructors_run_once();
  test_timeouts_against_a_silent_collector();
  puts("lifecycle: ok");
  return 0;
}
