#include "calc.h"
#include <stdio.h>
int main(void) {
    printf("%ld\n", (long)ratio(10, 2));
    fflush(stdout);
    printf("%ld\n", (long)ratio(1, 0));
    return 0;
}
