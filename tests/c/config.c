/*
 * Invalid configuration, from C:
 * - every builder setter refuses a NULL or wrong handle, strings that are
 *   not UTF-8 or NULL with a length, and enumeration values the header does
 *   not define (INVALID_ARGUMENT), leaving the builder as it was;
 * - settings checkable only as a whole (endpoint, zero interval or timeout,
 *   unreadable or non-PEM CA file, half an mTLS pair, a bad header) make
 *   build fail with INVALID_CONFIG and a message naming the setting; fixing
 *   that one setting (where it can be undone) makes the same builder build;
 * - the same from the environment alone (otelmetrics_provider_new_from_env);
 * - a provider without an in-memory reader or a Prometheus endpoint refuses
 *   to be read or asked for its port.
 * A provider recording throughout keeps its data.
 *
 * Usage: config [WORK_DIR]
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdlib.h>

#include "bad_input_cases.h"
#include "check.h"
#include "snapshot.h"

typedef otelmetrics_provider_builder builder;

static char not_pem_path[1024];

/* A builder that builds: OTLP over HTTP to a valid endpoint (nothing is
 * sent: the interval is long and nothing is recorded). */
static builder *valid_builder(void) {
  builder *b = NULL;
  CHECK_OK(otelmetrics_provider_builder_new(&b));
  CHECK_OK(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_OTLP));
  CHECK_OK(otelmetrics_provider_builder_set_otlp_protocol(b, OTELMETRICS_PROTOCOL_HTTP_PROTOBUF));
  CHECK_OK(otelmetrics_provider_builder_set_otlp_endpoint(b, OTELMETRICS_STR("http://127.0.0.1:9/v1/metrics")));
  CHECK_OK(otelmetrics_provider_builder_set_export_interval_ms(b, 600000));
  return b;
}

static void check_builds(const builder *b) {
  otelmetrics_provider *p = NULL;
  CHECK_OK(otelmetrics_provider_builder_build(b, &p));
  CHECK(p != NULL);
  test_provider_close(p);
}

/* `setting` (or `alias`, when not NULL) must appear in the message. */
static void check_build_fails_naming(const builder *b, const char *setting, const char *alias) {
  otelmetrics_provider *p = NULL;
  CHECK_FAILS(otelmetrics_provider_builder_build(b, &p), OTELMETRICS_STATUS_INVALID_CONFIG);
  CHECK(p == NULL);
  const char *m = otelmetrics_last_error_message(NULL);
  CHECK(strstr(m, setting) != NULL || (alias && strstr(m, alias) != NULL));
}

/* Calls every setter on `b` with valid values: each must return `expected`
 * (NULL_POINTER for a NULL builder, WRONG_HANDLE for another handle). */
static void check_every_setter(builder *b, otelmetrics_status expected) {
  otelmetrics_attribute attr = otelmetrics_attr_string("k", "v");
  otelmetrics_view *view = NULL;
  otelmetrics_provider *p = NULL;
  CHECK_OK(otelmetrics_view_new(&view));
  CHECK_OK(otelmetrics_view_select_instrument_name(view, OTELMETRICS_STR("x")));
  CHECK_FAILS(otelmetrics_provider_builder_set_service_name(b, OTELMETRICS_STR("s")), expected);
  CHECK_FAILS(otelmetrics_provider_builder_add_resource_attributes(b, &attr, 1), expected);
  CHECK_FAILS(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_CONSOLE), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_otlp_endpoint(b, OTELMETRICS_STR("http://127.0.0.1:1")), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_otlp_protocol(b, OTELMETRICS_PROTOCOL_GRPC), expected);
  CHECK_FAILS(otelmetrics_provider_builder_add_otlp_header(b, OTELMETRICS_STR("h"), OTELMETRICS_STR("v")), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_otlp_timeout_ms(b, 10), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_otlp_compression(b, OTELMETRICS_COMPRESSION_GZIP), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_otlp_certificate_file(b, OTELMETRICS_STR("ca.pem")), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_otlp_client_certificate_file(b, OTELMETRICS_STR("c.pem")), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_otlp_client_key_file(b, OTELMETRICS_STR("k.pem")), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_otlp_insecure(b, true), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_console_format(b, OTELMETRICS_CONSOLE_FORMAT_JSON), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_console_path(b, OTELMETRICS_STR("out.jsonl")), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_prometheus_endpoint(b, OTELMETRICS_STR(""), 0), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_export_interval_ms(b, 10), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_export_timeout_ms(b, 10), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_temporality(b, OTELMETRICS_TEMPORALITY_DELTA), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_cardinality_limit(b, 10), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_max_export_batch_size(b, 10), expected);
  CHECK_FAILS(otelmetrics_provider_builder_set_self_metrics(b, true), expected);
  CHECK_FAILS(otelmetrics_provider_builder_enable_in_memory_reader(b), expected);
  CHECK_FAILS(otelmetrics_provider_builder_add_view(b, view), expected);
  CHECK_FAILS(otelmetrics_provider_builder_build(b, &p), expected);
  CHECK(p == NULL);
  otelmetrics_view_free(view);
}

