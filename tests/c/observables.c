/*
 * Observable instruments and callback registration, from C, against bad
 * input:
 * - creating each of the seven kinds with a bad name, description, unit,
 *   handle or out-pointer fails with its status, and the user data's
 *   destructor runs at once, exactly once;
 * - inside a callback, the observer refuses a value of the wrong type, a
 *   NaN or infinity, a negative total for a counter, bad attributes, bad
 *   handles, and calls that are not allowed there (REENTRANT_CALL); only
 *   the valid observation is reported;
 * - registering a multi-instrument callback refuses bad handles, an empty
 *   or NULL instrument list and a synchronous instrument, running the
 *   destructor once; inside it, observing an instrument it was not
 *   registered for, or with the wrong value type, is refused;
 * - after shutdown, creation (of every kind) and registration report
 *   SHUTDOWN (destructor once) and no callback runs any more.
 *
 * Usage: observables [WORK_DIR]
 */
#include <math.h>

#include "bad_input_cases.h"
#include "check.h"
#include "snapshot.h"
#include "tracked.h"

/* A failed creation or registration must release its user data once. */
#define CHECK_FAILS_RELEASING(call_with_t, expected) \
  do {                                               \
    tracked t = {0, 0};                              \
    CHECK_FAILS(call_with_t, expected);              \
    CHECK(t.freed == 1 && t.calls == 0);             \
  } while (0)

