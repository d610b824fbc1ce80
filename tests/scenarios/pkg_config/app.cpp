#include "calc.h"
#include <stdio.h>
int main(void) {
    tess_error *err = NULL;
    printf("%ld\n", (long)add(40, 2));
    safeDiv(1, 0, &err);
    if (err) {
        printf("%s: %s\n", tess_error_class(err), tess_error_message(err));
        tess_error_free(err);
    }
    return 0;
}
