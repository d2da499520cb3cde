/*
 * Lengths no object can have, at every entry point that takes a
 * (pointer, length) pair: strings, attribute arrays, array attribute
 * values of 1-, 8- and 16-byte elements, histogram boundaries, view key
 * lists, callback instrument lists. A C caller's arithmetic bug makes them
 * (`n - 1` with `n == 0` is SIZE_MAX). Each must be refused with
 * INVALID_ARGUMENT and a message saying why, before anything is read.
 *
 * Every pointer handed over is a real buffer holding one valid element and
 * ending right before an unmapped page, so reading one element too many
 * crashes (the kernel confirms the page is unmapped). Each entry point is
 * called in its own forked child, so a crash names the entry point instead
 * of ending the program; a control passes the same edge buffers with
 * honest lengths and must be accepted.
 *
 * The lengths tried for an element of s bytes: SIZE_MAX and
 * PTRDIFF_MAX / s + 1 (the smallest length whose byte size exceeds
 * PTRDIFF_MAX).
 *
 * Usage: absurd_lengths [WORK_DIR]
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "snapshot.h"

/* The library's message for such a length (see ffi/attributes.rs). */
#define ABSURD_MESSAGE "which no object can have"

#define CHECK_ABSURD(expr)                                                 \
  do {                                                                     \
    CHECK_FAILS(expr, OTELMETRICS_STATUS_INVALID_ARGUMENT);                \
    CHECK(strstr(check_last_error(), ABSURD_MESSAGE) != NULL);             \
  } while (0)

/* `bytes` bytes of writable memory followed by an unmapped page. The
 * kernel confirms the page after them is unmapped (mincore fails with
 * ENOMEM), so any read past them faults; checked without reading it, which
 * ASan and valgrind would report. */
static void *before_unmapped_page(size_t bytes) {
  long page = sysconf(_SC_PAGESIZE);
  CHECK(page > 0 && bytes <= (size_t)page);
  char *two = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(two != MAP_FAILED);
  CHECK(munmap(two + page, (size_t)page) == 0);
  unsigned char resident;
  CHECK(mincore(two, (size_t)page, &resident) == 0);
  errno = 0;
  CHECK(mincore(two + page, (size_t)page, &resident) == -1 && errno == ENOMEM);
  return two + page - bytes;
}

/* A string of one byte, "x", right before an unmapped page. */
static otelmetrics_str edge_string(size_t len) {
  char *x = before_unmapped_page(1);
  *x = 'x';
  otelmetrics_str s = {x, len};
  return s;
}

/* A copy of `a` right before an unmapped page. */
static otelmetrics_attribute *edge_attribute(otelmetrics_attribute a) {
  otelmetrics_attribute *at = before_unmapped_page(sizeof a);
  *at = a;
  return at;
}

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The k-th (0 or 1) absurd length for elements of `size` bytes. */
static size_t absurd_length(size_t size, size_t k) { return k == 0 ? SIZE_MAX : (size_t)PTRDIFF_MAX / size + 1; }

/* Runs the statement after it once with `n` set to each absurd length. */
#define FOR_EACH_LENGTH(n, size) for (size_t n##_k = 0, n = 0; n##_k < 2 && ((n = absurd_length((size), n##_k)), 1); n##_k++)

/* What every case may use: a provider with the in-memory reader, a meter. */
typedef struct {
  otelmetrics_provider *provider;
  otelmetrics_meter *meter;
} fixture;

typedef void (*case_fn)(fixture *fx);

static int failures = 0;

/* Runs `body` in a forked child with a fresh fixture; a failed check or a
 * crash there is reported with `label`. */
static void run_case(const char *label, case_fn body) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    CHECK_CONTEXT(label);
    fixture fx;
    fx.provider = test_provider_new(NULL);
    fx.meter = test_meter_new(fx.provider, "absurd");
    body(&fx);
    otelmetrics_meter_free(fx.meter);
    test_provider_close(fx.provider);
    exit(0);
  }
  int st = 0;
  CHECK(waitpid(pid, &st, 0) == pid);
  if (WIFSIGNALED(st)) {
    fprintf(stderr, "absurd_lengths: [%s] the child died of signal %d\n", label, WTERMSIG(st));
    failures++;
  } else if (WEXITSTATUS(st) != 0) {
    fprintf(stderr, "absurd_lengths: [%s] the child exited with %d\n", label, WEXITSTATUS(st));
    failures++;
  }
}

