//! The typed, resolved program that code generation consumes: names are
//! replaced by ids, every expression carries its type, and built-ins are
//! spelled out as runtime calls or dedicated operations.

use crate::ty::{ClassId, IfaceId, Ty};
use tess_abi::RuntimeFn;
pub use tess_syntax::ast::Access;
use tess_syntax::Span;

pub type LocalId = usize;
pub type GlobalId = usize;
pub type FuncId = usize;

/// One module ready for code generation.
#[derive(Debug)]
pub struct Module {
    pub name: String,
    pub funcs: Vec<Func>,
    pub globals: Vec<Global>,
    /// Classes of this module, and the built-in ones it uses (first).
    pub classes: Vec<Class>,
    /// This module's enums (their classes are in `classes`).
    pub enums: Vec<Enum>,
    /// The interfaces this module declares or uses.
    pub interfaces: Vec<Interface>,
    /// The function that initialises the module (and, in executable mode,
    /// runs the main file's statements): `tess_module_init_<name>`.
    pub init: FuncId,
    /// Runs the initialisers of the module's thread-local variables on a
    /// thread that uses the module for the first time (MODULES.md §6);
    /// `None` when the module has none.
    pub thread_init: Option<FuncId>,
    /// Runs the module's `fini { }` blocks when `lib.unload()` unloads
    /// its library; `None` when it has none.
    pub fini: Option<FuncId>,
    pub mode: Mode,
    /// (declaration, fingerprint) of this module's interface, which its
    /// init entry registers with the runtime for plugin checks.
    pub fingerprints: Vec<(String, String)>,
    /// The modules it was compiled against (what a binary containing it
    /// must also link). Names only: a dependency's fingerprint here would
    /// change this module's interface whenever the dependency's did, and
    /// no build could cut off early.
    pub dependencies: Vec<String>,
    /// Those of `dependencies` linked as shared libraries, which may be
    /// upgraded under this module (MODULES.md §11).
    pub shared_dependencies: Vec<String>,
    /// Every imported declaration the checker consulted, with the
    /// fingerprint it had: the module must be recompiled when one of these
    /// changes, and only then (early cutoff, MODULES.md §3). Sorted.
    pub uses: Vec<Origin>,
    /// The module's source files by `Span::file`, for positions in code
    /// (stack traces, debug info); filled by whoever read the files.
    pub files: Vec<SourceLines>,
    /// For an editor (`check_module` with `index`): every name the checker
    /// resolved, and what to.
    pub refs: Vec<Ref>,
    /// For an editor: the type of every expression checked, by its span
    /// (what `value.` completes, and the types inlay hints show).
    pub expr_types: Vec<(Span, Ty)>,
}

/// A use of a name and the declaration it resolved to (for another
/// module's, where it was imported), with what an editor shows of it.
#[derive(Clone, Debug)]
pub struct Ref {
    pub at: Span,
    pub target: Span,
    /// The declaration as code: `fn add(Int, Int) -> Int`, `var x: Int`.
    pub hover: String,
    /// For a value (a variable, a field): its type.
    pub ty: Option<Ty>,
    /// For another module's declaration: (module, declaration), e.g.
    /// (`geo`, `Shape.area`); `target` is then where it was imported.
    pub imported: Option<(String, String)>,
}

/// A source file's name and where its lines start, to turn a `Span` into a
/// line and column without the text.
#[derive(Clone, Debug, Default)]
pub struct SourceLines {
    pub name: String,
    line_starts: Vec<u32>,
}

impl SourceLines {
    pub fn new(name: &str, text: &str) -> SourceLines {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        SourceLines { name: name.to_string(), line_starts }
    }

    /// 1-based line and (byte) column of a byte offset.
    pub fn position(&self, offset: u32) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        (line as u32, offset - self.line_starts[line - 1] + 1)
    }
}

/// How far a symbol is visible (MODULES.md §2, D's DIP45): `Export`ed
/// declarations are the shared library's dynamic symbols; `Hidden` ones
/// (public but not exported) link statically only; `Local` ones stay in
/// their object file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visibility {
    Local,
    Hidden,
    Export,
}

