/*
 * Exemplars from C, for the end-to-end tests; configured from the
 * environment (OTEL_METRICS_EXEMPLAR_FILTER among it) like a deployment.
 *
 * Two threads each set their own current span (as a host tracer would) and
 * record on a counter (per-call attributes), a histogram and a bound
 * counter; the main thread then passes spans per call on every way of
 * recording (attributes, a set, a bound instrument) and kind, and records
 * with an unsampled span, per thread and per call. Bad span arguments are
 * refused with their status (printed). Flushes, shuts down.
 *
 * Spans (trace id halves, span id), as hex in what the collector gets:
 *   thread "a"  0x0af7651916cd43dd 8448eb211c80319c / 0xb7ad6b7169203331
 *   thread "b"  0x1bf7651916cd43dd 8448eb211c80319c / 0xc7ad6b7169203331
 *   per call    0x2bf7651916cd43dd 8448eb211c80319c / 0xd7ad6b7169203331 (from bytes)
 *   unsampled   0x3bf7651916cd43dd 8448eb211c80319c / 0xe7ad6b7169203331
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otelmetrics.h"
#include "producer_common.h"

static otelmetrics_counter_u64 *requests;
static otelmetrics_histogram_f64 *latency;
static otelmetrics_bound_counter_u64 *bound_thread;

static otelmetrics_span_context span(uint64_t high, uint64_t span_id, uint8_t flags) {
  otelmetrics_span_context s;
  memset(&s, 0, sizeof s);
  s.trace_id_high = high;
  s.trace_id_low = 0x8448eb211c80319cull;
  s.span_id = span_id;
  s.trace_flags = flags;
  return s;
}

struct thread_args {
  const char *path;
  otelmetrics_span_context span;
};

static void *traced_thread(void *p) {
  struct thread_args *a = p;
  otelmetrics_attribute attrs[] = {otelmetrics_attr_string("path", a->path),
                                   otelmetrics_attr_string("user", "u-thread")};
  TRY(otelmetrics_current_span_set(&a->span));
  TRY(otelmetrics_counter_u64_add(requests, 1, attrs, 2));
  TRY(otelmetrics_histogram_f64_record(latency, 42.0, attrs, 1));
  otelmetrics_current_span_clear();
  return NULL;
}

static void expect(otelmetrics_status got, otelmetrics_status want, const char *what) {
  if (got != want) {
    fprintf(stderr, "%s: %s, expected %s\n", what, otelmetrics_status_name(got), otelmetrics_status_name(want));
    exit(1);
  }
  printf("%s: %s\n", what, otelmetrics_last_error_message(NULL));
}

int main(void) {
  otelmetrics_provider *provider = NULL;
  otelmetrics_meter *m = NULL;
  TRY(otelmetrics_provider_new_from_env(&provider));
  TRY(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("exemplar.meter"), OTELMETRICS_STR(""),
                                     OTELMETRICS_STR(""), NULL, 0, &m));
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("ex.requests"), OTELMETRICS_STR(""),
                                           OTELMETRICS_STR(""), &requests));
  double bounds[] = {10.0, 100.0};
  TRY(otelmetrics_meter_create_histogram_f64(m, OTELMETRICS_STR("ex.latency"), OTELMETRICS_STR(""),
                                             OTELMETRICS_STR("ms"), bounds, 2, &latency));
  otelmetrics_gauge_i64 *depth = NULL;
  TRY(otelmetrics_meter_create_gauge_i64(m, OTELMETRICS_STR("ex.depth"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                         &depth));
  otelmetrics_up_down_counter_f64 *balance = NULL;
  TRY(otelmetrics_meter_create_up_down_counter_f64(m, OTELMETRICS_STR("ex.balance"), OTELMETRICS_STR(""),
                                                   OTELMETRICS_STR(""), &balance));

  /* Per thread: each thread's current span. */
  struct thread_args a = {"thread-a", span(0x0af7651916cd43ddull, 0xb7ad6b7169203331ull, OTELMETRICS_TRACE_FLAGS_SAMPLED)};
  struct thread_args b = {"thread-b", span(0x1bf7651916cd43ddull, 0xc7ad6b7169203331ull, OTELMETRICS_TRACE_FLAGS_SAMPLED)};
  pthread_t ta, tb;
  if (pthread_create(&ta, NULL, traced_thread, &a) || pthread_create(&tb, NULL, traced_thread, &b)) return 1;
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);

  /* Per call, every way of recording. */
  const uint8_t trace_bytes[16] = {0x2b, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd,
                                   0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c};
  const uint8_t span_bytes[8] = {0xd7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31};
  otelmetrics_span_context call = otelmetrics_span_context_from_bytes(trace_bytes, span_bytes,
                                                                       OTELMETRICS_TRACE_FLAGS_SAMPLED);
  otelmetrics_attribute per_call[] = {otelmetrics_attr_string("path", "call")};
  TRY(otelmetrics_counter_u64_add_in_span(requests, 2, per_call, 1, &call));
  otelmetrics_attribute set_attrs[] = {otelmetrics_attr_string("path", "set")};
  otelmetrics_attributes *set = NULL;
  TRY(otelmetrics_attributes_new(set_attrs, 1, &set));
  TRY(otelmetrics_counter_u64_add_with_set_in_span(requests, 3, set, &call));
  otelmetrics_attribute bound_attrs[] = {otelmetrics_attr_string("path", "bound")};
  otelmetrics_attributes *bound_set = NULL;
  TRY(otelmetrics_attributes_new(bound_attrs, 1, &bound_set));
  TRY(otelmetrics_counter_u64_bind(requests, bound_set, &bound_thread));
  TRY(otelmetrics_bound_counter_u64_add(bound_thread, 1)); /* no span: no exemplar */
  TRY(otelmetrics_bound_counter_u64_add_in_span(bound_thread, 4, &call));
  TRY(otelmetrics_histogram_f64_record_in_span(latency, 500.0, per_call, 1, &call));
  TRY(otelmetrics_gauge_i64_record_with_set_in_span(depth, -5, NULL, &call));
  TRY(otelmetrics_up_down_counter_f64_add_in_span(balance, -1.5, NULL, 0, &call));

  /* Unsampled: per thread and per call. */
  otelmetrics_span_context unsampled = span(0x3bf7651916cd43ddull, 0xe7ad6b7169203331ull, 0);
  otelmetrics_attribute quiet[] = {otelmetrics_attr_string("path", "unsampled")};
  TRY(otelmetrics_current_span_set(&unsampled));
  TRY(otelmetrics_counter_u64_add(requests, 1, quiet, 1));
  otelmetrics_current_span_clear();
  otelmetrics_attribute quiet_call[] = {otelmetrics_attr_string("path", "unsampled-call")};
  TRY(otelmetrics_counter_u64_add_in_span(requests, 1, quiet_call, 1, &unsampled));
  /* No span at all. */
  otelmetrics_attribute none[] = {otelmetrics_attr_string("path", "none")};
  TRY(otelmetrics_counter_u64_add(requests, 1, none, 1));

  /* Bad spans: refused, nothing recorded. */
  otelmetrics_span_context zero_trace = span(0, 0xb7ad6b7169203331ull, OTELMETRICS_TRACE_FLAGS_SAMPLED);
  zero_trace.trace_id_low = 0;
  otelmetrics_span_context zero_span = span(0x0af7651916cd43ddull, 0, OTELMETRICS_TRACE_FLAGS_SAMPLED);
  expect(otelmetrics_counter_u64_add_in_span(requests, 100, none, 1, NULL), OTELMETRICS_STATUS_NULL_POINTER,
         "NULL span");
  expect(otelmetrics_counter_u64_add_in_span(requests, 100, none, 1, &zero_trace),
         OTELMETRICS_STATUS_INVALID_ARGUMENT, "all-zero trace id");
  expect(otelmetrics_bound_counter_u64_add_in_span(bound_thread, 100, &zero_span),
         OTELMETRICS_STATUS_INVALID_ARGUMENT, "all-zero span id");
  expect(otelmetrics_current_span_set(NULL), OTELMETRICS_STATUS_NULL_POINTER, "NULL current span");
  expect(otelmetrics_current_span_set(&zero_trace), OTELMETRICS_STATUS_INVALID_ARGUMENT, "all-zero current span");

  TRY(otelmetrics_provider_force_flush(provider, 10000));
  printf("flush OK\n");
  otelmetrics_bound_counter_u64_free(bound_thread);
  otelmetrics_attributes_free(set);
  otelmetrics_attributes_free(bound_set);
  otelmetrics_counter_u64_free(requests);
  otelmetrics_histogram_f64_free(latency);
  otelmetrics_gauge_i64_free(depth);
  otelmetrics_up_down_counter_f64_free(balance);
  otelmetrics_meter_free(m);
  TRY(otelmetrics_provider_shutdown(provider, 10000));
  printf("shutdown OK\n");
  otelmetrics_provider_free(provider);
  return 0;
}
