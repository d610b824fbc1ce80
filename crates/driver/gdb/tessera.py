"""gdb pretty-printers for Tessera values (docs/editors.md, "Debugging").

`tess config --gdb-init` writes this file next to the runtime and prints
the gdb command that loads it. The compiler's DWARF names the types read
here (crates/codegen/src/debug_types.rs): `String` (len, bytes), arrays
`[T]` (len, cap, data), optional boxes `T?` (value); null is `nil`.
"""
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


class StringPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        if is_nil(self.val):
            return "nil"
        s = self.val.dereference()
        length = int(s["len"])
        data = gdb.selected_inferior().read_memory(s["bytes"].address, length)
        text = bytes(data).decode("utf-8", "replace")
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ArrayPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        if is_nil(self.val):
            return "nil"
        a = self.val.dereference()
        length = int(a["len"])
        shown = [show(a["data"][i]) for i in range(min(length, MAX_ELEMENTS))]
        if length > MAX_ELEMENTS:
            shown.append("...")
        return "[" + ", ".join(shown) + "]"


class OptionalPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        if is_nil(self.val):
            return "nil"
        return show(self.val.dereference()["value"])


def lookup(val):
    name = target_name(val)
    if name is None:
        return None
    if name == "String":
        return StringPrinter(val)
    fields = field_names(val)
    if name.startswith("[") and name.endswith("]") and "data" in fields:
        return ArrayPrinter(val)
    if name.endswith("?") and fields == {"value"}:
        return OptionalPrinter(val)
    return None


gdb.pretty_printers.append(lookup)
