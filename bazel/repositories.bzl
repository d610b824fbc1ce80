"""`tessera_tools`: a repository holding the Tessera toolchain — the `tess`
binary and the runtime libraries it links programs against. From an
archive written by `tess toolchain --archive` when one is named (the
`archive` attribute, else the `TESS_TOOLCHAIN_ARCHIVE` environment
variable): unpacked into the repository, so nothing needs to be installed
where the build runs. Otherwise found on the machine (the `TESS`
environment variable, else `tess` on `PATH`), as symbolic links. Either
way an action's key holds the files' contents, never where they are: two
clones of a workspace share every cache entry."""

_BUILD = """
load("@rules_tessera//:defs.bzl", "tessera_toolchain")

tessera_toolchain(
    name = "toolchain",
    tess = "bin/tess",
    runtime = glob(["rt/*"]),
    visibility = ["//visibility:public"],
)
"""

def _tessera_tools_impl(rctx):
    archive = rctx.attr.archive or rctx.os.environ.get("TESS_TOOLCHAIN_ARCHIVE")
    if archive:
        rctx.extract(rctx.path(archive), "unpacked")
        rctx.symlink("unpacked/tessera/bin/tess", "bin/tess")
        for lib in ["libtessera_rt.a", "libtessera_rt.so"]:
            rctx.symlink("unpacked/tessera/bin/" + lib, "rt/" + lib)
        rctx.file("BUILD", _BUILD)
        rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.name)
        return
    tess = rctx.os.environ.get("TESS") or rctx.which("tess")
    if not tess:
        fail("cannot find `tess`: put it on PATH or set TESS to its path")
    tess = rctx.path(tess)
    rctx.symlink(tess, "bin/tess")
    libs = rctx.execute([tess, "config", "--libs"])
    if libs.return_code != 0:
        fail("`tess config --libs` failed: " + libs.stderr)
    rt = None
    for flag in libs.stdout.split(" "):
        if flag.startswith("-L"):
            rt = flag[2:].strip()
    if not rt:
        fail("`tess config --libs` named no runtime directory: " + libs.stdout)
    for lib in ["libtessera_rt.a", "libtessera_rt.so"]:
        rctx.symlink(rctx.path(rt + "/" + lib), "rt/" + lib)
    rctx.file("BUILD", _BUILD)
    rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.name)

tessera_tools = repository_rule(
    implementation = _tessera_tools_impl,
    attrs = {
        "archive": attr.string(doc = "An absolute path to an archive of `tess toolchain --archive`."),
    },
    environ = ["TESS", "PATH", "TESS_TOOLCHAIN_ARCHIVE"],
    local = True,
)