static void test_handles(const otelmetrics_provider *live) {
  CHECK_CONTEXT("NULL builder");
  check_every_setter(NULL, OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_CONTEXT("a provider passed as the builder");
  check_every_setter((builder *)(void *)(uintptr_t)(const void *)live, OTELMETRICS_STATUS_WRONG_HANDLE);
  CHECK_CONTEXT("NULL out-pointers");
  CHECK_FAILS(otelmetrics_provider_builder_new(NULL), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_provider_new_from_env(NULL), OTELMETRICS_STATUS_NULL_POINTER);
  builder *b = valid_builder();
  CHECK_FAILS(otelmetrics_provider_builder_build(b, NULL), OTELMETRICS_STATUS_NULL_POINTER);
  check_builds(b);
  otelmetrics_provider_builder_free(b);
}

/* Strings that are not UTF-8, or NULL with a length, in every string setter;
 * then the builder still builds. */
static void test_bad_strings(void) {
  static const bad_text_case strings[] = {
      {"not UTF-8", {NOT_UTF8_OVERLONG, 2}, OTELMETRICS_STATUS_INVALID_UTF8},
      {"NULL with length 3", {NULL, 3}, OTELMETRICS_STATUS_NULL_POINTER},
  };
  builder *b = valid_builder();
  for (size_t i = 0; i < ARRAY_LEN(strings); i++) {
    const otelmetrics_str s = strings[i].text;
    const otelmetrics_status want = strings[i].expected;
    CHECK_CONTEXT(strings[i].label);
    CHECK_FAILS(otelmetrics_provider_builder_set_service_name(b, s), want);
    CHECK_FAILS(otelmetrics_provider_builder_set_otlp_endpoint(b, s), want);
    CHECK_FAILS(otelmetrics_provider_builder_add_otlp_header(b, s, OTELMETRICS_STR("v")), want);
    CHECK_FAILS(otelmetrics_provider_builder_add_otlp_header(b, OTELMETRICS_STR("h"), s), want);
    CHECK_FAILS(otelmetrics_provider_builder_set_otlp_certificate_file(b, s), want);
    CHECK_FAILS(otelmetrics_provider_builder_set_otlp_client_certificate_file(b, s), want);
    CHECK_FAILS(otelmetrics_provider_builder_set_otlp_client_key_file(b, s), want);
    CHECK_FAILS(otelmetrics_provider_builder_set_console_path(b, s), want);
    CHECK_FAILS(otelmetrics_provider_builder_set_prometheus_endpoint(b, s, 0), want);
  }
  for (size_t i = 0; i < ARRAY_LEN(BAD_ATTRIBUTES); i++) {
    CHECK_CONTEXT(BAD_ATTRIBUTES[i].label);
    CHECK_FAILS(otelmetrics_provider_builder_add_resource_attributes(b, BAD_ATTRIBUTES[i].attributes,
                                                                     BAD_ATTRIBUTES[i].count),
                BAD_ATTRIBUTES[i].expected);
  }
  CHECK_CONTEXT("resource attributes NULL with count 2");
  CHECK_FAILS(otelmetrics_provider_builder_add_resource_attributes(b, NULL, 2), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_CONTEXT("builder after refused strings");
  check_builds(b);
  otelmetrics_provider_builder_free(b);
}

/* Enumeration values outside each OTELMETRICS_* range. */
static void test_unknown_enums(void) {
  static const uint32_t unknown[] = {0, 99, 0xFFFFFFFFu};
  builder *b = valid_builder();
  for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
    const uint32_t v = unknown[i];
    CHECK_CONTEXT("unknown enumeration value");
    CHECK_FAILS(otelmetrics_provider_builder_add_exporter(b, v), OTELMETRICS_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(otelmetrics_provider_builder_set_otlp_protocol(b, v), OTELMETRICS_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(otelmetrics_provider_builder_set_otlp_compression(b, v), OTELMETRICS_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(otelmetrics_provider_builder_set_console_format(b, v), OTELMETRICS_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(otelmetrics_provider_builder_set_temporality(b, v), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  }
  CHECK_FAILS(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_PROMETHEUS + 1),
              OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS(otelmetrics_provider_builder_set_otlp_protocol(b, OTELMETRICS_PROTOCOL_HTTP_JSON + 1),
              OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS(otelmetrics_provider_builder_set_temporality(b, OTELMETRICS_TEMPORALITY_LOW_MEMORY + 1),
              OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS(otelmetrics_provider_builder_set_otlp_compression(b, OTELMETRICS_COMPRESSION_ZSTD + 1),
              OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_CONTEXT("builder after refused enumeration values");
  check_builds(b);
  otelmetrics_provider_builder_free(b);
}

/* One setting made invalid (the build must fail naming it), then valid
 * again (the same builder must build). */
typedef struct {
  const char *label;
  const char *named;
  const char *alias;
  otelmetrics_status (*spoil)(builder *);
  otelmetrics_status (*fix)(builder *);
} build_case;

static otelmetrics_status endpoint_unparsable(builder *b) {
  return otelmetrics_provider_builder_set_otlp_endpoint(b, OTELMETRICS_STR("http://[::1/v1/metrics"));
}
static otelmetrics_status endpoint_bad_scheme(builder *b) {
  return otelmetrics_provider_builder_set_otlp_endpoint(b, OTELMETRICS_STR("ftp://127.0.0.1:4318/v1/metrics"));
}
static otelmetrics_status endpoint_no_scheme_http(builder *b) {
  return otelmetrics_provider_builder_set_otlp_endpoint(b, OTELMETRICS_STR("not a url"));
}
static otelmetrics_status endpoint_valid(builder *b) {
  return otelmetrics_provider_builder_set_otlp_endpoint(b, OTELMETRICS_STR("http://127.0.0.1:9/v1/metrics"));
}
static otelmetrics_status interval_zero(builder *b) { return otelmetrics_provider_builder_set_export_interval_ms(b, 0); }
static otelmetrics_status interval_valid(builder *b) {
  return otelmetrics_provider_builder_set_export_interval_ms(b, 600000);
}
static otelmetrics_status export_timeout_zero(builder *b) {
  return otelmetrics_provider_builder_set_export_timeout_ms(b, 0);
}
static otelmetrics_status export_timeout_valid(builder *b) {
  return otelmetrics_provider_builder_set_export_timeout_ms(b, 1000);
}
static otelmetrics_status otlp_timeout_zero(builder *b) { return otelmetrics_provider_builder_set_otlp_timeout_ms(b, 0); }
static otelmetrics_status otlp_timeout_valid(builder *b) {
  return otelmetrics_provider_builder_set_otlp_timeout_ms(b, 1000);
}
static otelmetrics_status max_request_too_small(builder *b) {
  return otelmetrics_provider_builder_set_otlp_max_request_bytes(b, 1023);
}
static otelmetrics_status max_request_too_large(builder *b) {
  return otelmetrics_provider_builder_set_otlp_max_request_bytes(b, (size_t)1 << 31);
}
static otelmetrics_status max_request_valid(builder *b) {
  return otelmetrics_provider_builder_set_otlp_max_request_bytes(b, 1024);
}
static otelmetrics_status batch_size_zero(builder *b) {
  return otelmetrics_provider_builder_set_max_export_batch_size(b, 0);
}
static otelmetrics_status batch_size_valid(builder *b) {
  return otelmetrics_provider_builder_set_max_export_batch_size(b, 1);
}
static otelmetrics_status cardinality_zero(builder *b) {
  return otelmetrics_provider_builder_set_cardinality_limit(b, 0);
}
static otelmetrics_status cardinality_valid(builder *b) {
  return otelmetrics_provider_builder_set_cardinality_limit(b, 100);
}
static otelmetrics_status ca_missing(builder *b) {
  return otelmetrics_provider_builder_set_otlp_certificate_file(b, OTELMETRICS_STR("/nonexistent/otelmetrics/ca.pem"));
}
static otelmetrics_status ca_not_pem(builder *b) {
  return otelmetrics_provider_builder_set_otlp_certificate_file(b, otelmetrics_str_from_cstr(not_pem_path));
}
static otelmetrics_status client_cert_alone(builder *b) {
  return otelmetrics_provider_builder_set_otlp_client_certificate_file(b, otelmetrics_str_from_cstr(not_pem_path));
}
/* An empty path unsets a file set before. */
static otelmetrics_status ca_unset(builder *b) {
  return otelmetrics_provider_builder_set_otlp_certificate_file(b, OTELMETRICS_STR(""));
}
static otelmetrics_status client_cert_unset(builder *b) {
  return otelmetrics_provider_builder_set_otlp_client_certificate_file(b, OTELMETRICS_STR(""));
}
static otelmetrics_status header_bad_name(builder *b) {
  return otelmetrics_provider_builder_add_otlp_header(b, OTELMETRICS_STR("bad name"), OTELMETRICS_STR("v"));
}

static void test_invalid_builds(void) {
  static const build_case cases[] = {
      {"unparsable endpoint", "otlp endpoint", NULL, endpoint_unparsable, endpoint_valid},
      {"endpoint with an ftp scheme", "otlp endpoint", NULL, endpoint_bad_scheme, endpoint_valid},
      {"endpoint that is not a URL", "otlp endpoint", NULL, endpoint_no_scheme_http, endpoint_valid},
      {"zero export interval", "export interval", NULL, interval_zero, interval_valid},
      {"zero export timeout", "export timeout", NULL, export_timeout_zero, export_timeout_valid},
      {"zero OTLP timeout", "otlp timeout", NULL, otlp_timeout_zero, otlp_timeout_valid},
      {"OTLP request cap below 1 KiB", "otlp max request bytes", NULL, max_request_too_small, max_request_valid},
      {"OTLP request cap past 2 GiB", "otlp max request bytes", NULL, max_request_too_large, max_request_valid},
      {"zero data points per request", "max export batch size", NULL, batch_size_zero, batch_size_valid},
      {"zero cardinality limit", "cardinality limit", NULL, cardinality_zero, cardinality_valid},
      {"unreadable CA file", "otlp CA file", NULL, ca_missing, ca_unset},
      {"CA file that is not PEM", "otlp CA file", NULL, ca_not_pem, ca_unset},
      {"client certificate without a key", "otlp client certificate", NULL, client_cert_alone, client_cert_unset},
      {"header name with a space", "otlp headers", NULL, header_bad_name, NULL},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    CHECK_CONTEXT(cases[i].label);
    builder *b = valid_builder();
    CHECK_OK(cases[i].spoil(b));
    check_build_fails_naming(b, cases[i].named, cases[i].alias);
    /* Headers cannot be unset: that case has no way back on the same
     * builder. */
    if (cases[i].fix) {
      CHECK_OK(cases[i].fix(b));
      check_builds(b);
    }
    otelmetrics_provider_builder_free(b);
  }
}

/* The same settings from the environment alone. */
static void test_invalid_environment(void) {
  static const struct {
    const char *var, *value;
  } cases[] = {
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"},
      {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "smoke-signals"},
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://127.0.0.1:4318"},
      {"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://[::1/v1/metrics"},
      {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/otelmetrics/ca.pem"},
      {"OTEL_EXPORTER_OTLP_COMPRESSION", "zip"},
      {"OTEL_EXPORTER_OTLP_INSECURE", "maybe"},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "soon"},
      {"OTELMETRICS_OTLP_MAX_REQUEST_BYTES", "4MiB"},
      {"OTELMETRICS_OTLP_MAX_REQUEST_BYTES", "100"},
      {"OTEL_METRIC_EXPORT_INTERVAL", "0"},
      {"OTEL_METRIC_EXPORT_INTERVAL", "every minute"},
      {"OTEL_METRIC_EXPORT_TIMEOUT", "-5"},
      {"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "sometimes"},
  };
  CHECK(setenv("OTEL_METRICS_EXPORTER", "otlp", 1) == 0);
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    otelmetrics_provider *p = NULL;
    CHECK_CONTEXT(cases[i].var);
    CHECK(setenv(cases[i].var, cases[i].value, 1) == 0);
    CHECK_FAILS(otelmetrics_provider_new_from_env(&p), OTELMETRICS_STATUS_INVALID_CONFIG);
    CHECK(p == NULL);
    CHECK(strstr(otelmetrics_last_error_message(NULL), cases[i].var) != NULL);
    CHECK(unsetenv(cases[i].var) == 0);
    CHECK_OK(otelmetrics_provider_new_from_env(&p)); /* the one variable was the cause */
    test_provider_close(p);
  }
  CHECK(unsetenv("OTEL_METRICS_EXPORTER") == 0);
}

/* Reading needs the in-memory reader; the port needs a Prometheus endpoint. */
static void test_missing_readers(void) {
  builder *b = valid_builder();
  otelmetrics_provider *p = NULL;
  char *json = NULL;
  uint16_t port = 0;
  CHECK_OK(otelmetrics_provider_builder_build(b, &p));
  CHECK_CONTEXT("read without an in-memory reader");
  CHECK_FAILS(otelmetrics_provider_read_json(p, &json, NULL), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK(json == NULL);
  CHECK_CONTEXT("port without a Prometheus endpoint");
  CHECK_FAILS(otelmetrics_provider_prometheus_port(p, &port), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS(otelmetrics_provider_prometheus_port(p, NULL), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_provider_read_json(p, NULL, NULL), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_provider_read_json(NULL, &json, NULL), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_provider_read_json((const otelmetrics_provider *)(const void *)b, &json, NULL),
              OTELMETRICS_STATUS_WRONG_HANDLE);
  test_provider_close(p);
  otelmetrics_provider_builder_free(b);
}

int main(int argc, char **argv) {
  const char *work_dir = argc > 1 ? argv[1] : ".";
  snprintf(not_pem_path, sizeof not_pem_path, "%s/not-a-certificate.pem", work_dir);
  FILE *f = fopen(not_pem_path, "w");
  CHECK(f != NULL);
  fputs("this is not a PEM certificate\n", f);
  fclose(f);

  /* A provider recording throughout: its data must survive every refusal. */
  otelmetrics_provider *live = test_provider_new(NULL);
  otelmetrics_meter *meter = test_meter_new(live, "config");
  otelmetrics_counter_u64 *counter = NULL;
  otelmetrics_attribute phase = otelmetrics_attr_string("phase", "before");
  CHECK_OK(otelmetrics_meter_create_counter_u64(meter, OTELMETRICS_STR("config.survivor"), OTELMETRICS_STR(""),
                                                OTELMETRICS_STR(""), &counter));
  CHECK_OK(otelmetrics_counter_u64_add(counter, 41, &phase, 1));

  test_handles(live);
  test_bad_strings();
  test_unknown_enums();
  test_invalid_builds();
  test_invalid_environment();
  test_missing_readers();

  CHECK_CONTEXT("the live provider's data");
  char *json = snapshot_take(live);
  CHECK_POINT(json, "config.survivor", "phase", "before", "\"asInt\":\"41\"");
  otelmetrics_string_free(json);
  otelmetrics_counter_u64_free(counter);
  otelmetrics_meter_free(meter);
  test_provider_close(live);
  remove(not_pem_path);
  puts("config: ok");
  return 0;
}
