#!/usr/bin/env bash
# The GitHub Action's logic (action.yml builds tokscan, then runs this).
#
# Decides what to scan from the event, runs tokscan, and leaves:
#   - SARIF at $INPUT_SARIF_FILE (for github/codeql-action/upload-sarif),
#   - a Markdown table of findings in $GITHUB_STEP_SUMMARY,
#   - workflow annotations on standard output (-f github),
#   - the outputs findings-count, exit-code and sarif-file in $GITHUB_OUTPUT,
# and exits with tokscan's exit code (0 clean, 1 findings at or above fail-on, 2 error).
#
# What is scanned:
#   pull_request / pull_request_target  base.sha..head.sha (only the lines the PR adds)
#   push                                before..after; a new branch (all-zero before): the
#                                       commits not on the default branch, never the whole
#                                       history silently
#   anything else                       the checked-out tree
# The inputs base and head override the event's range.
#
# Environment: INPUT_ARGS, INPUT_FAIL_ON, INPUT_CONFIG, INPUT_BASE, INPUT_HEAD,
# INPUT_SARIF_FILE, INPUT_INTROSPECT (set by action.yml), the usual GITHUB_* variables, and
# TOKSCAN_BIN (the tokscan binary; default: tokscan on PATH).
set -uo pipefail

bin="${TOKSCAN_BIN:-tokscan}"
event="${GITHUB_EVENT_NAME:-}"
payload="${GITHUB_EVENT_PATH:-}"
base="${INPUT_BASE:-}"
head="${INPUT_HEAD:-}"
fail_on="${INPUT_FAIL_ON:-low}"
sarif="${INPUT_SARIF_FILE:-tokscan.sarif}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
outputs="${GITHUB_OUTPUT:-/dev/null}"

cd "${GITHUB_WORKSPACE:-.}" || exit 2

# Reads a field of the event payload ('' when absent).
field() {
  if [ -n "$payload" ] && [ -f "$payload" ]; then
    jq -r "$1 // empty" "$payload"
  fi
}

is_zero() { [ -n "$1" ] && [ -z "${1//0/}" ]; }

# Everything below writes its outputs even when the scan fails, so later steps can read them.
finish() {
  local code="$1" count="$2"
  {
    echo "findings-count=$count"
    echo "exit-code=$code"
    echo "sarif-file=$sarif"
  } >>"$outputs"
  exit "$code"
}

fail() {
  echo "::error title=tokscan::$1"
  printf '## tokscan\n\n:x: %s\n' "$1" >>"$summary"
  finish 2 0
}

short() { printf '%s' "${1:0:12}"; }

scope=""
if [ -z "$base" ]; then
  case "$event" in
    pull_request | pull_request_target)
      base="$(field .pull_request.base.sha)"
      head="${head:-$(field .pull_request.head.sha)}"
      number="$(field .pull_request.number)"
      scope="pull request #${number}: lines added from \`$(short "$base")\` to \`$(short "$head")\`"
      ;;
    push)
      before="$(field .before)"
      head="${head:-$(field .after)}"
      if is_zero "$head"; then
        # A deleted branch: nothing to scan.
        printf '## tokscan\n\nBranch deleted: nothing to scan.\n' >>"$summary"
        finish 0 0
      elif is_zero "$before" || [ -z "$before" ]; then
        default="$(field .repository.default_branch)"
        default="${default:-main}"
        for candidate in "refs/remotes/origin/$default" "refs/heads/$default"; do
          if git rev-parse --verify -q "$candidate^{commit}" >/dev/null; then
            base="$candidate"
            break
          fi
        done
        if [ -z "$base" ]; then
          fail "new branch: the default branch \`$default\` is not in the clone, so the commits it lacks cannot be told apart; check out with \`fetch-depth: 0\`."
        fi
        if [ "$(git rev-parse "$base^{commit}")" = "$(git rev-parse "$head^{commit}" 2>/dev/null)" ]; then
          scope="new branch: no commits beyond \`$default\`"
        else
          scope="new branch: commits not on \`$default\` (up to \`$(short "$head")\`)"
        fi
      else
        base="$before"
        scope="push: lines added from \`$(short "$base")\` to \`$(short "$head")\`"
      fi
      ;;
  esac
