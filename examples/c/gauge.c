/*
 * Gauges: the current value of something, sampled when the application
 * knows it (the last recorded value wins). Free disk space (unsigned),
 * clock drift against a time server (signed, may be negative), and a CPU
 * temperature (double). For values read on demand at collection time, see
 * observable_gauge.c instead.
 *
 * With no collector configured it prints what it would send:
 *
 *   cc -std=c11 examples/c/gauge.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o gauge && ./gauge
 */
#include <stdio.h>
#include <stdlib.h>

#include "example.h" /* check(), example_provider_new(), example_meter_new() */

int main(void) {
  otelmetrics_provider *provider = example_provider_new("gauge-example");
  otelmetrics_meter *meter = example_meter_new(provider, "host.monitor");

  otelmetrics_gauge_u64 *disk_free = NULL;
  otelmetrics_gauge_i64 *drift = NULL;
  otelmetrics_gauge_f64 *temperature = NULL;
  check(otelmetrics_meter_create_gauge_u64(meter, OTELMETRICS_STR("disk.free"), OTELMETRICS_STR("Free disk space"),
                                           OTELMETRICS_STR("By"), &disk_free),
        "disk gauge");
  check(otelmetrics_meter_create_gauge_i64(meter, OTELMETRICS_STR("clock.drift"),
                                           OTELMETRICS_STR("Local clock minus the time server's"),
                                           OTELMETRICS_STR("ms"), &drift),
        "drift gauge");
  check(otelmetrics_meter_create_gauge_f64(meter, OTELMETRICS_STR("cpu.temperature"),
                                           OTELMETRICS_STR("CPU package temperature"), OTELMETRICS_STR("Cel"),
                                           &temperature),
        "temperature gauge");

  otelmetrics_attribute root = otelmetrics_attr_string("mount", "/");
  check(otelmetrics_gauge_u64_record(disk_free, 52000000000u, &root, 1), "record");
  check(otelmetrics_gauge_u64_record(disk_free, 51500000000u, &root, 1), "record"); /* the last one wins */
  check(otelmetrics_gauge_i64_record(drift, -12, NULL, 0), "record");
  otelmetrics_attribute cpu0 = otelmetrics_attr_int64("cpu", 0);
  check(otelmetrics_gauge_f64_record(temperature, 61.5, &cpu0, 1), "record");

  check(otelmetrics_provider_shutdown(provider, 5000), "shutdown");
  otelmetrics_gauge_u64_free(disk_free);
  otelmetrics_gauge_i64_free(drift);
  otelmetrics_gauge_f64_free(temperature);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return 0;
}
