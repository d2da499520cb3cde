/*
 * Fault tests' application: a C program driven line by line on stdin, so a
 * test can misbehave as the collector while the program records, flushes
 * and shuts down. Every command answers with one line on stdout.
 *
 *   start URL PROTOCOL INTERVAL_MS TIMEOUT_MS SERVICE
 *                   builds a provider (PROTOCOL: grpc | http/protobuf;
 *                   TIMEOUT_MS: the export timeout) and
 *                   a counter "faults.requests"; an earlier provider and its
 *                   instruments are kept, so their calls can be checked after
 *                   its shutdown. Answers "OK" or "<STATUS> <message>".
 *   add N           adds 1, N times, to route=/checkout of the newest
 *                   counter (and 1 to route=/health on its first call, so
 *                   every batch holds two points). Answers
 *                   "ok flush_pending=<0|1>" (whether a background flush was
 *                   still running when the last add returned) or the status
 *                   of the first failing add.
 *   add_old N       the same on the first provider's counter.
 *   flush_bg MS     starts force_flush(MS) on a thread; answers "started".
 *   flush_wait      waits for it; answers its status name.
 *   flush MS / shutdown MS / shutdown_old MS
 *                   answer the status name.
 *   quit            frees everything and exits 0.
 *
 * Diagnostics go to a hook that writes "diag <level> <message>" lines to
 * stderr, where the test counts the dropped batches they report.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otelmetrics.h"

#define MAX_PROVIDERS 4

typedef struct {
  otelmetrics_provider *provider;
  otelmetrics_meter *meter;
  otelmetrics_counter_u64 *counter;
  int recorded_health;
} app;

static app apps[MAX_PROVIDERS];
static int napps;

static pthread_t flusher;
static atomic_int flush_running;
static otelmetrics_status flush_status;
static unsigned long long flush_timeout_ms;

static void diagnostic(otelmetrics_log_level level, otelmetrics_str message, void *user_data) {
  (void)user_data;
  /* One fprintf per line: stdio locks the stream, so lines never interleave. */
  fprintf(stderr, "diag %u %.*s\n", level, (int)message.len, message.ptr);
}

static otelmetrics_status start(const char *url, const char *protocol, unsigned long long interval_ms,
                                unsigned long long timeout_ms, const char *service) {
  if (napps == MAX_PROVIDERS) return OTELMETRICS_STATUS_INVALID_ARGUMENT;
  app *a = &apps[napps];
  otelmetrics_provider_builder *b = NULL;
  otelmetrics_status s = otelmetrics_provider_builder_new(&b);
  otelmetrics_protocol proto = strcmp(protocol, "grpc") == 0 ? OTELMETRICS_PROTOCOL_GRPC : OTELMETRICS_PROTOCOL_HTTP_PROTOBUF;
  if (!s) s = otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_OTLP);
  if (!s) s = otelmetrics_provider_builder_set_otlp_endpoint(b, otelmetrics_str_from_cstr(url));
  if (!s) s = otelmetrics_provider_builder_set_otlp_protocol(b, proto);
  if (!s) s = otelmetrics_provider_builder_set_service_name(b, otelmetrics_str_from_cstr(service));
  if (!s) s = otelmetrics_provider_builder_set_export_interval_ms(b, interval_ms);
  if (!s) s = otelmetrics_provider_builder_set_export_timeout_ms(b, timeout_ms);
  /* Each request may take longer than the whole export: the export
   * timeout is the deadline that binds, so a stuck export is one request,
   * never a timed-out request plus a retry. */
  if (!s) s = otelmetrics_provider_builder_set_otlp_timeout_ms(b, 2 * timeout_ms);
  if (!s) s = otelmetrics_provider_builder_build(b, &a->provider);
  otelmetrics_provider_builder_free(b);
  if (!s)
    s = otelmetrics_provider_get_meter(a->provider, OTELMETRICS_STR("faults"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                       NULL, 0, &a->meter);
  if (!s)
    s = otelmetrics_meter_create_counter_u64(a->meter, OTELMETRICS_STR("faults.requests"), OTELMETRICS_STR(""),
                                             OTELMETRICS_STR(""), &a->counter);
  if (!s) napps++;
  return s;
}

