/* A C library reporting errors the Tessera way (MODULES.md §5). */
#include <stdlib.h>
#include "tessera.h"

long parse_pos(const char *text, tess_error **err) {
    char *end;
    long v = strtol(text, &end, 10);
    if (*text == 0 || *end != 0) {
        *err = tess_error_new("ParseError", "not a number");
        return 0;
    }
    if (v <= 0) {
        *err = tess_error_new("RangeTrouble", "not positive");
        return 0;
    }
    return v;
}
