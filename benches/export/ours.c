/*
 * otelmetrics exporting 10,000 series over OTLP HTTP/protobuf: the same work
 * as native/src/main.rs, through the C API. Prints the same lines.
 * Usage: ours ENDPOINT_URL SERIES EXPORTS
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "otelmetrics.h"

#define TRY(call)                                                                              \
  do {                                                                                         \
    otelmetrics_status s_ = (call);                                                            \
    if (s_) {                                                                                  \
      fprintf(stderr, "%s: %s\n", #call, otelmetrics_last_error_message(NULL));               \
      exit(1);                                                                                 \
    }                                                                                          \
  } while (0)

static double cpu_seconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = 0;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
  if (f) fclose(f);
  return kib;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  long series = atol(argv[2]);
  int exports = atoi(argv[3]);
  double start = now_ms();
  otelmetrics_provider_builder *b;
  TRY(otelmetrics_provider_builder_new(&b));
  TRY(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_OTLP));
  TRY(otelmetrics_provider_builder_set_otlp_endpoint(b, otelmetrics_str_from_cstr(argv[1])));
  TRY(otelmetrics_provider_builder_set_otlp_protocol(b, OTELMETRICS_PROTOCOL_HTTP_PROTOBUF));
  TRY(otelmetrics_provider_builder_set_export_interval_ms(b, 3600000));
  TRY(otelmetrics_provider_builder_set_cardinality_limit(b, (uint64_t)series + 100));
  otelmetrics_provider *p;
  TRY(otelmetrics_provider_builder_build(b, &p));
  otelmetrics_provider_builder_free(b);
  printf("startup_ms %.2f\n", now_ms() - start);
  otelmetrics_meter *m;
  TRY(otelmetrics_provider_get_meter(p, OTELMETRICS_STR("bench"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), NULL, 0, &m));
  otelmetrics_counter_u64 *c;
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("requests"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &c));
  long before = rss_kib();
  char route[64];
  for (long i = 0; i < series; i++) {
    snprintf(route, sizeof route, "/api/v1/items/%ld", i);
    otelmetrics_attribute attrs[] = {otelmetrics_attr_string("method", "GET"), otelmetrics_attr_string("route", route),
                                     otelmetrics_attr_int64("status", 200)};
    TRY(otelmetrics_counter_u64_add(c, 1, attrs, 3));
  }
  TRY(otelmetrics_provider_force_flush(p, 30000)); /* the first export sizes every buffer */
  printf("rss_per_series_bytes %.0f\n", (rss_kib() - before) * 1024.0 / series);
  double *cpu = calloc((size_t)exports, sizeof *cpu);
  for (int e = 0; e < exports; e++) {
    double t = cpu_seconds();
    TRY(otelmetrics_provider_force_flush(p, 30000));
    cpu[e] = cpu_seconds() - t;
  }
  qsort(cpu, (size_t)exports, sizeof *cpu, compare);
  printf("export_cpu_ms %.2f\n", cpu[exports / 2] * 1e3);
  /* Idle: the provider holds its series and waits for the next interval. */
  int idle = getenv("IDLE_SECONDS") ? atoi(getenv("IDLE_SECONDS")) : 5;
  double before_idle = cpu_seconds();
  struct timespec idle_time = {idle, 0};
  nanosleep(&idle_time, NULL);
  printf("idle_cpu_pct %.4f\n", (cpu_seconds() - before_idle) / idle * 100.0);
  free(cpu);
  TRY(otelmetrics_provider_shutdown(p, 10000));
  otelmetrics_counter_u64_free(c);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(p);
  return 0;
}
