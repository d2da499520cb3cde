/*
 * The story of "View Metrics in Prometheus through OpenTelemetry Collector"
 * (the OpenTelemetry.jl tutorial), told in C: a fruit shop counts the fruit
 * it sells, keeps the balance of its till (an up-down counter: sales put
 * money in, change takes it out) and reports the temperature of its cold
 * room through an observable gauge read at each collection. Everything is
 * pushed over OTLP to an OpenTelemetry Collector, which can forward it to
 * Prometheus.
 *
 *   cc -std=c11 examples/c/collector_story.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o collector_story
 *   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 ./collector_story
 *
 * The collector's address, protocol (OTEL_EXPORTER_OTLP_PROTOCOL: grpc,
 * http/protobuf, http/json) and the rest come from the standard OTEL_*
 * variables. With no collector configured it prints what it would send.
 */
#include <stdio.h>
#include <stdlib.h>

#include "example.h" /* check(), example_provider_new(), example_meter_new() */

/* The cold room's thermometer, read by the gauge's callback. */
typedef struct {
  double celsius;
} thermometer;

static void read_cold_room(otelmetrics_observer *observer, void *user_data) {
  const thermometer *t = user_data;
  otelmetrics_attribute room = otelmetrics_attr_string("room", "cold-room");
  otelmetrics_observer_observe_f64(observer, t->celsius, &room, 1);
}

static void sell(otelmetrics_counter_u64 *fruit, otelmetrics_up_down_counter_i64 *balance, const char *name,
                 const char *color, uint64_t count, int64_t cents) {
  otelmetrics_attribute attrs[] = {otelmetrics_attr_string("name", name), otelmetrics_attr_string("color", color)};
  otelmetrics_attribute till = otelmetrics_attr_string("till", "front");
  check(otelmetrics_counter_u64_add(fruit, count, attrs, 2), "fruit");
  check(otelmetrics_up_down_counter_i64_add(balance, cents, &till, 1), "balance");
}

int main(void) {
  otelmetrics_provider *provider = example_provider_new("fruit-shop");
  otelmetrics_meter *meter = example_meter_new(provider, "demo_metrics");
  otelmetrics_counter_u64 *fruit = NULL;
  otelmetrics_up_down_counter_i64 *balance = NULL;
  otelmetrics_observable_gauge_f64 *temperature = NULL;
  thermometer cold_room = {4.5};
  check(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("fruit_counter"), OTELMETRICS_STR("fruit sold"),
                                             OTELMETRICS_STR("{fruit}"), &fruit),
        "fruit counter");
  check(otelmetrics_meter_create_up_down_counter_i64(meter, OTELMETRICS_STR("balance"),
                                                     OTELMETRICS_STR("money in the till"), OTELMETRICS_STR("{cent}"),
                                                     &balance),
        "balance");
  /* The thermometer lives on the stack of main, longer than the gauge: no
   * destructor needed. */
  check(otelmetrics_meter_create_observable_gauge_f64(meter, OTELMETRICS_STR("room_temperature"),
                                                      OTELMETRICS_STR("temperature of the cold room"),
                                                      OTELMETRICS_STR("Cel"), read_cold_room, &cold_room, NULL,
                                                      &temperature),
        "temperature gauge");

  /* The morning: sales, and change given back from the till. */
  sell(fruit, balance, "apple", "red", 1, 50);
  sell(fruit, balance, "lemon", "yellow", 2, 80);
  sell(fruit, balance, "lemon", "yellow", 1, 40);
  otelmetrics_attribute till = otelmetrics_attr_string("till", "front");
  check(otelmetrics_up_down_counter_i64_add(balance, -20, &till, 1), "change");
  /* An export now (a real shop would wait for the export interval). */
  check(otelmetrics_provider_force_flush(provider, 5000), "flush");

  /* The afternoon: the cold room warms up, more sales. */
  cold_room.celsius = 6.0;
  sell(fruit, balance, "apple", "red", 2, 100);
  sell(fruit, balance, "lemon", "yellow", 5, 200);
  sell(fruit, balance, "lemon", "yellow", 4, 160);

  /* Closing time: shutdown exports the last totals, within 5 s whatever
   * the collector does. */
  otelmetrics_status s = otelmetrics_provider_shutdown(provider, 5000);
  if (s != OTELMETRICS_STATUS_OK) {
    fprintf(stderr, "shutdown: %s: %s\n", otelmetrics_status_name(s), otelmetrics_last_error_message(NULL));
  }
  otelmetrics_observable_gauge_f64_free(temperature);
  otelmetrics_counter_u64_free(fruit);
  otelmetrics_up_down_counter_i64_free(balance);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return s == OTELMETRICS_STATUS_OK ? 0 : 1;
}
