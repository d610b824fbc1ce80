"""Bazel rules for Tessera (issue 16): one action per compile and per link,
each a `tess compile` or `tess link` command (the pure steps of
`docs/builds.md`). A compile's inputs are its sources and the interfaces
(`.tesi`) of the modules it needs, never their libraries: an edit that
leaves an interface's bytes unchanged re-runs no dependent compile. A link's
inputs are the objects, the libraries, the runtime and Bazel's C toolchain,
whose linker driver `tess link --cc` runs.

    tessera_library(name, srcs, deps = [], kind = "static" | "shared")
    tessera_binary(name, srcs, deps = [])
    tessera_test(name, srcs, deps = [])                   # its `test fn`s, as `tess test`
    tessera_test(name, srcs, deps = [], expected = "file with the output")
    tessera_toolchain(name, tess, runtime)   # see repositories.bzl

A `tessera_library` is also a C library (`CcInfo`): `NAME.h` declares its
`export extern fn`s (with `tessera.h` beside it), so a `cc_binary` can
depend on it.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

TesseraToolchainInfo = provider(
    doc = "The tess binary and the runtime libraries it links against.",
    fields = ["tess", "runtime", "runtime_dir"],
)

TesseraInfo = provider(
    doc = "A compiled Tessera module.",
    fields = {
        "module": "the module's name",
        "interfaces": "depset: the .tesi of this module and of every module it needs",
        "libraries": "depset: the library of this module and of every module it needs",
        "link_interfaces": "depset: the .tesi a link reads, a shared library's beside its interface stub",
        "link_libraries": "depset: what a binary linking this module is given: archives, and the " +
                          "interface stubs of shared libraries (not the archives inside them)",
    },
)

def _toolchain_impl(ctx):
    return [TesseraToolchainInfo(
        tess = ctx.executable.tess,
        runtime = ctx.files.runtime,
        runtime_dir = ctx.files.runtime[0].dirname,
    )]

tessera_toolchain = rule(
    implementation = _toolchain_impl,
    attrs = {
        "tess": attr.label(allow_single_file = True, executable = True, cfg = "exec"),
        "runtime": attr.label_list(allow_files = True),
    },
)

_TOOLCHAIN = attr.label(default = "@tessera_tools//:toolchain", providers = [TesseraToolchainInfo])

def _dirs(files):
    """The directories of `files`, each once, in order."""
    seen = {}
    for f in files:
        seen[f.dirname] = True
    return seen.keys()

def _compile(ctx, tc, module, kind, tests = False):
    """The compile action: sources and the deps' interfaces in, one object
    per source (and for a library its interface and C header) out; with
    `tests`, the objects of the module's test program."""
    deps = [d[TesseraInfo] for d in ctx.attr.deps]
    interfaces = depset(transitive = [d.interfaces for d in deps])
    objects = [
        ctx.actions.declare_file("_tess/%s/%s.o" % (ctx.label.name, src.basename[:-len(src.extension) - 1]))
        for src in ctx.files.srcs
    ]
    if tests:
        # The test runner's object (`tess compile --tests`).
        objects.append(ctx.actions.declare_file("_tess/%s/tess-test-runner.o" % ctx.label.name))
    args = ctx.actions.args()
    args.add("compile")
    args.add("--module", module)
    if kind == "shared":
        args.add("--shared")
    if tests:
        args.add("--tests")
    for d in _dirs(interfaces.to_list()):
        args.add("-I", d)
    args.add("--obj-dir", objects[0].dirname)
    outputs = list(objects)
    interface = None
    headers = []
    if kind != "program":
        interface = ctx.actions.declare_file(module + ".tesi")
        header = ctx.actions.declare_file("_tess/%s/include/%s.h" % (ctx.label.name, module))
        headers = [header, ctx.actions.declare_file("_tess/%s/include/tessera.h" % ctx.label.name)]
        args.add("--emit-interface", interface)
        args.add("--emit-header", header)
        outputs += [interface] + headers
    args.add_all(ctx.files.srcs)
    ctx.actions.run(
        executable = tc.tess,
        arguments = [args],
        inputs = depset(ctx.files.srcs, transitive = [interfaces]),
        outputs = outputs,
        mnemonic = "TesseraCompile",
        progress_message = "Compiling Tessera module %s" % module,
    )
    return objects, interface, headers

def _loaded(ctx, tc):
    """The shared libraries a binary linking `deps` loads when it runs:
    theirs and the runtime's."""
    libraries = depset(transitive = [d[TesseraInfo].libraries for d in ctx.attr.deps]).to_list()
    return [f for f in libraries + tc.runtime if f.extension == "so"]

