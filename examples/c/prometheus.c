/*
 * Prometheus scrapes the program directly, with no collector in between:
 * the first story of the OpenTelemetry.jl tutorials, told in C. The program
 * sells fruit, keeps a balance and reads a thermometer; the library serves
 * all of it at http://127.0.0.1:9464/metrics for as long as the program runs.
 *
 *   cc examples/c/prometheus.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o prometheus_demo
 *   ./prometheus_demo 60        # serve for 60 seconds (default 30)
 *   curl -s http://127.0.0.1:9464/metrics
 *
 * and in prometheus.yml:
 *   scrape_configs:
 *     - job_name: fruits
 *       static_configs: [{targets: ["127.0.0.1:9464"]}]
 *
 * OTEL_EXPORTER_PROMETHEUS_HOST / _PORT move the endpoint (port 0 picks a
 * free one; the program prints where it listens).
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "otelmetrics.h"

static void check(otelmetrics_status status, const char *what) {
  if (status != OTELMETRICS_STATUS_OK) {
    fprintf(stderr, "%s failed: %s\n", what, otelmetrics_last_error_message(NULL));
    exit(1);
  }
}

/* Called on every scrape, on the endpoint's thread. */
static void read_thermometer(otelmetrics_observer *observer, void *user_data) {
  (void)user_data;
  otelmetrics_attribute where = otelmetrics_attr_string("room", "kitchen");
  otelmetrics_observer_observe_f64(observer, 20.0 + (double)(time(NULL) % 10) / 2.0, &where, 1);
}

int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 30;

  otelmetrics_provider_builder *b = NULL;
  check(otelmetrics_provider_builder_new(&b), "builder");
  check(otelmetrics_provider_builder_set_service_name(b, OTELMETRICS_STR("fruit-shop")), "service name");
  check(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_PROMETHEUS), "prometheus exporter");
  otelmetrics_provider *provider = NULL;
  check(otelmetrics_provider_builder_build(b, &provider), "build"); /* a port in use fails here */
  otelmetrics_provider_builder_free(b);

  uint16_t port = 0;
  check(otelmetrics_provider_prometheus_port(provider, &port), "port");
  printf("serving http://127.0.0.1:%u/metrics for %d s\n", (unsigned)port, seconds);
  fflush(stdout);

  otelmetrics_meter *meter = NULL;
  check(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("fruit-shop"), OTELMETRICS_STR("1.0"), OTELMETRICS_STR(""),
                                       NULL, 0, &meter),
        "meter");
  otelmetrics_counter_u64 *fruits = NULL;
  check(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("fruit_counter"), OTELMETRICS_STR("Fruits sold"),
                                             OTELMETRICS_STR("{fruit}"), &fruits),
        "counter");
  otelmetrics_up_down_counter_i64 *balance = NULL;
  check(otelmetrics_meter_create_up_down_counter_i64(meter, OTELMETRICS_STR("balance"), OTELMETRICS_STR("Money in the till"),
                                                     OTELMETRICS_STR("{USD}"), &balance),
        "up-down counter");
  otelmetrics_observable_gauge_f64 *temperature = NULL;
  check(otelmetrics_meter_create_observable_gauge_f64(meter, OTELMETRICS_STR("room_temperature"), OTELMETRICS_STR("Kitchen"),
                                                      OTELMETRICS_STR("Cel"), read_thermometer, NULL, NULL, &temperature),
        "observable gauge");

  /* Served as fruit_counter_total{name="apple",color="red",...},
   * balance{...} and room_temperature_celsius{room="kitchen",...}. */
  otelmetrics_attribute red_apple[] = {otelmetrics_attr_string("name", "apple"), otelmetrics_attr_string("color", "red")};
  otelmetrics_attribute banana[] = {otelmetrics_attr_string("name", "banana"), otelmetrics_attr_string("color", "yellow")};
  struct timespec one_second = {1, 0};
  for (int s = 0; s < seconds; s++) {
    check(otelmetrics_counter_u64_add(fruits, 2, red_apple, 2), "add");
    check(otelmetrics_counter_u64_add(fruits, 1, banana, 2), "add");
    check(otelmetrics_up_down_counter_i64_add(balance, s % 3 == 2 ? -4 : 3, NULL, 0), "balance");
    nanosleep(&one_second, NULL);
  }

  check(otelmetrics_provider_shutdown(provider, 5000), "shutdown"); /* stops listening */
  otelmetrics_observable_gauge_f64_free(temperature);
  otelmetrics_up_down_counter_i64_free(balance);
  otelmetrics_counter_u64_free(fruits);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return 0;
}
