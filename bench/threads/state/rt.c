/* The runtime's side of the state-access experiment (bench/threads/run.py):
 * where a thread's shadow-stack top and pending exception live — process-
 * wide globals (Tessera before threads), ELF thread-locals, or a struct
 * passed around (Tessera's choice). Built as its own shared library, as
 * libtessera_rt.so is. */
#include "state.h"

#if defined(USE_TLS)
__thread void **ss_top;
__thread void *exc;
#elif defined(USE_GLOBAL)
void **ss_top;
void *exc;
#endif

static void *stack[1 << 20];

struct thread *state_init(void) {
    static struct thread t;
    t.ss_top = stack;
#if defined(USE_TLS) || defined(USE_GLOBAL)
    ss_top = stack;
#endif
    return &t;
}