#define OBSERVABLE_CREATION_TEST(KIND)                                                                          \
  static void test_create_##KIND(const otelmetrics_provider *p, const otelmetrics_meter *m,                    \
                                 const otelmetrics_meter *shut_down) {                                          \
    otelmetrics_##KIND *inst = NULL;                                                                            \
    const otelmetrics_str name = OTELMETRICS_STR(#KIND), desc = OTELMETRICS_STR(""), unit = OTELMETRICS_STR(""); \
    for (size_t i = 0; i < ARRAY_LEN(BAD_INSTRUMENT_NAMES); i++) {                                              \
      CHECK_CONTEXT(BAD_INSTRUMENT_NAMES[i].label);                                                             \
      CHECK_FAILS_RELEASING(otelmetrics_meter_create_##KIND(m, BAD_INSTRUMENT_NAMES[i].text, desc, unit, tracked_count_call, \
                                                            &t, tracked_release, &inst),                                \
                            BAD_INSTRUMENT_NAMES[i].expected);                                                  \
    }                                                                                                           \
    for (size_t i = 0; i < ARRAY_LEN(BAD_DESCRIPTIONS); i++) {                                                  \
      CHECK_CONTEXT(BAD_DESCRIPTIONS[i].label);                                                                 \
      CHECK_FAILS_RELEASING(otelmetrics_meter_create_##KIND(m, name, BAD_DESCRIPTIONS[i].text, unit, tracked_count_call, &t, \
                                                            tracked_release, &inst),                                    \
                            BAD_DESCRIPTIONS[i].expected);                                                      \
    }                                                                                                           \
    for (size_t i = 0; i < ARRAY_LEN(BAD_UNITS); i++) {                                                         \
      CHECK_CONTEXT(BAD_UNITS[i].label);                                                                        \
      CHECK_FAILS_RELEASING(otelmetrics_meter_create_##KIND(m, name, desc, BAD_UNITS[i].text, tracked_count_call, &t,        \
                                                            tracked_release, &inst),                                    \
                            BAD_UNITS[i].expected);                                                             \
    }                                                                                                           \
    CHECK_CONTEXT(#KIND ": handles");                                                                           \
    CHECK_FAILS_RELEASING(otelmetrics_meter_create_##KIND(NULL, name, desc, unit, tracked_count_call, &t, tracked_release, &inst),   \
                          OTELMETRICS_STATUS_NULL_POINTER);                                                     \
    CHECK_FAILS_RELEASING(otelmetrics_meter_create_##KIND((const otelmetrics_meter *)(const void *)p, name,     \
                                                          desc, unit, tracked_count_call, &t, tracked_release, &inst),               \
                          OTELMETRICS_STATUS_WRONG_HANDLE);                                                     \
    CHECK_FAILS_RELEASING(otelmetrics_meter_create_##KIND(m, name, desc, unit, tracked_count_call, &t, tracked_release, NULL),       \
                          OTELMETRICS_STATUS_NULL_POINTER);                                                     \
    {                                                                                                           \
      /* No callback of its own (multi-instrument callbacks report for it):  \
       * its user data is still released exactly once, at the free. */                                            \
      tracked held = {0, 0};                                                                                    \
      CHECK_OK(otelmetrics_meter_create_##KIND(m, name, desc, unit, NULL, &held, tracked_release, &inst));      \
      otelmetrics_string_free(snapshot_take(p));                                                                \
      CHECK(held.freed == 0 && held.calls == 0);                                                                \
      otelmetrics_##KIND##_free(inst);                                                                          \
      CHECK(held.freed == 1);                                                                                   \
      inst = NULL;                                                                                              \
    }                                                                                                           \
    CHECK_CONTEXT(#KIND ": after shutdown");                                                                    \
    CHECK_FAILS_RELEASING(otelmetrics_meter_create_##KIND(shut_down, name, desc, unit, tracked_count_call, &t,  \
                                                          tracked_release, &inst),                              \
                          OTELMETRICS_STATUS_SHUTDOWN);                                                         \
    CHECK(inst == NULL);                                                                                        \
    /* A valid one, for contrast: its destructor waits for the free. */                                        \
    tracked ok = {0, 0};                                                                                        \
    CHECK_OK(otelmetrics_meter_create_##KIND(m, name, desc, unit, tracked_count_call, &ok, tracked_release, &inst));                 \
    otelmetrics_string_free(snapshot_take(p));                                                                  \
    CHECK(ok.freed == 0 && ok.calls == 1);                                                                      \
    otelmetrics_##KIND##_free(inst);                                                                            \
    CHECK(ok.freed == 1);                                                                                       \
  }

OBSERVABLE_CREATION_TEST(observable_counter_u64)
OBSERVABLE_CREATION_TEST(observable_counter_f64)
OBSERVABLE_CREATION_TEST(observable_up_down_counter_i64)
OBSERVABLE_CREATION_TEST(observable_up_down_counter_f64)
OBSERVABLE_CREATION_TEST(observable_gauge_u64)
OBSERVABLE_CREATION_TEST(observable_gauge_i64)
OBSERVABLE_CREATION_TEST(observable_gauge_f64)

/* What a callback needs to try every refusal from inside. */
typedef struct {
  const otelmetrics_provider *provider;
  const otelmetrics_meter *meter;
  const otelmetrics_counter_u64 *side_counter; /* recording there is allowed */
  const void *self;                            /* the observable instrument */
  int runs;
} callback_context;

static const otelmetrics_attribute FROM_CALLBACK[] = {
    {{"from", 4}, OTELMETRICS_VALUE_STRING, {.string = {"callback", 8}}}};

/* Calls not allowed inside a callback. */
static void check_reentrant_calls_refused(callback_context *ctx) {
  otelmetrics_counter_u64 *c = NULL;
  otelmetrics_callback_registration *reg = NULL;
  char *json = NULL;
  const void *self[1] = {ctx->self};
  CHECK_CONTEXT("reentrant calls");
  CHECK_FAILS(otelmetrics_meter_create_counter_u64(ctx->meter, OTELMETRICS_STR("inside"), OTELMETRICS_STR(""),
                                                   OTELMETRICS_STR(""), &c),
              OTELMETRICS_STATUS_REENTRANT_CALL);
  CHECK_FAILS(otelmetrics_provider_force_flush(ctx->provider, 100), OTELMETRICS_STATUS_REENTRANT_CALL);
  CHECK_FAILS(otelmetrics_provider_shutdown(ctx->provider, 100), OTELMETRICS_STATUS_REENTRANT_CALL);
  CHECK_FAILS(otelmetrics_provider_read_json(ctx->provider, &json, NULL), OTELMETRICS_STATUS_REENTRANT_CALL);
  CHECK_FAILS(otelmetrics_meter_register_callback(ctx->meter, self, 1, tracked_count_call, NULL, NULL, &reg),
              OTELMETRICS_STATUS_REENTRANT_CALL);
  CHECK(c == NULL && reg == NULL && json == NULL);
  /* Recording on a synchronous instrument is allowed. */
  CHECK_OK(otelmetrics_counter_u64_add(ctx->side_counter, 1, FROM_CALLBACK, 1));
}

static void observe_gauge_u64(otelmetrics_observer *o, void *user_data) {
  callback_context *ctx = user_data;
  ctx->runs++;
  CHECK_CONTEXT("observer of a u64 gauge");
  CHECK_FAILS(otelmetrics_observer_observe_i64(o, 1, FROM_CALLBACK, 1), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS(otelmetrics_observer_observe_f64(o, 1.0, FROM_CALLBACK, 1), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS(otelmetrics_observer_observe_u64_for(o, ctx->side_counter, 1, FROM_CALLBACK, 1),
              OTELMETRICS_STATUS_WRONG_HANDLE);
  CHECK_FAILS(otelmetrics_observer_observe_u64(NULL, 1, FROM_CALLBACK, 1), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_observer_observe_u64((otelmetrics_observer *)(void *)(uintptr_t)(const void *)ctx->meter,
                                               1, FROM_CALLBACK, 1),
              OTELMETRICS_STATUS_WRONG_HANDLE);
  CHECK_FAILS(otelmetrics_observer_observe_u64(o, 1, NULL, 1), OTELMETRICS_STATUS_NULL_POINTER);
  for (size_t i = 0; i < ARRAY_LEN(BAD_ATTRIBUTES); i++) {
    CHECK_CONTEXT(BAD_ATTRIBUTES[i].label);
    CHECK_FAILS(otelmetrics_observer_observe_u64(o, 1, BAD_ATTRIBUTES[i].attributes, BAD_ATTRIBUTES[i].count),
                BAD_ATTRIBUTES[i].expected);
  }
  check_reentrant_calls_refused(ctx);
  CHECK_OK(otelmetrics_observer_observe_u64(o, 5, FROM_CALLBACK, 1));
}

static void observe_gauge_f64(otelmetrics_observer *o, void *user_data) {
  callback_context *ctx = user_data;
  ctx->runs++;
  CHECK_CONTEXT("observer of an f64 gauge");
  CHECK_FAILS(otelmetrics_observer_observe_f64(o, NAN, FROM_CALLBACK, 1), OTELMETRICS_STATUS_INVALID_VALUE);
  CHECK_FAILS(otelmetrics_observer_observe_f64(o, INFINITY, FROM_CALLBACK, 1), OTELMETRICS_STATUS_INVALID_VALUE);
  CHECK_FAILS(otelmetrics_observer_observe_f64(o, -INFINITY, FROM_CALLBACK, 1), OTELMETRICS_STATUS_INVALID_VALUE);
  CHECK_FAILS(otelmetrics_observer_observe_u64(o, 1, FROM_CALLBACK, 1), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_OK(otelmetrics_observer_observe_f64(o, -3.5, FROM_CALLBACK, 1));
}

static void observe_counter_f64(otelmetrics_observer *o, void *user_data) {
  callback_context *ctx = user_data;
  ctx->runs++;
  CHECK_CONTEXT("observer of an f64 counter");
  CHECK_FAILS(otelmetrics_observer_observe_f64(o, -1.0, FROM_CALLBACK, 1), OTELMETRICS_STATUS_INVALID_VALUE);
  CHECK_FAILS(otelmetrics_observer_observe_f64(o, NAN, FROM_CALLBACK, 1), OTELMETRICS_STATUS_INVALID_VALUE);
  CHECK_FAILS(otelmetrics_observer_observe_i64(o, 1, FROM_CALLBACK, 1), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_OK(otelmetrics_observer_observe_f64(o, 12.5, FROM_CALLBACK, 1));
}

static void test_observer_refusals(void) {
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "observers");
  otelmetrics_counter_u64 *side = NULL;
  otelmetrics_observable_gauge_u64 *gu = NULL;
  otelmetrics_observable_gauge_f64 *gf = NULL;
  otelmetrics_observable_counter_f64 *cf = NULL;
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("side"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                                &side));
  callback_context ctx_u = {p, m, side, NULL, 0}, ctx_f = ctx_u, ctx_c = ctx_u;
  CHECK_OK(otelmetrics_meter_create_observable_gauge_u64(m, OTELMETRICS_STR("obs.gauge_u64"), OTELMETRICS_STR(""),
                                                         OTELMETRICS_STR(""), observe_gauge_u64, &ctx_u, NULL, &gu));
  ctx_u.self = gu;
  CHECK_OK(otelmetrics_meter_create_observable_gauge_f64(m, OTELMETRICS_STR("obs.gauge_f64"), OTELMETRICS_STR(""),
                                                         OTELMETRICS_STR(""), observe_gauge_f64, &ctx_f, NULL, &gf));
  CHECK_OK(otelmetrics_meter_create_observable_counter_f64(m, OTELMETRICS_STR("obs.counter_f64"), OTELMETRICS_STR(""),
                                                           OTELMETRICS_STR(""), observe_counter_f64, &ctx_c, NULL,
                                                           &cf));
  char *json = snapshot_take(p);
  CHECK_CONTEXT("only the valid observations were reported");
  CHECK(ctx_u.runs == 1 && ctx_f.runs == 1 && ctx_c.runs == 1);
  const char *names[] = {"obs.gauge_u64", "obs.gauge_f64", "obs.counter_f64"};
  for (size_t i = 0; i < ARRAY_LEN(names); i++) {
    char *metric = snapshot_metric(json, names[i]);
    CHECK(metric && snapshot_point_count(metric) == 1);
    free(metric);
  }
  CHECK_POINT(json, "obs.gauge_u64", "from", "callback", "\"asInt\":\"5\"");
  CHECK_POINT(json, "obs.gauge_f64", "from", "callback", "\"asDouble\":-3.5");
  CHECK_POINT(json, "obs.counter_f64", "from", "callback", "\"asDouble\":12.5");
  /* The callback's one allowed recording, collected in the same pass or the next. */
  otelmetrics_string_free(json);
  json = snapshot_take(p);
  CHECK_POINT(json, "side", "from", "callback", "\"asInt\":\"");
  otelmetrics_string_free(json);
  otelmetrics_observable_gauge_u64_free(gu);
  otelmetrics_observable_gauge_f64_free(gf);
  otelmetrics_observable_counter_f64_free(cf);
  otelmetrics_counter_u64_free(side);
  otelmetrics_meter_free(m);
  test_provider_close(p);
}

/* The multi-instrument callback of test_registration_refusals. */
typedef struct {
  const otelmetrics_observable_gauge_i64 *registered;
  const otelmetrics_observable_gauge_i64 *not_registered;
  int runs;
} multi_context;

static void observe_multi(otelmetrics_observer *o, void *user_data) {
  multi_context *ctx = user_data;
  ctx->runs++;
  CHECK_CONTEXT("multi-instrument observer");
  CHECK_FAILS(otelmetrics_observer_observe_i64_for(o, ctx->not_registered, 1, FROM_CALLBACK, 1),
              OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS(otelmetrics_observer_observe_u64_for(o, ctx->registered, 1, FROM_CALLBACK, 1),
              OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS(otelmetrics_observer_observe_f64_for(o, ctx->registered, 1.0, FROM_CALLBACK, 1),
              OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS(otelmetrics_observer_observe_i64_for(o, NULL, 1, FROM_CALLBACK, 1), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_observer_observe_i64(o, 1, FROM_CALLBACK, 1), OTELMETRICS_STATUS_INVALID_ARGUMENT);
  for (size_t i = 0; i < ARRAY_LEN(BAD_ATTRIBUTES); i++) {
    CHECK_CONTEXT(BAD_ATTRIBUTES[i].label);
    CHECK_FAILS(otelmetrics_observer_observe_i64_for(o, ctx->registered, 1, BAD_ATTRIBUTES[i].attributes,
                                                     BAD_ATTRIBUTES[i].count),
                BAD_ATTRIBUTES[i].expected);
  }
  CHECK_OK(otelmetrics_observer_observe_i64_for(o, ctx->registered, -8, FROM_CALLBACK, 1));
}

static void test_registration_refusals(void) {
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "registrations");
  otelmetrics_observable_gauge_i64 *registered = NULL, *other = NULL;
  otelmetrics_counter_u64 *sync = NULL;
  otelmetrics_callback_registration *reg = NULL;
  CHECK_OK(otelmetrics_meter_create_observable_gauge_i64(m, OTELMETRICS_STR("multi.registered"), OTELMETRICS_STR(""),
                                                         OTELMETRICS_STR(""), NULL, NULL, NULL, &registered));
  CHECK_OK(otelmetrics_meter_create_observable_gauge_i64(m, OTELMETRICS_STR("multi.other"), OTELMETRICS_STR(""),
                                                         OTELMETRICS_STR(""), NULL, NULL, NULL, &other));
  CHECK_OK(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("multi.sync"), OTELMETRICS_STR(""),
                                                OTELMETRICS_STR(""), &sync));
  const void *good[] = {registered};
  const void *with_sync[] = {registered, sync};
  const void *with_null[] = {registered, NULL};
  const void *with_meter[] = {m};

  CHECK_CONTEXT("registration refusals");
  CHECK_FAILS_RELEASING(otelmetrics_meter_register_callback(NULL, good, 1, tracked_count_call, &t, tracked_release, &reg),
                        OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS_RELEASING(otelmetrics_meter_register_callback((const otelmetrics_meter *)(const void *)p, good, 1, tracked_count_call,
                                                            &t, tracked_release, &reg),
                        OTELMETRICS_STATUS_WRONG_HANDLE);
  CHECK_FAILS_RELEASING(otelmetrics_meter_register_callback(m, NULL, 2, tracked_count_call, &t, tracked_release, &reg),
                        OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS_RELEASING(otelmetrics_meter_register_callback(m, good, 0, tracked_count_call, &t, tracked_release, &reg),
                        OTELMETRICS_STATUS_INVALID_ARGUMENT);
  CHECK_FAILS_RELEASING(otelmetrics_meter_register_callback(m, with_sync, 2, tracked_count_call, &t, tracked_release, &reg),
                        OTELMETRICS_STATUS_WRONG_HANDLE);
  CHECK_FAILS_RELEASING(otelmetrics_meter_register_callback(m, with_meter, 1, tracked_count_call, &t, tracked_release, &reg),
                        OTELMETRICS_STATUS_WRONG_HANDLE);
  CHECK_FAILS_RELEASING(otelmetrics_meter_register_callback(m, with_null, 2, tracked_count_call, &t, tracked_release, &reg),
                        OTELMETRICS_STATUS_NULL_POINTER);
  /* A NULL callback is refused, and its user data released like on every
   * other failure. */
  CHECK_FAILS_RELEASING(otelmetrics_meter_register_callback(m, good, 1, NULL, &t, tracked_release, &reg),
                        OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS_RELEASING(otelmetrics_meter_register_callback(m, good, 1, tracked_count_call, &t, tracked_release, NULL),
                        OTELMETRICS_STATUS_NULL_POINTER);
  CHECK(reg == NULL);
  CHECK_FAILS(otelmetrics_callback_registration_unregister(NULL), OTELMETRICS_STATUS_NULL_POINTER);
  CHECK_FAILS(otelmetrics_callback_registration_unregister(
                  (const otelmetrics_callback_registration *)(const void *)registered),
              OTELMETRICS_STATUS_WRONG_HANDLE);

  multi_context ctx = {registered, other, 0};
  CHECK_OK(otelmetrics_meter_register_callback(m, good, 1, observe_multi, &ctx, NULL, &reg));
  char *json = snapshot_take(p);
  CHECK_CONTEXT("only the valid multi-instrument observation was reported");
  CHECK(ctx.runs == 1);
  CHECK_POINT(json, "multi.registered", "from", "callback", "\"asInt\":\"-8\"");
  char *metric = snapshot_metric(json, "multi.registered");
  CHECK(snapshot_point_count(metric) == 1);
  free(metric);
  CHECK(snapshot_metric(json, "multi.other") == NULL); /* nothing observed for it */
  otelmetrics_string_free(json);

  otelmetrics_callback_registration_free(reg);
  otelmetrics_observable_gauge_i64_free(registered);
  otelmetrics_observable_gauge_i64_free(other);
  otelmetrics_counter_u64_free(sync);
  otelmetrics_meter_free(m);
  test_provider_close(p);
}

static void test_after_shutdown(void) {
  otelmetrics_provider *p = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "late");
  otelmetrics_observable_gauge_u64 *g = NULL, *late = NULL;
  otelmetrics_callback_registration *reg = NULL;
  tracked live = {0, 0};
  CHECK_OK(otelmetrics_meter_create_observable_gauge_u64(m, OTELMETRICS_STR("late.gauge"), OTELMETRICS_STR(""),
                                                         OTELMETRICS_STR(""), tracked_count_call, &live, tracked_release, &g));
  CHECK_OK(otelmetrics_provider_shutdown(p, 2000));
  int calls_at_shutdown = live.calls;
  const void *instruments[] = {g};
  CHECK_CONTEXT("observables after shutdown");
  CHECK_FAILS_RELEASING(otelmetrics_meter_create_observable_gauge_u64(m, OTELMETRICS_STR("late.new"),
                                                                      OTELMETRICS_STR(""), OTELMETRICS_STR(""), tracked_count_call,
                                                                      &t, tracked_release, &late),
                        OTELMETRICS_STATUS_SHUTDOWN);
  CHECK_FAILS_RELEASING(otelmetrics_meter_register_callback(m, instruments, 1, tracked_count_call, &t, tracked_release, &reg),
                        OTELMETRICS_STATUS_SHUTDOWN);
  char *json = NULL;
  CHECK_FAILS(otelmetrics_provider_read_json(p, &json, NULL), OTELMETRICS_STATUS_SHUTDOWN);
  CHECK_FAILS(otelmetrics_provider_force_flush(p, 100), OTELMETRICS_STATUS_SHUTDOWN);
  CHECK(late == NULL && reg == NULL && json == NULL);
  CHECK(live.calls == calls_at_shutdown && live.freed == 0);
  otelmetrics_observable_gauge_u64_free(g);
  CHECK(live.freed == 1);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(p);
}

int main(void) {
  otelmetrics_provider *p = test_provider_new(NULL), *shut = test_provider_new(NULL);
  otelmetrics_meter *m = test_meter_new(p, "creation"), *shut_m = test_meter_new(shut, "creation");
  CHECK_OK(otelmetrics_provider_shutdown(shut, 2000));
  test_create_observable_counter_u64(p, m, shut_m);
  test_create_observable_counter_f64(p, m, shut_m);
  test_create_observable_up_down_counter_i64(p, m, shut_m);
  test_create_observable_up_down_counter_f64(p, m, shut_m);
  test_create_observable_gauge_u64(p, m, shut_m);
  test_create_observable_gauge_i64(p, m, shut_m);
  test_create_observable_gauge_f64(p, m, shut_m);
  otelmetrics_meter_free(m);
  otelmetrics_meter_free(shut_m);
  otelmetrics_provider_free(shut);
  test_provider_close(p);

  test_observer_refusals();
  test_registration_refusals();
  test_after_shutdown();
  puts("observables: ok");
  return 0;
}
