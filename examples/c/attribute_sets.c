/*
 * Reusable attribute sets: build the attributes of a request once and
 * record several instruments with them (`*_with_set`), instead of passing
 * and converting the same key-values on every call. A set is immutable,
 * may be shared between threads, and is freed by the application when it
 * no longer needs it (instruments do not keep it).
 *
 *   cc -std=c11 examples/c/attribute_sets.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o attribute_sets && ./attribute_sets
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

/* What one request records, whatever its attributes. */
typedef struct {
  otelmetrics_counter_u64 *requests;
  otelmetrics_histogram_f64 *duration;
  otelmetrics_up_down_counter_i64 *in_flight;
} http_metrics;

static void handle_request(const http_metrics *m, const otelmetrics_attributes *route, double seconds) {
  check(otelmetrics_up_down_counter_i64_add_with_set(m->in_flight, 1, route), "in flight");
  check(otelmetrics_counter_u64_add_with_set(m->requests, 1, route), "requests");
  check(otelmetrics_histogram_f64_record_with_set(m->duration, seconds, route), "duration");
  check(otelmetrics_up_down_counter_i64_add_with_set(m->in_flight, -1, route), "in flight");
}

int main(void) {
  otelmetrics_provider_builder *b = NULL;
  check(otelmetrics_provider_builder_new(&b), "builder");
  check(otelmetrics_provider_builder_set_service_name(b, OTELMETRICS_STR("attribute-sets-example")), "service name");
  if (!getenv("OTEL_METRICS_EXPORTER") && !getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    check(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE), "console exporter");
  }
  otelmetrics_provider *provider = NULL;
  check(otelmetrics_provider_builder_build(b, &provider), "build");
  otelmetrics_provider_builder_free(b);
  otelmetrics_meter *meter = NULL;
  check(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("shop.web"), OTELMETRICS_STR("1.0.0"),
                                       OTELMETRICS_STR(""), NULL, 0, &meter),
        "meter");
  http_metrics m = {NULL, NULL, NULL};
  check(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("http.server.requests"), OTELMETRICS_STR(""),
                                             OTELMETRICS_STR("{request}"), &m.requests),
        "requests");
  check(otelmetrics_meter_create_histogram_f64(meter, OTELMETRICS_STR("http.server.request.duration"),
                                               OTELMETRICS_STR(""), OTELMETRICS_STR("s"), NULL, 0, &m.duration),
        "duration");
  check(otelmetrics_meter_create_up_down_counter_i64(meter, OTELMETRICS_STR("http.server.active_requests"),
                                                     OTELMETRICS_STR(""), OTELMETRICS_STR("{request}"), &m.in_flight),
        "in flight");

  /* One set per route, built once at start-up (all value types work,
   * arrays too). */
  static const char *const tags[] = {"catalog", "public"};
  otelmetrics_str tag_views[2];
  for (int i = 0; i < 2; i++) tag_views[i] = otelmetrics_str_from_cstr(tags[i]);
  otelmetrics_attribute products_attrs[] = {otelmetrics_attr_string("http.route", "/products"),
                                            otelmetrics_attr_bool("cached", true),
                                            otelmetrics_attr_array("tags", OTELMETRICS_VALUE_STRING_ARRAY, tag_views, 2)};
  otelmetrics_attribute cart_attrs[] = {otelmetrics_attr_string("http.route", "/cart"),
                                        otelmetrics_attr_bool("cached", false)};
  otelmetrics_attributes *products = NULL, *cart = NULL;
  check(otelmetrics_attributes_new(products_attrs, 3, &products), "products set");
  check(otelmetrics_attributes_new(cart_attrs, 2, &cart), "cart set");

  handle_request(&m, products, 0.020);
  handle_request(&m, products, 0.030);
  handle_request(&m, cart, 0.150);

  otelmetrics_attributes_free(products);
  otelmetrics_attributes_free(cart);
  check(otelmetrics_provider_shutdown(provider, 5000), "shutdown");
  otelmetrics_counter_u64_free(m.requests);
  otelmetrics_histogram_f64_free(m.duration);
  otelmetrics_up_down_counter_i64_free(m.in_flight);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return 0;
}