impl Visibility {
    /// A member of a class with this visibility: as visible as the class
    /// when `public` or `protected` (subclasses in other modules use
    /// those), else local.
    pub fn of_member(self, access: Access) -> Visibility {
        match access {
            Access::Public | Access::Protected => self,
            Access::Internal | Access::Private => Visibility::Local,
        }
    }
}

/// Whether the module is a program's main module or a library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Program,
    Library,
}

/// Where an imported declaration comes from, and the fingerprint of it
/// this module was compiled against (checked when a plugin is loaded).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    pub module: String,
    pub decl: String,
    pub fingerprint: String,
}

/// A function to call directly: one of this module's, or the runtime's.
#[derive(Clone, Debug, PartialEq)]
pub enum Callee {
    Func(FuncId),
    Runtime(RuntimeFn),
}

/// A byte offset — of a field in an object, or of a virtual-table slot in
/// a type info — that is a constant in this module, or read at run time
/// from a cell of the module that defines it (MODULES.md §11: layouts
/// across module boundaries are resilient).
#[derive(Clone, Debug, PartialEq)]
pub enum Offset {
    Fixed(u32),
    /// The symbol of a word holding the offset.
    Cell(Box<str>),
}

/// How this module knows a class's layout.
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    /// This module's (or the runtime's), with no ancestor from another
    /// module: size, offsets, slots and the whole type info are constants,
    /// and `vtable` lists every slot.
    Fixed,
    /// This module's, with an ancestor from another module: the init entry
    /// builds the type info from the base's (`tess_class_new`) into `cell`,
    /// gives the class's new virtual methods the slots after the base's
    /// (`added`: the method's slot cell and its implementation), and
    /// writes the implementations of the slots it overrides.
    Built { cell: String, added: Vec<(String, FuncId)>, overrides: Vec<(Offset, FuncId)> },
    /// Another module's: its size is read from its type info, which is
    /// its symbol, or the word at `cell` when that module builds it.
    Imported { cell: Option<String> },
}

impl Class {
    /// Whether method `f` of this class has a virtual-table slot (it is
    /// virtual, or overrides a virtual method).
    pub fn has_slot(&self, f: FuncId) -> bool {
        match &self.layout {
            Layout::Fixed => self.vtable.contains(&Callee::Func(f)),
            Layout::Built { added, overrides, .. } => {
                added.iter().any(|(_, g)| *g == f) || overrides.iter().any(|(_, g)| *g == f)
            }
            Layout::Imported { .. } => false,
        }
    }
}

