/* The C counterpart of alloc.tes: the same strings and arrays with
 * malloc/free (short-lived ones freed at once, kept ones at the end). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    size_t nkept = 0, cap = 16;
    char **kept = malloc(cap * sizeof *kept);
    long sum = 0;
    for (long i = 0; i < 2000000; i++) {
        char buf[32];
        int len = snprintf(buf, sizeof buf, "item-%ld", i);
        char *s = malloc(len + 1);
        memcpy(s, buf, len + 1);
        char **parts = malloc(3 * sizeof *parts);
        parts[0] = s; parts[1] = "x"; parts[2] = s;
        sum += (long)strlen(parts[0]) + 3;
        if (i % 10 == 0) {
            if (nkept == cap) kept = realloc(kept, (cap *= 2) * sizeof *kept);
            kept[nkept++] = s;
        } else {
            free(s);
        }
        free(parts);
    }
    long total = 0;
    for (size_t i = 0; i < nkept; i++) { total += (long)strlen(kept[i]); free(kept[i]); }
    free(kept);
    printf("%ld\n%ld\n", sum, total);
    return 0;
}
