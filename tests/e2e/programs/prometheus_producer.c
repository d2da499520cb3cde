/*
 * A program Prometheus scrapes directly, for the end-to-end tests.
 *
 * `serve`: builds a provider from the environment (the test sets
 * OTEL_METRICS_EXPORTER=prometheus and OTEL_EXPORTER_PROMETHEUS_PORT=0),
 * records the fixed workload below, prints "ready <port>..." (every pull
 * reader's port, in the order of the readers), then waits for a line on
 * stdin ("quit") and prints the shutdown status.
 *
 * `fork`: like `serve`, then forks; the parent shuts its provider down and
 * prints "down" while the child lives on (until "quit"): nothing may answer
 * on the port any more, the child having closed its inherited copy.
 *
 * `collide`: like `serve`, with the workload below instead, every input that
 * once made the exposition invalid or ambiguous:
 *   meter "lib" 1 with scope attributes name=x version=y schema_url=z team=a
 *     (the first three would duplicate otel_scope_* labels):
 *       scoped        counter u64      += 3
 *   meter "one" (each defect on a meter of its own, so that each test fails alone):
 *       tagged        counter u64      += 4 with point attribute otel.scope.name=point
 *       cache.hits    counter u64 "first help"   += 1 (k=same), += 10 (k=dot)
 *       cache_hits    counter u64 "second help"  += 2 (k=same), += 20 (k=under)
 *       jobs          counter u64      += 5
 *   meter "two": jobs gauge i64 = 9
 *     (one family name, two types: the gauge is dropped)
 *
 * `bind HOST PORT`: builds a provider whose endpoint is HOST:PORT and prints
 * "<STATUS> <message>" (the test holds the port to see the build refused).
 *
 * The workload (the test's expectations are written from this list):
 *   fruit.sold       counter u64 {fruit}  apple/red += 1, 2, 3; banana/yellow += 5;
 *                                         name=`a "quoted" \ value` += 1
 *   energy.used      counter f64 J        += 1.5, 2.25
 *   account.balance  up-down i64 {USD}    += 100, -30
 *   queue.load       up-down f64          += 2.5, -1.0
 *   room.offset      gauge i64            = -7
 *   cpu.utilization  gauge f64 1          = 0.25
 *   disk.free        gauge u64 By         = 1024
 *   http.server.duration  histogram f64 s, advisory bounds 0.1 0.5 1 5:
 *                         0.05 x10, 0.3 x20, 0.7 x50, 3 x20
 *   payload.size     histogram u64 By     100, 2000
 *   bytes.read       observable counter u64 By   4096
 *   room.temperature observable gauge f64 Cel    kitchen 21.5, garage -3.25
 *   queue.depth      observable up-down i64      12
 * all on meter "e2e.prom" version "2.0".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "otelmetrics.h"
#include "producer_common.h"


static void queue_depth(otelmetrics_observer *o, void *data) {
  (void)data;
  otelmetrics_observer_observe_i64(o, 12, NULL, 0);
}

static void record_workload(otelmetrics_meter *m) {
  otelmetrics_counter_u64 *fruit;
  TRY(otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("fruit.sold"), OTELMETRICS_STR("Fruit sold, by name and color"), OTELMETRICS_STR("{fruit}"), &fruit));
  otelmetrics_attribute apple[] = {otelmetrics_attr_string("name", "apple"), otelmetrics_attr_string("color", "red")};
  otelmetrics_attribute banana[] = {otelmetrics_attr_string("name", "banana"), otelmetrics_attr_string("color", "yellow")};
  otelmetrics_attribute odd[] = {otelmetrics_attr_string("name", "a \"quoted\" \\ value")};
  for (uint64_t n = 1; n <= 3; n++) TRY(otelmetrics_counter_u64_add(fruit, n, apple, 2));
  TRY(otelmetrics_counter_u64_add(fruit, 5, banana, 2));
  TRY(otelmetrics_counter_u64_add(fruit, 1, odd, 1));

  otelmetrics_counter_f64 *energy;
  TRY(otelmetrics_meter_create_counter_f64(m, OTELMETRICS_STR("energy.used"), OTELMETRICS_STR(""), OTELMETRICS_STR("J"), &energy));
  TRY(otelmetrics_counter_f64_add(energy, 1.5, NULL, 0));
  TRY(otelmetrics_counter_f64_add(energy, 2.25, NULL, 0));

  otelmetrics_up_down_counter_i64 *balance;
  TRY(otelmetrics_meter_create_up_down_counter_i64(m, OTELMETRICS_STR("account.balance"), OTELMETRICS_STR(""), OTELMETRICS_STR("{USD}"), &balance));
  TRY(otelmetrics_up_down_counter_i64_add(balance, 100, NULL, 0));
  TRY(otelmetrics_up_down_counter_i64_add(balance, -30, NULL, 0));

  otelmetrics_up_down_counter_f64 *load;
  TRY(otelmetrics_meter_create_up_down_counter_f64(m, OTELMETRICS_STR("queue.load"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &load));
  TRY(otelmetrics_up_down_counter_f64_add(load, 2.5, NULL, 0));
  TRY(otelmetrics_up_down_counter_f64_add(load, -1.0, NULL, 0));

  otelmetrics_gauge_i64 *offset;
  TRY(otelmetrics_meter_create_gauge_i64(m, OTELMETRICS_STR("room.offset"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &offset));
  TRY(otelmetrics_gauge_i64_record(offset, -7, NULL, 0));
  otelmetrics_gauge_f64 *cpu;
  TRY(otelmetrics_meter_create_gauge_f64(m, OTELMETRICS_STR("cpu.utilization"), OTELMETRICS_STR(""), OTELMETRICS_STR("1"), &cpu));
  TRY(otelmetrics_gauge_f64_record(cpu, 0.25, NULL, 0));
  otelmetrics_gauge_u64 *disk;
  TRY(otelmetrics_meter_create_gauge_u64(m, OTELMETRICS_STR("disk.free"), OTELMETRICS_STR(""), OTELMETRICS_STR("By"), &disk));
  TRY(otelmetrics_gauge_u64_record(disk, 1024, NULL, 0));

  const double bounds[] = {0.1, 0.5, 1, 5};
  otelmetrics_histogram_f64 *duration;
  TRY(otelmetrics_meter_create_histogram_f64(m, OTELMETRICS_STR("http.server.duration"), OTELMETRICS_STR("Request latency"), OTELMETRICS_STR("s"), bounds, 4, &duration));
  const struct {
    double value;
    int times;
  } latencies[] = {{0.05, 10}, {0.3, 20}, {0.7, 50}, {3, 20}};
  for (size_t i = 0; i < sizeof latencies / sizeof latencies[0]; i++) {
    for (int t = 0; t < latencies[i].times; t++) TRY(otelmetrics_histogram_f64_record(duration, latencies[i].value, NULL, 0));
  }
  otelmetrics_histogram_u64 *payload;
  TRY(otelmetrics_meter_create_histogram_u64(m, OTELMETRICS_STR("payload.size"), OTELMETRICS_STR(""), OTELMETRICS_STR("By"), NULL, 0, &payload));
  TRY(otelmetrics_histogram_u64_record(payload, 100, NULL, 0));
  TRY(otelmetrics_histogram_u64_record(payload, 2000, NULL, 0));

  otelmetrics_observable_counter_u64 *bytes;
  TRY(otelmetrics_meter_create_observable_counter_u64(m, OTELMETRICS_STR("bytes.read"), OTELMETRICS_STR(""), OTELMETRICS_STR("By"),
                                                      bytes_read, NULL, NULL, &bytes));
  otelmetrics_observable_gauge_f64 *temp;
  TRY(otelmetrics_meter_create_observable_gauge_f64(m, OTELMETRICS_STR("room.temperature"), OTELMETRICS_STR(""), OTELMETRICS_STR("Cel"),
                                                    temperature, NULL, NULL, &temp));
  otelmetrics_observable_up_down_counter_i64 *depth;
  TRY(otelmetrics_meter_create_observable_up_down_counter_i64(m, OTELMETRICS_STR("queue.depth"), OTELMETRICS_STR(""), OTELMETRICS_STR(""),
                                                              queue_depth, NULL, NULL, &depth));
  /* The instruments stay alive until the provider shuts down; the program
   * exits right after, so their handles are not freed here. */
}