impl Layout {
    /// The cell holding the type info's address, when it is built at run
    /// time rather than being data at its symbol.
    pub fn type_info_cell(&self) -> Option<&str> {
        match self {
            Layout::Fixed => None,
            Layout::Built { cell, .. } => Some(cell),
            Layout::Imported { cell } => cell.as_deref(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
    /// Byte offset from the start of the object (header included).
    pub offset: Offset,
    /// Who may use it (LANGUAGE.md §3); other modules see `public` and
    /// `protected` ones (the latter from subclasses).
    pub access: Access,
    pub mutable: bool,
}

/// A class: its layout, its virtual table and how to construct it.
#[derive(Debug)]
pub struct Class {
    pub name: String,
    /// Symbol of the type info (`tess_ti_<Name>` for built-ins).
    pub type_info: String,
    /// Defined by the runtime (`Object`, `Error` and its subclasses).
    pub builtin: bool,
    /// Defined by the imported module of this name.
    pub imported_from: Option<String>,
    pub origin: Option<Origin>,
    pub base: Option<ClassId>,
    /// Ancestors from the root, then the class itself.
    pub display: Vec<ClassId>,
    /// Every field, inherited ones first, in layout order.
    pub fields: Vec<Field>,
    /// Instance size in bytes, header included (with a `Fixed` layout).
    pub size: u32,
    /// Implementation of each virtual-table slot (with a `Fixed` layout).
    pub vtable: Vec<Callee>,
    pub layout: Layout,
    /// The initialiser, `init(self, params...)`.
    pub init: Option<Callee>,
    /// Of the type info (and so of the class as a whole).
    pub visibility: Visibility,
    /// May be subclassed from other modules.
    pub open: bool,
    /// Index of the source file that declares it (for per-file objects).
    pub file: u32,
    /// The interfaces it declares it implements (not its bases').
    pub conforms: Vec<Conformance>,
    /// A generic class's type parameters (names, bounds); its first fields
    /// hold their descriptors.
    pub type_params: Vec<(String, Vec<Ty>)>,
    /// For each type parameter its values' fields may be of, the index of
    /// the field holding its descriptor (a generic class's first fields, a
    /// closure environment's first captures): what the collector reads to
    /// know whether such a field holds a reference.
    pub desc_fields: Vec<u32>,
}

/// An interface (LANGUAGE.md §7): its methods in declaration order, each
/// found through the interface's table in the receiver's class
/// (`docs/abi.md`, interfaces).
#[derive(Clone, Debug)]
pub struct Interface {
    pub name: String,
    /// Symbol of its descriptor (the methods' names and default bodies).
    pub descriptor: String,
    /// A generic interface's type parameters (`Comparable[T]`): erased at
    /// run time, where its tables are its instances' (`docs/abi.md`).
    pub type_params: Vec<String>,
    /// The interfaces it extends (`Ty::Interface`, in its own type
    /// parameters): a class implementing it implements them too.
    pub supers: Vec<Ty>,
    pub methods: Vec<IfaceMethod>,
    /// Declared by the imported module of this name.
    pub imported_from: Option<String>,
    pub origin: Option<Origin>,
    pub visibility: Visibility,
    pub file: u32,
}

/// A method of an interface.
#[derive(Clone, Debug)]
pub struct IfaceMethod {
    pub name: String,
    /// Parameters after the receiver.
    pub params: Vec<Ty>,
    pub ret: Ty,
    /// The default body (a function whose first parameter is the
    /// receiver, of the interface's type), in the declaring module.
    pub default: Option<FuncId>,
    pub has_default: bool,
    /// Byte offset of its code in an interface table: constant in the
    /// declaring module, a cell elsewhere (MODULES.md §12).
    pub slot: Offset,
    /// For another module's interface: what a call relies on.
    pub origin: Option<Origin>,
}

/// That a class implements an interface, and with what: for each of the
/// interface's methods the class provides (by name), its code — direct,
/// or the virtual-table slot whose code the receiver's class holds.
#[derive(Clone, Debug)]
pub struct Conformance {
    pub iface: IfaceId,
    /// A generic interface's type arguments (erased in the record).
    pub args: Vec<Ty>,
    pub methods: Vec<(String, Impl)>,
}

#[derive(Clone, Debug)]
pub enum Impl {
    Direct(Callee),
    Slot(Offset),
}

/// An enum (LANGUAGE.md §7): its values are objects of class `name` and,
/// for cases with a payload, of its subclasses `name.case`
/// (`sema::enums`); a value's case is its tag, the case's index here.
#[derive(Clone, Debug)]
pub struct Enum {
    pub name: String,
    pub cases: Vec<EnumCase>,
    /// For another module's enum: that module, and the fingerprint of the
    /// whole list of cases (what an exhaustive `match` relies on).
    pub imported: Option<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct EnumCase {
    pub name: String,
    pub span: Span,
    /// The payload's value names, for a case with one.
    pub payload: Option<Vec<String>>,
    /// For another module's enum: the case's fingerprint (its tag and
    /// payload), what constructing or matching it relies on.
    pub fingerprint: String,
}

impl Enum {
    pub fn has_payloads(&self) -> bool {
        self.cases.iter().any(|c| c.payload.is_some())
    }
}

#[derive(Debug)]
pub struct Global {
    pub name: String,
    pub symbol: String,
    pub ty: Ty,
    pub mutable: bool,
    pub visibility: Visibility,
    /// Defined by an imported module (referenced, not defined, here).
    pub external: bool,
    pub origin: Option<Origin>,
    /// Index of the source file that declares it (for per-file objects).
    pub file: u32,
    /// A `shared var` (MODULES.md §6): one process-wide `Int`, `Float` or
    /// `Bool`, read and written atomically; every other module variable
    /// has a copy per thread.
    pub shared: bool,
    /// A module-local `let` the compiler computed (`constants.rs`): its
    /// value is in the object's read-only data, not in any thread's block.
    pub constant: Option<Const>,
}

impl Global {
    /// One of this module's thread-local variables: in its per-thread
    /// block (MODULES.md §6).
    pub fn in_block(&self) -> bool {
        !self.external && !self.shared && self.constant.is_none()
    }
}

/// A value computed by the compiler (`constants.rs`).
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Array(Vec<Const>),
    /// Entries in insertion order (a key given twice keeps its first
    /// place and its last value, as a map literal does).
    Map(Vec<(Const, Const)>),
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
}

#[derive(Debug)]
pub struct Func {
    pub name: String,
    pub symbol: String,
    pub params: Vec<LocalId>,
    pub ret: Ty,
    pub locals: Vec<Local>,
    pub body: Vec<Stmt>,
    pub visibility: Visibility,
    /// Defined by an imported module: declared here, with no body.
    pub external: bool,
    pub origin: Option<Origin>,
    /// Index of the source file that declares it (for per-file objects).
    pub file: u32,
    /// Its access level (a method's or `init`'s; `public` for functions,
    /// whose reach is their visibility).
    pub access: Access,
    /// A method that cannot be overridden.
    pub is_final: bool,
    /// Where its name is declared, for errors found after checking (an
    /// `extern fn` the JIT cannot find); `None` for generated functions.
    pub span: Option<tess_syntax::Span>,
    /// An `extern fn` (MODULES.md §5): a C function, or a definition with
    /// the C convention whose uncaught exceptions abort the process.
    pub extern_c: bool,
    /// `extern fn ... throws`: its C signature ends with `tess_error **err`,
    /// set when an exception escapes instead of aborting.
    pub throws_c: bool,
    /// Called by the runtime or C, never by Tessera code's convention: a
    /// module's init entry (its own or an imported one). Like an `extern
    /// fn` definition it finds its thread's state itself (`docs/abi.md`).
    pub entry: bool,
    /// A generic function's type descriptors (`docs/abi.md`, generics):
    /// hidden parameters after the others, one per type parameter.
    pub type_params: Vec<LocalId>,
    /// A generic function's type parameters: names and bounds, for its
    /// interface.
    pub generic: Vec<(String, Vec<Ty>)>,
    /// A `const fn`: the compiler may run it to compute a module constant
    /// (`constants.rs`).
    pub is_const: bool,
}

/// A statement. Expressions are boxed so that a statement takes 80 bytes,
/// not 136: a module's HIR is held whole until code generation, and half
/// its statements are `At` markers (bench/compile: 320,000 statements).
#[derive(Clone, Debug)]
pub enum Stmt {
    Let(LocalId, Box<Expr>),
    Assign(Place, Box<Expr>),
    Expr(Box<Expr>),
    If(Box<Expr>, Vec<Stmt>, Vec<Stmt>),
    While(Box<Expr>, Vec<Stmt>),
    /// `for var in lo..hi` (or `..=`); `hi` is evaluated once.
    ForRange {
        var: LocalId,
        lo: Box<Expr>,
        hi: Box<Expr>,
        inclusive: bool,
        body: Vec<Stmt>,
    },
    /// `for var in array`; the array is evaluated once.
    ForEach {
        var: LocalId,
        array: Box<Expr>,
        body: Vec<Stmt>,
    },
    /// `for (k, v) in map`, in insertion order.
    ForMap {
        key: LocalId,
        value: LocalId,
        map: Box<Expr>,
        body: Vec<Stmt>,
    },
    /// `if let var = opt { then } else { els }`.
    IfLet {
        var: LocalId,
        opt: Box<Expr>,
        then: Vec<Stmt>,
        els: Vec<Stmt>,
    },
    Throw(Box<Expr>),
    /// A compound assignment to a `shared var`: one atomic read-modify-
    /// write, `global = new` where `new` reads the current value as the
    /// local `old` (retried if another thread wrote in between).
    SharedUpdate {
        global: GlobalId,
        old: LocalId,
        new: Box<Expr>,
    },
    /// Where the statements after it come from (the start of a source
    /// statement): what a stack trace and the debugger's line table say.
    At(Span),
    /// Completes the virtual tables of this module's classes whose base is
    /// in another module (in the init entry, after the imports').
    InitClasses,
    Try {
        body: Vec<Stmt>,
        catches: Vec<Catch>,
        finally: Option<Vec<Stmt>>,
    },
    Break,
    Continue,
    Return(Option<Box<Expr>>),
}

#[derive(Clone, Debug)]
pub struct Catch {
    pub class: ClassId,
    pub var: LocalId,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub enum Place {
    Local(LocalId),
    Global(GlobalId),
    Index(Box<Expr>, Box<Expr>),
    /// A field of an object, by byte offset.
    Field(Box<Expr>, Offset),
    /// `m[k] = v`.
    MapEntry(Box<Expr>, Box<Expr>),
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    /// A logical right shift.
    UShr,
    BitAnd,
    BitOr,
    BitXor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Math built-ins that map to one instruction or a libm call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathFn {
    Sqrt,
    Floor,
    Ceil,
    FAbs,
    IAbs,
    IMin,
    IMax,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Local(LocalId),
    Global(GlobalId),
    FnRef(FuncId),
    Call(FuncId, Vec<Expr>),
    CallIndirect(Box<Expr>, Vec<Expr>),
    /// A direct call that is not a plain function call (an `init`, a
    /// `super.` method, a runtime-defined method); may throw.
    CallDirect(Callee, Box<[Expr]>),
    /// A virtual call: `args[0]` is the receiver, `slot` the byte offset
    /// of its implementation in the receiver's type info.
    CallVirtual {
        slot: Offset,
        args: Box<[Expr]>,
    },
    /// Allocate an instance of the class and run its initialiser.
    New {
        class: ClassId,
        args: Vec<Expr>,
        /// A generic class's type descriptors and the fields they go in,
        /// stored before `init` runs.
        descs: Vec<(Offset, Expr)>,
    },
    /// A field of an object, by byte offset.
    Field(Box<Expr>, Offset),
    /// A closure that captures (`sema::closures`): an object of `class`
    /// whose code is `func` (environment first) and whose fields after the
    /// code words are `captures`, evaluated here (`docs/abi.md`, closures).
    /// A function value that captures nothing is a `FnRef`.
    Closure {
        func: FuncId,
        class: ClassId,
        captures: Vec<Expr>,
    },
    /// A C function pointer (of the expression's function type) as a
    /// function value, for Tessera code to call (`docs/abi.md`, closures).
    CFunction(Box<Expr>),
    /// A call through an interface: `args[0]` is the receiver (non-null);
    /// its class's table for `iface` holds the code at `slot`.
    CallInterface {
        iface: IfaceId,
        slot: Offset,
        args: Box<[Expr]>,
    },
    /// The type descriptor of a type (a generic function's hidden
    /// argument): a type info, or a type parameter's own descriptor.
    TypeDesc(Ty),
    /// The address of an interface's descriptor (what the runtime is
    /// given to call through it).
    IfaceDescriptor(IfaceId),
    /// A value as an `Any`: a value type's boxed with its type info as the
    /// header, a reference as it is.
    ToAny(Box<Expr>),
    /// Whether the object (non-null) implements the interface.
    Implements(Box<Expr>, IfaceId),
    /// `e as I` (throws `CastError`) or, with `optional`, `e as? I`.
    CastInterface {
        value: Box<Expr>,
        iface: IfaceId,
        optional: bool,
    },
    /// `e is C` (e non-null).
    InstanceOf(Box<Expr>, ClassId),
    /// `e as C` (throws `CastError`) or, with `optional`, `e as? C`.
    Cast {
        value: Box<Expr>,
        class: ClassId,
        optional: bool,
    },
    Nil,
    /// A value as an optional (boxed for value types).
    Wrap(Box<Expr>),
    /// `e!`: the value of an optional, `NilError` on nil.
    Unwrap(Box<Expr>),
    /// `a ?? b`.
    Coalesce(Box<Expr>, Box<Expr>),
    /// `e == nil` (or, with `negated`, `e != nil`).
    IsNil {
        value: Box<Expr>,
        negated: bool,
    },
    MapLit(Vec<(Expr, Expr)>),
    /// `m[k]`, an optional.
    MapGet(Box<Expr>, Box<Expr>),
    /// A call of a runtime function (the table in `tess_abi` says whether
    /// to test the pending exception afterwards).
    Rt {
        func: RuntimeFn,
        args: Vec<Expr>,
    },
    /// Checked on `Int`/`Int32`, IEEE on `Float`; operands share `ty`.
    Arith(Arith, Box<Expr>, Box<Expr>),
    Compare(Cmp, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    BitNot(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Index(Box<Expr>, Box<Expr>),
    ArrayLit(Vec<Expr>),
    /// Concatenation of String-typed parts.
    Interp(Vec<Expr>),
    /// A printable value as a `String`.
    ToStr(Box<Expr>),
    /// A numeric conversion to `ty` (checked where it can overflow).
    Convert(Box<Expr>),
    /// A `String` passed as a `CString`: its NUL-terminated bytes,
    /// borrowed for the call.
    ToCString(Box<Expr>),
    /// Any value as the 8-byte word arrays store.
    ToWord(Box<Expr>),
    /// An 8-byte array word back as a value of `ty`.
    FromWord(Box<Expr>),
    /// Length of a string or array.
    Len(Box<Expr>),
    Math(MathFn, Vec<Expr>),
    /// `value` into local `var`, then `body`, which reads it: a
    /// sub-expression evaluated once and used more than once (`a?.b`).
    Bind(LocalId, Box<Expr>, Box<Expr>),
    /// `c ? a : b`; of type Void when both are.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Module {
    /// Frees every function's body once code is generated, keeping the
    /// declarations (bench/compile: bodies are most of a module's HIR,
    /// and the object and archive are built after them).
    pub fn drop_bodies(&mut self) {
        for f in &mut self.funcs {
            f.body = Vec::new();
        }
    }
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Ty) -> Expr {
        Expr { kind, ty }
    }
}

impl Class {
    /// Whether the class's type info is defined outside this module.
    pub fn is_external(&self) -> bool {
        self.builtin || self.imported_from.is_some()
    }
}

impl Expr {
    /// The direct subexpressions, in evaluation order.
    /// Whether the expression is built from literals alone (arithmetic,
    /// array and map literals, conversions of them): evaluating it again
    /// has no effect and gives an equal value.
    pub fn is_constant(&self) -> bool {
        let leaf = matches!(
            self.kind,
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Nil
        );
        let built = matches!(
            self.kind,
            ExprKind::Wrap(_)
                | ExprKind::MapLit(_)
                | ExprKind::ArrayLit(_)
                | ExprKind::Arith(..)
                | ExprKind::Neg(_)
                | ExprKind::Not(_)
                | ExprKind::BitNot(_)
                | ExprKind::Convert(_)
                | ExprKind::Interp(_)
                | ExprKind::ToStr(_)
        );
        leaf || (built && self.children().iter().all(|c| c.is_constant()))
    }

    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::FnRef(_)
            | ExprKind::TypeDesc(_)
            | ExprKind::IfaceDescriptor(_)
            | ExprKind::Nil => Vec::new(),
            ExprKind::CallDirect(_, args)
            | ExprKind::CallVirtual { args, .. }
            | ExprKind::CallInterface { args, .. } => args.iter().collect(),
            ExprKind::New { args, descs, .. } => args.iter().chain(descs.iter().map(|(_, d)| d)).collect(),
            ExprKind::Call(_, args)
            | ExprKind::Closure { captures: args, .. }
            | ExprKind::Rt { args, .. }
            | ExprKind::ArrayLit(args)
            | ExprKind::Interp(args)
            | ExprKind::Math(_, args) => args.iter().collect(),
            ExprKind::CallIndirect(f, args) => std::iter::once(&**f).chain(args).collect(),
            ExprKind::Arith(_, a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Index(a, b)
            | ExprKind::Coalesce(a, b)
            | ExprKind::MapGet(a, b) => vec![a, b],
            ExprKind::Neg(a)
            | ExprKind::Not(a)
            | ExprKind::BitNot(a)
            | ExprKind::ToStr(a)
            | ExprKind::Convert(a)
            | ExprKind::ToCString(a)
            | ExprKind::ToWord(a)
            | ExprKind::FromWord(a)
            | ExprKind::Len(a)
            | ExprKind::Field(a, _)
            | ExprKind::CFunction(a)
            | ExprKind::InstanceOf(a, _)
            | ExprKind::Implements(a, _)
            | ExprKind::ToAny(a)
            | ExprKind::CastInterface { value: a, .. }
            | ExprKind::Cast { value: a, .. }
            | ExprKind::Wrap(a)
            | ExprKind::Unwrap(a)
            | ExprKind::IsNil { value: a, .. } => vec![a],
            ExprKind::MapLit(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
            ExprKind::Bind(_, value, body) => vec![value, body],
            ExprKind::Cond(c, a, b) => vec![c, a, b],
        }
    }
}

impl Stmt {
    /// Calls `f` with each of `ss` and, depth first, every statement
    /// nested in them.
    pub fn walk<'a>(ss: &'a [Stmt], f: &mut impl FnMut(&'a Stmt)) {
        for s in ss {
            f(s);
            for body in s.bodies() {
                Stmt::walk(body, f);
            }
        }
    }

    /// The expressions a statement evaluates directly (not those of its
    /// nested statement lists).
    pub fn exprs(&self) -> Vec<&Expr> {
        match self {
            Stmt::Let(_, e)
            | Stmt::Expr(e)
            | Stmt::Throw(e)
            | Stmt::If(e, ..)
            | Stmt::While(e, _)
            | Stmt::SharedUpdate { new: e, .. } => vec![e],
            Stmt::Return(e) => e.iter().map(|e| &**e).collect(),
            Stmt::Assign(p, e) => {
                let mut v: Vec<&Expr> = match p {
                    Place::Local(_) | Place::Global(_) => Vec::new(),
                    Place::Index(a, b) | Place::MapEntry(a, b) => vec![a, b],
                    Place::Field(a, _) => vec![a],
                };
                v.push(e);
                v
            }
            Stmt::ForRange { lo, hi, .. } => vec![lo.as_ref(), hi.as_ref()],
            Stmt::ForEach { array: e, .. } | Stmt::ForMap { map: e, .. } | Stmt::IfLet { opt: e, .. } => vec![e],
            Stmt::Try { .. } | Stmt::Break | Stmt::Continue | Stmt::InitClasses | Stmt::At(_) => Vec::new(),
        }
    }

    /// The statement lists nested in this statement.
    pub fn bodies(&self) -> Vec<&[Stmt]> {
        match self {
            Stmt::If(_, t, e) | Stmt::IfLet { then: t, els: e, .. } => vec![t, e],
            Stmt::While(_, b)
            | Stmt::ForRange { body: b, .. }
            | Stmt::ForEach { body: b, .. }
            | Stmt::ForMap { body: b, .. } => {
                vec![b]
            }
            Stmt::Try { body, catches, finally } => {
                let mut v: Vec<&[Stmt]> = vec![body];
                v.extend(catches.iter().map(|c| c.body.as_slice()));
                v.extend(finally.iter().map(|f| f.as_slice()));
                v
            }
            _ => Vec::new(),
        }
    }
}
