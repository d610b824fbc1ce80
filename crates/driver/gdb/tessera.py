"""gdb pretty-printers for Tessera values (docs/editors.md, "Debugging").

`tess config --gdb-init` writes this file next to the runtime and prints
the gdb command that loads it. The compiler's DWARF names the types read
here (crates/codegen/src/debug_types.rs): `String` (len, bytes), arrays
`[T]` (len, cap, data), optional boxes `T?` (value); null is `nil`. A map
(`Map[K, V]`, printed `[k: v]`) is the runtime's own table: its entries are read through the
runtime's accessors (`tess_map_slots`, `tess_map_live`, `tess_map_key_at`,
`tess_map_value_at`, which allocate nothing), so maps print only in a
running program.
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


def call(function, *args):
    """A runtime accessor's result (a word), called in the inferior."""
    params = ", ".join("long" for _ in args)
    return int(gdb.parse_and_eval(f"((long (*)({params})){function})({', '.join(str(a) for a in args)})"))


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


class MapPrinter(ReferencePrinter):
    def __init__(self, val, key, value):
        super().__init__(val)
        self.key, self.value = key, value

    def show(self, _):
        m = int(self.val)
        entries = []
        for i in range(call("tess_map_slots", m)):
            if len(entries) == MAX_ELEMENTS:
                entries.append("...")
                break
            if call("tess_map_live", m, i) & 0xFF:
                k = word(call("tess_map_key_at", m, i), self.key)
                v = word(call("tess_map_value_at", m, i), self.value)
                entries.append(f"{k}: {v}")
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
