/*
 * OTLP over TLS to a collector whose certificate is signed by your own CA,
 * optionally with a client certificate (mutual TLS).
 *
 *   cc -std=c11 examples/c/otlp_tls.c -Iinclude -Ltarget/release -lotelmetrics \
 *      -Wl,-rpath,"$PWD/target/release" -o otlp_tls
 *   ./otlp_tls https://collector.example:4318/v1/metrics ca.pem [client.crt client.key]
 *
 * The endpoint is used exactly as given: for OTLP/HTTP include the path
 * (/v1/metrics); for gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc) give
 * https://host:4317. Paths may instead come from the standard variables
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_CERTIFICATE,
 * OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY;
 * arguments win over them. With neither, it prints what it would send.
 *
 * Certificates are read and checked when the provider is built, so a
 * wrong path fails at once with a message naming the setting, not later
 * on the export thread. TLS verification is never switched off silently.
 */
#include <stdio.h>
#include <stdlib.h>

#include "example.h" /* check() */

int main(int argc, char **argv) {
  if (argc == 4 || argc > 5) {
    fprintf(stderr, "usage: %s [ENDPOINT [CA_PEM [CLIENT_CERT_PEM CLIENT_KEY_PEM]]]\n", argv[0]);
    return 2;
  }
  otelmetrics_provider_builder *b = NULL;
  check(otelmetrics_provider_builder_new(&b), "builder");
  check(otelmetrics_provider_builder_set_service_name(b, OTELMETRICS_STR("tls-example")), "service name");
  if (argc >= 2) {
    check(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_OTLP), "otlp exporter");
    check(otelmetrics_provider_builder_set_otlp_endpoint(b, otelmetrics_str_from_cstr(argv[1])), "endpoint");
  } else if (!getenv("OTEL_EXPORTER_OTLP_ENDPOINT") && !getenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) {
    puts("No endpoint given: printing what would be sent.");
    fflush(stdout);
    check(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE), "console exporter");
  }
  if (argc >= 3) {
    check(otelmetrics_provider_builder_set_otlp_certificate_file(b, otelmetrics_str_from_cstr(argv[2])), "CA file");
  }
  if (argc == 5) {
    check(otelmetrics_provider_builder_set_otlp_client_certificate_file(b, otelmetrics_str_from_cstr(argv[3])),
          "client certificate");
    check(otelmetrics_provider_builder_set_otlp_client_key_file(b, otelmetrics_str_from_cstr(argv[4])), "client key");
  }
  otelmetrics_provider *provider = NULL;
  check(otelmetrics_provider_builder_build(b, &provider), "build");
  otelmetrics_provider_builder_free(b);

  otelmetrics_meter *meter = NULL;
  otelmetrics_counter_u64 *logins = NULL;
  check(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("auth"), OTELMETRICS_STR("1.0.0"),
                                       OTELMETRICS_STR(""), NULL, 0, &meter),
        "meter");
  check(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("auth.logins"), OTELMETRICS_STR("Successful logins"),
                                             OTELMETRICS_STR("{login}"), &logins),
        "counter");
  otelmetrics_attribute method = otelmetrics_attr_string("auth.method", "password");
  check(otelmetrics_counter_u64_add(logins, 7, &method, 1), "add");

  /* A failed TLS handshake shows here, as EXPORT_FAILED with the reason
   * (also sent to the diagnostic hook, or stderr by default). */
  otelmetrics_status s = otelmetrics_provider_shutdown(provider, 10000);
  if (s != OTELMETRICS_STATUS_OK) {
    fprintf(stderr, "shutdown: %s: %s\n", otelmetrics_status_name(s), otelmetrics_last_error_message(NULL));
  } else {
    puts("exported auth.logins");
  }
  otelmetrics_counter_u64_free(logins);
  otelmetrics_meter_free(meter);
  otelmetrics_provider_free(provider);
  return s == OTELMETRICS_STATUS_OK ? 0 : 1;
}