static void record_collisions(otelmetrics_provider *provider) {
  otelmetrics_meter *lib = NULL, *one = NULL, *two = NULL;
  otelmetrics_attribute scope[] = {otelmetrics_attr_string("name", "x"), otelmetrics_attr_string("version", "y"),
                                   otelmetrics_attr_string("schema_url", "z"), otelmetrics_attr_string("team", "a")};
  TRY(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("lib"), OTELMETRICS_STR("1"), OTELMETRICS_STR(""), scope, 4, &lib));
  otelmetrics_counter_u64 *scoped, *tagged, *dotted, *underscored, *jobs;
  TRY(otelmetrics_meter_create_counter_u64(lib, OTELMETRICS_STR("scoped"), OTELMETRICS_STR("h"), OTELMETRICS_STR(""), &scoped));
  TRY(otelmetrics_counter_u64_add(scoped, 3, NULL, 0));
  TRY(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("one"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), NULL, 0, &one));
  TRY(otelmetrics_meter_create_counter_u64(one, OTELMETRICS_STR("tagged"), OTELMETRICS_STR("h"), OTELMETRICS_STR(""), &tagged));
  otelmetrics_attribute point = otelmetrics_attr_string("otel.scope.name", "point");
  TRY(otelmetrics_counter_u64_add(tagged, 4, &point, 1));
  otelmetrics_attribute same = otelmetrics_attr_string("k", "same");
  otelmetrics_attribute dot = otelmetrics_attr_string("k", "dot");
  otelmetrics_attribute under = otelmetrics_attr_string("k", "under");
  TRY(otelmetrics_meter_create_counter_u64(one, OTELMETRICS_STR("cache.hits"), OTELMETRICS_STR("first help"), OTELMETRICS_STR(""), &dotted));
  TRY(otelmetrics_counter_u64_add(dotted, 1, &same, 1));
  TRY(otelmetrics_counter_u64_add(dotted, 10, &dot, 1));
  TRY(otelmetrics_meter_create_counter_u64(one, OTELMETRICS_STR("cache_hits"), OTELMETRICS_STR("second help"), OTELMETRICS_STR(""), &underscored));
  TRY(otelmetrics_counter_u64_add(underscored, 2, &same, 1));
  TRY(otelmetrics_counter_u64_add(underscored, 20, &under, 1));
  TRY(otelmetrics_meter_create_counter_u64(one, OTELMETRICS_STR("jobs"), OTELMETRICS_STR("h"), OTELMETRICS_STR(""), &jobs));
  TRY(otelmetrics_counter_u64_add(jobs, 5, NULL, 0));
  TRY(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("two"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), NULL, 0, &two));
  otelmetrics_gauge_i64 *jobs_gauge;
  TRY(otelmetrics_meter_create_gauge_i64(two, OTELMETRICS_STR("jobs"), OTELMETRICS_STR("h"), OTELMETRICS_STR(""), &jobs_gauge));
  TRY(otelmetrics_gauge_i64_record(jobs_gauge, 9, NULL, 0));
}

