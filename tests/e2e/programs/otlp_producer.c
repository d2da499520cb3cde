/*
 * An OTLP-pushing program for the end-to-end tests, configured entirely
 * from the environment (OTEL_* variables) like a real deployment.
 *
 * `all-kinds`: records every synchronous and observable instrument kind with
 * attributes of every type, flushes, shuts down, prints the statuses and its
 * peak resident memory.
 *
 * `interactive`: reads commands from stdin, one per line, and answers each
 * with one line, so a test can drive it while it kills and restarts the
 * collector:
 *   add N         counter "e2e.requests" += N; answers "ok <max ns of a call>"
 *   flush MS      force_flush with a timeout; answers the status name
 *   quit MS       shutdown with a timeout; answers the status name, exits
 *
 * `views`: like a deployment that shapes its metrics with views: renames a
 * counter and keeps one attribute key, denies a key on another, re-buckets a
 * histogram, drops an instrument, turns one histogram exponential; records,
 * flushes, shuts down.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "otelmetrics.h"
#include "producer_common.h"


static otelmetrics_meter *make_meter(otelmetrics_provider **provider) {
  TRY(otelmetrics_provider_new_from_env(provider));
  otelmetrics_attribute scope_attrs[] = {otelmetrics_attr_string("scope.team", "payments")};
  otelmetrics_meter *meter = NULL;
  TRY(otelmetrics_provider_get_meter(*provider, OTELMETRICS_STR("e2e.meter"), OTELMETRICS_STR("1.2.3"),
                                     OTELMETRICS_STR("https://opentelemetry.io/schemas/1.21.0"), scope_attrs, 1, &meter));
  return meter;
}

static void queue_depth(otelmetrics_observer *observer, void *user_data) {
  (void)user_data;
  otelmetrics_observer_observe_i64(observer, -7, NULL, 0);
}

static int all_kinds(void) {
  otelmetrics_provider *provider = NULL;
  otelmetrics_meter *m = make_meter(&provider);
  const char *tags[] = {"a", "b"};
  otelmetrics_str tag_views[] = {otelmetrics_str_from_cstr(tags[0]), otelmetrics_str_from_cstr(tags[1])};
  uint8_t flags[] = {1, 0};
  int64_t ints[] = {1, -2, 3};
  double doubles[] = {0.5, 1.5};
  otelmetrics_attribute every_type[] = {
      otelmetrics_attr_string("s", "text"),
      otelmetrics_attr_bool("b", true),
      otelmetrics_attr_int64("i", -42),
      otelmetrics_attr_double("d", 2.5),
      otelmetrics_attr_array("sa", OTELMETRICS_VALUE_STRING_ARRAY, tag_views, 2),
      otelmetrics_attr_array("ba", OTELMETRICS_VALUE_BOOL_ARRAY, flags, 2),
      otelmetrics_attr_array("ia", OTELMETRICS_VALUE_INT64_ARRAY, ints, 3),
      otelmetrics_attr_array("da", OTELMETRICS_VALUE_DOUBLE_ARRAY, doubles, 2),
  };
  size_t n = sizeof every_type / sizeof every_type[0];
  otelmetrics_attribute get = otelmetrics_attr_string("method", "GET");

  otelmetrics_counter_u64 *cu = NULL;
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("e2e.counter_u64"), OTELMETRICS_STR("u64 counter"),
                                           OTELMETRICS_STR("{request}"), &cu));
  TRY(otelmetrics_counter_u64_add(cu, 3, every_type, n));
  TRY(otelmetrics_counter_u64_add(cu, 4, every_type, n));
  TRY(otelmetrics_counter_u64_add(cu, 10, &get, 1));

  otelmetrics_counter_f64 *cf = NULL;
  TRY(otelmetrics_meter_create_counter_f64(m, OTELMETRICS_STR("e2e.counter_f64"), OTELMETRICS_STR("f64 counter"),
                                           OTELMETRICS_STR("s"), &cf));
  TRY(otelmetrics_counter_f64_add(cf, 0.25, &get, 1));
  TRY(otelmetrics_counter_f64_add(cf, 0.5, &get, 1));

  otelmetrics_up_down_counter_i64 *ui = NULL;
  TRY(otelmetrics_meter_create_up_down_counter_i64(m, OTELMETRICS_STR("e2e.updown_i64"), OTELMETRICS_STR("queue"),
                                                   OTELMETRICS_STR("{item}"), &ui));
  TRY(otelmetrics_up_down_counter_i64_add(ui, 5, NULL, 0));
  TRY(otelmetrics_up_down_counter_i64_add(ui, -8, NULL, 0));

  otelmetrics_up_down_counter_f64 *uf = NULL;
  TRY(otelmetrics_meter_create_up_down_counter_f64(m, OTELMETRICS_STR("e2e.updown_f64"), OTELMETRICS_STR(""),
                                                   OTELMETRICS_STR("By"), &uf));
  TRY(otelmetrics_up_down_counter_f64_add(uf, -1.5, NULL, 0));

  double bounds[] = {1.0, 10.0, 100.0};
  otelmetrics_histogram_f64 *hf = NULL;
  TRY(otelmetrics_meter_create_histogram_f64(m, OTELMETRICS_STR("e2e.latency"), OTELMETRICS_STR("request latency"),
                                             OTELMETRICS_STR("ms"), bounds, 3, &hf));
  double samples[] = {0.5, 5.0, 7.0, 50.0, 500.0};
  for (size_t i = 0; i < 5; i++) TRY(otelmetrics_histogram_f64_record(hf, samples[i], &get, 1));

  otelmetrics_histogram_u64 *hu = NULL;
  TRY(otelmetrics_meter_create_histogram_u64(m, OTELMETRICS_STR("e2e.size"), OTELMETRICS_STR(""), OTELMETRICS_STR("By"),
                                             NULL, 0, &hu));
  TRY(otelmetrics_histogram_u64_record(hu, 300, NULL, 0));

  otelmetrics_gauge_u64 *gu = NULL;
  otelmetrics_gauge_i64 *gi = NULL;
  otelmetrics_gauge_f64 *gf = NULL;
  TRY(otelmetrics_meter_create_gauge_u64(m, OTELMETRICS_STR("e2e.gauge_u64"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &gu));
  TRY(otelmetrics_meter_create_gauge_i64(m, OTELMETRICS_STR("e2e.gauge_i64"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &gi));
  TRY(otelmetrics_meter_create_gauge_f64(m, OTELMETRICS_STR("e2e.gauge_f64"), OTELMETRICS_STR(""), OTELMETRICS_STR("Cel"), &gf));
  TRY(otelmetrics_gauge_u64_record(gu, 1, NULL, 0));
  TRY(otelmetrics_gauge_u64_record(gu, 9, NULL, 0));
  TRY(otelmetrics_gauge_i64_record(gi, -9, NULL, 0));
  TRY(otelmetrics_gauge_f64_record(gf, 36.6, NULL, 0));

  otelmetrics_attributes *set = NULL;
  otelmetrics_bound_counter_u64 *bound = NULL;
  otelmetrics_attribute post = otelmetrics_attr_string("method", "POST");
  TRY(otelmetrics_attributes_new(&post, 1, &set));
  TRY(otelmetrics_counter_u64_bind(cu, set, &bound));
  for (int i = 0; i < 100; i++) TRY(otelmetrics_bound_counter_u64_add(bound, 1));
  TRY(otelmetrics_counter_u64_add_with_set(cu, 11, set));

  otelmetrics_observable_gauge_f64 *og = NULL;
  otelmetrics_observable_counter_u64 *oc = NULL;
  otelmetrics_observable_up_down_counter_i64 *ou = NULL;
  TRY(otelmetrics_meter_create_observable_gauge_f64(m, OTELMETRICS_STR("e2e.temperature"), OTELMETRICS_STR("room temperature"),
                                                    OTELMETRICS_STR("Cel"), temperature, NULL, NULL, &og));
  TRY(otelmetrics_meter_create_observable_counter_u64(m, OTELMETRICS_STR("e2e.bytes_read"), OTELMETRICS_STR(""),
                                                      OTELMETRICS_STR("By"), bytes_read, NULL, NULL, &oc));
  TRY(otelmetrics_meter_create_observable_up_down_counter_i64(m, OTELMETRICS_STR("e2e.queue_depth"), OTELMETRICS_STR(""),
                                                              OTELMETRICS_STR(""), queue_depth, NULL, NULL, &ou));

  otelmetrics_status flushed = otelmetrics_provider_force_flush(provider, 10000);
  printf("flush %s\n", otelmetrics_status_name(flushed));
  if (flushed) fprintf(stderr, "flush: %s\n", otelmetrics_last_error_message(NULL));
  otelmetrics_status down = otelmetrics_provider_shutdown(provider, 10000);
  printf("shutdown %s\n", otelmetrics_status_name(down));

  otelmetrics_bound_counter_u64_free(bound);
  otelmetrics_attributes_free(set);
  otelmetrics_counter_u64_free(cu);
  otelmetrics_counter_f64_free(cf);
  otelmetrics_up_down_counter_i64_free(ui);
  otelmetrics_up_down_counter_f64_free(uf);
  otelmetrics_histogram_f64_free(hf);
  otelmetrics_histogram_u64_free(hu);
  otelmetrics_gauge_u64_free(gu);
  otelmetrics_gauge_i64_free(gi);
  otelmetrics_gauge_f64_free(gf);
  otelmetrics_observable_gauge_f64_free(og);
  otelmetrics_observable_counter_u64_free(oc);
  otelmetrics_observable_up_down_counter_i64_free(ou);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(provider);
  printf("peak_rss_kib %ld\n", proc_status_kib("VmHWM"));
  return flushed || down;
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int interactive(void) {
  otelmetrics_provider *provider = NULL;
  otelmetrics_meter *m = make_meter(&provider);
  otelmetrics_counter_u64 *c = NULL;
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("e2e.requests"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &c));
  otelmetrics_attribute attr = otelmetrics_attr_string("route", "/checkout");
  char line[128];
  while (fgets(line, sizeof line, stdin)) {
    unsigned long long arg = 0;
    char cmd[16] = {0};
    if (sscanf(line, "%15s %llu", cmd, &arg) < 1) continue;
    if (strcmp(cmd, "add") == 0) {
      uint64_t worst = 0;
      for (unsigned long long i = 0; i < arg; i++) {
        uint64_t t0 = now_ns();
        TRY(otelmetrics_counter_u64_add(c, 1, &attr, 1));
        uint64_t dt = now_ns() - t0;
        if (dt > worst) worst = dt;
      }
      printf("ok %" PRIu64 "\n", worst);
    } else if (strcmp(cmd, "flush") == 0) {
      printf("%s\n", otelmetrics_status_name(otelmetrics_provider_force_flush(provider, arg)));
    } else if (strcmp(cmd, "quit") == 0) {
      printf("%s\n", otelmetrics_status_name(otelmetrics_provider_shutdown(provider, arg)));
      fflush(stdout);
      break;
    }
    fflush(stdout);
  }
  otelmetrics_counter_u64_free(c);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(provider);
  return 0;
}

static void add_view(otelmetrics_provider_builder *b, otelmetrics_view *v) {
  TRY(otelmetrics_provider_builder_add_view(b, v));
  otelmetrics_view_free(v);
}

static int with_views(void) {
  otelmetrics_provider_builder *b = NULL;
  TRY(otelmetrics_provider_builder_new(&b));
  otelmetrics_view *v = NULL;
  otelmetrics_str region[] = {OTELMETRICS_STR("region")};
  otelmetrics_str user[] = {OTELMETRICS_STR("user.id")};
  double buckets[] = {50.0, 500.0};

  TRY(otelmetrics_view_new(&v));
  TRY(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("orders")));
  TRY(otelmetrics_view_set_name(v, OTELMETRICS_STR("orders.by_region")));
  TRY(otelmetrics_view_set_description(v, OTELMETRICS_STR("orders per region")));
  TRY(otelmetrics_view_allow_attribute_keys(v, region, 1));
  add_view(b, v);
  TRY(otelmetrics_view_new(&v));
  TRY(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("http.*")));
  TRY(otelmetrics_view_select_instrument_kind(v, OTELMETRICS_INSTRUMENT_KIND_COUNTER));
  TRY(otelmetrics_view_deny_attribute_keys(v, user, 1));
  add_view(b, v);
  TRY(otelmetrics_view_new(&v));
  TRY(otelmetrics_view_select_instrument_kind(v, OTELMETRICS_INSTRUMENT_KIND_HISTOGRAM));
  TRY(otelmetrics_view_select_unit(v, OTELMETRICS_STR("ms")));
  TRY(otelmetrics_view_set_aggregation_explicit_buckets(v, buckets, 2, true));
  add_view(b, v);
  TRY(otelmetrics_view_new(&v));
  TRY(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("debug.*")));
  TRY(otelmetrics_view_set_aggregation_drop(v));
  add_view(b, v);
  TRY(otelmetrics_view_new(&v));
  TRY(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("payload.size")));
  TRY(otelmetrics_view_set_aggregation_exponential(v, 160, 20, true));
  add_view(b, v);

  otelmetrics_provider *p = NULL;
  TRY(otelmetrics_provider_builder_build(b, &p));
  otelmetrics_provider_builder_free(b);
  otelmetrics_meter *m = NULL;
  TRY(otelmetrics_provider_get_meter(p, OTELMETRICS_STR("views"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), NULL, 0, &m));

  otelmetrics_counter_u64 *orders = NULL, *requests = NULL, *noise = NULL;
  otelmetrics_histogram_f64 *latency = NULL, *payload = NULL;
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("orders"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &orders));
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("http.requests"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &requests));
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("debug.loops"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &noise));
  TRY(otelmetrics_meter_create_histogram_f64(m, OTELMETRICS_STR("http.latency"), OTELMETRICS_STR(""), OTELMETRICS_STR("ms"), NULL, 0, &latency));
  TRY(otelmetrics_meter_create_histogram_f64(m, OTELMETRICS_STR("payload.size"), OTELMETRICS_STR(""), OTELMETRICS_STR("By"), NULL, 0, &payload));
  otelmetrics_attribute attrs[] = {otelmetrics_attr_string("region", "eu"), otelmetrics_attr_string("user.id", "u-17"),
                                   otelmetrics_attr_string("route", "/cart")};
  TRY(otelmetrics_counter_u64_add(orders, 3, attrs, 3));
  TRY(otelmetrics_counter_u64_add(requests, 5, attrs, 3));
  TRY(otelmetrics_counter_u64_add(noise, 1000, NULL, 0));
  double samples[] = {10.0, 100.0, 1000.0};
  for (int i = 0; i < 3; i++) {
    TRY(otelmetrics_histogram_f64_record(latency, samples[i], NULL, 0));
    TRY(otelmetrics_histogram_f64_record(payload, samples[i], NULL, 0));
  }
  otelmetrics_status flushed = otelmetrics_provider_force_flush(p, 10000);
  printf("flush %s\n", otelmetrics_status_name(flushed));
  otelmetrics_status down = otelmetrics_provider_shutdown(p, 10000);
  printf("shutdown %s\n", otelmetrics_status_name(down));
  otelmetrics_counter_u64_free(orders);
  otelmetrics_counter_u64_free(requests);
  otelmetrics_counter_u64_free(noise);
  otelmetrics_histogram_f64_free(latency);
  otelmetrics_histogram_f64_free(payload);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(p);
  return flushed || down;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "interactive") == 0) return interactive();
  if (argc > 1 && strcmp(argv[1], "views") == 0) return with_views();
  return all_kinds();
}
