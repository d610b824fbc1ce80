/* A Tessera function's frame protocol written in C, in a shared library
 * (a module built with `--shared`): each call reserves a shadow-stack slot,
 * and after each call that may throw tests the pending exception. Where
 * the state lives is the experiment: -DUSE_GLOBAL (a global reached through
 * the GOT), -DUSE_TLS with -ftls-model=global-dynamic (ELF TLS across
 * shared libraries: a __tls_get_addr call per function) or initial-exec,
 * or neither (the state passed as an argument). */
#include "state.h"

#if defined(USE_TLS) || defined(USE_GLOBAL)
#define TOP ss_top
#define EXC exc
#else
#define TOP t->ss_top
#define EXC t->exc
#endif

__attribute__((noipa)) long fib(long n, struct thread *t) {
    void **base = TOP;
    TOP = base + 1;
    base[0] = 0;
    if (n < 2) {
        TOP = base;
        return n;
    }
    long a = fib(n - 1, t);
    if (EXC) {
        TOP = base;
        return 0;
    }
    long b = fib(n - 2, t);
    if (EXC) {
        TOP = base;
        return 0;
    }
    TOP = base;
    return a + b;
}
