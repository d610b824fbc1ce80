// The Java twin of solver.tes: the same constraint solver, class for class,
// with the same harness output.
import java.util.ArrayList;

public final class Solver {
    static int popcount(long bits) {
        long b = bits;
        int n = 0;
        while (b != 0) {
            b = b & (b - 1);
            n += 1;
        }
        return n;
    }

    static int lowestIndex(long bits) {
        int i = 0;
        while (((bits >> i) & 1) == 0) i += 1;
        return i;
    }

    static int highestIndex(long bits) {
        int i = 62;
        while (((bits >> i) & 1) == 0) i -= 1;
        return i;
    }

    static long rangeBits(long from, long to) {
        long lo = Math.max(from, 0);
        long hi = Math.min(to, 61);
        if (lo > hi) return 0;
        return ((1L << (hi + 1)) - 1) & ~((1L << lo) - 1);
    }

    static long floorDiv(long a, long b) {
        long q = a / b;
        if (a % b != 0 && a < 0) q -= 1;
        return q;
    }

    static long ceilDiv(long a, long b) {
        long q = a / b;
        if (a % b != 0 && a > 0) q += 1;
        return q;
    }

    static final class Variable {
        final String name;
        long bits;
        final ArrayList<Constraint> watchers = new ArrayList<>();

        Variable(String name, long bits) {
            this.name = name;
            this.bits = bits;
        }

        int size() {
            return popcount(bits);
        }

        boolean isAssigned() {
            return (bits & (bits - 1)) == 0;
        }

        int value() {
            return lowestIndex(bits);
        }

        int minValue() {
            return lowestIndex(bits);
        }

        int maxValue() {
            return highestIndex(bits);
        }
    }

    static class Constraint {
        final ArrayList<Variable> vars = new ArrayList<>();
        boolean queued = false;

        void watch(Variable v) {
            vars.add(v);
            v.watchers.add(this);
        }

        boolean propagate(Engine s) {
            return true;
        }
    }

    static final class AllDifferent extends Constraint {
        AllDifferent(ArrayList<Variable> vars) {
            for (Variable v : vars) watch(v);
        }

        @Override
        boolean propagate(Engine s) {
            long assigned = 0;
            for (Variable v : vars) {
                if (v.isAssigned()) {
                    if ((assigned & v.bits) != 0) return false;
                    assigned = assigned | v.bits;
                }
            }
            for (Variable v : vars) {
                if (!v.isAssigned() && (v.bits & assigned) != 0) {
                    if (!s.restrict(v, v.bits & ~assigned)) return false;
                }
            }
            long once = 0;
            long twice = 0;
            for (Variable v : vars) {
                twice = twice | (once & v.bits);
                once = once | v.bits;
            }
            if (popcount(once) < vars.size()) return false;
            long singles = once & ~twice & ~assigned;
            if (singles != 0) {
                for (Variable v : vars) {
                    long m = v.bits & singles;
                    if (m != 0 && m != v.bits) {
                        if ((m & (m - 1)) != 0 || !s.restrict(v, m)) return false;
                    }
                }
            }
            return true;
        }
    }

    static final class NotEqual extends Constraint {
        final Variable x;
        final Variable y;
        final int offset;

        NotEqual(Variable x, Variable y, int offset) {
            this.x = x;
            this.y = y;
            this.offset = offset;
            watch(x);
            watch(y);
        }

        @Override
        boolean propagate(Engine s) {
            if (y.isAssigned()) {
                int v = y.value() + offset;
                if (v >= 0 && v <= 61 && !s.restrict(x, x.bits & ~(1L << v))) return false;
            }
            if (x.isAssigned()) {
                int v = x.value() - offset;
                if (v >= 0 && v <= 61 && !s.restrict(y, y.bits & ~(1L << v))) return false;
            }
            return true;
        }
    }

    static final class LinearEqual extends Constraint {
        final ArrayList<Long> coefficients = new ArrayList<>();

        LinearEqual(ArrayList<Variable> terms, long[] coefficients) {
            for (int i = 0; i < terms.size(); i++) {
                watch(terms.get(i));
                this.coefficients.add(coefficients[i]);
            }
        }

