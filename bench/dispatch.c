/* Virtual calls through a per-class table of function pointers, as a C
 * programmer would write dynamic dispatch. */
#include <stdio.h>
struct shape;
struct vtable { double (*area)(const struct shape *); };
struct shape { const struct vtable *vt; double a, b; };
__attribute__((noinline)) static double base_area(const struct shape *s) { (void)s; return 0.0; }
__attribute__((noinline)) static double square_area(const struct shape *s) { return s->a * s->a; }
__attribute__((noinline)) static double rect_area(const struct shape *s) { return s->a * s->b; }
__attribute__((noinline)) static double tri_area(const struct shape *s) { return 0.5 * s->a * s->b; }
static const struct vtable base_vt = {base_area}, square_vt = {square_area}, rect_vt = {rect_area}, tri_vt = {tri_area};
int main(void) {
    struct shape shapes[4] = {{&square_vt, 1.5, 0}, {&rect_vt, 2.0, 3.0}, {&tri_vt, 4.0, 1.0}, {&base_vt, 0, 0}};
    struct shape *volatile arr = shapes;
    double total = 0;
    for (int i = 0; i < 5000000; i++)
        for (int j = 0; j < 4; j++) total += arr[j].vt->area(&arr[j]);
    printf("%.1f\n", total);
    return 0;
}