/* ---- positive controls ------------------------------------------------ */

/* The same edge buffers with honest lengths are accepted. */
static void control_honest_lengths_are_accepted(fixture *fx) {
  otelmetrics_attributes *set = NULL;
  otelmetrics_attribute a = otelmetrics_attr_int64("k", 1);
  a.key = edge_string(1);
  CHECK_OK(otelmetrics_attributes_new(edge_attribute(a), 1, &set));
  otelmetrics_attributes_free(set);
  double *bound = before_unmapped_page(sizeof *bound);
  *bound = 1.0;
  otelmetrics_histogram_f64 *h = NULL;
  CHECK_OK(otelmetrics_meter_create_histogram_f64(fx->meter, edge_string(1), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                                  bound, 1, &h));
  otelmetrics_histogram_f64_free(h);
}

/* ---- attributes --------------------------------------------------------- */

/* An attribute of `type` whose array (one element, at a page edge) has
 * length `len`. */
static otelmetrics_attribute array_attribute(otelmetrics_value_type type, size_t element_size, size_t len) {
  void *element = before_unmapped_page(element_size);
  memset(element, 0, element_size);
  if (type == OTELMETRICS_VALUE_STRING_ARRAY) *(otelmetrics_str *)element = OTELMETRICS_STR("e");
  otelmetrics_attribute a;
  memset(&a, 0, sizeof a);
  a.key = OTELMETRICS_STR("k");
  a.value_type = type;
  a.value.array.ptr = element;
  a.value.array.len = len;
  return a;
}

/* Every kind of absurd attribute list, each as a one-attribute array at a
 * page edge, plus the array of attributes itself with an absurd count. */
typedef otelmetrics_status (*attribute_taker)(fixture *fx, const otelmetrics_attribute *attrs, size_t count);

static void check_attribute_lists(fixture *fx, attribute_taker take) {
  otelmetrics_attribute valid = otelmetrics_attr_int64("k", 1);
  FOR_EACH_LENGTH(n, sizeof(otelmetrics_attribute)) CHECK_ABSURD(take(fx, edge_attribute(valid), n));
  FOR_EACH_LENGTH(n, 1) {
    otelmetrics_attribute a = valid;
    a.key = edge_string(n);
    CHECK_ABSURD(take(fx, edge_attribute(a), 1));
    a.value_type = 0x77; /* an unknown tag: its message quotes the key */
    CHECK_ABSURD(take(fx, edge_attribute(a), 1));
    a = otelmetrics_attr_string("k", "v");
    a.value.string = edge_string(n);
    CHECK_ABSURD(take(fx, edge_attribute(a), 1));
    CHECK_ABSURD(take(fx, edge_attribute(array_attribute(OTELMETRICS_VALUE_BOOL_ARRAY, 1, n)), 1));
  }
  FOR_EACH_LENGTH(n, 8) {
    CHECK_ABSURD(take(fx, edge_attribute(array_attribute(OTELMETRICS_VALUE_INT64_ARRAY, 8, n)), 1));
    CHECK_ABSURD(take(fx, edge_attribute(array_attribute(OTELMETRICS_VALUE_DOUBLE_ARRAY, 8, n)), 1));
  }
  FOR_EACH_LENGTH(n, sizeof(otelmetrics_str)) {
    CHECK_ABSURD(take(fx, edge_attribute(array_attribute(OTELMETRICS_VALUE_STRING_ARRAY, sizeof(otelmetrics_str), n)), 1));
  }
  FOR_EACH_LENGTH(n, 1) {
    otelmetrics_attribute a = array_attribute(OTELMETRICS_VALUE_STRING_ARRAY, sizeof(otelmetrics_str), 1);
    ((otelmetrics_str *)a.value.array.ptr)->len = n; /* the element's own length */
    ((otelmetrics_str *)a.value.array.ptr)->ptr = edge_string(1).ptr;
    CHECK_ABSURD(take(fx, edge_attribute(a), 1));
  }
}

