/* Runs the experiment's fib(36) once. */
#include <stdio.h>
#include "state.h"

int main(void) {
    struct thread *t = state_init();
    printf("%ld\n", fib(36, t));
    return 0;
}