/* "ready" and every pull reader's port, in the order of the readers (asked
 * for the number first); the first must be the single-port call's. */
static void print_ready(const otelmetrics_provider *provider) {
  uint16_t first = 0, *ports;
  size_t count = 0;
  TRY(otelmetrics_provider_prometheus_port(provider, &first));
  TRY(otelmetrics_provider_prometheus_ports(provider, NULL, 0, &count));
  ports = calloc(count ? count : 1, sizeof *ports);
  if (ports == NULL) exit(1);
  TRY(otelmetrics_provider_prometheus_ports(provider, ports, count, &count));
  if (count == 0 || ports[0] != first) {
    fprintf(stderr, "%zu ports, the first %u; the single-port call's %u\n", count, (unsigned)ports[0],
            (unsigned)first);
    exit(1);
  }
  printf("ready");
  for (size_t i = 0; i < count; i++) printf(" %u", (unsigned)ports[i]);
  printf("\n");
  fflush(stdout);
  free(ports);
}

static int serve(int collisions) {
  otelmetrics_provider *provider = NULL;
  otelmetrics_meter *meter = NULL;
  TRY(otelmetrics_provider_new_from_env(&provider));
  if (collisions) {
    record_collisions(provider);
  } else {
    TRY(otelmetrics_provider_get_meter(provider, OTELMETRICS_STR("e2e.prom"), OTELMETRICS_STR("2.0"), OTELMETRICS_STR(""), NULL, 0, &meter));
    record_workload(meter);
  }
  print_ready(provider);
  char line[64];
  while (fgets(line, sizeof line, stdin) && strncmp(line, "quit", 4) != 0) {
  }
  printf("shutdown %s\n", otelmetrics_status_name(otelmetrics_provider_shutdown(provider, 5000)));
  return 0;
}

static int fork_and_shut_down(void) {
  otelmetrics_provider *provider = NULL;
  TRY(otelmetrics_provider_new_from_env(&provider));
  uint16_t port = 0;
  TRY(otelmetrics_provider_prometheus_port(provider, &port));
  int hold[2];
  if (pipe(hold) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    char c;
    close(hold[1]);
    while (read(hold[0], &c, 1) > 0) {
    } /* until the parent closes its end */
    _exit(0);
  }
  close(hold[0]);
  printf("ready %u\n", (unsigned)port);
  printf("down %s\n", otelmetrics_status_name(otelmetrics_provider_shutdown(provider, 5000)));
  fflush(stdout);
  char line[64];
  while (fgets(line, sizeof line, stdin) && strncmp(line, "quit", 4) != 0) {
  }
  close(hold[1]);
  waitpid(child, NULL, 0);
  return 0;
}

static int bind_to(const char *host, int port) {
  otelmetrics_provider_builder *b = NULL;
  TRY(otelmetrics_provider_builder_new(&b));
  TRY(otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_PROMETHEUS));
  TRY(otelmetrics_provider_builder_set_prometheus_endpoint(b, otelmetrics_str_from_cstr(host), (uint16_t)port));
  otelmetrics_provider *provider = NULL;
  otelmetrics_status s = otelmetrics_provider_builder_build(b, &provider);
  printf("%s %s\n", otelmetrics_status_name(s), s == OTELMETRICS_STATUS_OK ? "" : otelmetrics_last_error_message(NULL));
  otelmetrics_provider_builder_free(b);
  if (provider) {
    otelmetrics_provider_shutdown(provider, 1000);
    otelmetrics_provider_free(provider);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "serve") == 0) return serve(0);
  if (argc >= 2 && strcmp(argv[1], "collide") == 0) return serve(1);
  if (argc >= 2 && strcmp(argv[1], "fork") == 0) return fork_and_shut_down();
  if (argc >= 4 && strcmp(argv[1], "bind") == 0) return bind_to(argv[2], atoi(argv[3]));
  fprintf(stderr, "usage: %s serve | collide | fork | bind HOST PORT\n", argv[0]);
  return 2;
}
