/* Holds a CString argument across a callback into Tessera that collects
 * many times; returns its length if it still reads the same, else -1. */
#include <string.h>
long keep_and_call(const char *s, void (*callback)(void)) {
    char before[64];
    strncpy(before, s, sizeof before - 1);
    before[sizeof before - 1] = 0;
    callback();
    return strcmp(before, s) == 0 ? (long)strlen(s) : -1;
}
