#include "util.h"
#include <stdio.h>

int main(void) {
    printf("%ld\n", (long)util_add(40, 2));
    return 0;
}
