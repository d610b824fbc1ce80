/* Compiles against tessera.h and links the runtime's C API. */
#include "tessera.h"
#include <stdio.h>
int main(void) {
    const char *(*message)(const tess_error *) = tess_error_message;
    printf("%s\n", message ? "linked" : "missing");
    return 0;
}
