// The Java twin of json.tes: the same generated document, parser, walk and
// writer, class for class, with the same harness output. Text is built with
// java.lang.StringBuilder, as a Java programmer would.
import java.util.ArrayList;
import java.util.HashMap;

public final class Json {
    static final int RECORDS = 1500;

    static final class Random {
        long seed = 74755;

        long next() {
            seed = ((seed * 1309) + 13849) & 65535;
            return seed;
        }

        long below(long n) {
            return next() % n;
        }
    }

    static final class ParseError extends RuntimeException {
        ParseError(String message) {
            super(message);
        }
    }

    abstract static class JsonValue {
        abstract void write(StringBuilder out);
    }

    static final class JsonObject extends JsonValue {
        final ArrayList<String> names = new ArrayList<>();
        final ArrayList<JsonValue> values = new ArrayList<>();
        final HashMap<String, Integer> index = new HashMap<>();

        void add(String name, JsonValue value) {
            index.put(name, values.size());
            names.add(name);
            values.add(value);
        }

        JsonValue get(String name) {
            Integer i = index.get(name);
            return i == null ? null : values.get(i);
        }

        void write(StringBuilder out) {
            out.append("{");
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) out.append(",");
                writeString(names.get(i), out);
                out.append(":");
                values.get(i).write(out);
            }
            out.append("}");
        }
    }

    static final class JsonArray extends JsonValue {
        final ArrayList<JsonValue> values = new ArrayList<>();

        void add(JsonValue value) {
            values.add(value);
        }

        void write(StringBuilder out) {
            out.append("[");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) out.append(",");
                values.get(i).write(out);
            }
            out.append("]");
        }
    }

    static final class JsonString extends JsonValue {
        final String value;

        JsonString(String value) {
            this.value = value;
        }

        void write(StringBuilder out) {
            writeString(value, out);
        }
    }

    static final class JsonNumber extends JsonValue {
        final String text;

        JsonNumber(String text) {
            this.text = text;
        }

        boolean isInteger() {
            return !text.contains(".") && !text.contains("e");
        }

        void write(StringBuilder out) {
            out.append(text);
        }
    }

    static final class JsonLiteral extends JsonValue {
        final String text;

        JsonLiteral(String text) {
            this.text = text;
        }

        void write(StringBuilder out) {
            out.append(text);
        }
    }

    static void writeString(String s, StringBuilder out) {
        out.append("\"");
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String escape = "";
            if (c == 34) {
                escape = "\\\"";
            } else if (c == 92) {
                escape = "\\\\";
            } else if (c == 10) {
                escape = "\\n";
            } else if (c == 9) {
                escape = "\\t";
            }
            if (escape.length() > 0) {
                out.append(s, start, i);
                out.append(escape);
                start = i + 1;
            }
        }
        out.append(s, start, s.length());
        out.append("\"");
    }

    static final class Parser {
        final String text;
        int pos = 0;

        Parser(String text) {
            this.text = text;
        }

        JsonValue parse() {
            JsonValue v = parseValue();
            skipWhitespace();
            if (pos != text.length()) throw error("end of input");
            return v;
        }

        ParseError error(String expected) {
            return new ParseError("expected " + expected + " at " + pos);
        }

        int peek() {
            if (pos < text.length()) return text.charAt(pos);
            return -1;
        }

        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != 32 && c != 9 && c != 10 && c != 13) return;
                pos += 1;
            }
        }

        void expect(int c, String what) {
            skipWhitespace();
            if (peek() != c) throw error(what);
            pos += 1;
        }

        JsonValue parseValue() {
            skipWhitespace();
            switch (peek()) {
                case 123: return parseObject();
                case 91: return parseArray();
                case 34: return new JsonString(parseString());
                case 116: return parseLiteral("true");
                case 102: return parseLiteral("false");
                case 110: return parseLiteral("null");
                default: return parseNumber();
            }
        }

        JsonObject parseObject() {
            pos += 1;
            JsonObject object = new JsonObject();
            skipWhitespace();
            if (peek() == 125) {
                pos += 1;
                return object;
            }
            while (true) {
                skipWhitespace();
                if (peek() != 34) throw error("a name");
                String name = parseString();
                expect(58, "':'");
                object.add(name, parseValue());
                skipWhitespace();
                if (peek() == 44) {
                    pos += 1;
                } else {
                    expect(125, "',' or '}'");
                    return object;
                }
            }
        }

        JsonArray parseArray() {
            pos += 1;
            JsonArray array = new JsonArray();
            skipWhitespace();
            if (peek() == 93) {
                pos += 1;
                return array;
            }
            while (true) {
                array.add(parseValue());
                skipWhitespace();
                if (peek() == 44) {
                    pos += 1;
                } else {
                    expect(93, "',' or ']'");
                    return array;
                }
            }
        }

        JsonLiteral parseLiteral(String word) {
            int end = pos + word.length();
            if (end > text.length() || !text.substring(pos, end).equals(word)) throw error(word);
            pos += word.length();
            return new JsonLiteral(word);
        }

        String parseString() {
            pos += 1;
            int start = pos;
            StringBuilder pieces = null;
            while (true) {
                if (pos >= text.length()) throw error("'\"'");
                char c = text.charAt(pos);
                if (c == 34) {
                    String last = text.substring(start, pos);
                    pos += 1;
                    if (pieces != null) {
                        pieces.append(last);
                        return pieces.toString();
                    }
                    return last;
                }
                if (c == 92) {
                    if (pieces == null) pieces = new StringBuilder();
                    pieces.append(text, start, pos);
                    pos += 1;
                    pieces.append(escaped(peek()));
                    pos += 1;
                    start = pos;
                } else {
                    pos += 1;
                }
            }
        }

        String escaped(int c) {
            switch (c) {
                case 34: return "\"";
                case 92: return "\\";
                case 47: return "/";
                case 110: return "\n";
                case 116: return "\t";
                default: throw error("an escape");
            }
        }

        JsonNumber parseNumber() {
            int start = pos;
            if (peek() == 45) pos += 1;
            int digits = pos;
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if ((c >= 48 && c <= 57) || c == 46 || c == 101 || c == 69 || c == 43 || c == 45) {
                    pos += 1;
                } else {
                    break;
                }
            }
            if (pos == digits) throw error("a value");
            return new JsonNumber(text.substring(start, pos));
        }
    }

    static final class Summary {
        long objects, arrays, strings, stringBytes, integers, integerSum, decimals, literals;

        void add(JsonValue v) {
            if (v instanceof JsonObject) {
                objects += 1;
                for (JsonValue x : ((JsonObject) v).values) add(x);
            } else if (v instanceof JsonArray) {
                arrays += 1;
                for (JsonValue x : ((JsonArray) v).values) add(x);
            } else if (v instanceof JsonString) {
                strings += 1;
                stringBytes += ((JsonString) v).value.length();
            } else if (v instanceof JsonNumber) {
                JsonNumber n = (JsonNumber) v;
                if (n.isInteger()) {
                    integers += 1;
                    integerSum += Long.parseLong(n.text);
                } else {
                    decimals += 1;
                }
            } else {
                literals += 1;
            }
        }

        long checksum() {
            return objects + 3 * arrays + 5 * strings + 7 * stringBytes + 11 * integers + integerSum + 13 * decimals
                + 17 * literals;
        }
    }

    static String decimal(long hundredths) {
        long cents = hundredths % 100;
        if (cents < 10) return (hundredths / 100) + ".0" + cents;
        return (hundredths / 100) + "." + cents;
    }

    static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "quote\"d", "back\\slash", "new\nline", "tab\tbed",
        "epsilon", "zeta"};

    static String generate() {
        Random random = new Random();
        StringBuilder out = new StringBuilder();
        out.append("{\"version\":3,\"records\":[");
        for (int i = 0; i < RECORDS; i++) {
            if (i > 0) out.append(",");
            out.append("{\"id\":" + i + ",\"name\":\"user " + random.below(100000) + "\",");
            out.append("\"active\":" + (random.below(2) == 0) + ",\"score\":" + decimal(random.below(100000)) + ",");
            out.append("\"tags\":[");
            long tags = random.below(5);
            for (int t = 0; t < tags; t++) {
                if (t > 0) out.append(",");
                writeString(WORDS[(int) random.below(WORDS.length)], out);
            }
            out.append("],\"address\":{\"street\":\"" + random.below(999) + " Main Street\",\"zip\":\""
                + (10000 + random.below(89999)) + "\"},");
            out.append("\"orders\":[");
            long orders = random.below(4);
            for (int o = 0; o < orders; o++) {
                if (o > 0) out.append(",");
                out.append("{\"sku\":\"X-" + random.below(5000) + "\",\"qty\":" + (1 + random.below(9)) + ",\"price\":"
                    + decimal(random.below(20000)) + ",\"delta\":-" + random.below(50) + "}");
            }
            out.append("],\"manager\":null,\"note\":");
            String first = WORDS[(int) random.below(WORDS.length)];
            writeString(first + " " + WORDS[(int) random.below(WORDS.length)], out);
            out.append("}");
        }
        out.append("]}");
        return out.toString();
    }

    static long benchmark(String text, int inner) {
        long result = 0;
        for (int i = 0; i < inner; i++) {
            JsonValue document = new Parser(text).parse();
            Summary summary = new Summary();
            summary.add(document);
            JsonArray records = (JsonArray) ((JsonObject) document).get("records");
            if (records.values.size() != RECORDS) {
                System.out.println("wrong record count " + records.values.size());
                System.exit(1);
            }
            StringBuilder out = new StringBuilder();
            document.write(out);
            if (!out.toString().equals(text)) {
                System.out.println("the document written back differs from the input");
                System.exit(1);
            }
            result = summary.checksum();
        }
        return result;
    }

    public static void main(String[] args) {
        String text = generate();
        long result = Harness.run(args, 1, inner -> benchmark(text, inner));
        System.out.println("result: " + text.length() + " bytes, checksum " + result);
    }
}