static otelmetrics_status take_set(fixture *fx, const otelmetrics_attribute *attrs, size_t count) {
  (void)fx;
  otelmetrics_attributes *set = NULL;
  otelmetrics_status s = otelmetrics_attributes_new(attrs, count, &set);
  CHECK(set == NULL);
  return s;
}

static otelmetrics_status take_meter(fixture *fx, const otelmetrics_attribute *attrs, size_t count) {
  otelmetrics_meter *m = NULL;
  otelmetrics_status s =
      otelmetrics_provider_get_meter(fx->provider, OTELMETRICS_STR("m"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), attrs, count, &m);
  CHECK(m == NULL);
  return s;
}

static otelmetrics_status take_resource(fixture *fx, const otelmetrics_attribute *attrs, size_t count) {
  (void)fx;
  otelmetrics_provider_builder *b = NULL;
  CHECK_OK(otelmetrics_provider_builder_new(&b));
  otelmetrics_status s = otelmetrics_provider_builder_add_resource_attributes(b, attrs, count);
  otelmetrics_provider_builder_free(b);
  return s;
}

/* The nine record functions, through one taker each. */
#define RECORD_TAKER(name, verb, value)                                                                       \
  static otelmetrics_status take_##name(fixture *fx, const otelmetrics_attribute *attrs, size_t count) {     \
    otelmetrics_##name *i = NULL;                                                                             \
    CHECK_OK(otelmetrics_meter_create_##name(fx->meter, OTELMETRICS_STR(#name), OTELMETRICS_STR(""),         \
                                             OTELMETRICS_STR(""), &i));                                       \
    otelmetrics_status s = otelmetrics_##name##_##verb(i, value, attrs, count);                               \
    otelmetrics_##name##_free(i);                                                                             \
    return s;                                                                                                 \
  }
#define HISTOGRAM_TAKER(name, value)                                                                          \
  static otelmetrics_status take_##name(fixture *fx, const otelmetrics_attribute *attrs, size_t count) {     \
    otelmetrics_##name *i = NULL;                                                                             \
    CHECK_OK(otelmetrics_meter_create_##name(fx->meter, OTELMETRICS_STR(#name), OTELMETRICS_STR(""),         \
                                             OTELMETRICS_STR(""), NULL, 0, &i));                              \
    otelmetrics_status s = otelmetrics_##name##_record(i, value, attrs, count);                               \
    otelmetrics_##name##_free(i);                                                                             \
    return s;                                                                                                 \
  }
RECORD_TAKER(counter_u64, add, 1)
RECORD_TAKER(counter_f64, add, 1.0)
RECORD_TAKER(up_down_counter_i64, add, -1)
RECORD_TAKER(up_down_counter_f64, add, -1.0)
RECORD_TAKER(gauge_u64, record, 1)
RECORD_TAKER(gauge_i64, record, -1)
RECORD_TAKER(gauge_f64, record, 1.5)
HISTOGRAM_TAKER(histogram_u64, 1)
HISTOGRAM_TAKER(histogram_f64, 1.5)

/* The six observe functions, called from a callback during read_json; the
 * callback checks each call itself. */
typedef struct {
  int mode;                   /* 0: observe_*, 1: observe_*_for */
  const void *self;
  int calls;
} observe_probe;

static observe_probe probe;
static const otelmetrics_attribute *probe_attrs;
static size_t probe_count;
static otelmetrics_status probe_status[6];

static void observe_all(otelmetrics_observer *o, void *user_data) {
  (void)user_data;
  probe.calls++;
  if (probe.mode == 0) {
    probe_status[0] = otelmetrics_observer_observe_u64(o, 1, probe_attrs, probe_count);
    probe_status[1] = otelmetrics_observer_observe_i64(o, 1, probe_attrs, probe_count);
    probe_status[2] = otelmetrics_observer_observe_f64(o, 1.0, probe_attrs, probe_count);
  } else {
    probe_status[3] = otelmetrics_observer_observe_u64_for(o, probe.self, 1, probe_attrs, probe_count);
    probe_status[4] = otelmetrics_observer_observe_i64_for(o, probe.self, 1, probe_attrs, probe_count);
    probe_status[5] = otelmetrics_observer_observe_f64_for(o, probe.self, 1.0, probe_attrs, probe_count);
  }
}

