# tests/bench/report-common.awk - what the table and the chart of
# tests/bench/report share: reading the medians and the lists of servers
# and cases, and a few small functions. It only defines functions; the
# report passes it to awk before the program that uses them:
#   awk -v dir=DIR -v lists=tests/bench -f report-common.awk -f report-results.awk

# load(): read DIR/medians.tsv, then the lists in LISTS (servers.txt and
# cases.txt). Sets:
#   med[s, c, m], lo[s, c, m], hi[s, c, m]  the median, min and max of
#                           metric m of server s in case c; seen[s] for
#                           every server, mem_seen[s] if its memory was
#                           measured, stalled[s, c] if it stalled in case c
#   subj[1..nsub]           the servers measured, in the order of servers.txt
#   short[s], colour[s]     each server's label and colour
#   cases[1..ncases]        the throughput cases, in the order of cases.txt
#   idles[1..nidles]        the idle-connection cases, likewise
#   case_label[c]           each case's label
#   machine[k]              each "k: value" line of DIR/machine.txt
function load(    file, line, f, n, i, label) {
    file = dir "/medians.tsv"
    while ((getline line < file) > 0) {
        split(line, f, "\t")
        med[f[1], f[2], f[3]] = f[4]; lo[f[1], f[2], f[3]] = f[5]; hi[f[1], f[2], f[3]] = f[6]
        seen[f[1]] = 1
        if (f[2] == "mem") mem_seen[f[1]] = 1
        if (f[3] == "stalls") stalled[f[1], f[2]] = 1
    }
    close(file)

    file = dir "/machine.txt"
    while ((getline line < file) > 0)
        if ((i = index(line, ": ")) > 0) machine[substr(line, 1, i - 1)] = substr(line, i + 2)
    close(file)

    # Columns separated by spaces: name, label, colour.
    file = lists "/servers.txt"
    nsub = 0
    while ((getline line < file) > 0) {
        if (line ~ /^#/ || split(line, f) == 0) continue
        short[f[1]] = f[2]; colour[f[1]] = f[3]
        if (f[1] in seen) subj[++nsub] = f[1]
    }
    close(file)

    # Columns separated by spaces: name, table, then the label, which has
    # spaces of its own: its words are joined again with one space.
    file = lists "/cases.txt"
    ncases = 0; nidles = 0
    while ((getline line < file) > 0) {
        if (line ~ /^#/) continue
        n = split(line, f)
        if (n == 0) continue
        label = f[3]
        for (i = 4; i <= n; i++) label = label " " f[i]
        case_label[f[1]] = label
        if (f[2] == "throughput") cases[++ncases] = f[1]
        if (f[2] == "idle") idles[++nidles] = f[1]
    }
    close(file)
}
function has(s, c, m) { return (s SUBSEP c SUBSEP m) in med }
# client_bound(s, c): was server s below the line in case c, its CPU idle
# for more than a tenth of the run? Then the client, not the server, set
# the pace, and its requests per second say little about the server.
# (Unknown, in a raw.tsv from before the busy fraction was measured: no.)
function client_bound(s, c) { return has(s, c, "busy") && get(s, c, "busy") < 0.9 }
# get(s, c, m): the median, 0 if never measured. (It asks has() first: in
# awk, reading med[s, c, m] would create it, and has() would then see it.)
function get(s, c, m) { return has(s, c, m) ? med[s, c, m] + 0 : 0 }
# Requests per second of SET and GET together: total requests / total time.
function both_rps(s, c) {
    if (!has(s, c, "set_rps") || !has(s, c, "get_rps")) return 0
    return 2 / (1 / get(s, c, "set_rps") + 1 / get(s, c, "get_rps"))
}
# 1234567 -> "1,234,567"
function commas(n,    s, out) {
    s = sprintf("%.0f", n); out = ""
    while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
    return s out
}
