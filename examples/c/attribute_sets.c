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

#include "example.h" /* check(), example_provider_new(), example_meter_new() */

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
  otelmetrics_provider *provider = example_provider_new("attribute-sets-example");
  otelmetrics_meter *meter = example_meter_new(provider, "shop.web");
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