static otelmetrics_status take_observer(fixture *fx, const otelmetrics_attribute *attrs, size_t count) {
  otelmetrics_observable_gauge_u64 *g = NULL;
  otelmetrics_callback_registration *reg = NULL;
  probe_attrs = attrs;
  probe_count = count;
  for (int mode = 0; mode < 2; mode++) {
    probe.mode = mode;
    probe.calls = 0;
    CHECK_OK(otelmetrics_meter_create_observable_gauge_u64(fx->meter, OTELMETRICS_STR("g"), OTELMETRICS_STR(""),
                                                           OTELMETRICS_STR(""), mode == 0 ? observe_all : NULL, NULL,
                                                           NULL, &g));
    probe.self = g;
    if (mode == 1) {
      const void *list[] = {g};
      CHECK_OK(otelmetrics_meter_register_callback(fx->meter, list, 1, observe_all, NULL, NULL, &reg));
    }
    otelmetrics_string_free(snapshot_take(fx->provider));
    CHECK(probe.calls == 1);
    if (reg) {
      otelmetrics_callback_registration_free(reg);
      reg = NULL;
    }
    otelmetrics_observable_gauge_u64_free(g);
  }
  /* All six calls failed alike; report the first for CHECK_ABSURD (the
   * message is per thread, and the callback ran on this one). */
  for (int i = 1; i < 6; i++) CHECK(probe_status[i] == probe_status[0]);
  return probe_status[0];
}

static void case_attributes_new(fixture *fx) { check_attribute_lists(fx, take_set); }
static void case_get_meter_attributes(fixture *fx) { check_attribute_lists(fx, take_meter); }
static void case_resource_attributes(fixture *fx) { check_attribute_lists(fx, take_resource); }
static void case_observe(fixture *fx) { check_attribute_lists(fx, take_observer); }
#define RECORD_CASE(name) \
  static void case_##name(fixture *fx) { check_attribute_lists(fx, take_##name); }
RECORD_CASE(counter_u64)
RECORD_CASE(counter_f64)
RECORD_CASE(up_down_counter_i64)
RECORD_CASE(up_down_counter_f64)
RECORD_CASE(gauge_u64)
RECORD_CASE(gauge_i64)
RECORD_CASE(gauge_f64)
RECORD_CASE(histogram_u64)
RECORD_CASE(histogram_f64)

/* ---- strings ------------------------------------------------------------ */

/* Calls `check(fx, which, s)` for each string argument position `which`
 * with an absurd string; every other string argument is valid. */
#define STR_OK OTELMETRICS_STR("ok")
#define PICK(which, pos, bad) ((which) == (pos) ? (bad) : STR_OK)

