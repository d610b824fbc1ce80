#include "calc.h"
#include <stdio.h>
int main(void) {
    int64_t a = counted();
    int64_t b = counted();
    printf("%ld %ld %ld %.1f %d %d\n", (long)add(2, 3), (long)a, (long)b, hyp(3, 4), small(7, true), small(7, false));
    fflush(stdout);
    long n = (long)greet("world");
    printf("%ld\n", n);
    return 0;
}