def _runfiles_rpaths(out, shared):
    """Where `out` finds the `shared` libraries when it runs from its
    runfiles tree, where they are files of their own (a remote test's
    runfiles are copies, so `$ORIGIN` is not the output tree that `tess
    link`'s own rpaths point into): `$ORIGIN` up to the tree's root, then
    each library's directory there (an external repository's files are
    under its name)."""
    up = "../" * (len(out.short_path.split("/")) - 1)
    rpaths = {}
    for f in shared:
        rpaths["$ORIGIN/" + up + f.short_path.rsplit("/", 1)[0]] = True
    return rpaths.keys()

def _link(ctx, tc, kind, objects, out, stub = None):
    """The link action: objects, the deps' interfaces (which say what they
    need) and libraries — a shared one's interface stub, so that an edit of
    its bodies relinks nothing that links it — and the runtime in; an
    archive, shared library (and with `stub`, its interface stub) or
    program out."""
    deps = [d[TesseraInfo] for d in ctx.attr.deps]
    interfaces = depset(transitive = [d.link_interfaces for d in deps])
    libraries = depset(transitive = [d.link_libraries for d in deps])
    args = ctx.actions.args()
    args.add("link")
    if kind == "static":
        args.add("--static")
    elif kind == "shared":
        args.add("--shared")
    args.add("-o", out)
    if kind == "static":
        # An archive holds the module's own objects: its dependencies'
        # interfaces and libraries are for whoever links it.
        inputs = [objects]
    else:
        for d in _dirs(interfaces.to_list()):
            args.add("-I", d)
        for d in deps:
            args.add("--import", d.module)
        for rpath in _runfiles_rpaths(out, _loaded(ctx, tc)):
            args.add("--rpath", rpath)
        if stub:
            args.add("--interface-stub", stub)
        # The link runs Bazel's C toolchain's linker driver, with the
        # toolchain's files as inputs (as rules_rust links).
        cc_toolchain, features = _c_toolchain(ctx)
        action = "c++-link-dynamic-library" if kind == "shared" else "c++-link-executable"
        args.add("--cc", cc_common.get_tool_for_action(feature_configuration = features, action_name = action))
        inputs = [objects, interfaces.to_list(), libraries.to_list(), tc.runtime, cc_toolchain.all_files.to_list()]
    args.add_all(objects)
    ctx.actions.run(
        executable = tc.tess,
        arguments = [args],
        inputs = depset([f for group in inputs for f in group]),
        outputs = [out] + ([stub] if stub else []),
        # The toolchain's driver finds its assembler and linker on `PATH`,
        # as in Bazel's own C actions with the autodetected toolchain.
        env = {"PATH": "/bin:/usr/bin:/usr/local/bin", "TESS_RUNTIME_DIR": tc.runtime_dir},
        mnemonic = "TesseraLink",
        progress_message = "Linking Tessera %s" % out.short_path,
    )

def _to_link(ctx, cc_toolchain, features, f):
    """A library file as the C rules link it."""
    if f.extension == "a":
        return cc_common.create_library_to_link(
            actions = ctx.actions,
            feature_configuration = features,
            cc_toolchain = cc_toolchain,
            static_library = f,
        )
    return cc_common.create_library_to_link(
        actions = ctx.actions,
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        dynamic_library = f,
    )

def _c_toolchain(ctx):
    """Bazel's C toolchain for this target, and its features."""
    cc_toolchain = find_cpp_toolchain(ctx)
    features = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    return cc_toolchain, features

def _cc_info(ctx, tc, kind, library, headers):
    """The library as a C library: its header and library, the runtime, and
    the deps' libraries."""
    cc_toolchain, features = _c_toolchain(ctx)

    runtime = [f for f in tc.runtime if f.extension == ("a" if kind == "static" else "so")]
    deps = [d[TesseraInfo] for d in ctx.attr.deps]
    libraries = [library] + depset(transitive = [d.libraries for d in deps]).to_list() + runtime
    linker_input = cc_common.create_linker_input(
        owner = ctx.label,
        libraries = depset([_to_link(ctx, cc_toolchain, features, f) for f in libraries]),
        user_link_flags = depset(["-lm", "-lpthread", "-ldl"]),
    )
    return CcInfo(
        compilation_context = cc_common.create_compilation_context(
            headers = depset(headers),
            includes = depset([headers[0].dirname]),
        ),
        linking_context = cc_common.create_linking_context(linker_inputs = depset([linker_input])),
    )

