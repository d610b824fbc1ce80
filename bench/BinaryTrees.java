// The Java counterpart of binary_trees.tes: the same trees, depth 18.
public final class BinaryTrees {
    static final class Tree {
        final Tree left, right;
        Tree(Tree left, Tree right) { this.left = left; this.right = right; }
        long check() { return left == null ? 1 : 1 + left.check() + right.check(); }
    }

    static Tree bottomUp(int depth) {
        return depth == 0 ? new Tree(null, null) : new Tree(bottomUp(depth - 1), bottomUp(depth - 1));
    }

    public static void main(String[] args) {
        int maxDepth = 18, stretch = maxDepth + 1;
        System.out.println("stretch tree of depth " + stretch + "\t check: " + bottomUp(stretch).check());
        Tree longLived = bottomUp(maxDepth);
        for (int d = 4; d <= maxDepth; d += 2) {
            int iterations = 1 << (maxDepth - d + 4);
            long check = 0;
            for (int i = 0; i < iterations; i++) check += bottomUp(d).check();
            System.out.println(iterations + "\t trees of depth " + d + "\t check: " + check);
        }
        System.out.println("long lived tree of depth " + maxDepth + "\t check: " + longLived.check());
    }
}