static otelmetrics_status add(app *a, unsigned long long n) {
  otelmetrics_attribute checkout = otelmetrics_attr_string("route", "/checkout");
  if (!a->recorded_health) {
    otelmetrics_attribute health = otelmetrics_attr_string("route", "/health");
    otelmetrics_status s = otelmetrics_counter_u64_add(a->counter, 1, &health, 1);
    if (s) return s;
    a->recorded_health = 1;
  }
  for (unsigned long long i = 0; i < n; i++) {
    otelmetrics_status s = otelmetrics_counter_u64_add(a->counter, 1, &checkout, 1);
    if (s) return s;
  }
  return OTELMETRICS_STATUS_OK;
}

static void *flush_in_background(void *arg) {
  (void)arg;
  flush_status = otelmetrics_provider_force_flush(apps[napps - 1].provider, flush_timeout_ms);
  atomic_store(&flush_running, 0);
  return NULL;
}

static void answer_add(otelmetrics_status s) {
  int pending = atomic_load(&flush_running);
  if (s)
    printf("%s\n", otelmetrics_status_name(s));
  else
    printf("ok flush_pending=%d\n", pending);
}

int main(void) {
  otelmetrics_set_diagnostic_hook(diagnostic, NULL);
  char line[1024];
  while (fgets(line, sizeof line, stdin)) {
    char cmd[32] = {0}, url[512] = {0}, protocol[32] = {0}, service[64] = {0};
    unsigned long long x = 0, y = 0;
    if (sscanf(line, "%31s", cmd) != 1) continue;
    app *newest = napps ? &apps[napps - 1] : NULL;
    if (strcmp(cmd, "start") == 0 &&
        sscanf(line, "%*s %511s %31s %llu %llu %63s", url, protocol, &x, &y, service) == 5) {
      otelmetrics_status s = start(url, protocol, x, y, service);
      if (s)
        printf("%s %s\n", otelmetrics_status_name(s), otelmetrics_last_error_message(NULL));
      else
        printf("OK\n");
    } else if (!newest) {
      printf("no provider yet\n");
    } else if (strcmp(cmd, "add") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
      answer_add(add(newest, x));
    } else if (strcmp(cmd, "add_old") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
      answer_add(add(&apps[0], x));
    } else if (strcmp(cmd, "flush_bg") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
      flush_timeout_ms = x;
      atomic_store(&flush_running, 1);
      pthread_create(&flusher, NULL, flush_in_background, NULL);
      printf("started\n");
    } else if (strcmp(cmd, "flush_wait") == 0) {
      pthread_join(flusher, NULL);
      printf("%s\n", otelmetrics_status_name(flush_status));
    } else if (strcmp(cmd, "flush") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
      printf("%s\n", otelmetrics_status_name(otelmetrics_provider_force_flush(newest->provider, x)));
    } else if (strcmp(cmd, "shutdown") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
      printf("%s\n", otelmetrics_status_name(otelmetrics_provider_shutdown(newest->provider, x)));
    } else if (strcmp(cmd, "shutdown_old") == 0 && sscanf(line, "%*s %llu", &x) == 1) {
      printf("%s\n", otelmetrics_status_name(otelmetrics_provider_shutdown(apps[0].provider, x)));
    } else if (strcmp(cmd, "quit") == 0) {
      break;
    } else {
      printf("unknown command\n");
    }
    fflush(stdout);
  }
  for (int i = 0; i < napps; i++) {
    otelmetrics_counter_u64_free(apps[i].counter);
    otelmetrics_meter_free(apps[i].meter);
    otelmetrics_provider_free(apps[i].provider);
  }
  return 0;
}
