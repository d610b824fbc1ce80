// The Java counterpart of alloc.tes: the same strings and arrays.
import java.util.ArrayList;

public final class Alloc {
    public static void main(String[] args) {
        ArrayList<String> kept = new ArrayList<>();
        long sum = 0;
        for (int i = 0; i < 2000000; i++) {
            String s = "item-" + i;
            String[] parts = {s, "x", s};
            sum += parts[0].length() + parts.length;
            if (i % 10 == 0) kept.add(s);
        }
        long total = 0;
        for (String s : kept) total += s.length();
        System.out.println(sum);
        System.out.println(total);
    }
}
