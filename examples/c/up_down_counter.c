/*
 * Up-down counters: totals that go up and down. An integer count of open
 * connections per pool (+1 on open, -1 on close) and a double amount of
 * memory reserved by a cache, which grows and shrinks.
 *
 * With no collector configured it prints what it would send:
 *
 *   cc -std=c11 examples/c/up_down_counter.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o up_down_counter && ./up_down_counter
 */
#include <stdio.h>
#include <stdlib.h>

#include "example.h" /* check(), example_provider_new(), example_meter_new() */

int main(void) {
  otelmetrics_provider *provider = example_provider_new("up-down-example");
  otelmetrics_meter *meter = example_meter_new(provider, "shop.db");

  otelmetrics_up_down_counter_i64 *connections = NULL;
  otelmetrics_up_down_counter_f64 *reserved = NULL;
  check(otelmetrics_meter_create_up_down_counter_i64(meter, OTELMETRICS_STR("db.client.connections.usage"),
                                                     OTELMETRICS_STR("Connections open, per pool"),
                                                     OTELMETRICS_STR("{connection}"), &connections),
        "connections");
  check(otelmetrics_meter_create_up_down_counter_f64(meter, OTELMETRICS_STR("cache.reserved"),
                                                     OTELMETRICS_STR("Memory reserved by the cache"),
                                                     OTELMETRICS_STR("MiBy"), &reserved),
        "reserved");

  otelmetrics_attribute orders = otelmetrics_attr_string("pool.name", "orders");
  otelmetrics_attribute users = otelmetrics_attr_string("pool.name", "users");
  /* Five connections open on "orders", two close again; "users" opens one. */
  for (int i = 0; i < 5; i++) check(otelmetrics_up_down_counter_i64_add(connections, 1, &orders, 1), "open");
  for (int i = 0; i < 2; i++) check(otelmetrics_up_down_counter_i64_add(connections, -1, &orders, 1), "close");
  check(otelmetrics_up_down_counter_i64_add(connections, 1, &users, 1), "open");

  /* The cache grows by 64.5 MiB, then gives 16.25 back: 48.25 reserved. */
  check(otelmetrics_up_down_counter_f64_add(reserved, 64.5, NULL, 0), "grow");
  check(otelmetrics_up_down_counter_f64_add(reserved, -16.25, NULL, 0), "shrink");

  check(otelmetrics_provider_shutdown(provider, 5000), "shutdown");
  otelmetrics_up_down_counter_i64_free(connections);
  otelmetrics_up_down_counter_f64_free(reserved);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return 0;
}
