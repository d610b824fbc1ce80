//! The import graph of a package's modules: read from each file's
//! `import` lines (parsing only), checked for cycles and for a static
//! module that would be linked into two binaries of one process, and
//! ordered so that a module comes after everything it imports.

use crate::artifacts::LibKind;
use crate::manifest::Package;
use crate::steps::Target;
use crate::Error;
use std::path::PathBuf;
use tess_syntax::{Diagnostic, Diagnostics, FileId, SourceFile, Span};

/// One module of the package.
#[derive(Debug)]
pub struct Node {
    pub name: String,
    pub files: Vec<PathBuf>,
    /// What it becomes (the program: `build/bin/<package>`).
    pub kind: Target,
    /// Indices of the package's modules it imports.
    pub imports: Vec<usize>,
    /// Every module it imports, in the order of its files' imports
    /// (package modules and compiled ones): the order its link names them.
    pub import_names: Vec<String>,
}

/// The package's modules, each after the modules it imports.
#[derive(Debug)]
pub struct Graph {
    pub nodes: Vec<Node>,
}

/// Where a module imports another: for the message about a cycle.
struct ImportSite {
    from: usize,
    to: usize,
    span: Span,
}

/// Reads the imports of every module of `package`; an import cycle, or a
/// static module linked into two binaries, is an error.
pub fn graph(package: &Package) -> Result<Graph, Error> {
    let mut nodes: Vec<Node> = package
        .modules
        .iter()
        .map(|m| Node {
            name: m.name.clone(),
            files: m.files.clone(),
            kind: Target::Library(m.kind),
            imports: vec![],
            import_names: vec![],
        })
        .collect();
    if !package.main.is_empty() {
        let name = crate::frontend::MAIN_MODULE.to_string();
        nodes.push(Node {
            name,
            files: package.main.clone(),
            kind: Target::Program,
            imports: vec![],
            import_names: vec![],
        });
    }
    let mut sources: Vec<SourceFile> = Vec::new();
    let mut sites = Vec::new();
    let mut names: Vec<Vec<String>> = vec![Vec::new(); nodes.len()];
    for (from, node) in nodes.iter().enumerate() {
        for path in &node.files {
            let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let text = String::from_utf8_lossy(&text).into_owned();
            let file = sources.len();
            // Syntax errors are the compile step's to report, in full.
            let imports = tess_syntax::parser::parse_imports(FileId(file as u32), &text, &mut Diagnostics::default());
            sources.push(SourceFile::new(path.display().to_string(), text));
            for import in &imports {
                if !names[from].contains(&import.path.name) {
                    names[from].push(import.path.name.clone());
                }
                if let Some(to) = nodes.iter().position(|n| n.name == import.path.name && n.kind != Target::Program) {
                    sites.push(ImportSite { from, to, span: import.path.span });
                }
            }
        }
    }
    for (node, names) in nodes.iter_mut().zip(names) {
        node.import_names = names;
    }
    for s in &sites {
        if !nodes[s.from].imports.contains(&s.to) {
            nodes[s.from].imports.push(s.to);
        }
    }
    if let Some(cycle) = find_cycle(&nodes) {
        let names: Vec<&str> = cycle.iter().map(|&i| nodes[i].name.as_str()).collect();
        let closing = sites.iter().find(|s| s.from == cycle[cycle.len() - 2] && s.to == cycle[cycle.len() - 1]);
        let message = format!("import cycle: {}", names.join(" → "));
        let hint = "a module cannot import a module that imports it, directly or not: move what they share into a module both import";
        let mut diags = Diagnostics::default();
        match closing {
            Some(s) => diags.push(Diagnostic::error(s.span, message).with_hint(hint)),
            None => return Err(message.into()),
        }
        return Err(Error::Diagnostics { sources, diags });
    }
    check_single_copies(&nodes)?;
    let order = topological(&nodes);
    let position: Vec<usize> = {
        let mut p = vec![0; nodes.len()];
        for (i, &n) in order.iter().enumerate() {
            p[n] = i;
        }
        p
    };
    let mut sorted: Vec<Node> = Vec::with_capacity(nodes.len());
    let mut taken: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    for &n in &order {
        let mut node = taken[n].take().expect("each node once");
        node.imports = node.imports.iter().map(|&i| position[i]).collect();
        sorted.push(node);
    }
    Ok(Graph { nodes: sorted })
}

