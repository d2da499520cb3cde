/*
 * Recording from several threads at once (pthreads), with a reader thread
 * taking snapshots meanwhile: the totals afterwards are exact, for
 * attributes per call (one series shared by all threads and one per
 * thread), reusable sets and bound handles of counters, up-down counters
 * and histograms.
 *
 * Usage: threads [WORK_DIR]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "check.h"
#include "snapshot.h"

#define THREADS 4
#define ITERATIONS 2000

static otelmetrics_counter_u64 *requests;
static otelmetrics_counter_f64 *seconds;
static otelmetrics_up_down_counter_i64 *queue;
static otelmetrics_histogram_u64 *sizes;
static otelmetrics_bound_counter_u64 *requests_bound;
static otelmetrics_bound_counter_f64 *seconds_bound;
static otelmetrics_bound_histogram_u64 *sizes_bound;

typedef struct {
  int index;
  otelmetrics_attributes *own_set; /* {"thread": "t<index>"} */
} worker;

static void *record(void *arg) {
  worker *w = arg;
  const otelmetrics_attribute shared[] = {otelmetrics_attr_string("series", "shared")};
  for (uint64_t i = 0; i < ITERATIONS; i++) {
    CHECK_OK(otelmetrics_counter_u64_add(requests, 1, shared, 1));
    CHECK_OK(otelmetrics_counter_u64_add_with_set(requests, 2, w->own_set));
    CHECK_OK(otelmetrics_bound_counter_u64_add(requests_bound, 3));
    CHECK_OK(otelmetrics_bound_counter_f64_add(seconds_bound, 0.5));
    CHECK_OK(otelmetrics_up_down_counter_i64_add_with_set(queue, 2, w->own_set));
    CHECK_OK(otelmetrics_up_down_counter_i64_add_with_set(queue, -1, w->own_set));
    CHECK_OK(otelmetrics_bound_histogram_u64_record(sizes_bound, i % 10));
  }
  return NULL;
}

typedef struct {
  const otelmetrics_provider *provider;
  atomic_int stop;
  int snapshots;
} reader;

/* Collects while the workers record: must neither block them nor lose data. */
static void *read_while_recording(void *arg) {
  reader *r = arg;
  while (!atomic_load(&r->stop)) {
    otelmetrics_string_free(snapshot_take(r->provider));
    r->snapshots++;
  }
  return NULL;
}

int main(void) {
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "threads");
  const otelmetrics_str none = OTELMETRICS_STR("");
  const otelmetrics_attribute bound_attr = otelmetrics_attr_string("series", "bound");
  otelmetrics_attributes *bound_set = NULL;
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("requests"), none, none, &requests));
  CHECK_OK(otelmetrics_meter_create_counter_f64(m, OTELMETRICS_STR("seconds"), none, none, &seconds));
  CHECK_OK(otelmetrics_meter_create_up_down_counter_i64(m, OTELMETRICS_STR("queue"), none, none, &queue));
  CHECK_OK(otelmetrics_meter_create_histogram_u64(m, OTELMETRICS_STR("sizes"), none, none, NULL, 0, &sizes));
  CHECK_OK(otelmetrics_attributes_new(&bound_attr, 1, &bound_set));
  CHECK_OK(otelmetrics_counter_u64_bind(requests, bound_set, &requests_bound));
  CHECK_OK(otelmetrics_counter_f64_bind(seconds, bound_set, &seconds_bound));
  CHECK_OK(otelmetrics_histogram_u64_bind(sizes, bound_set, &sizes_bound));
  otelmetrics_attributes_free(bound_set);

  worker workers[THREADS];
  pthread_t threads[THREADS], reader_thread;
  reader r = {p, 0, 0};
  atomic_init(&r.stop, 0);
  CHECK(pthread_create(&reader_thread, NULL, read_while_recording, &r) == 0);
  for (int t = 0; t < THREADS; t++) {
    char name[16];
    snprintf(name, sizeof name, "t%d", t);
    const otelmetrics_attribute own = otelmetrics_attr_string("series", name);
    workers[t].index = t;
    CHECK_OK(otelmetrics_attributes_new(&own, 1, &workers[t].own_set));
    CHECK(pthread_create(&threads[t], NULL, record, &workers[t]) == 0);
  }
  for (int t = 0; t < THREADS; t++) CHECK(pthread_join(threads[t], NULL) == 0);
  atomic_store(&r.stop, 1);
  CHECK(pthread_join(reader_thread, NULL) == 0);

  char *json = snapshot_take(p);
  char expected[64];
  snprintf(expected, sizeof expected, "\"asInt\":\"%d\"", THREADS * ITERATIONS);
  CHECK_POINT(json, "requests", "series", "shared", expected);
  snprintf(expected, sizeof expected, "\"asInt\":\"%d\"", THREADS * ITERATIONS * 3);
  CHECK_POINT(json, "requests", "series", "bound", expected);
  for (int t = 0; t < THREADS; t++) {
    char name[16];
    snprintf(name, sizeof name, "t%d", t);
    snprintf(expected, sizeof expected, "\"asInt\":\"%d\"", ITERATIONS * 2);
    CHECK_POINT(json, "requests", "series", name, expected);
    snprintf(expected, sizeof expected, "\"asInt\":\"%d\"", ITERATIONS);
    CHECK_POINT(json, "queue", "series", name, expected);
    otelmetrics_attributes_free(workers[t].own_set);
  }
  /* 0.5 is exact in binary, so the double total is exact too. */
  snprintf(expected, sizeof expected, "\"asDouble\":%d.0", THREADS * ITERATIONS / 2);
  CHECK_POINT(json, "seconds", "series", "bound", expected);
  snprintf(expected, sizeof expected, "\"count\":\"%d\",\"sum\":%d", THREADS * ITERATIONS,
           THREADS * (ITERATIONS / 10) * 45);
  CHECK_POINT(json, "sizes", "series", "bound", expected);
  char *requests_metric = snapshot_metric(json, "requests");
  CHECK(snapshot_point_count(requests_metric) == 2 + THREADS);
  free(requests_metric);
  otelmetrics_string_free(json);
  printf("snapshots taken while recording: %d\n", r.snapshots);

  otelmetrics_bound_counter_u64_free(requests_bound);
  otelmetrics_bound_counter_f64_free(seconds_bound);
  otelmetrics_bound_histogram_u64_free(sizes_bound);
  otelmetrics_counter_u64_free(requests);
  otelmetrics_counter_f64_free(seconds);
  otelmetrics_up_down_counter_i64_free(queue);
  otelmetrics_histogram_u64_free(sizes);
  otelmetrics_meter_free(m);
  test_provider_close(p);
  puts("threads: ok");
  return 0;
}
