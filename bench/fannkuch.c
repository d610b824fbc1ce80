#include <stdio.h>
int main(void) {
    enum { n = 10 };
    long perm[n], perm1[n], count[n];
    long maxFlips = 0, checksum = 0, permCount = 0, r = n;
    for (long i = 0; i < n; i++) perm1[i] = i;
    for (;;) {
        while (r != 1) { count[r - 1] = r; r--; }
        for (long i = 0; i < n; i++) perm[i] = perm1[i];
        long flips = 0, k;
        while ((k = perm[0]) != 0) {
            for (long i = 0, j = k; i < j; i++, j--) { long t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
            flips++;
        }
        if (flips > maxFlips) maxFlips = flips;
        checksum += permCount % 2 == 0 ? flips : -flips;
        for (;;) {
            if (r == n) { printf("%ld\nPfannkuchen(%d) = %ld\n", checksum, n, maxFlips); return 0; }
            long perm0 = perm1[0];
            for (long i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            if (--count[r] > 0) break;
            r++;
        }
        permCount++;
    }
}
