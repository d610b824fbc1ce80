/* binary-trees with malloc/free and one static leaf shared by every tree,
   depth 18. */
#include <stdio.h>
#include <stdlib.h>
struct tree { struct tree *left, *right; };
static struct tree leaf;
static struct tree *bottom_up(int depth) {
    if (depth == 0) return &leaf;
    struct tree *t = malloc(sizeof *t);
    t->left = bottom_up(depth - 1);
    t->right = bottom_up(depth - 1);
    return t;
}
static long check(const struct tree *t) { return t->left ? 1 + check(t->left) + check(t->right) : 1; }
static void release(struct tree *t) { if (t != &leaf) { release(t->left); release(t->right); free(t); } }
int main(void) {
    int max_depth = 18, stretch = max_depth + 1;
    struct tree *s = bottom_up(stretch);
    printf("stretch tree of depth %d\t check: %ld\n", stretch, check(s));
    release(s);
    struct tree *long_lived = bottom_up(max_depth);
    for (int d = 4; d <= max_depth; d += 2) {
        long iterations = 1L << (max_depth - d + 4), c = 0;
        for (long i = 0; i < iterations; i++) { struct tree *t = bottom_up(d); c += check(t); release(t); }
        printf("%ld\t trees of depth %d\t check: %ld\n", iterations, d, c);
    }
    printf("long lived tree of depth %d\t check: %ld\n", max_depth, check(long_lived));
    release(long_lived);
    return 0;
}
