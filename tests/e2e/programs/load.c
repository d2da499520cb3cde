/*
 * Load: two threads record into 1000 series (500 each) of one counter while
 * the provider exports every OTEL_METRIC_EXPORT_INTERVAL ms, for argv[1]
 * seconds. Prints, one per line: "total N" (everything recorded), then
 * "rss_kib T VALUE" samples once a second (after a warm-up second), then the
 * shutdown status. The test compares the collector's cumulative totals with
 * N; a soak run is the same program with a long duration.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "otelmetrics.h"
#include "producer_common.h"

#define SERIES_PER_THREAD 500

static otelmetrics_counter_u64 *counter;
static volatile int running = 1;

typedef struct {
  int thread;
  uint64_t recorded;
} worker;

static void *record(void *arg) {
  worker *w = arg;
  char route[32];
  uint64_t i = 0;
  while (running) {
    int series = (int)(i % SERIES_PER_THREAD);
    snprintf(route, sizeof route, "/t%d/item/%d", w->thread, series);
    otelmetrics_attribute attrs[] = {otelmetrics_attr_string("route", route), otelmetrics_attr_int64("thread", w->thread)};
    if (otelmetrics_counter_u64_add(counter, 1, attrs, 2) != OTELMETRICS_STATUS_OK) {
      fprintf(stderr, "add failed: %s\n", otelmetrics_last_error_message(NULL));
      exit(1);
    }
    w->recorded++;
    i++;
  }
  return NULL;
}


int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 5;
  otelmetrics_provider *provider = NULL;
  otelmetrics_meter *meter = NULL;
  if (otelmetrics_provider_new_from_env(&provider) ||
      otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("load"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), NULL, 0, &meter) ||
      otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("load.requests"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &counter)) {
    fprintf(stderr, "setup: %s\n", otelmetrics_last_error_message(NULL));
    return 1;
  }
  worker workers[2] = {{0, 0}, {1, 0}};
  pthread_t threads[2];
  for (int t = 0; t < 2; t++) pthread_create(&threads[t], NULL, record, &workers[t]);
  struct timespec one_second = {1, 0};
  for (int s = 0; s < seconds; s++) {
    nanosleep(&one_second, NULL);
    if (s >= 1) printf("rss_kib %d %ld\n", s, proc_status_kib("VmRSS"));
  }
  running = 0;
  for (int t = 0; t < 2; t++) pthread_join(threads[t], NULL);
  printf("total %llu\n", (unsigned long long)(workers[0].recorded + workers[1].recorded));
  printf("shutdown %s\n", otelmetrics_status_name(otelmetrics_provider_shutdown(provider, 10000)));
  otelmetrics_counter_u64_free(counter);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return 0;
}
