/* The thread state of the state-access experiment. */
struct thread {
    void **ss_top;
    void *exc;
};

#if defined(USE_TLS)
extern __thread void **ss_top;
extern __thread void *exc;
#elif defined(USE_GLOBAL)
extern void **ss_top;
extern void *exc;
#endif

struct thread *state_init(void);
long fib(long n, struct thread *t);
