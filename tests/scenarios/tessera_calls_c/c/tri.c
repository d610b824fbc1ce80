long triple(long x) { return 3 * x; }
double half(double x) { return x / 2; }
