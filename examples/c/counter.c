/*
 * Counters: totals that only go up. An integer counter of HTTP requests,
 * with the request's method, route and status code as attributes, and a
 * double counter of CPU seconds spent by background jobs.
 *
 * With no collector configured it prints what it would send:
 *
 *   cc -std=c11 examples/c/counter.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o counter && ./counter
 *
 * Point it at a collector with OTEL_EXPORTER_OTLP_ENDPOINT (see README.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include "example.h" /* check(), example_provider_new(), example_meter_new() */

int main(void) {
  otelmetrics_provider *provider = example_provider_new("counter-example");
  otelmetrics_meter *meter = example_meter_new(provider, "shop.web");

  /* Names: letters, digits, '_', '.', '-', '/'; units in UCUM ("{request}"
   * is an annotation: a count of requests). */
  otelmetrics_counter_u64 *requests = NULL;
  otelmetrics_counter_f64 *cpu = NULL;
  check(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("http.server.requests"),
                                             OTELMETRICS_STR("HTTP requests served"), OTELMETRICS_STR("{request}"),
                                             &requests),
        "requests counter");
  check(otelmetrics_meter_create_counter_f64(meter, OTELMETRICS_STR("jobs.cpu_time"),
                                             OTELMETRICS_STR("CPU time spent by background jobs"), OTELMETRICS_STR("s"),
                                             &cpu),
        "cpu counter");

  /* Attributes are copied during the call: stack arrays are fine. */
  otelmetrics_attribute home[] = {otelmetrics_attr_string("http.request.method", "GET"),
                                  otelmetrics_attr_string("http.route", "/"),
                                  otelmetrics_attr_int64("http.response.status_code", 200)};
  otelmetrics_attribute checkout[] = {otelmetrics_attr_string("http.request.method", "POST"),
                                      otelmetrics_attr_string("http.route", "/checkout"),
                                      otelmetrics_attr_int64("http.response.status_code", 201)};
  for (int i = 0; i < 3; i++) check(otelmetrics_counter_u64_add(requests, 1, home, 3), "add");
  check(otelmetrics_counter_u64_add(requests, 1, checkout, 3), "add");

  otelmetrics_attribute resize = otelmetrics_attr_string("job", "thumbnail-resize");
  check(otelmetrics_counter_f64_add(cpu, 0.25, &resize, 1), "add");
  check(otelmetrics_counter_f64_add(cpu, 1.5, &resize, 1), "add");

  /* A counter never goes down: a negative increment is refused, not recorded. */
  if (otelmetrics_counter_f64_add(cpu, -1.0, &resize, 1) == OTELMETRICS_STATUS_INVALID_VALUE) {
    printf("refused as expected: %s\n", otelmetrics_last_error_message(NULL));
    fflush(stdout); /* the console exporter writes to stdout too */
  }

  /* Shutdown exports what is left; it returns within 5 s whatever happens. */
  check(otelmetrics_provider_shutdown(provider, 5000), "shutdown");
  otelmetrics_counter_u64_free(requests);
  otelmetrics_counter_f64_free(cpu);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return 0;
}
