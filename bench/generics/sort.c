/* The twin of sort.tes: qsort with a comparison function. */
#include <stdio.h>
#include <stdlib.h>
static int cmp(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}
int main(void) {
    long n = 1000000, *xs = malloc(n * sizeof(long)), s = 12345;
    for (long i = 0; i < n; i++) {
        s = (s * 1103515245 + 12345) % 2147483648L;
        xs[i] = s;
    }
    qsort(xs, n, sizeof(long), cmp);
    printf("%ld %ld %ld\n", xs[0], xs[500000], xs[999999]);
    return 0;
}
