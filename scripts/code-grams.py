#!/usr/bin/env python3
"""Counts the commonest four-byte grams of real source code, for the keyword prefilter.

    python3 scripts/code-grams.py DIR... > src/detect/code-grams.txt

The prefilter enters each keyword by two of its grams and compares the keyword wherever one
of them appears; a keyword entered by grams that code is full of (`table` in `airtable`)
costs a comparison on every line. This table tells it which grams to avoid. Feed it trees of
real code in several languages, never the benchmark corpus (which would tune the prefilter
to the benchmark): the table checked in was made from the Python standard library
(`/usr/lib/python3.11`), the C headers (`/usr/include`), the Rust crates of the cargo
registry (`~/.cargo/registry/src`) and npm (`/usr/lib/node_modules`).

The same number of bytes is sampled from each tree, whole files taken evenly across it, so no
one language decides. Grams are ASCII-lowercased, as the prefilter sees them, and only those
of four visible characters are kept (a keyword's grams have no spaces). Output: one gram and
its count per million grams a line, commonest first; only speed depends on it.
"""

import collections
import os
import sys

SAMPLE_BYTES = 8 << 20
KEEP = 4096
SOURCE_EXTENSIONS = {
    ".py", ".h", ".hpp", ".c", ".rs", ".js", ".mjs", ".cjs", ".ts", ".json", ".toml", ".yaml",
    ".yml", ".md", ".go", ".java", ".rb", ".sh", ".html", ".css",
}


def files_of(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if os.path.splitext(name)[1] in SOURCE_EXTENSIONS:
                yield os.path.join(dirpath, name)


def sample(root):
    """About SAMPLE_BYTES of the tree's source files, spread evenly over it."""
    paths = list(files_of(root))
    sizes = [os.path.getsize(p) for p in paths]
    total = sum(sizes) or 1
    step = max(1, round(total / SAMPLE_BYTES))
    taken = 0
    for i in range(0, len(paths), step):
        with open(paths[i], "rb") as f:
            data = f.read(1 << 20)
        if b"\0" in data[:8192]:
            continue
        taken += len(data)
        yield data
        if taken >= SAMPLE_BYTES:
            return


def main(roots):
    if not roots:
        sys.exit(__doc__)
    counts = collections.Counter()
    grams = 0
    for root in roots:
        for data in sample(os.path.expanduser(root)):
            text = data.lower()
            counts.update(text[i : i + 4] for i in range(len(text) - 3))
            grams += max(0, len(text) - 3)
    visible = [(g, n) for g, n in counts.items() if all(0x21 <= b <= 0x7E for b in g)]
    visible.sort(key=lambda item: (-item[1], item[0]))
    print("# The commonest four-byte grams of source code, per million; made by scripts/code-grams.py")
    for gram, n in visible[:KEEP]:
        print(gram.decode("ascii"), max(1, round(n * 1_000_000 / grams)))


if __name__ == "__main__":
    main(sys.argv[1:])