static void case_instrument_strings(fixture *fx) {
  FOR_EACH_LENGTH(n, 1) {
    for (int w = 0; w < 3; w++) {
      otelmetrics_str bad = edge_string(n);
      otelmetrics_str name = w == 0 ? bad : OTELMETRICS_STR("ok"), desc = PICK(w, 1, bad), unit = PICK(w, 2, bad);
      otelmetrics_counter_u64 *c = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_counter_u64(fx->meter, name, desc, unit, &c));
      otelmetrics_counter_f64 *cf = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_counter_f64(fx->meter, name, desc, unit, &cf));
      otelmetrics_up_down_counter_i64 *u = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_up_down_counter_i64(fx->meter, name, desc, unit, &u));
      otelmetrics_up_down_counter_f64 *uf = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_up_down_counter_f64(fx->meter, name, desc, unit, &uf));
      otelmetrics_histogram_u64 *h = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_histogram_u64(fx->meter, name, desc, unit, NULL, 0, &h));
      otelmetrics_histogram_f64 *hf = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_histogram_f64(fx->meter, name, desc, unit, NULL, 0, &hf));
      otelmetrics_gauge_u64 *g = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_gauge_u64(fx->meter, name, desc, unit, &g));
      otelmetrics_gauge_i64 *gi = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_gauge_i64(fx->meter, name, desc, unit, &gi));
      otelmetrics_gauge_f64 *gf = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_gauge_f64(fx->meter, name, desc, unit, &gf));
      otelmetrics_observable_counter_u64 *oc = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_observable_counter_u64(fx->meter, name, desc, unit, NULL, NULL, NULL, &oc));
      otelmetrics_observable_counter_f64 *ocf = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_observable_counter_f64(fx->meter, name, desc, unit, NULL, NULL, NULL, &ocf));
      otelmetrics_observable_up_down_counter_i64 *ou = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_observable_up_down_counter_i64(fx->meter, name, desc, unit, NULL, NULL, NULL, &ou));
      otelmetrics_observable_up_down_counter_f64 *ouf = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_observable_up_down_counter_f64(fx->meter, name, desc, unit, NULL, NULL, NULL, &ouf));
      otelmetrics_observable_gauge_u64 *og = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_observable_gauge_u64(fx->meter, name, desc, unit, NULL, NULL, NULL, &og));
      otelmetrics_observable_gauge_i64 *ogi = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_observable_gauge_i64(fx->meter, name, desc, unit, NULL, NULL, NULL, &ogi));
      otelmetrics_observable_gauge_f64 *ogf = NULL;
      CHECK_ABSURD(otelmetrics_meter_create_observable_gauge_f64(fx->meter, name, desc, unit, NULL, NULL, NULL, &ogf));
      CHECK(!c && !cf && !u && !uf && !h && !hf && !g && !gi && !gf && !oc && !ocf && !ou && !ouf && !og && !ogi && !ogf);
    }
  }
}

static void case_meter_strings(fixture *fx) {
  FOR_EACH_LENGTH(n, 1) {
    for (int w = 0; w < 3; w++) {
      otelmetrics_str bad = edge_string(n);
      otelmetrics_meter *m = NULL;
      CHECK_ABSURD(otelmetrics_provider_get_meter(fx->provider, PICK(w, 0, bad), PICK(w, 1, bad), PICK(w, 2, bad), NULL,
                                                  0, &m));
      CHECK(m == NULL);
    }
  }
}

static void case_builder_strings(fixture *fx) {
  (void)fx;
  otelmetrics_provider_builder *b = NULL;
  CHECK_OK(otelmetrics_provider_builder_new(&b));
  FOR_EACH_LENGTH(n, 1) {
    otelmetrics_str bad = edge_string(n);
    CHECK_ABSURD(otelmetrics_provider_builder_set_service_name(b, bad));
    CHECK_ABSURD(otelmetrics_provider_builder_set_otlp_endpoint(b, bad));
    CHECK_ABSURD(otelmetrics_provider_builder_add_otlp_header(b, bad, STR_OK));
    CHECK_ABSURD(otelmetrics_provider_builder_add_otlp_header(b, STR_OK, bad));
    CHECK_ABSURD(otelmetrics_provider_builder_set_otlp_certificate_file(b, bad));
    CHECK_ABSURD(otelmetrics_provider_builder_set_otlp_client_certificate_file(b, bad));
    CHECK_ABSURD(otelmetrics_provider_builder_set_otlp_client_key_file(b, bad));
    CHECK_ABSURD(otelmetrics_provider_builder_set_console_path(b, bad));
    CHECK_ABSURD(otelmetrics_provider_builder_set_prometheus_endpoint(b, bad, 9464));
  }
  otelmetrics_provider_builder_free(b);
}