/// A cycle as a path that starts and ends with the same module.
fn find_cycle(nodes: &[Node]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(n: usize, nodes: &[Node], marks: &mut [Mark], path: &mut Vec<usize>) -> Option<Vec<usize>> {
        marks[n] = Mark::Open;
        path.push(n);
        for &m in &nodes[n].imports {
            match marks[m] {
                Mark::Open => {
                    let start = path.iter().position(|&p| p == m).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(m);
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(m, nodes, marks, path) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        path.pop();
        marks[n] = Mark::Done;
        None
    }
    let mut marks = vec![Mark::New; nodes.len()];
    (0..nodes.len())
        .find_map(|n| if marks[n] == Mark::New { visit(n, nodes, &mut marks, &mut Vec::new()) } else { None })
}

/// Modules in an order where each comes after its imports (ties by name,
/// so the order does not depend on the file system).
fn topological(nodes: &[Node]) -> Vec<usize> {
    let mut done = vec![false; nodes.len()];
    let mut order = Vec::new();
    while order.len() < nodes.len() {
        let mut ready: Vec<usize> =
            (0..nodes.len()).filter(|&n| !done[n] && nodes[n].imports.iter().all(|&i| done[i])).collect();
        ready.sort_by(|&a, &b| nodes[a].name.cmp(&nodes[b].name));
        for n in ready {
            done[n] = true;
            order.push(n);
        }
    }
    order
}

/// The binaries a static module is linked into: a program or shared
/// library contains each static module it reaches through static ones.
/// Two binaries of one process each holding a copy of one module would
/// give it two sets of variables and classes: refused (MODULES.md §8's one
/// runtime, extended to modules), with what to change.
fn check_single_copies(nodes: &[Node]) -> Result<(), Error> {
    let mut holder: Vec<Option<usize>> = vec![None; nodes.len()];
    for b in (0..nodes.len()).filter(|&n| nodes[n].kind != Target::Library(LibKind::Static)) {
        for s in static_closure(nodes, b) {
            match holder[s] {
                Some(other) if other != b => {
                    let binary = |n: usize| match nodes[n].kind {
                        Target::Program => "the program".to_string(),
                        _ => format!("`{}`", nodes[n].name),
                    };
                    let (a, b) = (binary(other), binary(b));
                    let s = &nodes[s].name;
                    return Err(format!(
                        "module `{s}` is static and would be linked into both {a} and {b}, giving a process two copies of it\n\
                         hint: make it shared: add `{s} = \"shared\"` under `[modules]` in Tessera.toml"
                    )
                    .into());
                }
                _ => holder[s] = Some(b),
            }
        }
    }
    Ok(())
}

/// The static modules linked into binary `b`: those it reaches through
/// static modules only.
fn static_closure(nodes: &[Node], b: usize) -> Vec<usize> {
    let is_static = |n: usize| nodes[n].kind == Target::Library(LibKind::Static);
    let mut stack: Vec<usize> = nodes[b].imports.iter().copied().filter(|&i| is_static(i)).collect();
    let mut seen = vec![false; nodes.len()];
    let mut closure = Vec::new();
    while let Some(s) = stack.pop() {
        if std::mem::replace(&mut seen[s], true) {
            continue;
        }
        closure.push(s);
        stack.extend(nodes[s].imports.iter().copied().filter(|&i| is_static(i)));
    }
    closure
}

impl Graph {
    /// The names of the static modules of the package that binary `b`
    /// (a shared module or the program) contains.
    pub fn linked_statically(&self, b: usize) -> Vec<&str> {
        static_closure(&self.nodes, b).into_iter().map(|s| self.nodes[s].name.as_str()).collect()
    }
}

impl Graph {
    /// The package modules module `i` imports, directly or not, in
    /// dependency order.
    pub fn reachable(&self, i: usize) -> Vec<usize> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = self.nodes[i].imports.clone();
        while let Some(n) = stack.pop() {
            if !std::mem::replace(&mut seen[n], true) {
                stack.extend(self.nodes[n].imports.iter().copied());
            }
        }
        (0..self.nodes.len()).filter(|&n| seen[n]).collect()
    }
}
