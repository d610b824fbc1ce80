// The Java twin of collision.tes: the same simulation, class for class and
// floating-point operation for operation, with the same harness output.
import java.util.ArrayList;

public final class Collision {
    static final int BALLS = 600;
    static final int STEPS = 120;
    static final double SIDE = 900.0;
    static final double CELL = 18.0;

    static final class Random {
        long seed = 2024;

        long next() {
            seed = ((seed * 1103515245) + 12345) & 2147483647;
            return seed;
        }

        long below(long n) {
            return (next() >> 8) % n;
        }
    }

    static final class Vector2 {
        final double x;
        final double y;

        Vector2(double x, double y) {
            this.x = x;
            this.y = y;
        }

        Vector2 plus(Vector2 o) {
            return new Vector2(x + o.x, y + o.y);
        }

        Vector2 minus(Vector2 o) {
            return new Vector2(x - o.x, y - o.y);
        }

        Vector2 times(double k) {
            return new Vector2(x * k, y * k);
        }

        double dot(Vector2 o) {
            return x * o.x + y * o.y;
        }

        double lengthSquared() {
            return dot(this);
        }
    }

    static final class Ball {
        final int id;
        final double radius;
        final double mass;
        Vector2 position;
        Vector2 velocity;
        Ball next = null;
        long collisions = 0;

        Ball(int id, double radius, Vector2 position, Vector2 velocity) {
            this.id = id;
            this.radius = radius;
            this.mass = radius * radius;
            this.position = position;
            this.velocity = velocity;
        }

        double kineticEnergy() {
            return 0.5 * mass * velocity.lengthSquared();
        }
    }

    static final class Grid {
        final int columns;
        final Ball[] cells;

        Grid(int columns) {
            this.columns = columns;
            this.cells = new Ball[columns * columns];
        }

        void clear() {
            for (int i = 0; i < cells.length; i++) cells[i] = null;
        }

        int cellOf(Vector2 p) {
            long cx = Math.min(Math.max((long) (p.x / CELL), 0), columns - 1);
            long cy = Math.min(Math.max((long) (p.y / CELL), 0), columns - 1);
            return (int) (cy * columns + cx);
        }

        void insert(Ball b) {
            int k = cellOf(b.position);
            b.next = cells[k];
            cells[k] = b;
        }
    }

    static final class Counters {
        long wallHits = 0;
        long contacts = 0;
        long bounces = 0;
    }

    static final class World {
        final ArrayList<Ball> balls = new ArrayList<>();
        final Grid grid;
        final Counters counters = new Counters();

        World(Random random) {
            grid = new Grid((int) (SIDE / CELL));
            int perRow = 30;
            double spacing = SIDE / (double) perRow;
            for (int i = 0; i < BALLS; i++) {
                int row = i / perRow;
                int column = i % perRow;
                double radius = 3.0 + (double) random.below(60) / 10.0;
                Vector2 position = new Vector2(((double) column + 0.5) * spacing, ((double) row + 0.5) * spacing);
                Vector2 velocity = new Vector2((double) (random.below(2001) - 1000) / 10.0,
                    (double) (random.below(2001) - 1000) / 10.0);
                balls.add(new Ball(i, radius, position, velocity));
            }
        }

        double energy() {
            double e = 0.0;
            for (Ball b : balls) e += b.kineticEnergy();
            return e;
        }

        void step(double dt) {
            for (Ball b : balls) {
                b.position = b.position.plus(b.velocity.times(dt));
                bounceOffWalls(b);
            }
            grid.clear();
            for (Ball b : balls) grid.insert(b);
            int n = grid.columns;
            for (int cy = 0; cy < n; cy++) {
                for (int cx = 0; cx < n; cx++) {
                    Ball cur = grid.cells[cy * n + cx];
                    while (cur != null) {
                        Ball a = cur;
                        collideWithList(a, a.next);
                        if (cx + 1 < n) collideWithList(a, grid.cells[cy * n + cx + 1]);
                        if (cy + 1 < n) {
                            if (cx > 0) collideWithList(a, grid.cells[(cy + 1) * n + cx - 1]);
                            collideWithList(a, grid.cells[(cy + 1) * n + cx]);
                            if (cx + 1 < n) collideWithList(a, grid.cells[(cy + 1) * n + cx + 1]);
                        }
                        cur = a.next;
                    }
                }
            }
        }

        void bounceOffWalls(Ball b) {
            Vector2 p = b.position;
            Vector2 v = b.velocity;
            if ((p.x < b.radius && v.x < 0.0) || (p.x > SIDE - b.radius && v.x > 0.0)) {
                b.velocity = new Vector2(-v.x, v.y);
                counters.wallHits += 1;
            }
            Vector2 w = b.velocity;
            if ((p.y < b.radius && w.y < 0.0) || (p.y > SIDE - b.radius && w.y > 0.0)) {
                b.velocity = new Vector2(w.x, -w.y);
                counters.wallHits += 1;
            }
        }

        void collideWithList(Ball a, Ball list) {
            for (Ball b = list; b != null; b = b.next) collide(a, b);
        }

        void collide(Ball a, Ball b) {
            Vector2 delta = b.position.minus(a.position);
            double reach = a.radius + b.radius;
            double d2 = delta.lengthSquared();
            if (d2 >= reach * reach || d2 == 0.0) return;
            counters.contacts += 1;
            double approach = b.velocity.minus(a.velocity).dot(delta);
            if (approach >= 0.0) return;
            double total = a.mass + b.mass;
            double k = 2.0 * approach / (d2 * total);
            a.velocity = a.velocity.plus(delta.times(k * b.mass));
            b.velocity = b.velocity.minus(delta.times(k * a.mass));
            a.collisions += 1;
            b.collisions += 1;
            counters.bounces += 1;
        }
    }

    static final class Histogram {
        final double width;
        final long[] buckets;

        Histogram(double width, int count) {
            this.width = width;
            this.buckets = new long[count];
        }

        void add(double value) {
            int k = (int) Math.min((long) (value / width), buckets.length - 1);
            buckets[k] += 1;
        }

        long checksum() {
            long sum = 0;
            for (int i = 0; i < buckets.length; i++) sum += (i + 1) * buckets[i];
            return sum;
        }
    }

    static void fail(String message) {
        System.out.println(message);
        System.exit(1);
    }

    static long simulate() {
        World world = new World(new Random());
        double before = world.energy();
        for (int s = 0; s < STEPS; s++) world.step(0.05);
        double after = world.energy();
        if (Math.abs(after - before) > before * 0.000001) fail("energy changed from " + before + " to " + after);
        long positions = 0;
        long most = 0;
        Histogram speeds = new Histogram(10.0, 20);
        for (Ball b : world.balls) {
            speeds.add(Math.sqrt(b.velocity.lengthSquared()));
            if (b.position.x < -10.0 || b.position.x > SIDE + 10.0 || b.position.y < -10.0 || b.position.y > SIDE + 10.0) {
                fail("ball " + b.id + " left the box");
            }
            positions += (long) (b.position.x * 100.0) + 3 * (long) (b.position.y * 100.0);
            most = Math.max(most, b.collisions);
        }
        Counters c = world.counters;
        return positions + 7 * c.wallHits + 11 * c.contacts + 13 * c.bounces + 17 * most + 19 * speeds.checksum();
    }

    static long benchmark(int inner) {
        long result = 0;
        for (int r = 0; r < inner; r++) result = simulate();
        return result;
    }

    public static void main(String[] args) {
        System.out.println("result: " + Harness.run(args, 1, Collision::benchmark));
    }
}
