#!/usr/bin/env python3
"""Generate a deterministic benchmark corpus of realistic source trees for tokscan.

    python3 scripts/gen-corpus.py [--size-mb N] [--seed S] [--force] DIR
    python3 scripts/gen-corpus.py --shape small-files [--files N] DIR
    python3 scripts/gen-corpus.py --shape deep-tree [--depth D] [--size-mb N] DIR

Shapes: `mixed` (the default, described below); `small-files`: N (default 100 000) small
source files (~1.7 KB on average) in packages of 20-300 files, to measure the per-file cost;
`deep-tree`: chains of D (default 200) nested directories with one to three small files at
every level until about N MiB, to measure the per-directory cost of the walk. Both plant
tokens and look-alikes like `mixed`.

`mixed` writes about N MiB (default 1024) of files into DIR, spread over "repositories" of mixed
content (each repository's directories drawn from a few names, about nine files to a directory):
source code in many languages (Rust, Python, Go, TypeScript/JavaScript, Java),
YAML, JSON, Terraform, shell, Markdown, lockfiles (package-lock.json with sha512
`integrity` strings, Cargo.lock checksums, go.sum), minified JavaScript and source maps
(long single lines), base64 blobs, CSV data full of UUIDs and git-hash-like hex.

A few tokens are planted per ~10 MiB (GitHub classic PATs and npm tokens with valid CRC32
checksums, Stripe-like live secret keys, AWS-like access key ids), plus as many
look-alikes that a scanner must reject (GitHub-shaped strings with a wrong checksum).
Every token is generated at run time; no token literal appears in this file.

The same seed and size give byte-identical output. The number of planted tokens is printed
on standard output at the end (progress goes to standard error), and a marker file
`.tokscan-bench-corpus` (JSON: seed, size, bytes, files, planted counts) is written last,
so a tree without it is incomplete.
"""

import argparse
import base64
import json
import os
import random
import sys
import zlib

MARKER = ".tokscan-bench-corpus"
MIB = 1024 * 1024
# Directory names a repository of the mixed corpus draws its package and module paths from.
DIR_WORDS = 6

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _table(alphabet):
    return bytes(ord(alphabet[i % len(alphabet)]) for i in range(256))


ALNUM_TABLE = _table(ALNUM)
LOWER_TABLE = _table("abcdefghijklmnopqrstuvwxyz")
# Token prefixes, assembled so that this file holds no token-shaped literal.
GH_PREFIX = "gh" + "p_"
NPM_PREFIX = "np" + "m_"
STRIPE_PREFIX = "sk" + "_" + "live" + "_"
AWS_PREFIX = "AK" + "IA"

WORDS = (
    "user account config request response handler cache client server session token key "
    "secret password auth item order payment invoice buffer stream parser router metrics "
    "event queue worker task job node cluster region bucket table index record entry value "
    "result error status limit offset page count total name path url host port timeout retry "
    "state context logger options settings manager service provider factory builder registry "
    "store repo model schema field column filter query update delete create fetch load save "
    "parse render validate encode decode hash sign verify encrypt digest nonce salt credential "
    "api access refresh bearer header payload body data file dir image video profile email "
    "phone address city country currency amount price product cart customer tenant org team "
    "member role permission policy rule scope grant audit log trace span batch chunk shard "
    "replica leader follower lease lock mutex channel signal timer clock deadline"
).split()
PROSE = (
    "the a an of to in for on with by from and or but not this that these those is are was be "
    "can will should must may when if then so we you it they each every all some most more "
    "less new old first last next previous default custom local remote internal external "
    "simple fast safe stable public private optional required returns uses creates updates "
    "reads writes stores keeps handles checks sends receives starts stops runs builds tests"
).split()
EXTRA_WORDS = WORDS + PROSE


