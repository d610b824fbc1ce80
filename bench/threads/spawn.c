/* spawn.tes's C twin: 20,000 pthread_create + pthread_join of an empty
 * function, with the same 8 MiB stacks. */
#include <pthread.h>
#include <stdio.h>

static void *nothing(void *arg) { return arg; }

int main(void) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8 << 20);
    for (int i = 0; i < 20000; i++) {
        pthread_t t;
        pthread_create(&t, &attr, nothing, NULL);
        pthread_join(t, NULL);
    }
    puts("done");
    return 0;
}