def _library_impl(ctx):
    tc = ctx.attr._toolchain[TesseraToolchainInfo]
    module = ctx.label.name
    kind = ctx.attr.kind
    objects, interface, headers = _compile(ctx, tc, module, kind)
    library = ctx.actions.declare_file("lib%s.%s" % (module, "a" if kind == "static" else "so"))
    deps = [d[TesseraInfo] for d in ctx.attr.deps]
    deps_link_libraries = depset(transitive = [d.link_libraries for d in deps]).to_list()
    if kind == "shared":
        # Linked against in its place: the stub, with the interface beside
        # it (where `tess link` looks); the archives inside the library are
        # no one else's input.
        stub = ctx.actions.declare_file("_stub/lib%s.so" % module)
        link_interface = ctx.actions.declare_file("_stub/%s.tesi" % module)
        ctx.actions.symlink(output = link_interface, target_file = interface)
        _link(ctx, tc, kind, objects, library, stub)
        link_libraries = [stub] + [f for f in deps_link_libraries if f.extension == "so"]
        shared = [library]
    else:
        link_interface = interface
        _link(ctx, tc, kind, objects, library)
        link_libraries = [library] + deps_link_libraries
        shared = []
    return [
        DefaultInfo(files = depset([library, interface]), runfiles = ctx.runfiles(files = shared)),
        TesseraInfo(
            module = module,
            interfaces = depset([interface], transitive = [d.interfaces for d in deps]),
            libraries = depset([library], transitive = [d.libraries for d in deps]),
            link_interfaces = depset([link_interface], transitive = [d.link_interfaces for d in deps]),
            link_libraries = depset(link_libraries),
        ),
        _cc_info(ctx, tc, kind, library, headers),
    ]

_COMMON = {
    "srcs": attr.label_list(allow_files = [".tes"], mandatory = True),
    "deps": attr.label_list(providers = [TesseraInfo]),
    "_toolchain": _TOOLCHAIN,
    "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
}

tessera_library = rule(
    implementation = _library_impl,
    attrs = dict(_COMMON, **{
        "kind": attr.string(default = "static", values = ["static", "shared"]),
    }),
    fragments = ["cpp"],
    doc = "A Tessera module compiled to a static archive or a shared library, with its interface.",
)

def _runfiles(ctx, tc, out):
    """What the program needs when it runs: the shared libraries."""
    return ctx.runfiles(files = [out] + _loaded(ctx, tc))

def _program(ctx, tests):
    """The program of the `main` module of `srcs` (with `tests`, its test
    program), and what it needs to run."""
    tc = ctx.attr._toolchain[TesseraToolchainInfo]
    objects, _, _ = _compile(ctx, tc, "main", "program", tests = tests)
    out = ctx.actions.declare_file(ctx.label.name)
    _link(ctx, tc, "program", objects, out)
    return [DefaultInfo(executable = out, runfiles = _runfiles(ctx, tc, out))]

def _binary_impl(ctx):
    return _program(ctx, tests = False)

tessera_binary = rule(
    implementation = _binary_impl,
    attrs = _COMMON,
    fragments = ["cpp"],
    executable = True,
    doc = "A Tessera program: its main module compiled and linked.",
)

def _test_impl(ctx):
    binary = ctx.executable.binary
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(
        output = script,
        content = "#!/bin/sh\n\"./%s\" > \"$TEST_TMPDIR/out\" && diff -u \"%s\" \"$TEST_TMPDIR/out\"\n" % (
            binary.short_path,
            ctx.file.expected.short_path,
        ),
        is_executable = True,
    )
    runfiles = ctx.runfiles(files = [binary, ctx.file.expected]).merge(ctx.attr.binary[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

_tessera_test = rule(
    implementation = _test_impl,
    attrs = {
        "binary": attr.label(executable = True, cfg = "target"),
        "expected": attr.label(allow_single_file = True),
    },
    test = True,
)

def _unit_test_impl(ctx):
    return _program(ctx, tests = True)

_tessera_unit_test = rule(
    implementation = _unit_test_impl,
    attrs = _COMMON,
    fragments = ["cpp"],
    test = True,
)

def tessera_test(name, srcs, expected = None, deps = [], **kwargs):
    """Without `expected`: the `test fn`s of `srcs` (a module's files and
    its test files), built into a test program and run as `tess test` runs
    them — the test fails when one of them does. With `expected`: a
    Tessera program that passes when its output is `expected`'s text."""
    if expected == None:
        _tessera_unit_test(name = name, srcs = srcs, deps = deps, **kwargs)
        return
    tessera_binary(name = name + "_program", srcs = srcs, deps = deps, testonly = True)
    _tessera_test(name = name, binary = ":" + name + "_program", expected = expected, **kwargs)
