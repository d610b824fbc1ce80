#include <math.h>
#include <stdio.h>
#include <stdlib.h>
static double a(long i, long j) { return 1.0 / (double)((i + j) * (i + j + 1) / 2 + i + 1); }
static void av(int n, const double *v, double *out) {
    for (int i = 0; i < n; i++) { double s = 0; for (int j = 0; j < n; j++) s += a(i, j) * v[j]; out[i] = s; }
}
static void atv(int n, const double *v, double *out) {
    for (int i = 0; i < n; i++) { double s = 0; for (int j = 0; j < n; j++) s += a(j, i) * v[j]; out[i] = s; }
}
static void atav(int n, const double *v, double *out, double *tmp) { av(n, v, tmp); atv(n, tmp, out); }
int main(void) {
    int n = 2000;
    double *u = malloc(n * sizeof *u), *v = malloc(n * sizeof *v), *tmp = malloc(n * sizeof *tmp);
    for (int i = 0; i < n; i++) u[i] = 1.0;
    for (int i = 0; i < 10; i++) { atav(n, u, v, tmp); atav(n, v, u, tmp); }
    double vbv = 0, vv = 0;
    for (int i = 0; i < n; i++) { vbv += u[i] * v[i]; vv += v[i] * v[i]; }
    printf("%.9f\n", sqrt(vbv / vv));
    return 0;
}
