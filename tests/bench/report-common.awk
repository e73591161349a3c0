# tests/bench/report-common.awk - what the table and the chart of
# tests/bench/report share: the servers in a fixed order, their short
# names, and how to read a median. It only defines functions; the report
# passes it to awk before the program that uses them:
#   awk -v dir=DIR -f report-common.awk -f report-results.awk

# load(file): read FILE (medians.tsv) into med, lo and hi, and set
# subj[1..nsub] to the servers measured, in a fixed order, with short[s].
function load(file,    line, f) {
    while ((getline line < file) > 0) {
        split(line, f, "\t")
        med[f[1], f[2], f[3]] = f[4]; lo[f[1], f[2], f[3]] = f[5]; hi[f[1], f[2], f[3]] = f[6]
        seen[f[1]] = 1
        if (f[2] == "mem") mem_seen[f[1]] = 1
        if (f[3] == "stalls") stalled[f[1], f[2]] = 1
    }
    close(file)
    nsub = 0
    # "floor": step04 doing no work (tests/bench/floor_session.c), measured
    # only when asked for.
    split("step01_blocking step02_threads step03_nonblocking step04_epoll floor redis", all, " ")
    for (i = 1; i <= 6; i++) if (all[i] in seen) subj[++nsub] = all[i]
    short["step01_blocking"] = "step01"; short["step02_threads"] = "step02"
    short["step03_nonblocking"] = "step03"; short["step04_epoll"] = "step04"
    short["floor"] = "floor"; short["redis"] = "Redis"
}
function has(s, c, m) { return (s SUBSEP c SUBSEP m) in med }
function get(s, c, m) { return med[s, c, m] + 0 }
# Requests per second of SET and GET together: total requests / total time.
function both_rps(s, c) {
    if (!has(s, c, "set_rps") || !has(s, c, "get_rps")) return 0
    return 2 / (1 / get(s, c, "set_rps") + 1 / get(s, c, "get_rps"))
}
# "c50-P16" -> "50 clients, -P 16"
function case_label(c,    part, n) {
    split(c, part, "-"); n = substr(part[1], 2)
    return commas(n) (n == 1 ? " client" : " clients") ", -P " substr(part[2], 2)
}
function commas(n,    s, out) {
    s = sprintf("%.0f", n); out = ""
    while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
    return s out
}
