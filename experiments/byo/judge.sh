#!/usr/bin/env bash
# A small rule-based pairwise judge for the byo experiment, speaking rlhf's command-judge protocol:
# reads {"id","prompt","response_a","response_b"} lines (and "context", the messages before the prompt, which it
# ignores) from $1 (or $RLHF_JUDGE_IN) and writes
# {"id","winner":"a"|"b"|"tie","reason"} lines to $2 (or $RLHF_JUDGE_OUT). Bash and awk only.
#
# Each response scores: +2 when it ends a sentence (. ! ?), +1 per prompt word of five letters or more it
# uses (at most 3), -3 for a role marker (<|...|>, "User:", "Assistant:"), -2 when fewer than 60% of its
# words are distinct, -1 when shorter than 8 characters, -1 per 60 characters beyond 160.
# The higher score wins; equal scores tie.
set -euo pipefail
in="${1:-$RLHF_JUDGE_IN}"
out="${2:-$RLHF_JUDGE_OUT}"
awk -F'","(prompt|response_a|response_b)":"' '
function unescape(s) { gsub(/\\n/, " ", s); gsub(/\\t/, " ", s); gsub(/\\"/, "\"", s); gsub(/\\\\/, "\\", s); return s }
function score(text, prompt,    n, i, words, seen, distinct, s, w, used, notes, k, pw) {
    s = 0; notes = ""
    if (text ~ /[.!?]$/) { s += 2; notes = notes "ends a sentence" }
    if (text ~ /<\|/ || text ~ /(^|[^A-Za-z])(User|Assistant):/) { s -= 3; notes = notes (notes == "" ? "" : ", ") "role marker" }
    n = split(tolower(text), words, /[^a-z0-9]+/)
    distinct = 0; total = 0
    for (i = 1; i <= n; i++) { if (words[i] == "") continue; total++; if (!(words[i] in seen)) { seen[words[i]] = 1; distinct++ } }
    if (total >= 3 && distinct < 0.6 * total) { s -= 2; notes = notes (notes == "" ? "" : ", ") "repeats itself" }
    k = split(tolower(prompt), pw, /[^a-z0-9]+/); used = 0
    for (i = 1; i <= k; i++) { w = pw[i]; if (length(w) >= 5 && (w in seen) && used < 3) { used++; delete seen[w] } }
    if (used > 0) { s += used; notes = notes (notes == "" ? "" : ", ") used " prompt word" (used > 1 ? "s" : "") }
    if (length(text) < 8) { s -= 1; notes = notes (notes == "" ? "" : ", ") "very short" }
    if (length(text) > 160) { s -= int((length(text) - 160) / 60) + 1; notes = notes (notes == "" ? "" : ", ") "long" }
    note = (notes == "" ? "nothing notable" : notes)
    return s
}
{
    match($1, /"id":"[^"]*$/); id = substr($1, RSTART + 6)
    prompt = unescape($2); a = unescape($3); b = $4; sub(/"}$/, "", b); b = unescape(b)
    sa = score(a, prompt); na = note
    sb = score(b, prompt); nb = note
    winner = (sa > sb) ? "a" : ((sb > sa) ? "b" : "tie")
    reason = sprintf("A %d (%s); B %d (%s)", sa, na, sb, nb)
    gsub(/\\/, "\\\\", reason); gsub(/"/, "\\\"", reason)
    printf "{\"id\":\"%s\",\"winner\":\"%s\",\"reason\":\"%s\"}\n", id, winner, reason
}' "$in" > "$out"