        @Override
        boolean propagate(Engine s) {
            long low = 0;
            long high = 0;
            for (int i = 0; i < vars.size(); i++) {
                long c = coefficients.get(i);
                Variable v = vars.get(i);
                if (c > 0) {
                    low += c * v.minValue();
                    high += c * v.maxValue();
                } else {
                    low += c * v.maxValue();
                    high += c * v.minValue();
                }
            }
            if (low > 0 || high < 0) return false;
            for (int i = 0; i < vars.size(); i++) {
                long c = coefficients.get(i);
                Variable v = vars.get(i);
                long otherLow = low;
                long otherHigh = high;
                if (c > 0) {
                    otherLow -= c * v.minValue();
                    otherHigh -= c * v.maxValue();
                    long bits = v.bits & rangeBits(ceilDiv(-otherHigh, c), floorDiv(-otherLow, c));
                    if (!s.restrict(v, bits)) return false;
                } else {
                    otherLow -= c * v.maxValue();
                    otherHigh -= c * v.minValue();
                    long bits = v.bits & rangeBits(ceilDiv(otherLow, -c), floorDiv(otherHigh, -c));
                    if (!s.restrict(v, bits)) return false;
                }
            }
            return true;
        }
    }

    static class Problem {
        final Engine solver = new Engine();
        long checksum = 0;

        void solutionFound() {}
    }

    /// Solver.tes's `Solver` (the Java class name is taken by the program).
    static final class Engine {
        final ArrayList<Variable> variables = new ArrayList<>();
        final ArrayList<Variable> trailVars = new ArrayList<>();
        final ArrayList<Long> trailBits = new ArrayList<>();
        final ArrayList<Constraint> queue = new ArrayList<>();
        long nodes = 0;
        long solutions = 0;

        Variable variable(String name, long bits) {
            Variable v = new Variable(name, bits);
            variables.add(v);
            return v;
        }

        boolean restrict(Variable v, long bits) {
            if (bits == v.bits) return true;
            if (bits == 0) return false;
            trailVars.add(v);
            trailBits.add(v.bits);
            v.bits = bits;
            for (Constraint c : v.watchers) {
                if (!c.queued) {
                    c.queued = true;
                    queue.add(c);
                }
            }
            return true;
        }

        boolean propagate() {
            while (queue.size() > 0) {
                Constraint c = queue.remove(queue.size() - 1);
                c.queued = false;
                if (!c.propagate(this)) {
                    while (queue.size() > 0) queue.remove(queue.size() - 1).queued = false;
                    return false;
                }
            }
            return true;
        }

        boolean start(ArrayList<Constraint> constraints) {
            for (Constraint c : constraints) {
                if (!c.queued) {
                    c.queued = true;
                    queue.add(c);
                }
            }
            return propagate();
        }

        void undo(int mark) {
            while (trailVars.size() > mark) {
                trailVars.remove(trailVars.size() - 1).bits = trailBits.remove(trailBits.size() - 1);
            }
        }

        void search(Problem problem) {
            nodes += 1;
            Variable best = null;
            int bestSize = 1000;
            for (Variable v : variables) {
                int size = v.size();
                if (size > 1 && size < bestSize) {
                    best = v;
                    bestSize = size;
                }
            }
            if (best == null) {
                solutions += 1;
                problem.solutionFound();
                return;
            }
            long bits = best.bits;
            while (bits != 0) {
                long low = bits & -bits;
                bits -= low;
                int mark = trailVars.size();
                if (restrict(best, low) && propagate()) search(problem);
                undo(mark);
            }
        }
    }

    static final class Sudoku extends Problem {
        final String givens;
        final ArrayList<Variable> cells = new ArrayList<>();
        final ArrayList<Constraint> constraints = new ArrayList<>();

        Sudoku(String givens) {
            this.givens = givens;
            for (int i = 0; i < 81; i++) {
                int c = givens.charAt(i);
                long bits = rangeBits(1, 9);
                if (c >= 49 && c <= 57) bits = 1L << (c - 48);
                cells.add(solver.variable("r" + (i / 9) + "c" + (i % 9), bits));
            }
            for (int k = 0; k < 9; k++) {
                ArrayList<Variable> row = new ArrayList<>();
                ArrayList<Variable> column = new ArrayList<>();
                ArrayList<Variable> box = new ArrayList<>();
                for (int j = 0; j < 9; j++) {
                    row.add(cells.get(k * 9 + j));
                    column.add(cells.get(j * 9 + k));
                    box.add(cells.get((k / 3 * 3 + j / 3) * 9 + k % 3 * 3 + j % 3));
                }
                constraints.add(new AllDifferent(row));
                constraints.add(new AllDifferent(column));
                constraints.add(new AllDifferent(box));
            }
        }

