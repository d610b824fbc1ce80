// The Java twin of graph.tes: the same generated graph and algorithms,
// class for class, with the same harness output.
import java.util.ArrayList;

public final class Graph {
    static final int NODES = 3000;
    static final long FAR = 1000000000;

    static final class Random {
        long seed = 42;

        long next() {
            seed = ((seed * 1103515245) + 12345) & 2147483647;
            return seed;
        }

        int below(int n) {
            return (int) ((next() >> 8) % n);
        }
    }

    static final class Edge {
        final int id;
        final Node from;
        final Node to;
        final long weight;

        Edge(int id, Node from, Node to, long weight) {
            this.id = id;
            this.from = from;
            this.to = to;
            this.weight = weight;
        }
    }

    static final class Node {
        final int id;
        final ArrayList<Edge> edges = new ArrayList<>();
        long distance = 0;
        long level = 0;
        int index = -1;
        int lowlink = 0;
        boolean onStack = false;
        int component = -1;
        int colour = 0;

        Node(int id) {
            this.id = id;
        }
    }

    static final class Network {
        final ArrayList<Node> nodes = new ArrayList<>();
        final ArrayList<Edge> edges = new ArrayList<>();

        Network(int n, Random random) {
            for (int i = 0; i < n; i++) nodes.add(new Node(i));
            for (int i = 0; i < n; i++) {
                int out = 1 + random.below(4);
                for (int k = 0; k < out; k++) {
                    int j = (i + 1 + random.below(8)) % n;
                    if (random.below(10) == 0) j = random.below(n);
                    addEdge(nodes.get(i), nodes.get(j), 1 + random.below(100));
                }
            }
        }

        void addEdge(Node from, Node to, long weight) {
            Edge e = new Edge(edges.size(), from, to, weight);
            edges.add(e);
            from.edges.add(e);
        }
    }

    static final class NodeHeap {
        final ArrayList<Long> keys = new ArrayList<>();
        final ArrayList<Node> items = new ArrayList<>();
        long lastKey = 0;

        boolean isEmpty() {
            return keys.size() == 0;
        }

        void push(long key, Node item) {
            keys.add(key);
            items.add(item);
            int i = keys.size() - 1;
            while (i > 0) {
                int parent = (i - 1) / 2;
                if (keys.get(parent) <= key) break;
                keys.set(i, keys.get(parent));
                items.set(i, items.get(parent));
                i = parent;
            }
            keys.set(i, key);
            items.set(i, item);
        }

        Node pop() {
            Node top = items.get(0);
            lastKey = keys.get(0);
            long key = keys.remove(keys.size() - 1);
            Node item = items.remove(items.size() - 1);
            int n = keys.size();
            if (n > 0) {
                int i = 0;
                while (true) {
                    int child = 2 * i + 1;
                    if (child >= n) break;
                    if (child + 1 < n && keys.get(child + 1) < keys.get(child)) child += 1;
                    if (key <= keys.get(child)) break;
                    keys.set(i, keys.get(child));
                    items.set(i, items.get(child));
                    i = child;
                }
                keys.set(i, key);
                items.set(i, item);
            }
            return top;
        }
    }

    static long dijkstra(Network g, Node source) {
        for (Node n : g.nodes) n.distance = FAR;
        source.distance = 0;
        NodeHeap heap = new NodeHeap();
        heap.push(0, source);
        while (!heap.isEmpty()) {
            Node n = heap.pop();
            if (heap.lastKey > n.distance) continue;
            for (Edge e : n.edges) {
                long d = n.distance + e.weight;
                if (d < e.to.distance) {
                    e.to.distance = d;
                    heap.push(d, e.to);
                }
            }
        }
        long sum = 0;
        for (Edge e : g.edges) {
            if (e.from.distance < FAR && e.from.distance + e.weight < e.to.distance) {
                fail("dijkstra: edge " + e.id + " is not relaxed");
            }
        }
        for (Node n : g.nodes) {
            if (n.distance < FAR) sum += n.distance;
        }
        return sum;
    }

    static long bfs(Network g, Node source) {
        for (Node n : g.nodes) n.level = -1;
        ArrayList<Node> queue = new ArrayList<>();
        queue.add(source);
        source.level = 0;
        int head = 0;
        long sum = 0;
        while (head < queue.size()) {
            Node n = queue.get(head);
            head += 1;
            sum += n.level;
            for (Edge e : n.edges) {
                if (e.to.level < 0) {
                    e.to.level = n.level + 1;
                    queue.add(e.to);
                }
            }
        }
        return sum;
    }

