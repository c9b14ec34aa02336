#!/usr/bin/env bash
# Seeds the libFuzzer corpora (fuzz/corpus/<target>/, gitignored) from the project's own data:
#   matcher    every rule's examples and negative examples, expanded into fresh tokens
#              (`cargo run --example rule_examples`), and the materialised test workspace;
#   config     every tokscan.toml in the repository and its fixtures;
#   rule_pack  the built-in rule packs (ids renamed) and the gitleaks fixtures.
# Run from anywhere; existing corpus files are kept (libFuzzer adds its own next to them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=$ROOT/fuzz/corpus
mkdir -p "$CORPUS/matcher" "$CORPUS/config" "$CORPUS/rule_pack"

# One file per expanded example, named by its content's hash so reruns do not duplicate.
(cd "$ROOT" && cargo run --quiet --locked --example rule_examples -- 1) | python3 -c '
import hashlib, json, os, sys
out = sys.argv[1]
for line in sys.stdin:
    text = json.loads(line)["text"].encode()
    name = hashlib.sha1(text).hexdigest()
    with open(os.path.join(out, name), "wb") as f:
        f.write(text)
' "$CORPUS/matcher"

WS=$(mktemp -d "${TMPDIR:-/tmp}/tokscan-fuzz-seed.XXXXXX")
trap 'rm -rf "$WS"' EXIT
(cd "$ROOT" && cargo run --quiet --locked --example materialize -- fixtures/workspace "$WS/workspace")
find "$WS/workspace" -type f -size -64k | while read -r f; do
    cp "$f" "$CORPUS/matcher/ws-$(sha1sum <"$f" | cut -c1-40)"
done

find "$ROOT" -name tokscan.toml -not -path '*/target/*' | while read -r f; do
    cp "$f" "$CORPUS/config/$(sha1sum <"$f" | cut -c1-40)"
done

# Every section a config may have, in one file.
cat >"$CORPUS/config/all-sections" <<'TOML'
[allow]
paths = ["docs/", "*.snap"]
fingerprints = ["0123456789abcdef0123456789abcdef"]

[[token]]
variable = "RAILWAY_API_TOKEN"
path = "scripts/**"
purpose = "custom domains"
needs = ["read", "write"]

[[token]]
fingerprint = "0123456789abcdef0123456789abcdef"
purpose = "deploy previews"

[introspect]
api_url = { github = "https://github.example.com/api/v3" }
TOML

# Built-in packs with their ids renamed, so that loading them next to the built-in rules gets
# past the duplicate-id check into regexes, examples and matching.
for f in "$ROOT"/rules/providers/*.toml; do
    awk '/^\[/ { section = $0 }
        (section == "[provider]" || section == "[[rule]]") && /^id = "/ { sub(/^id = "/, "id = \"fuzz") }
        { print }' "$f" >"$CORPUS/rule_pack/$(basename "$f" .toml)"
done
for f in "$ROOT"/fixtures/gitleaks/*.toml; do
    [[ -f $f ]] && cp "$f" "$CORPUS/rule_pack/gitleaks-$(basename "$f" .toml)"
done

for target in matcher config rule_pack; do
    echo "seed: $target: $(find "$CORPUS/$target" -type f | wc -l) files"
done
