/* Two C threads (pthreads) call a Tessera `export extern fn` at once: each
 * gets its own Tessera state on its first call (MODULES.md §6), so each
 * sees its own copy of the module's variables. */
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include "counter.h"

static void *run(void *arg) {
    int64_t last = 0;
    for (int i = 0; i < 1000; i++)
        last = bump((int64_t)(intptr_t)arg);
    return (void *)(intptr_t)last;
}

int main(void) {
    pthread_t a, b;
    pthread_create(&a, NULL, run, (void *)(intptr_t)1);
    pthread_create(&b, NULL, run, (void *)(intptr_t)2);
    void *ra, *rb;
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    printf("%ld %ld %ld\n", (long)(intptr_t)ra, (long)(intptr_t)rb, (long)bump(0));
    printf("%ld\n", (long)everyone());
    return 0;
}