else
  scope="lines added from \`$(short "$base")\` to \`$(short "${head:-HEAD}")\`"
fi

scan=()
if [ -n "$base" ]; then
  scan=(--diff "$base..${head:-HEAD}")
else
  scope="the checked-out tree"
  scan=(.)
fi
if [ -n "${INPUT_CONFIG:-}" ]; then
  scan+=(--config "$INPUT_CONFIG")
fi
if [ "${INPUT_INTROSPECT:-false}" = "true" ]; then
  scan+=(--introspect)
fi
extra=()
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -a extra <<<"$INPUT_ARGS"
fi

json="$(mktemp)"
trap 'rm -f "$json"' EXIT
echo "tokscan: scanning $scope"
"$bin" "${scan[@]}" --fail-on "$fail_on" ${extra[@]+"${extra[@]}"} -f json -o "$json"
code=$?
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
  fail "tokscan could not complete the scan of $scope (exit $code); see the log."
fi
"$bin" "${scan[@]}" --fail-on "$fail_on" ${extra[@]+"${extra[@]}"} -q -f sarif -o "$sarif"
# Annotations: one workflow command per finding, on standard output.
"$bin" "${scan[@]}" --fail-on "$fail_on" ${extra[@]+"${extra[@]}"} -q -f github

count="$(jq '.findings | length' "$json")"
{
  echo "## tokscan"
  echo
  echo "Scanned $scope."
  echo
  jq -r '.stats.changed_in_range[]? |
    "> :warning: `\(.)` is changed in this range. The base commit'"'"'s version was used, so the change cannot silence findings here; review it by hand.\n"' "$json"
  if [ "$count" -eq 0 ]; then
    echo ":white_check_mark: No findings."
  else
    jq -r '
      def sevs: ["critical","high","medium","low","info"];
      "**\(.findings | length) finding\(if (.findings | length) == 1 then "" else "s" end)** (" +
      ([sevs[] as $s | (.stats.by_severity[$s] // 0) as $n | select($n > 0) | "\($n) \($s)"] | join(", ")) + ")"' "$json"
    echo
    echo "| Severity | Rule | File | Line | Secret | Commit | Fingerprint |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    # At most 200 rows: a step summary is limited to 1 MiB; SARIF and the JSON have them all.
    jq -r --arg server "${GITHUB_SERVER_URL:-}" --arg repo "${GITHUB_REPOSITORY:-}" --arg head "${head:-}" '
      def cell: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");
      def rank: {"critical":0,"high":1,"medium":2,"low":3,"info":4}[.severity];
      .findings | sort_by(rank, .path, .line) | .[:200][] |
      (if .git.commit then .git.commit[:12] else "" end) as $commit |
      # A token removed later in the range is linked where it was added.
      (if .git.removed_in_range then .git.commit elif $head != "" then $head else "HEAD" end) as $ref |
      (if ($server != "" and $repo != "") then
         "[`\(.path | cell)`](\($server)/\($repo)/blob/\($ref)/\(.path)#L\(.line))"
       else "`\(.path | cell)`" end) as $file |
      "| \(.severity) | \(.rule | cell) | \($file) | \(.line) | `\(.secret_preview | cell)` | " +
      (if .git.removed_in_range then "\($commit) (removed later in this range, still in history)" else $commit end) +
      " | `\(.fingerprint)` |"' "$json"
    if [ "$count" -gt 200 ]; then
      echo
      echo "… and $((count - 200)) more in the SARIF file."
    fi
  fi
} >>"$summary"

finish "$code" "$count"