class Gen:
    """All randomness goes through one seeded generator, in a fixed order."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    # -- primitives ---------------------------------------------------------------------------

    def w(self):
        return self.r.choice(WORDS)

    def snake(self):
        n = self.r.randint(1, 3)
        return "_".join(self.r.choice(WORDS) for _ in range(n))

    def camel(self):
        n = self.r.randint(1, 3)
        first = self.r.choice(WORDS)
        return first + "".join(self.r.choice(WORDS).capitalize() for _ in range(n - 1))

    def pascal(self):
        n = self.r.randint(1, 3)
        return "".join(self.r.choice(WORDS).capitalize() for _ in range(n))

    def upper(self):
        return "_".join(self.r.choice(WORDS).upper() for _ in range(self.r.randint(1, 3)))

    def num(self):
        return self.r.choice((0, 1, 2, 3, 8, 10, 16, 32, 64, 100, 128, 256, 500, 1000, 1024, 4096, 30000))

    def sentence(self, lo=5, hi=16):
        ws = [self.r.choice(EXTRA_WORDS) for _ in range(self.r.randint(lo, hi))]
        return " ".join(ws).capitalize() + "."

    def hex(self, n):
        return self.r.randbytes((n + 1) // 2).hex()[:n]

    def alnum(self, n):
        return self.r.randbytes(n).translate(ALNUM_TABLE).decode()

    def lower(self, n):
        return self.r.randbytes(n).translate(LOWER_TABLE).decode()

    def b64(self, nbytes):
        return base64.b64encode(self.r.randbytes(nbytes)).decode()

    def uuid(self):
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def version(self):
        return f"{self.r.randint(0, 12)}.{self.r.randint(0, 40)}.{self.r.randint(0, 30)}"

    def date(self):
        return f"20{self.r.randint(18, 25)}-{self.r.randint(1, 12):02d}-{self.r.randint(1, 28):02d}"

    def ts(self):
        return f"{self.date()}T{self.r.randint(0, 23):02d}:{self.r.randint(0, 59):02d}:{self.r.randint(0, 59):02d}Z"

    def email(self):
        return f"{self.w()}.{self.w()}@{self.w()}{self.r.choice(('.com', '.io', '.dev', '.org'))}"

    def pkg(self):
        name = "-".join(self.r.choice(WORDS) for _ in range(self.r.randint(1, 3)))
        if self.r.random() < 0.25:
            return f"@{self.w()}/{name}"
        return name

    # -- tokens (valid shapes) -----------------------------------------------------------------

    def crc32_base62(self, body):
        n = zlib.crc32(body.encode()) & 0xFFFFFFFF
        out = []
        for _ in range(6):
            out.append(BASE62[n % 62])
            n //= 62
        return "".join(reversed(out))

    def token(self, kind):
        c = self.r.choice
        if kind in ("github", "npm"):
            body = "".join(c(ALNUM) for _ in range(30))
            prefix = GH_PREFIX if kind == "github" else NPM_PREFIX
            return prefix + body + self.crc32_base62(body)
        if kind == "stripe":
            return STRIPE_PREFIX + "".join(c(ALNUM) for _ in range(24))
        if kind == "aws":
            return AWS_PREFIX + "".join(c(BASE32) for _ in range(16))
        raise ValueError(kind)

    def decoy(self):
        """A GitHub-shaped string whose checksum does not match: must not be reported."""
        c = self.r.choice
        body = "".join(c(ALNUM) for _ in range(30))
        good = self.crc32_base62(body)
        bad = good
        while bad == good:
            bad = "".join(c(ALNUM) for _ in range(6))
        return GH_PREFIX + body + bad


# ---------------------------------------------------------------------------------------------
# Source languages: each yields "units" (a function, a class, a block) until the size is met.


def rust_unit(g):
    r = g.r
    name, ty, ty2 = g.snake(), g.pascal(), g.pascal()
    a, b, f = g.snake(), g.snake(), g.snake()
    lines = [f"/// {g.sentence()}", f"pub fn {name}(&self, {a}: &{ty}) -> Result<{ty2}, Error> {{"]
    for _ in range(r.randint(3, 14)):
        k = r.randrange(9)
        if k == 0:
            lines.append(f"    let {g.snake()} = self.{g.snake()}.get(&{a}.{g.snake()}).ok_or(Error::NotFound)?;")
        elif k == 1:
            lines.append(f"    if {a}.{g.snake()} > {g.num()} {{\n        return Err(Error::Limit({g.num()}));\n    }}")
        elif k == 2:
            lines.append(f"    let mut {b} = Vec::with_capacity({g.num()});")
        elif k == 3:
            lines.append(f"    for {g.w()} in {a}.{g.snake()}.iter() {{\n        {b}.push({g.w()}.{g.snake()}()?);\n    }}")
        elif k == 4:
            lines.append(f'    tracing::debug!({g.snake()} = %{a}.{f}, "{g.sentence(3, 8)}");')
        elif k == 5:
            lines.append(f"    // {g.sentence()}")
        elif k == 6:
            lines.append(f"    let {g.snake()} = {g.pascal()}::new(&{a}.{f}, {g.num()}).map_err(Error::from)?;")
        elif k == 7:
            lines.append(f"    match {a}.{f} {{\n        {ty}::{g.pascal()} => self.{g.snake()}({b}),\n        _ => {{}}\n    }}")
        else:
            lines.append(f'    let {g.snake()} = std::env::var("{g.upper()}").unwrap_or_default();')
    lines.append(f"    Ok({ty2}::from({b}))\n}}\n")
    if r.random() < 0.2:
        lines.append(
            f"#[derive(Debug, Clone, Serialize, Deserialize)]\npub struct {g.pascal()} {{\n"
            + "".join(f"    pub {g.snake()}: {r.choice(('String', 'u64', 'Option<String>', 'Vec<u8>', 'bool'))},\n" for _ in range(r.randint(2, 8)))
            + "}\n"
        )
    return "\n".join(lines) + "\n"


def rust_header(g):
    return "".join(f"use crate::{g.snake()}::{{{g.pascal()}, {g.pascal()}}};\n" for _ in range(g.r.randint(2, 6))) + "use std::collections::HashMap;\n\n"


def python_unit(g):
    r = g.r
    lines = []
    if r.random() < 0.3:
        lines.append(f"class {g.pascal()}({r.choice(('object', 'BaseModel', 'Exception', 'TestCase'))}):")
        lines.append(f'    """{g.sentence()}"""\n')
        ind = "    "
    else:
        ind = ""
    for _ in range(r.randint(1, 3)):
        args = ", ".join(g.snake() for _ in range(r.randint(1, 4)))
        lines.append(f"{ind}def {g.snake()}({'self, ' if ind else ''}{args}):")
        lines.append(f'{ind}    """{g.sentence()}"""')
        for _ in range(r.randint(2, 10)):
            k = r.randrange(8)
            if k == 0:
                lines.append(f"{ind}    {g.snake()} = {g.snake()}.get({g.w()!r}, {g.num()})")
            elif k == 1:
                lines.append(f"{ind}    if {g.snake()} is None:\n{ind}        raise ValueError(\"{g.sentence(3, 7)}\")")
            elif k == 2:
                lines.append(f"{ind}    for {g.w()} in {g.snake()}:\n{ind}        {g.snake()}.append({g.w()}.{g.snake()}())")
            elif k == 3:
                lines.append(f"{ind}    logger.info(\"{g.sentence(3, 8)} %s\", {g.snake()})")
            elif k == 4:
                lines.append(f"{ind}    {g.snake()} = os.environ.get(\"{g.upper()}\", \"\")")
            elif k == 5:
                lines.append(f"{ind}    # {g.sentence()}")
            elif k == 6:
                lines.append(f"{ind}    {g.snake()} = {{\"{g.w()}\": {g.snake()}, \"{g.w()}\": {g.num()}}}")
            else:
                lines.append(f"{ind}    {g.snake()} = self.{g.snake()}({g.snake()})" if ind else f"{ind}    {g.snake()} = {g.snake()}({g.snake()})")
        lines.append(f"{ind}    return {g.snake()}\n")
    return "\n".join(lines) + "\n"


def python_header(g):
    return '"""' + g.sentence() + '"""\n\n' + "import os\nimport logging\n" + "".join(
        f"from {g.w()}.{g.w()} import {g.pascal()}\n" for _ in range(g.r.randint(1, 5))
    ) + "\nlogger = logging.getLogger(__name__)\n\n"


def go_unit(g):
    r = g.r
    recv = g.w()[0]
    ty = g.pascal()
    lines = [f"// {g.pascal()} {g.sentence()}", f"func ({recv} *{ty}) {g.pascal()}(ctx context.Context, {g.camel()} {g.pascal()}) (*{g.pascal()}, error) {{"]
    for _ in range(r.randint(3, 12)):
        k = r.randrange(7)
        v = g.camel()
        if k == 0:
            lines.append(f"\t{v}, err := {recv}.{g.camel()}.{g.pascal()}(ctx, {g.camel()})\n\tif err != nil {{\n\t\treturn nil, fmt.Errorf(\"{g.w()} {g.w()}: %w\", err)\n\t}}")
        elif k == 1:
            lines.append(f"\t{v} := make([]{g.pascal()}, 0, {g.num()})")
        elif k == 2:
            lines.append(f"\tfor _, {g.w()} := range {g.camel()} {{\n\t\t{v} = append({v}, {g.w()}.{g.pascal()})\n\t}}")
        elif k == 3:
            lines.append(f"\t// {g.sentence()}")
        elif k == 4:
            lines.append(f"\t{recv}.log.Debug(\"{g.sentence(3, 6)}\", \"{g.w()}\", {g.camel()})")
        elif k == 5:
            lines.append(f"\t{v} := os.Getenv(\"{g.upper()}\")")
        else:
            lines.append(f"\tif {g.camel()} == nil {{\n\t\treturn nil, Err{g.pascal()}\n\t}}")
    lines.append(f"\treturn &{g.pascal()}{{}}, nil\n}}\n")
    if r.random() < 0.25:
        lines.append(f"type {g.pascal()} struct {{\n" + "".join(
            f"\t{g.pascal()} {r.choice(('string', 'int64', 'bool', '[]byte', 'time.Time'))} `json:\"{g.snake()},omitempty\"`\n" for _ in range(r.randint(2, 7))
        ) + "}\n")
    return "\n".join(lines) + "\n"


def go_header(g):
    return f"package {g.w()}\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"os\"\n\n\t\"github.com/{g.w()}/{g.w()}/internal/{g.w()}\"\n)\n\n"


def ts_unit(g):
    r = g.r
    k = r.randrange(3)
    if k == 0:
        body = "".join(f"  {g.camel()}{'?' if r.random() < 0.3 else ''}: {r.choice(('string', 'number', 'boolean', 'string[]', g.pascal()))};\n" for _ in range(r.randint(2, 9)))
        return f"export interface {g.pascal()} {{\n{body}}}\n\n"
    lines = [f"/** {g.sentence()} */", f"export async function {g.camel()}({g.camel()}: {g.pascal()}, {g.camel()} = {g.num()}): Promise<{g.pascal()}> {{"]
    for _ in range(r.randint(2, 10)):
        j = r.randrange(7)
        if j == 0:
            lines.append(f"  const {g.camel()} = await fetch(`${{{g.camel()}}}/api/{g.w()}/${{{g.camel()}.id}}`, {{ headers: {{ 'Content-Type': 'application/json' }} }});")
        elif j == 1:
            lines.append(f"  if (!{g.camel()}.{g.camel()}) {{\n    throw new Error('{g.sentence(3, 7)}');\n  }}")
        elif j == 2:
            lines.append(f"  const {g.camel()} = {g.camel()}.map(({g.w()}) => {g.w()}.{g.camel()}).filter(Boolean);")
        elif j == 3:
            lines.append(f"  // {g.sentence()}")
        elif j == 4:
            lines.append(f"  const {g.camel()} = process.env.{g.upper()} ?? '';")
        elif j == 5:
            lines.append(f"  console.debug('{g.w()}', {{ {g.camel()}, {g.camel()} }});")
        else:
            lines.append(f"  const {{ {g.camel()}, {g.camel()} }} = {g.camel()};")
    lines.append(f"  return {{ ...{g.camel()}, {g.camel()} }};\n}}\n")
    return "\n".join(lines) + "\n"


def ts_header(g):
    return "".join(f"import {{ {g.pascal()}, {g.camel()} }} from '../{g.w()}/{g.w()}';\n" for _ in range(g.r.randint(1, 6))) + "\n"


def java_unit(g):
    r = g.r
    lines = []
    for _ in range(r.randint(1, 4)):
        field = g.camel()
        ty = r.choice(("String", "long", "int", "boolean", "List<String>", g.pascal()))
        cap = field[0].upper() + field[1:]
        lines.append(f"    private {ty} {field};\n")
        lines.append(f"    public {ty} get{cap}() {{\n        return this.{field};\n    }}\n")
        lines.append(f"    public void set{cap}({ty} {field}) {{\n        this.{field} = {field};\n    }}\n")
    lines.append(f"    /**\n     * {g.sentence()}\n     */")
    lines.append(f"    public {g.pascal()} {g.camel()}({g.pascal()} {g.camel()}) throws {g.pascal()}Exception {{")
    for _ in range(r.randint(2, 8)):
        j = r.randrange(5)
        if j == 0:
            lines.append(f"        {g.pascal()} {g.camel()} = {g.camel()}Repository.findBy{g.pascal()}({g.camel()}.get{g.pascal()}());")
        elif j == 1:
            lines.append(f"        if ({g.camel()} == null) {{\n            throw new IllegalStateException(\"{g.sentence(3, 6)}\");\n        }}")
        elif j == 2:
            lines.append(f"        log.debug(\"{g.sentence(2, 5)} {{}}\", {g.camel()});")
        elif j == 3:
            lines.append(f"        String {g.camel()} = System.getenv(\"{g.upper()}\");")
        else:
            lines.append(f"        // {g.sentence()}")
    lines.append(f"        return new {g.pascal()}({g.camel()});\n    }}\n")
    return "\n".join(lines) + "\n"


def java_header(g):
    pkg = f"com.{g.w()}.{g.w()}"
    return f"package {pkg};\n\n" + "".join(f"import {pkg}.{g.w()}.{g.pascal()};\n" for _ in range(g.r.randint(2, 6))) + f"\npublic class {g.pascal()} {{\n\n"


def yaml_unit(g):
    r = g.r
    k = r.randrange(3)
    if k == 0:  # kubernetes
        env = "".join(
            f"            - name: {g.upper()}\n              valueFrom:\n                secretKeyRef:\n                  name: {g.w()}-{g.w()}\n                  key: {g.w()}\n"
            if r.random() < 0.3
            else f"            - name: {g.upper()}\n              value: \"{g.w()}\"\n"
            for _ in range(r.randint(2, 8))
        )
        return (
            f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {g.w()}-{g.w()}\n  labels:\n    app: {g.w()}\n"
            f"spec:\n  replicas: {r.randint(1, 6)}\n  template:\n    spec:\n      containers:\n        - name: {g.w()}\n"
            f"          image: ghcr.io/{g.w()}/{g.w()}:{g.version()}\n          ports:\n            - containerPort: {r.randint(1024, 9999)}\n"
            f"          env:\n{env}"
        )
    if k == 1:  # workflow
        steps = "".join(
            f"      - name: {g.sentence(2, 5)}\n        run: {r.choice(('cargo test', 'npm ci', 'make build', 'go test ./...', 'pytest -q'))}\n"
            f"        env:\n          {g.upper()}: ${{{{ secrets.{g.upper()} }}}}\n"
            for _ in range(r.randint(2, 6))
        )
        return f"name: {g.w()}\non:\n  push:\n    branches: [main]\njobs:\n  {g.w()}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@{g.hex(40)}\n{steps}\n"
    # compose / app config
    return f"{g.snake()}:\n" + "".join(
        f"  {g.snake()}: {r.choice((str(g.num()), 'true', 'false', g.w(), '${' + g.upper() + '}', repr(g.sentence(2, 4))))}\n" for _ in range(r.randint(3, 12))
    )


def json_unit(g):
    r = g.r
    obj = {
        "id": g.uuid(),
        "type": g.w(),
        "createdAt": g.ts(),
        "commit": g.hex(40),
        g.camel(): {g.camel(): r.choice((g.num(), g.w(), True, None, g.uuid())) for _ in range(r.randint(2, 8))},
        "tags": [g.w() for _ in range(r.randint(0, 5))],
        "owner": {"email": g.email(), "name": g.pascal()},
    }
    return json.dumps(obj, indent=2) + ",\n"


def tf_unit(g):
    r = g.r
    k = r.randrange(3)
    if k == 0:
        return f'variable "{g.snake()}" {{\n  type        = {r.choice(("string", "number", "bool", "list(string)"))}\n  description = "{g.sentence(3, 8)}"\n{"  sensitive   = true" + chr(10) if r.random() < 0.3 else ""}}}\n\n'
    tags = "".join(f'    {g.pascal()} = "{g.w()}"\n' for _ in range(r.randint(1, 4)))
    attrs = "".join(f"  {g.snake()} = {r.choice(('var.' + g.snake(), str(g.num()), 'true', chr(34) + g.w() + chr(34)))}\n" for _ in range(r.randint(2, 8)))
    res = r.choice(("aws_s3_bucket", "aws_iam_role", "aws_db_instance", "google_storage_bucket", "azurerm_key_vault", "aws_lambda_function"))
    return f'resource "{res}" "{g.snake()}" {{\n{attrs}  tags = {{\n{tags}  }}\n}}\n\n'


def sh_unit(g):
    r = g.r
    lines = [f"# {g.sentence()}", f"{g.snake()}() {{"]
    for _ in range(r.randint(2, 8)):
        k = r.randrange(6)
        if k == 0:
            lines.append(f'  local {g.snake()}="${{1:-{g.w()}}}"')
        elif k == 1:
            lines.append(f'  curl -fsSL -H "Authorization: Bearer ${{{g.upper()}}}" "https://api.{g.w()}.com/v1/{g.w()}/{g.w()}"')
        elif k == 2:
            lines.append(f'  if [[ -z "${{{g.upper()}:-}}" ]]; then\n    echo "{g.sentence(3, 6)}" >&2\n    return 1\n  fi')
        elif k == 3:
            lines.append(f"  export {g.upper()}=\"${{{g.upper()}:-{g.w()}}}\"")
        elif k == 4:
            lines.append(f'  docker run --rm -e {g.upper()} -v "$PWD:/src" {g.w()}/{g.w()}:{g.version()} {g.w()}')
        else:
            lines.append(f"  {g.w()} --{g.w()} {g.num()} | grep -v {g.w()} || true")
    lines.append("}\n")
    return "\n".join(lines) + "\n"


def md_unit(g):
    r = g.r
    k = r.randrange(5)
    if k == 0:
        return f"## {g.sentence(2, 5)[:-1]}\n\n"
    if k == 1:
        return f"```bash\nexport {g.upper()}=<your {g.w()}>\n{g.w()} {g.w()} --{g.w()} {g.w()}\n```\n\n"
    if k == 2:
        rows = "".join(f"| `{g.snake()}` | {r.choice(('string', 'int', 'bool'))} | {g.sentence(3, 9)} |\n" for _ in range(r.randint(2, 7)))
        return f"| Option | Type | Description |\n| --- | --- | --- |\n{rows}\n"
    if k == 3:
        return "".join(f"- {g.sentence(3, 10)} ({g.hex(7)})\n" for _ in range(r.randint(2, 6))) + "\n"
    return " ".join(g.sentence() for _ in range(r.randint(2, 6))) + "\n\n"


LANGS = {
    # kind: (dir pattern, extensions, header, unit, footer)
    "rust": ("crates/{w}/src", ("rs",), rust_header, rust_unit, None),
    "python": ("{w}/{w}", ("py",), python_header, python_unit, None),
    "go": ("internal/{w}", ("go",), go_header, go_unit, None),
    "ts": ("web/src/{w}", ("ts", "tsx", "js", "mjs"), ts_header, ts_unit, None),
    "java": ("services/{w}/src/main/java/com/{w}", ("java",), java_header, java_unit, "}\n"),
    "yaml": ("deploy/{w}", ("yaml", "yml"), None, yaml_unit, None),
    "json": ("config/{w}", ("json",), lambda g: "[\n", json_unit, "{}\n]\n"),
    "terraform": ("infra/{w}", ("tf",), None, tf_unit, None),
    "shell": ("scripts", ("sh",), lambda g: "#!/usr/bin/env bash\nset -euo pipefail\n\n", sh_unit, None),
    "markdown": ("docs/{w}", ("md",), lambda g: f"# {g.pascal()}\n\n", md_unit, None),
}


def gen_source(g, kind, size):
    _, _, header, unit, footer = LANGS[kind]
    parts = [header(g)] if header else []
    n = sum(len(p) for p in parts)
    while n < size:
        u = unit(g)
        parts.append(u)
        n += len(u)
    if footer:
        parts.append(footer)
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Lockfiles, minified JS, source maps, blobs, data.


def gen_package_lock(g, size):
    r = g.r
    name = g.pkg()
    head = f'{{\n  "name": "{name}",\n  "version": "{g.version()}",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {{\n    "": {{\n      "name": "{name}",\n      "version": "{g.version()}"\n    }}'
    parts = [head]
    n = len(head)
    while n < size:
        p = g.pkg()
        v = g.version()
        base = p.split("/")[-1]
        deps = ""
        if r.random() < 0.5:
            deps = ',\n      "dependencies": {\n' + ",\n".join(f'        "{g.pkg()}": "^{g.version()}"' for _ in range(r.randint(1, 5))) + "\n      }"
        e = (
            f',\n    "node_modules/{p}": {{\n      "version": "{v}",\n'
            f'      "resolved": "https://registry.npmjs.org/{p}/-/{base}-{v}.tgz",\n'
            f'      "integrity": "sha512-{g.b64(64)}",\n'
            f'      "{"dev" if r.random() < 0.5 else "peer"}": true,\n      "license": "{r.choice(("MIT", "ISC", "Apache-2.0", "BSD-3-Clause"))}"{deps}\n    }}'
        )
        parts.append(e)
        n += len(e)
    parts.append("\n  }\n}\n")
    return "".join(parts)


def gen_cargo_lock(g, size):
    r = g.r
    parts = ["# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n"]
    n = len(parts[0])
    while n < size:
        deps = ""
        if r.random() < 0.6:
            deps = "dependencies = [\n" + "".join(f' "{g.snake().replace("_", "-")}",\n' for _ in range(r.randint(1, 6))) + "]\n"
        e = (
            f'\n[[package]]\nname = "{g.snake().replace("_", "-")}"\nversion = "{g.version()}"\n'
            f'source = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "{g.hex(64)}"\n{deps}'
        )
        parts.append(e)
        n += len(e)
    return "".join(parts)


def gen_go_sum(g, size):
    parts = []
    n = 0
    while n < size:
        mod = f"github.com/{g.w()}/{g.w()}-{g.w()} v{g.version()}"
        e = f"{mod} h1:{g.b64(32)}\n{mod}/go.mod h1:{g.b64(32)}\n"
        parts.append(e)
        n += len(e)
    return "".join(parts)


def gen_minified(g, size):
    """One very long line of minified JavaScript, sometimes with a data: URI inside."""
    r = g.r
    parts = ['!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?module.exports=t():"function"==typeof define&&define.amd?define(t):(e=e||self).' + g.pascal() + "=t()}(this,function(){\"use strict\";"]
    n = len(parts[0])
    ids = [g.lower(r.randint(1, 2)) for _ in range(64)]
    while n < size:
        k = r.randrange(8)
        a, b, c = r.choice(ids), r.choice(ids), r.choice(ids)
        if k == 0:
            s = f"var {a}=function({b},{c}){{return {b}.{g.camel()}({c})||{c}[{r.randint(0, 9)}]}},"
        elif k == 1:
            s = f'{a}.prototype.{g.camel()}=function({b}){{if(!{b})throw new TypeError("{g.sentence(2, 5)}");this._{g.camel()}={b}}};'
        elif k == 2:
            s = f'{a}="{g.alnum(r.randint(8, 40))}",{b}=0x{g.hex(8)},'
        elif k == 3:
            s = f"for(var {a}=0;{a}<{b}.length;{a}++){c}[{a}]={b}[{a}]^{r.randint(1, 255)};"
        elif k == 4 and r.random() < 0.05:
            s = f'{a}="data:image/png;base64,{g.b64(r.randint(300, 6000))}";'
        elif k == 5:
            s = f"function {a}({b}){{return {b}&&{b}.__esModule?{b}:{{default:{b}}}}}"
        elif k == 6:
            s = f'Object.defineProperty({a},"{g.camel()}",{{enumerable:!0,get:function(){{return {b}.{g.camel()}}}}});'
        else:
            s = f"{a}=({b},{c})=>{b}.{g.camel()}({c}).then({c}=>{c}.{g.camel()}).catch({c}=>{{throw {c}}});"
        parts.append(s)
        n += len(s)
    parts.append("});\n//# sourceMappingURL=index.min.js.map\n")
    return "".join(parts)


def gen_sourcemap(g, size):
    vlq = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    table = _table(vlq)
    r = g.r
    segs = []
    n = 0
    target = max(size - 200, 64)
    while n < target:
        seg = r.randbytes(r.randint(4, 8)).translate(table).decode()
        segs.append(seg + (";" if r.random() < 0.02 else ","))
        n += len(seg) + 1
    srcs = ", ".join(f'"webpack://{g.w()}/src/{g.w()}.ts"' for _ in range(r.randint(2, 12)))
    return f'{{"version":3,"file":"index.min.js","sources":[{srcs}],"names":[],"mappings":"{"".join(segs)}"}}\n'


def gen_blob(g, size):
    r = g.r
    if r.random() < 0.5:
        # MIME-wrapped base64, as in a fixture or an email dump.
        raw = g.b64(size * 3 // 4)
        return "\n".join(raw[i : i + 76] for i in range(0, len(raw), 76)) + "\n"
    parts = ["{\n"]
    n = 0
    while n < size:
        e = f'  "{g.snake()}": "data:application/octet-stream;base64,{g.b64(r.randint(500, 20000))}",\n'
        parts.append(e)
        n += len(e)
    parts.append(f'  "id": "{g.uuid()}"\n}}\n')
    return "".join(parts)


def gen_csv(g, size):
    r = g.r
    parts = ["id,commit,created_at,email,status,amount,etag\n"]
    n = len(parts[0])
    while n < size:
        e = f"{g.uuid()},{g.hex(40)},{g.ts()},{g.email()},{g.w()},{r.randint(0, 99999)}.{r.randint(0, 99):02d},{g.hex(32)}\n"
        parts.append(e)
        n += len(e)
    return "".join(parts)


def gen_changelog(g, size):
    parts = ["# Changelog\n\n"]
    n = 0
    while n < size:
        e = f"## [{g.version()}] - {g.date()}\n\n" + "".join(f"- {g.sentence(3, 12)} ({g.hex(40)})\n" for _ in range(g.r.randint(2, 10))) + "\n"
        parts.append(e)
        n += len(e)
    return "".join(parts)


def _src_size(g):
    return int(min(max(g.r.lognormvariate(8.6, 1.0), 300), 250_000))  # median ~5.4 KB


def _big(lo, hi):
    return lambda g: int(g.r.uniform(lo, hi))


SHARES = {
    "rust": 8, "python": 9, "go": 7, "ts": 9, "java": 7, "yaml": 4, "json": 5, "terraform": 3, "shell": 2, "markdown": 4,
    "package-lock": 10, "cargo-lock": 3, "go-sum": 2, "minified": 11, "sourcemap": 5, "blob": 5, "csv": 4, "changelog": 2,
}  # fmt: skip
# Non-source kinds: (size sampler, generator, path maker).
BIG = {
    "package-lock": (_big(50_000, 3_000_000), gen_package_lock, lambda g: f"{g.pick_dir(('web', 'packages/' + g.w(), 'apps/' + g.w()))}/package-lock.json"),
    "cargo-lock": (_big(20_000, 400_000), gen_cargo_lock, lambda g: "Cargo.lock" if g.r.random() < 0.5 else f"tools/{g.w()}/Cargo.lock"),
    "go-sum": (_big(5_000, 200_000), gen_go_sum, lambda g: f"{g.pick_dir(('.', 'cmd/' + g.w()))}/go.sum"),
    "minified": (_big(80_000, 4_000_000), gen_minified, lambda g: f"node_modules/{g.pkg()}/dist/{g.w()}.min.js"),
    "sourcemap": (_big(50_000, 3_000_000), gen_sourcemap, lambda g: f"web/dist/assets/{g.w()}-{g.hex(8)}.js.map"),
    "blob": (_big(20_000, 2_000_000), gen_blob, lambda g: f"fixtures/{g.w()}/{g.snake()}.{g.r.choice(('b64', 'json', 'txt'))}"),
    "csv": (_big(20_000, 5_000_000), gen_csv, lambda g: f"data/{g.snake()}.csv"),
    "changelog": (_big(5_000, 300_000), gen_changelog, lambda g: f"{g.pick_dir(('.', 'docs', 'crates/' + g.w()))}/CHANGELOG.md"),
}
def _mean(kind):
    if kind in BIG:
        # Uniform samplers: the mean is the midpoint of their bounds.
        return {"package-lock": 1_525_000, "cargo-lock": 210_000, "go-sum": 102_500, "minified": 2_040_000,
                "sourcemap": 1_525_000, "blob": 1_010_000, "csv": 2_510_000, "changelog": 152_500}[kind]  # fmt: skip
    return 8_900  # lognormal(8.6, 1.0) mean ~ exp(8.6 + 0.5)


def pick_dir(self, choices):
    return self.r.choice(choices)


Gen.pick_dir = pick_dir


# ---------------------------------------------------------------------------------------------
# Planting.

PLANT_LINES = {
    "rust": 'const {NAME}: &str = "{TOK}";\n',
    "python": '{name} = "{TOK}"\n',
    "go": '\t{name} := "{TOK}"\n',
    "ts": "const {name} = '{TOK}';\n",
    "java": '    private static final String {NAME} = "{TOK}";\n',
    "yaml": "{name}: {TOK}\n",
    "json": '{{"{name}": "{TOK}"}},\n',
    "terraform": '  {name} = "{TOK}"\n',
    "shell": "export {NAME}={TOK}\n",
    "markdown": "    export {NAME}={TOK}\n",
    "csv": "{UUID},{HEX},2024-01-01T00:00:00Z,{TOK},active,0.00,{HEX}\n",
    "changelog": "- Rotated `{TOK}` after the incident\n",
    "cargo-lock": '# {name} = "{TOK}"\n',
    "go-sum": "// {NAME}={TOK}\n",
    "blob": "{TOK}\n",
}
TOKEN_NAMES = {
    "github": ("github_token", "gh_token", "github_pat", "token"),
    "npm": ("npm_token", "npm_auth_token", "registry_token", "token"),
    "stripe": ("stripe_secret_key", "stripe_key", "payments_secret", "secret_key"),
    "aws": ("aws_access_key_id", "aws_key", "access_key_id", "key_id"),
}
TOKEN_KINDS = ("github", "npm", "stripe", "aws")


def plant_line(g, kind, tok, name):
    tmpl = PLANT_LINES.get(kind)
    if tmpl is None:
        return None
    return tmpl.format(TOK=tok, name=name, NAME=name.upper(), UUID=g.uuid(), HEX=g.hex(40))


def insert(g, content, kind, piece_line, piece_inline):
    """Insert a planted string into a file at a line boundary (or inline for one-line files)."""
    if kind in ("minified", "sourcemap", "package-lock"):
        if kind == "package-lock":
            # Lockfiles have an .npmrc beside them in real trees; here the token sits in the
            # top-level object, which stays valid JSON.
            return content.replace("{\n", "{\n" + piece_inline + ",\n", 1)
        pos = g.r.randrange(len(content) // 4, len(content) // 2)
        # Find a statement/segment boundary so the surrounding syntax stays plausible.
        cut = content.find(",", pos)
        if cut < 0:
            cut = pos
        return content[: cut + 1] + piece_inline + "," + content[cut + 1 :]
    pos = g.r.randrange(len(content))
    nl = content.find("\n", pos)
    if nl < 0:
        return content + "\n" + piece_line
    return content[: nl + 1] + piece_line + content[nl + 1 :]


# ---------------------------------------------------------------------------------------------


class Writer:
    """Plants tokens and look-alikes as the byte count passes their marks, and writes files."""

    def __init__(self, g, root, tokens_per_10mb):
        self.g = g
        self.root = root
        self.plant_gap = 10 * MIB / tokens_per_10mb if tokens_per_10mb > 0 else float("inf")
        self.next_plant = self.plant_gap * g.r.uniform(0.3, 1.0)
        self.next_decoy = self.plant_gap * g.r.uniform(0.3, 1.0)
        self.planted = {k: 0 for k in TOKEN_KINDS}
        self.decoys = 0
        self.written = 0
        self.files = 0
        self.dirs = set()
        self.used_paths = set()

    def plant(self, kind, content):
        g = self.g
        end = self.written + len(content)
        while end >= self.next_plant:
            tk = TOKEN_KINDS[sum(self.planted.values()) % len(TOKEN_KINDS)]
            tok = g.token(tk)
            name = g.r.choice(TOKEN_NAMES[tk])
            line = plant_line(g, kind, tok, name)
            if line is None and kind not in ("minified", "sourcemap", "package-lock"):
                break  # plant in the next file that has a natural place for it
            inline = {"minified": f'{name}="{tok}"', "sourcemap": tok}.get(kind, f'"{name}": "{tok}"')
            content = insert(g, content, kind, line, inline)
            self.planted[tk] += 1
            self.next_plant += self.plant_gap * g.r.uniform(0.5, 1.5)
        while end >= self.next_decoy:
            line = plant_line(g, kind, g.decoy(), "test_token")
            if line is None:
                break
            content = insert(g, content, kind, line, line)
            self.decoys += 1
            self.next_decoy += self.plant_gap * g.r.uniform(0.5, 1.5)
        return content

    def write(self, path, content):
        """Writes `content` at `path` (made unique); returns its size in bytes."""
        while path in self.used_paths:
            stem, dot, ext = path.rpartition(".")
            path = f"{stem}-{self.g.hex(4)}{dot}{ext}" if dot else f"{path}-{self.g.hex(4)}"
        self.used_paths.add(path)
        full = os.path.join(self.root, path)
        parent = os.path.dirname(full)
        if parent not in self.dirs:
            os.makedirs(parent, exist_ok=True)
            self.dirs.add(parent)
        data = content.encode()
        with open(full, "wb") as f:
            f.write(data)
        self.written += len(data)
        self.files += 1
        return len(data)


def shape_mixed(g, w, target):
    """Repositories of realistic mixed content until `target` bytes: the default corpus."""
    kinds = list(SHARES)
    # Choose kinds so that each gets its share of *bytes*: weight = share / mean file size.
    weights = [SHARES[k] / _mean(k) for k in kinds]
    repo = 0
    repo_left = 0
    last_report = 0
    while w.written < target:
        if repo_left <= 0:
            repo += 1
            repo_left = int(g.r.uniform(10, 60) * MIB)
            # A repository's packages and modules come from a few names, so directories hold
            # several files each (real trees hold about ten per directory, not one).
            dir_words = g.r.sample(WORDS, DIR_WORDS)
        kind = g.r.choices(kinds, weights)[0]
        if kind in BIG:
            sampler, gen, path_fn = BIG[kind]
            size = sampler(g)
            size = min(size, max(target - w.written, 1000))
            content = gen(g, size)
            rel = path_fn(g)
        else:
            size = _src_size(g)
            content = gen_source(g, kind, size)
            dir_pat, exts, *_ = LANGS[kind]
            d = dir_pat.replace("{w}", "{}").format(*(g.r.choice(dir_words) for _ in range(dir_pat.count("{w}"))))
            if kind == "yaml" and g.r.random() < 0.2:
                d = ".github/workflows"
            rel = f"{d}/{g.snake()}.{g.r.choice(exts)}"
            if kind in ("python", "go", "ts", "java", "rust") and g.r.random() < 0.15:
                rel = rel.replace("/src/", "/tests/") if "/src/" in rel else rel

        content = w.plant(kind, content)
        repo_left -= w.write(f"repo-{repo:03d}/{rel}", content)
        if w.written - last_report >= 50 * MIB:
            last_report = w.written
            print(f"gen-corpus: {w.written / MIB:.0f}/{target / MIB:.0f} MiB, {w.files} files", file=sys.stderr, flush=True)
    return repo


# Source kinds for the small-file and deep-tree shapes (no lockfiles or bundles: small files).
SMALL_KINDS = ("rust", "python", "go", "ts", "java", "yaml", "json", "terraform", "shell", "markdown")


def small_source(g):
    kind = g.r.choice(SMALL_KINDS)
    _, exts, *_ = LANGS[kind]
    # Mostly under 2 KB: a module of a few functions, a config, a README.
    content = gen_source(g, kind, int(g.r.uniform(100, 2500)))
    return kind, exts, content


def shape_small_files(g, w, nfiles):
    """`nfiles` small source files in packages of 20-300 files (as a monorepo's packages)."""
    repo = 0
    pkg_left = 0
    pkg = 0
    while w.files < nfiles:
        if pkg_left <= 0:
            pkg += 1
            pkg_left = g.r.randint(20, 300)
            if pkg % 50 == 1:
                repo += 1
            base = f"repo-{repo:03d}/packages/{g.w()}-{pkg:05d}"
        kind, exts, content = small_source(g)
        sub = g.r.choice(("src", "src", "src/" + g.w(), "tests", "."))
        content = w.plant(kind, content)
        w.write(f"{base}/{sub}/{g.snake()}.{g.r.choice(exts)}", content)
        pkg_left -= 1
        if w.files % 20_000 == 0:
            print(f"gen-corpus: {w.files}/{nfiles} files", file=sys.stderr, flush=True)
    return repo


def shape_deep_tree(g, w, target, depth):
    """Chains of `depth` nested directories, one to three small files at every level, until
    `target` bytes: the walk's cost per directory level, not per byte."""
    chain = 0
    while w.written < target:
        chain += 1
        path = f"chain-{chain:04d}"
        for _ in range(depth):
            if w.written >= target:
                break
            path += "/" + g.w()[:8]
            for _ in range(g.r.randint(1, 3)):
                kind, exts, content = small_source(g)
                content = w.plant(kind, content)
                w.write(f"{path}/{g.snake()}.{g.r.choice(exts)}", content)
    return chain


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", help="directory to write the corpus into (created; must be empty unless --force)")
    ap.add_argument("--shape", choices=("mixed", "small-files", "deep-tree"), default="mixed",
                    help="mixed: realistic repositories (default); small-files: --files small files; "
                         "deep-tree: --depth levels of nested directories")
    ap.add_argument("--size-mb", type=float, default=1024, help="target size in MiB (default 1024; mixed and deep-tree)")
    ap.add_argument("--files", type=int, default=100_000, help="number of files (small-files; default 100000)")
    ap.add_argument("--depth", type=int, default=200, help="directory nesting depth (deep-tree; default 200, at most 400)")
    ap.add_argument("--seed", default="tokscan-bench-v1", help="random seed (default tokscan-bench-v1)")
    ap.add_argument("--tokens-per-10mb", type=float, default=3.0, help="planted tokens per 10 MiB (default 3)")
    ap.add_argument("--force", action="store_true", help="write into a non-empty directory")
    args = ap.parse_args()
    if args.files < 1:
        ap.error("--files must be at least 1")
    if not 1 <= args.depth <= 400:
        # Nine bytes a level at most: 400 levels stay under PATH_MAX (4096).
        ap.error("--depth must be between 1 and 400")

    root = args.dir
    if os.path.exists(root) and os.listdir(root) and not args.force:
        sys.exit(f"gen-corpus: {root} is not empty (use --force, or remove it)")
    os.makedirs(root, exist_ok=True)

    g = Gen(args.seed)
    target = int(args.size_mb * MIB)
    w = Writer(g, root, args.tokens_per_10mb)
    if args.shape == "mixed":
        repos = shape_mixed(g, w, target)
    elif args.shape == "small-files":
        repos = shape_small_files(g, w, args.files)
    else:
        repos = shape_deep_tree(g, w, target, args.depth)

    total = sum(w.planted.values())
    marker = {
        "seed": args.seed,
        "size_mb": args.size_mb,
        "tokens_per_10mb": args.tokens_per_10mb,
        "bytes": w.written,
        "files": w.files,
        "repos": repos,
        "planted": w.planted,
        "planted_total": total,
        "decoys": w.decoys,
        # 2: directories drawn from a small pool per repository (1 had about one file each).
        "layout": 2,
    }
    # A mixed corpus's marker has no "shape" (older ones had none either).
    if args.shape != "mixed":
        marker["shape"] = args.shape
        if args.shape == "small-files":
            marker["size_mb"] = None  # a file count, not a size, was asked for
            marker["requested_files"] = args.files
        else:
            marker["depth"] = args.depth
    with open(os.path.join(root, MARKER), "w") as f:
        json.dump(marker, f, indent=2)
        f.write("\n")
    print(
        f"gen-corpus: wrote {w.written / MIB:.1f} MiB in {w.files} files ({repos} {'chains' if args.shape == 'deep-tree' else 'repos'}) "
        f"to {root}; planted {total} tokens {w.planted}, {w.decoys} checksum look-alikes",
        file=sys.stderr,
    )
    print(total)


if __name__ == "__main__":
    main()