    static final class Tarjan {
        final ArrayList<Node> stack = new ArrayList<>();
        int counter = 0;
        long components = 0;
        long largest = 0;

        void run(Network g) {
            for (Node n : g.nodes) {
                n.index = -1;
                n.onStack = false;
            }
            for (Node n : g.nodes) {
                if (n.index < 0) visit(n);
            }
        }

        void visit(Node v) {
            v.index = counter;
            v.lowlink = counter;
            counter += 1;
            stack.add(v);
            v.onStack = true;
            for (Edge e : v.edges) {
                Node w = e.to;
                if (w.index < 0) {
                    visit(w);
                    v.lowlink = Math.min(v.lowlink, w.lowlink);
                } else if (w.onStack) {
                    v.lowlink = Math.min(v.lowlink, w.index);
                }
            }
            if (v.lowlink == v.index) {
                long size = 0;
                while (true) {
                    Node w = stack.remove(stack.size() - 1);
                    w.onStack = false;
                    w.component = (int) components;
                    size += 1;
                    if (w == v) break;
                }
                components += 1;
                largest = Math.max(largest, size);
            }
        }
    }

    static final class LoopFinder {
        long backEdges = 0;

        long run(Network g) {
            for (Node n : g.nodes) n.colour = 0;
            for (Node n : g.nodes) {
                if (n.colour == 0) visit(n);
            }
            return backEdges;
        }

        void visit(Node v) {
            v.colour = 1;
            for (Edge e : v.edges) {
                if (e.to.colour == 0) {
                    visit(e.to);
                } else if (e.to.colour == 1) {
                    backEdges += 1;
                }
            }
            v.colour = 2;
        }
    }

    static final class UnionFind {
        final long[] parent;
        final long[] rank;

        UnionFind(int n) {
            parent = new long[n];
            rank = new long[n];
            for (int i = 0; i < n; i++) parent[i] = i;
        }

        int find(int x) {
            int i = x;
            while (parent[i] != i) {
                parent[i] = parent[(int) parent[i]];
                i = (int) parent[i];
            }
            return i;
        }

        boolean union(int a, int b) {
            int ra = find(a);
            int rb = find(b);
            if (ra == rb) return false;
            if (rank[ra] < rank[rb]) {
                parent[ra] = rb;
            } else if (rank[ra] > rank[rb]) {
                parent[rb] = ra;
            } else {
                parent[rb] = ra;
                rank[ra] += 1;
            }
            return true;
        }
    }

    static long kruskal(Network g) {
        ArrayList<Edge> sorted = new ArrayList<>(g.edges);
        sorted.sort((a, b) -> compareEdges(a, b));
        UnionFind sets = new UnionFind(g.nodes.size());
        long weight = 0;
        long count = 0;
        for (Edge e : sorted) {
            if (sets.union(e.from.id, e.to.id)) {
                weight += e.weight;
                count += 1;
            }
        }
        if (count >= g.nodes.size() || count == 0) fail("kruskal: " + count + " edges");
        return weight * 1000 + count;
    }

    static int compareEdges(Edge a, Edge b) {
        if (a.weight != b.weight) return (int) (a.weight - b.weight);
        return a.id - b.id;
    }

    static void fail(String message) {
        System.out.println(message);
        System.exit(1);
    }

    static long benchmark(int inner) {
        long result = 0;
        for (int r = 0; r < inner; r++) {
            Network g = new Network(NODES, new Random());
            Node source = g.nodes.get(0);
            long distances = dijkstra(g, source);
            long levels = bfs(g, source);
            Tarjan tarjan = new Tarjan();
            tarjan.run(g);
            for (Edge e : g.edges) {
                if (e.from.component < e.to.component) fail("tarjan: edge " + e.id + " goes to a later component");
            }
            long loops = new LoopFinder().run(g);
            long forest = kruskal(g);
            result = distances + 7 * levels + 11 * tarjan.components + 13 * tarjan.largest + 17 * loops + forest;
        }
        return result;
    }

    public static void main(String[] args) {
        System.out.println("result: " + Harness.run(args, 1, Graph::benchmark));
    }
}
