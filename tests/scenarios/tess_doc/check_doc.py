"""Reads the pages `tess doc` wrote (build/doc) with Python's HTML parser
and prints what a reader finds: the index's modules, search box and
declarations, and each module page's sections with their signature and
text, so the steps can compare them."""
import html.parser
import sys


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections = []  # [id, signature, paragraphs]
        self.items = []  # (data-name, href)
        self.modules = []
        self.search = False
        self.stack = []
        self.text = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append(tag)
        if tag == "section":
            self.sections.append([a["id"], "", []])
        elif tag == "input" and a.get("type") == "search":
            self.search = True
        elif tag == "li" and "data-name" in a:
            self.items.append(a["data-name"])
        elif tag == "a" and "#" not in a.get("href", "#"):
            self.modules.append(a["href"])
        if tag in ("h3", "p"):
            self.text = ""

    def handle_endtag(self, tag):
        if tag in ("h3", "p") and self.text is not None and self.sections:
            if tag == "h3":
                self.sections[-1][1] = self.text
            else:
                self.sections[-1][2].append(self.text)
            self.text = None
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if self.text is not None:
            self.text += data


def read(path):
    p = Page()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return p


index = read("build/doc/index.html")
print("modules:", " ".join(index.modules))
print("search box:", index.search)
print("declarations:", " ".join(index.items))
for module in sys.argv[1:]:
    page = read(f"build/doc/{module}.html")
    print(f"== {module}")
    for ident, signature, paragraphs in page.sections:
        print(f"{ident}: {signature}")
        for para in paragraphs:
            print(f"  {para}")
