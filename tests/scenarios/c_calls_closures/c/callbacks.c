/* C calling Tessera closures it was handed as handles (MODULES.md §12):
   through tess_closure_code, on the calling Tessera thread. */
#include <stdint.h>
#include <stdio.h>
#include "tessera.h"

typedef int64_t (*int_fn)(void *value, int64_t x, void *thread);

static char last[200];

/* What the last failure said ("Class: message"). */
const char *last_message(void) {
    return last;
}

static void keep(tess_error *err) {
    snprintf(last, sizeof last, "%s: %s", tess_error_class(err), tess_error_message(err));
    tess_error_free(err);
}

/* The closure behind `h` called on 1..n, its results summed; -1 when a
   call throws, -2 when `h` is not a live handle. */
int64_t sum_over(void *h, int64_t n) {
    void *value = NULL;
    tess_error *err = NULL;
    int_fn code = (int_fn)tess_closure_code(h, &value, &err);
    if (code == NULL) {
        keep(err);
        return -2;
    }
    void *thread = tess_thread_state();
    int64_t total = 0;
    for (int64_t i = 1; i <= n; i++) {
        total += code(value, i, thread);
        tess_error_out(&err);
        if (err != NULL) {
            keep(err);
            return -1;
        }
    }
    return total;
}