        @Override
        void solutionFound() {
            for (int k = 0; k < 9; k++) {
                long row = 0;
                long column = 0;
                long box = 0;
                for (int j = 0; j < 9; j++) {
                    row = row | cells.get(k * 9 + j).bits;
                    column = column | cells.get(j * 9 + k).bits;
                    box = box | cells.get((k / 3 * 3 + j / 3) * 9 + k % 3 * 3 + j % 3).bits;
                }
                if (row != rangeBits(1, 9) || column != row || box != row) fail("sudoku: unit " + k + " is not 1...9");
            }
            for (int i = 0; i < 81; i++) {
                int c = givens.charAt(i);
                int v = cells.get(i).value();
                if (c >= 49 && c <= 57 && c - 48 != v) fail("sudoku: given " + i + " changed");
                checksum += (long) (i + 1) * v;
            }
        }
    }

    static final class Queens extends Problem {
        final int n;
        final ArrayList<Variable> columns = new ArrayList<>();
        final ArrayList<Constraint> constraints = new ArrayList<>();

        Queens(int n) {
            this.n = n;
            for (int i = 0; i < n; i++) columns.add(solver.variable("q" + i, rangeBits(0, n - 1)));
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    Variable a = columns.get(i);
                    Variable b = columns.get(j);
                    constraints.add(new NotEqual(a, b, 0));
                    constraints.add(new NotEqual(a, b, j - i));
                    constraints.add(new NotEqual(a, b, i - j));
                }
            }
        }

        @Override
        void solutionFound() {
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    int a = columns.get(i).value();
                    int b = columns.get(j).value();
                    if (a == b || Math.abs(a - b) == j - i) fail("queens: " + i + " and " + j + " attack each other");
                }
                checksum += (long) (i + 1) * columns.get(i).value();
            }
        }
    }

    static final class SendMoreMoney extends Problem {
        final ArrayList<Variable> letters = new ArrayList<>();
        final ArrayList<Constraint> constraints = new ArrayList<>();

        SendMoreMoney() {
            String[] names = {"S", "E", "N", "D", "M", "O", "R", "Y"};
            for (String name : names) {
                long low = 0;
                if (name.equals("S") || name.equals("M")) low = 1;
                letters.add(solver.variable(name, rangeBits(low, 9)));
            }
            constraints.add(new AllDifferent(letters));
            constraints.add(new LinearEqual(letters, new long[] {1000, 91, -90, 1, -9000, -900, 10, -1}));
        }

        long number(String word) {
            long n = 0;
            for (int i = 0; i < word.length(); i++) {
                String c = word.substring(i, i + 1);
                for (Variable v : letters) {
                    if (v.name.equals(c)) n = n * 10 + v.value();
                }
            }
            return n;
        }

        @Override
        void solutionFound() {
            long money = number("MONEY");
            if (number("SEND") + number("MORE") != money) fail("send more money: the sum is wrong");
            checksum += money;
        }
    }

    static void fail(String message) {
        System.out.println(message);
        System.exit(1);
    }

    static final String[] PUZZLES = {
        "003020600900305001001806400008102900700000008006708200002609500800203009005010300",
        "200080300060070084030500209000105408000000000402706000301007040720040060004010003",
        "000000907000420180000705026100904000050000040000507009920108000034059000507000000",
        "030050040008010500460000012070502080000603000040109030250000098001020600080060020",
        "400000805030000000000700000020000060000080400000010000000603070500200000104000000",
        "850002400720000009004000000000107002305000900040000000000080070017000000000036040",
    };

    static long solve(Problem p, ArrayList<Constraint> constraints) {
        Engine s = p.solver;
        if (s.start(constraints)) s.search(p);
        return s.solutions * 1000000 + s.nodes;
    }

    static long benchmark(int inner) {
        long result = 0;
        for (int r = 0; r < inner; r++) {
            result = 0;
            for (String givens : PUZZLES) {
                Sudoku sudoku = new Sudoku(givens);
                long found = solve(sudoku, sudoku.constraints);
                if (found / 1000000 != 1) fail("sudoku " + givens + ": " + (found / 1000000) + " solutions");
                result += found + sudoku.checksum;
            }
            Queens queens = new Queens(8);
            long placed = solve(queens, queens.constraints);
            if (placed / 1000000 != 92) fail("8 queens: " + (placed / 1000000) + " solutions");
            result += placed + queens.checksum;
            SendMoreMoney money = new SendMoreMoney();
            long sums = solve(money, money.constraints);
            if (sums / 1000000 != 1 || money.checksum != 10652) {
                fail("send more money: " + (sums / 1000000) + " solutions, " + money.checksum);
            }
            result += sums + money.checksum;
        }
        return result;
    }

    public static void main(String[] args) {
        System.out.println("result: " + Harness.run(args, 1, Solver::benchmark));
    }
}
