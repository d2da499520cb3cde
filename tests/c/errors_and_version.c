/*
 * The error and version surface, from C: every status code has its
 * documented name and unknown codes are "UNKNOWN" (never NULL); the last
 * error is per thread (a failure on one thread leaves another thread's
 * message alone) and its length may be asked for or not; the runtime
 * version equals the header's version macros.
 *
 * Usage: errors_and_version [WORK_DIR]
 */
#include <pthread.h>

#include "check.h"

static const char *const NAMES[] = {
    "OK",           "NULL_POINTER", "INVALID_UTF8", "INVALID_ARGUMENT", "INVALID_NAME",
    "INVALID_VALUE", "INVALID_CONFIG", "WRONG_HANDLE", "SHUTDOWN",      "TIMEOUT",
    "EXPORT_FAILED", "REENTRANT_CALL", "PANIC",        "INTERNAL",
};

static void test_status_names(void) {
  CHECK_CONTEXT("status names");
  CHECK(OTELMETRICS_STATUS_INTERNAL + 1 == sizeof NAMES / sizeof NAMES[0]);
  for (otelmetrics_status s = 0; s <= OTELMETRICS_STATUS_INTERNAL; s++) {
    CHECK(strcmp(otelmetrics_status_name(s), NAMES[s]) == 0);
  }
  CHECK(strcmp(otelmetrics_status_name(OTELMETRICS_STATUS_INTERNAL + 1), "UNKNOWN") == 0);
  CHECK(strcmp(otelmetrics_status_name(0xFFFFFFFFu), "UNKNOWN") == 0);
}

static void *fail_on_another_thread(void *arg) {
  (void)arg;
  CHECK_FAILS(otelmetrics_provider_builder_new(NULL), OTELMETRICS_STATUS_NULL_POINTER);
  return NULL;
}

static void test_last_error_is_per_thread(void) {
  CHECK_CONTEXT("last error per thread");
  otelmetrics_counter_u64 *c = NULL;
  CHECK_FAILS(otelmetrics_meter_create_counter_u64(NULL, OTELMETRICS_STR("x"), OTELMETRICS_STR(""),
                                                   OTELMETRICS_STR(""), &c),
              OTELMETRICS_STATUS_NULL_POINTER);
  char mine[512];
  snprintf(mine, sizeof mine, "%s", otelmetrics_last_error_message(NULL));
  pthread_t t;
  CHECK(pthread_create(&t, NULL, fail_on_another_thread, NULL) == 0);
  CHECK(pthread_join(t, NULL) == 0);
  CHECK(strcmp(otelmetrics_last_error_message(NULL), mine) == 0);
  /* Successful calls do not clear it. */
  CHECK(strcmp(otelmetrics_version(), OTELMETRICS_VERSION) == 0);
  size_t len = 0;
  CHECK(strcmp(otelmetrics_last_error_message(&len), mine) == 0 && len == strlen(mine));
}

static void test_version(void) {
  CHECK_CONTEXT("version");
  char expected[64];
  snprintf(expected, sizeof expected, "%d.%d.%d", OTELMETRICS_VERSION_MAJOR, OTELMETRICS_VERSION_MINOR,
           OTELMETRICS_VERSION_PATCH);
  CHECK(strcmp(otelmetrics_version(), expected) == 0);
  CHECK(strcmp(OTELMETRICS_VERSION, expected) == 0);
}

int main(void) {
  test_status_names();
  test_last_error_is_per_thread();
  test_version();
  CHECK_OK(otelmetrics_set_diagnostic_hook(NULL, NULL));
  puts("errors_and_version: ok");
  return 0;
}
