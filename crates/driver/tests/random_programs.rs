//! Generated programs mixing what the inliner, the module-variable
//! analysis and the register allocator must agree on (issue 30's crash: a
//! constructor reading a module `let`, inlined under a branch and in a
//! loop): module `let`s and `var`s, classes whose fields start from them,
//! functions calling earlier ones, branches and loops. Each program is
//! generated from a seed (reproducible), evaluated here to know what it
//! prints, and built and run with the real `tess` optimised, at `-O0`
//! and under the JIT; all three must print what the evaluation says.

mod common;

use std::process::Command;

/// Programs per run and the first seed: a failure names its seed.
const PROGRAMS: u64 = 12;
const FIRST_SEED: u64 = 0x7e55;

/// xorshift64*: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One statement of a function body over its accumulator `t`.
enum Stmt {
    AddLet(usize),
    AddVar(usize),
    StoreVar(usize),
    IfNew { above: u64, class: usize },
    LoopNew { times: u64, class: usize },
    Call(usize),
}

struct Class {
    from_let: usize,
    extra: u64,
}

struct Program {
    lets: Vec<u64>,
    vars: Vec<u64>,
    classes: Vec<Class>,
    functions: Vec<Vec<Stmt>>,
    inputs: Vec<u64>,
}

fn generate(seed: u64) -> Program {
    let mut r = Rng(seed.max(1));
    let lets: Vec<u64> = (0..1 + r.below(4)).map(|_| r.below(50)).collect();
    let vars: Vec<u64> = (0..1 + r.below(3)).map(|_| r.below(50)).collect();
    let classes: Vec<Class> = (0..1 + r.below(3))
        .map(|_| Class { from_let: r.below(lets.len() as u64) as usize, extra: r.below(9) })
        .collect();
    let mut functions = Vec::new();
    for f in 0..2 + r.below(8) as usize {
        let mut body = Vec::new();
        let mut calls = 0;
        for _ in 0..1 + r.below(6) {
            let class = r.below(classes.len() as u64) as usize;
            body.push(match r.below(6) {
                0 => Stmt::AddLet(r.below(lets.len() as u64) as usize),
                1 => Stmt::AddVar(r.below(vars.len() as u64) as usize),
                2 => Stmt::StoreVar(r.below(vars.len() as u64) as usize),
                3 => Stmt::IfNew { above: r.below(1000), class },
                4 => Stmt::LoopNew { times: r.below(4), class },
                _ if f > 0 && calls < 2 => {
                    calls += 1;
                    Stmt::Call(r.below(f as u64) as usize)
                }
                _ => Stmt::IfNew { above: r.below(1000), class },
            });
        }
        functions.push(body);
    }
    let inputs = (0..3).map(|_| r.below(1000)).collect();
    Program { lets, vars, classes, functions, inputs }
}

/// The program's Tessera source.
fn source(p: &Program) -> String {
    let mut s = String::new();
    for (i, v) in p.lets.iter().enumerate() {
        s += &format!("let N{i} = {v}\n");
    }
    for (i, v) in p.vars.iter().enumerate() {
        s += &format!("var G{i} = {v}\n");
    }
    for (i, c) in p.classes.iter().enumerate() {
        s += &format!(
            "class C{i} {{\n    var d: Int = N{}\n    var e: Int = {}\n    fn get() -> Int {{ return (self.d + self.e) % 1000 }}\n}}\n",
            c.from_let, c.extra
        );
    }
    for (f, body) in p.functions.iter().enumerate() {
        s += &format!("fn f{f}(n: Int) -> Int {{\n    var t = n % 1000\n");
        for (k, stmt) in body.iter().enumerate() {
            s += &match stmt {
                Stmt::AddLet(i) => format!("    t = (t + N{i}) % 1000\n"),
                Stmt::AddVar(i) => format!("    t = (t + G{i}) % 1000\n"),
                Stmt::StoreVar(i) => format!("    G{i} = (G{i} + t) % 1000\n"),
                Stmt::IfNew { above, class } => {
                    format!("    if t > {above} {{ t = (t + C{class}().get()) % 1000 }}\n")
                }
                Stmt::LoopNew { times, class } => format!(
                    "    var i{k} = 0\n    while i{k} < {times} {{\n        t = (t * 3 + C{class}().d) % 1000\n        i{k} += 1\n    }}\n"
                ),
                Stmt::Call(g) => format!("    t = (t + f{g}(t + {k})) % 1000\n"),
            };
        }
        s += "    return t\n}\n";
    }
    let last = p.functions.len() - 1;
    for input in &p.inputs {
        s += &format!("print(f{last}({input}))\n");
    }
    let sum: Vec<String> = (0..p.vars.len()).map(|i| format!("G{i}")).collect();
    s += &format!("print({})\n", sum.join(" + "));
    s
}

/// What the program prints, by evaluating it here.
fn expected(p: &Program) -> String {
    let mut vars = p.vars.clone();
    let mut out = String::new();
    let last = p.functions.len() - 1;
    for &input in &p.inputs {
        out += &format!("{}\n", call(p, &mut vars, last, input));
    }
    out += &format!("{}\n", vars.iter().sum::<u64>());
    out
}

fn call(p: &Program, vars: &mut [u64], f: usize, n: u64) -> u64 {
    let get = |c: usize| (p.lets[p.classes[c].from_let] + p.classes[c].extra) % 1000;
    let mut t = n % 1000;
    for (k, stmt) in p.functions[f].iter().enumerate() {
        match *stmt {
            Stmt::AddLet(i) => t = (t + p.lets[i]) % 1000,
            Stmt::AddVar(i) => t = (t + vars[i]) % 1000,
            Stmt::StoreVar(i) => vars[i] = (vars[i] + t) % 1000,
            Stmt::IfNew { above, class } => {
                if t > above {
                    t = (t + get(class)) % 1000;
                }
            }
            Stmt::LoopNew { times, class } => {
                for _ in 0..times {
                    t = (t * 3 + p.lets[p.classes[class].from_let]) % 1000;
                }
            }
            Stmt::Call(g) => t = (t + call(p, vars, g, t + k as u64)) % 1000,
        }
    }
    t
}

fn output(cmd: &mut Command) -> Result<String, String> {
    let out = common::as_a_user(cmd, false).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("status {}: {}", common::shell_status(out.status), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn generated_programs_print_what_they_compute() {
    let tess = env!("CARGO_BIN_EXE_tess");
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for seed in FIRST_SEED..FIRST_SEED + PROGRAMS {
        let program = generate(seed);
        let path = dir.path().join(format!("p{seed}.tes"));
        std::fs::write(&path, source(&program)).unwrap();
        let want = expected(&program);
        for opt in [None, Some("-O0")] {
            let exe = dir.path().join(format!("p{seed}{}", opt.unwrap_or("")));
            let built = output(Command::new(tess).arg("build").args(opt).arg(&path).arg("-o").arg(&exe));
            let got = built.and_then(|_| output(&mut Command::new(&exe)));
            if got.as_ref() != Ok(&want) {
                failures.push(format!("seed {seed:#x} built {opt:?}: {got:?}, expected {want:?}"));
            }
        }
        let jit = output(Command::new(tess).arg("run").arg(&path));
        if jit.as_ref() != Ok(&want) {
            failures.push(format!("seed {seed:#x} under the JIT: {jit:?}, expected {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
