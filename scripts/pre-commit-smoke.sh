#!/usr/bin/env bash
# Runs the pre-commit hooks of this repository for real: a temporary repository whose git
# pre-commit hook is `pre-commit try-repo <this repository> <hook>`, one staged token, and a
# `git commit` that must be refused; then a clean commit that must go through.
#
# Too slow for CI (pre-commit builds tokscan with `cargo install`, minutes on a small
# machine); run it by hand after changing .pre-commit-hooks.yaml:
#
#   scripts/pre-commit-smoke.sh            # needs pre-commit (pip install pre-commit)
#
# try-repo uses uncommitted changes of this repository too, and installs the hook into a
# fresh store on every run (four runs here); a shared CARGO_TARGET_DIR (a temporary one unless
# set) keeps the later builds from recompiling the dependencies.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="${PRE_COMMIT_HOME:-$work/pre-commit-home}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$work/target}"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

command -v pre-commit >/dev/null || { echo "pre-commit is not installed (pip install pre-commit)" >&2; exit 2; }
echo "pre-commit $(pre-commit --version | cut -d' ' -f2), hooks from $root"

# A token-shaped string made now (nothing token-shaped is committed in this repository).
mkdir -p "$work/template"
printf 'GITHUB_TOKEN=ghp_{{alnum:30}}{{checksum:crc32-base62}}\n' >"$work/template/app.env"
(cd "$root" && cargo run --quiet --locked --example materialize -- "$work/template" "$work/token")

repo="$work/repo"
mkdir -p "$repo"
cd "$repo"
git init -q -b main
git config user.name smoke
git config user.email smoke@example.com
echo "# demo" >README.md
git add README.md
git commit -q -m init

for hook in tokscan-staged tokscan; do
  echo
  echo "== hook $hook"
  cat >.git/hooks/pre-commit <<EOF
#!/usr/bin/env bash
exec pre-commit try-repo "$root" $hook
EOF
  chmod +x .git/hooks/pre-commit

  cp "$work/token/app.env" app.env
  git add app.env
  before="$(git rev-parse HEAD)"
  if git commit -q -m "add a token" 2>&1 | sed 's/^/  | /'; [ "${PIPESTATUS[0]}" -eq 0 ]; then
    echo "FAIL: $hook let a commit with a token through" >&2
    exit 1
  fi
  [ "$(git rev-parse HEAD)" = "$before" ] || { echo "FAIL: HEAD moved" >&2; exit 1; }
  echo "ok: $hook refused the commit with a staged token"

  git rm -q --cached app.env
  rm app.env
  echo "clean $hook" >>README.md
  git add README.md
  git commit -q -m "clean change" 2>&1 | sed 's/^/  | /'
  [ "$(git rev-parse HEAD)" != "$before" ] || { echo "FAIL: $hook refused a clean commit" >&2; exit 1; }
  echo "ok: $hook let a clean commit through"
done
echo
echo "pre-commit smoke test passed"
