#!/usr/bin/env python3
"""Generates the value regex of rules/providers/generic.toml.

The generic rule wants a value that (a) contains a digit, (b) does not start like a provider
token (a run of 2-8 letters then `_`, `-` or `.`, as in ghp_, sk-, pk.), and (c) does not
start with `AIza` (Google API keys, public in web apps) or `eyJ` (JWTs, left to the jwt pack).
regex-automata has no look-around, so the start cases are enumerated here. Run it and paste
the printed regex into generic.toml's `regex`; the asserts below are the specification.
"""
import re
seg = r"(?:[A-OQ-Z0-9][A-Z0-9]*|P|P[A-TV-Z0-9][A-Z0-9]*|PU|PU[AC-Z0-9][A-Z0-9]*|PUB|PUB[A-KM-Z0-9][A-Z0-9]*|PUBL|PUBL[A-HJ-Z0-9][A-Z0-9]*|PUBLI|PUBLI[ABD-Z0-9][A-Z0-9]*|PUBLIC[A-Z0-9]+)"
words = r"(?:SECRET(?:_?KEY)?|TOKEN|API_?KEY|ACCESS_?KEY|PASSWORD|PASSWD|PWD|PRIVATE_?KEY)"
V = r"[A-Za-z0-9+/=_.~!@^*-]"
S = r"[+/=~!@^*]"          # symbols that may follow a leading letter run
NV = r"[^A-Za-z0-9+/=_.~!@#^*(-]"
L = "[A-Za-z]"
def rep(lo, hi):
    lo = max(lo, 0)
    if hi is None:
        return "" if lo == 0 and False else ("*" if lo == 0 else "{%d,}" % lo)
    hi = max(hi, 0)
    if hi == 0: return None
    if lo == hi: return "{%d}" % lo
    return "{%d,%d}" % (lo, hi)
def tail(lo, hi, m):
    # letters after a prefix of length m so that the run has length in [lo, hi]
    l2 = max(lo - m, 0); h2 = None if hi is None else hi - m
    if h2 is not None and h2 < 0: return None
    if h2 == 0 or (h2 is None and False): return ""
    if h2 is None:
        return L + ("*" if l2 == 0 else "{%d,}" % l2)
    if l2 == 0 and h2 == 0: return ""
    return L + ("{%d}" % l2 if l2 == h2 else "{%d,%d}" % (l2, h2))
def run(lo, hi):
    # a run of letters of length lo..hi that does not start with AIza (Google API keys,
    # public in web apps) or eyJ (JWTs, left to the jwt pack)
    alts = []
    def add(prefix, m):
        if hi is not None and m > hi: return
        t = tail(lo, hi, m)
        if t is None: return
        alts.append(prefix + t)
    add("[B-Za-df-z]", 1)
    add("A[A-HJ-Za-z]", 2)
    add("e[A-Za-xz]", 2)
    if lo <= 2 <= (hi if hi is not None else 99): alts.append("AI"); alts.append("ey")
    add("AI[A-Za-y]", 3)
    add("ey[A-IK-Za-z]", 3)
    if lo <= 3 <= (hi if hi is not None else 99): alts.append("AIz")
    add("AIz[A-Zb-z]", 4)
    return "(?:" + "|".join(alts) + ")"
D = "[0-9]"
value = "(?:" + "|".join([
    D + V + "*",                                   # starts with a digit
    L + D + V + "*",                               # one letter, then a digit
    L + "[_.-]" + V + "*" + D + V + "*",           # one letter, a separator, a digit later
    L + S + V + "*" + D + V + "*",
    run(2, 8) + D + V + "*",                       # a short letter run (not a token prefix
    run(2, 8) + S + V + "*" + D + V + "*",         # like ghp_ or sk-) then a digit or symbol
    run(9, None) + D + V + "*",
    run(9, None) + "[_.-]" + V + "*" + D + V + "*",
    run(9, None) + S + V + "*" + D + V + "*",
]) + ")"
name = r"(?i:\b(?:" + seg + r"[_.-])*[A-Z0-9]*?" + words + r")\b"
assign = r"""\\?["']?[ \t]*(?::=|=>|=|:)[ \t]*\\?["'\x60]?"""
# The value ends at a quote, the end of the line, or a separator after optional blanks; not
# before ` = …` (a type annotation, `name: Type = value`) or another word.
end = r"""(?:["'\x60]|[ \t]*(?:[,;)}\]]|\r?\n|$|#|//))"""
regex = name + assign + "(?P<secret>" + value + ")" + end
# self-check with Python's re on a few strings
pat = re.compile("^(?:" + value + ")$")
for s, want in [("ghp_abc123", False), ("AIzaSyabc123", False), ("eyJabc.def1", False), ("abc123xyz", True),
                ("1abc", True), ("a1", True), ("abcdefghijk1", True), ("abcdefghijk_x1", True), ("ab_c1", False),
                ("sk-proj1", False), ("abcdefgh", False), ("AIxx1", True), ("eyz1", True), ("A-x1", True), ("Als1W6", True)]:
    got = bool(pat.match(s))
    assert got == want, (s, got, want)
print(regex)
