"""The `tessera` module extension (bzlmod, Bazel 7 and later): makes the
`tessera_tools` repository of repositories.bzl, from the archive a
`tessera.toolchain(archive = ...)` tag names (the root module's first),
else from the `tess` on the machine."""

load("//:repositories.bzl", "tessera_tools")

def _tessera_impl(mctx):
    archive = ""
    for module in mctx.modules:
        for tag in module.tags.toolchain:
            if tag.archive and not archive:
                archive = tag.archive
    tessera_tools(name = "tessera_tools", archive = archive)

tessera = module_extension(
    implementation = _tessera_impl,
    tag_classes = {
        "toolchain": tag_class(attrs = {
            "archive": attr.string(doc = "An absolute path to an archive of `tess toolchain --archive`."),
        }),
    },
)
