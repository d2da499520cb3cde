/*
 * Deliberately wrong: leaks one block of its own and one attribute set of
 * the library. test_c_programs.py runs it under valgrind and ASan to prove
 * those runs can fail (the checkers are active, and see into the library's
 * allocations), so that their passing on the real programs means something.
 */
#include <stdio.h>
#include <stdlib.h>

#include "otelmetrics.h"

int main(void) {
  otelmetrics_attribute a = otelmetrics_attr_int64("k", 1);
  otelmetrics_attributes *set = NULL;
  char *block = malloc(64);
  if (!block || otelmetrics_attributes_new(&a, 1, &set) != OTELMETRICS_STATUS_OK) return 2;
  block[0] = 'x';
  printf("leaks_on_purpose: leaking %c\n", block[0]);
  block = NULL; /* both are lost from here */
  set = NULL;
  return 0;
}
