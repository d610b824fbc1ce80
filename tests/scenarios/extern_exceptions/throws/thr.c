#include "calc.h"
#include <stdio.h>
int main(void) {
    tess_error *err = NULL;
    int64_t q = safeDiv(10, 2, &err);
    printf("%ld %s\n", (long)q, err ? "error" : "ok");
    q = safeDiv(1, 0, &err);
    if (err) {
        printf("%s: %s\n", tess_error_class(err), tess_error_message(err));
        tess_error_free(err);
    }
    return 0;
}
