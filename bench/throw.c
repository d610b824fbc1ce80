/* The C counterpart of throw.tes: setjmp/longjmp carries the error two
 * calls up, and the error object is allocated as Tessera's is. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
static jmp_buf *handler;
struct error { const char *message; };
__attribute__((noinline)) static long lookup(long i) {
    if (i % 2 == 0) { struct error *e = malloc(sizeof *e); e->message = "miss"; free(e); longjmp(*handler, 1); }
    return i;
}
__attribute__((noinline)) static long step(long i) { return lookup(i) + 1; }
int main(void) {
    long hits = 0, misses = 0;
    for (long i = 0; i < 1000000; i++) {
        jmp_buf env;
        handler = &env;
        if (setjmp(env) == 0) hits += step(i); else misses++;
    }
    printf("%ld\n%ld\n", hits, misses);
    return 0;
}
