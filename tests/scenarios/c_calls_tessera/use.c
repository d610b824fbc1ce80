#include "calc.h"
#include <stdio.h>
static int64_t twice(int64_t x) { return 2 * x; }
int main(void) { printf("%ld\n", (long)apply(twice, 21)); return 0; }
