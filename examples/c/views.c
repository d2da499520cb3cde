/*
 * Views: shape what is exported without touching the instrumentation.
 * Here: drop a high-cardinality attribute from every http.* counter, give
 * latency histograms buckets that suit this service, rename a metric, and
 * cap the series any one metric may hold.
 *
 *   cc examples/c/views.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o views && ./views
 */
#include <stdio.h>
#include <stdlib.h>

#include "otelmetrics.h"

static void check(otelmetrics_status status, const char *what) {
  if (status != OTELMETRICS_STATUS_OK) {
    fprintf(stderr, "%s failed: %s\n", what, otelmetrics_last_error_message(NULL));
    exit(1);
  }
}

/* Adds the view to the builder (which copies it) and frees it. */
static void add(otelmetrics_provider_builder *b, otelmetrics_view *v) {
  check(otelmetrics_provider_builder_add_view(b, v), "add view");
  otelmetrics_view_free(v);
}

int main(void) {
  otelmetrics_provider_builder *b = NULL;
  check(otelmetrics_provider_builder_new(&b), "builder");
  if (!getenv("OTEL_METRICS_EXPORTER") && !getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    check(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE), "console");
  }
  check(otelmetrics_provider_builder_set_cardinality_limit(b, 500), "cardinality limit");

  otelmetrics_view *v = NULL;
  otelmetrics_str user_id[] = {OTELMETRICS_STR("user.id")};
  check(otelmetrics_view_new(&v), "view");
  check(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("http.*")), "select");
  check(otelmetrics_view_select_instrument_kind(v, OTELMETRICS_INSTRUMENT_KIND_COUNTER), "select kind");
  check(otelmetrics_view_deny_attribute_keys(v, user_id, 1), "deny");
  add(b, v);

  double buckets[] = {5, 10, 25, 50, 100, 250, 500, 1000};
  check(otelmetrics_view_new(&v), "view");
  check(otelmetrics_view_select_instrument_kind(v, OTELMETRICS_INSTRUMENT_KIND_HISTOGRAM), "select kind");
  check(otelmetrics_view_select_unit(v, OTELMETRICS_STR("ms")), "select unit");
  check(otelmetrics_view_set_aggregation_explicit_buckets(v, buckets, 8, true), "buckets");
  add(b, v);

  check(otelmetrics_view_new(&v), "view");
  check(otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("legacy_hits")), "select");
  check(otelmetrics_view_set_name(v, OTELMETRICS_STR("cache.hits")), "rename");
  add(b, v);

  /* An invalid view is refused with a message, not accepted silently. */
  check(otelmetrics_view_new(&v), "view");
  otelmetrics_view_select_instrument_name(v, OTELMETRICS_STR("db.*"));
  otelmetrics_view_set_name(v, OTELMETRICS_STR("one_name_for_many"));
  if (otelmetrics_provider_builder_add_view(b, v) == OTELMETRICS_STATUS_INVALID_CONFIG) {
    printf("refused as expected: %s\n", otelmetrics_last_error_message(NULL));
  }
  otelmetrics_view_free(v);

  otelmetrics_provider *provider = NULL;
  check(otelmetrics_provider_builder_build(b, &provider), "build");
  otelmetrics_provider_builder_free(b);
  otelmetrics_meter *meter = NULL;
  check(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("web"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), NULL,
                                       0, &meter),
        "meter");
  otelmetrics_counter_u64 *requests = NULL, *hits = NULL;
  otelmetrics_histogram_f64 *latency = NULL;
  check(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("http.requests"), OTELMETRICS_STR(""),
                                             OTELMETRICS_STR("{request}"), &requests),
        "counter");
  check(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("legacy_hits"), OTELMETRICS_STR(""),
                                             OTELMETRICS_STR(""), &hits),
        "counter");
  check(otelmetrics_meter_create_histogram_f64(meter, OTELMETRICS_STR("http.latency"), OTELMETRICS_STR(""),
                                               OTELMETRICS_STR("ms"), NULL, 0, &latency),
        "histogram");
  otelmetrics_attribute attrs[] = {otelmetrics_attr_string("route", "/cart"), otelmetrics_attr_string("user.id", "u-42")};
  check(otelmetrics_counter_u64_add(requests, 1, attrs, 2), "add");
  check(otelmetrics_counter_u64_add(hits, 7, NULL, 0), "add");
  check(otelmetrics_histogram_f64_record(latency, 42.0, attrs, 1), "record");

  check(otelmetrics_provider_shutdown(provider, 5000), "shutdown");
  otelmetrics_counter_u64_free(requests);
  otelmetrics_counter_u64_free(hits);
  otelmetrics_histogram_f64_free(latency);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return 0;
}
