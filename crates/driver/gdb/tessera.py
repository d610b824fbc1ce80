"""gdb pretty-printers for Tessera values (docs/editors.md, "Debugging").

`tess config --gdb-init` writes this file next to the runtime and prints
the gdb command that loads it. The compiler's DWARF names the types read
here (crates/codegen/src/debug_types.rs): `String` (len, bytes), arrays
`[T]` (len, cap, data), optional boxes `T?` (value); null is `nil`. A map
(`Map[K, V]`, printed `[k: v]`) is the runtime's own table: it is read
from memory at the offsets the runtime publishes in `tess_debug_map`
(crates/runtime/src/debug_layout.rs), without calling into the program,
so maps print in a running program once the runtime has started.
"""
import struct

import gdb

# How many elements of an array are shown, as gdb's `print elements`.
MAX_ELEMENTS = 200


def target_name(val):
    """The name of the structure a pointer value points to, or None."""
    ty = val.type.strip_typedefs()
    if ty.code != gdb.TYPE_CODE_PTR:
        return None
    target = ty.target().strip_typedefs()
    if target.code != gdb.TYPE_CODE_STRUCT:
        return None
    return target.name


def field_names(val):
    return {f.name for f in val.type.strip_typedefs().target().strip_typedefs().fields()}


def is_nil(val):
    return int(val) == 0


def show(val):
    """A value as Tessera prints it, for an element inside a collection."""
    printer = lookup(val)
    return printer.to_string() if printer else str(val)


class ReferencePrinter:
    """A reference: `nil` when null, else what `show` makes of the object."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return "nil" if is_nil(self.val) else self.show(self.val.dereference())


class StringPrinter(ReferencePrinter):
    def show(self, s):
        length = int(s["len"])
        data = gdb.selected_inferior().read_memory(s["bytes"].address, length)
        text = bytes(data).decode("utf-8", "replace")
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ArrayPrinter(ReferencePrinter):
    def show(self, a):
        length = int(a["len"])
        shown = [show(a["data"][i]) for i in range(min(length, MAX_ELEMENTS))]
        if length > MAX_ELEMENTS:
            shown.append("...")
        return "[" + ", ".join(shown) + "]"


class OptionalPrinter(ReferencePrinter):
    def show(self, box):
        return show(box["value"])


def split_map(name):
    """`Map[K, V]` as (K, V), split at the top-level comma; else None."""
    if not (name.startswith("Map[") and name.endswith("]")):
        return None
    inner = name[4:-1]
    depth = 0
    for i, c in enumerate(inner):
        if c in "[(":
            depth += 1
        elif c in "])":
            depth -= 1
        elif c == "," and depth == 0:
            return inner[:i].strip(), inner[i + 1 :].strip()
    return None


def word(w, ty):
    """A map's key or value word, shown as a value of type `ty`."""
    w &= (1 << 64) - 1
    if ty == "Int":
        return str(w - (1 << 64) if w >> 63 else w)
    if ty == "Float":
        return repr(struct.unpack("<d", struct.pack("<Q", w))[0])
    if ty == "Bool":
        return "true" if w & 1 else "false"
    if ty == "String":
        return StringPrinter(gdb.Value(w).cast(gdb.lookup_type("struct String").pointer())).to_string()
    return "nil" if w == 0 else hex(w)



def read_words(address, count):
    """`count` 8-byte words of the program's memory from `address`."""
    data = gdb.selected_inferior().read_memory(address, 8 * count)
    return struct.unpack(f"<{count}Q", bytes(data))


def map_offsets():
    """`tess_debug_map`'s offsets (see the module's doc), or None before
    the runtime started."""
    address = int(gdb.parse_and_eval("(unsigned long)&tess_debug_map"))
    offsets = read_words(address, 7)
    return offsets if offsets[1] or offsets[2] else None


def map_entries(m):
    """The (key, value) words of the map at address `m`, in order."""
    offsets = map_offsets()
    if offsets is None:
        return []
    table_at, keys_at, vals_at, live_at, slots_at, count_at, entries_at = offsets
    (table,) = read_words(m + table_at, 1)
    if table == 0:
        # A constant map whose table is built on first use.
        (count,) = read_words(m + count_at, 1)
        pairs = read_words(m + entries_at, 2 * min(count, MAX_ELEMENTS + 1))
        return list(zip(pairs[0::2], pairs[1::2]))
    (keys, vals, live, slots) = (read_words(table + at, 1)[0] for at in (keys_at, vals_at, live_at, slots_at))
    entries = []
    for start in range(0, slots, MAX_ELEMENTS):
        n = min(MAX_ELEMENTS, slots - start)
        flags = bytes(gdb.selected_inferior().read_memory(live + start, n))
        ks, vs = read_words(keys + 8 * start, n), read_words(vals + 8 * start, n)
        entries += [(ks[i], vs[i]) for i in range(n) if flags[i]]
        if len(entries) > MAX_ELEMENTS:
            break
    return entries


class MapPrinter(ReferencePrinter):
    def __init__(self, val, key, value):
        super().__init__(val)
        self.key, self.value = key, value

    def show(self, _):
        entries = [f"{word(k, self.key)}: {word(v, self.value)}" for k, v in map_entries(int(self.val))]
        if len(entries) > MAX_ELEMENTS:
            entries[MAX_ELEMENTS:] = ["..."]
        return "[" + (", ".join(entries) if entries else ":") + "]"


def lookup(val):
    name = target_name(val)
    if name is None:
        return None
    if name == "String":
        return StringPrinter(val)
    kv = split_map(name)
    if kv:
        return MapPrinter(val, *kv)
    fields = field_names(val)
    if name.startswith("[") and name.endswith("]") and "data" in fields:
        return ArrayPrinter(val)
    if name.endswith("?") and fields == {"value"}:
        return OptionalPrinter(val)
    return None


gdb.pretty_printers.append(lookup)