static void case_view_strings_and_lists(fixture *fx) {
  (void)fx;
  otelmetrics_view *v = NULL;
  CHECK_OK(otelmetrics_view_new(&v));
  FOR_EACH_LENGTH(n, 1) {
    otelmetrics_str bad = edge_string(n);
    CHECK_ABSURD(otelmetrics_view_select_instrument_name(v, bad));
    CHECK_ABSURD(otelmetrics_view_select_unit(v, bad));
    CHECK_ABSURD(otelmetrics_view_select_meter(v, bad, STR_OK));
    CHECK_ABSURD(otelmetrics_view_select_meter(v, STR_OK, bad));
    CHECK_ABSURD(otelmetrics_view_set_name(v, bad));
    CHECK_ABSURD(otelmetrics_view_set_description(v, bad));
    otelmetrics_str *key = before_unmapped_page(sizeof *key);
    *key = bad; /* a key list of one key with an absurd length */
    CHECK_ABSURD(otelmetrics_view_allow_attribute_keys(v, key, 1));
    CHECK_ABSURD(otelmetrics_view_deny_attribute_keys(v, key, 1));
  }
  FOR_EACH_LENGTH(n, sizeof(otelmetrics_str)) {
    otelmetrics_str *key = before_unmapped_page(sizeof *key);
    *key = STR_OK;
    CHECK_ABSURD(otelmetrics_view_allow_attribute_keys(v, key, n));
    CHECK_ABSURD(otelmetrics_view_deny_attribute_keys(v, key, n));
  }
  FOR_EACH_LENGTH(n, sizeof(double)) {
    double *bound = before_unmapped_page(sizeof *bound);
    *bound = 1.0;
    CHECK_ABSURD(otelmetrics_view_set_aggregation_explicit_buckets(v, bound, n, true));
  }
  otelmetrics_view_free(v);
}

/* ---- other arrays ------------------------------------------------------- */

static void case_histogram_boundaries(fixture *fx) {
  FOR_EACH_LENGTH(n, sizeof(double)) {
    double *bound = before_unmapped_page(sizeof *bound);
    *bound = 1.0;
    otelmetrics_histogram_u64 *h = NULL;
    CHECK_ABSURD(otelmetrics_meter_create_histogram_u64(fx->meter, STR_OK, STR_OK, STR_OK, bound, n, &h));
    otelmetrics_histogram_f64 *hf = NULL;
    CHECK_ABSURD(otelmetrics_meter_create_histogram_f64(fx->meter, STR_OK, STR_OK, STR_OK, bound, n, &hf));
    CHECK(h == NULL && hf == NULL);
  }
}

static void case_callback_instrument_list(fixture *fx) {
  otelmetrics_observable_gauge_f64 *g = NULL;
  CHECK_OK(otelmetrics_meter_create_observable_gauge_f64(fx->meter, STR_OK, STR_OK, STR_OK, NULL, NULL, NULL, &g));
  FOR_EACH_LENGTH(n, sizeof(void *)) {
    const void **list = before_unmapped_page(sizeof *list);
    *list = g;
    otelmetrics_callback_registration *reg = NULL;
    CHECK_ABSURD(otelmetrics_meter_register_callback(fx->meter, list, n, observe_all, NULL, NULL, &reg));
    CHECK(reg == NULL);
  }
  otelmetrics_observable_gauge_f64_free(g);
}

int main(void) {
  struct {
    const char *label;
    case_fn body;
  } cases[] = {
      {"otelmetrics_attributes_new", case_attributes_new},
      {"otelmetrics_provider_get_meter attributes", case_get_meter_attributes},
      {"otelmetrics_provider_builder_add_resource_attributes", case_resource_attributes},
      {"otelmetrics_observer_observe_* and _for", case_observe},
      {"otelmetrics_counter_u64_add", case_counter_u64},
      {"otelmetrics_counter_f64_add", case_counter_f64},
      {"otelmetrics_up_down_counter_i64_add", case_up_down_counter_i64},
      {"otelmetrics_up_down_counter_f64_add", case_up_down_counter_f64},
      {"otelmetrics_gauge_u64_record", case_gauge_u64},
      {"otelmetrics_gauge_i64_record", case_gauge_i64},
      {"otelmetrics_gauge_f64_record", case_gauge_f64},
      {"otelmetrics_histogram_u64_record", case_histogram_u64},
      {"otelmetrics_histogram_f64_record", case_histogram_f64},
      {"instrument names, descriptions, units", case_instrument_strings},
      {"meter name, version, schema URL", case_meter_strings},
      {"builder strings", case_builder_strings},
      {"view strings, key lists, buckets", case_view_strings_and_lists},
      {"histogram boundaries", case_histogram_boundaries},
      {"callback instrument list", case_callback_instrument_list},
      {"control: honest lengths at a page edge", control_honest_lengths_are_accepted},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) run_case(cases[i].label, cases[i].body);

  CHECK_CONTEXT("summary");
  CHECK(failures == 0);
  printf("absurd_lengths: ok\n");
  return 0;
}
