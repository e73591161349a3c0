# tests/bench/report-results.awk - pass 2 of tests/bench/report: the
# markdown tables of results.md, from DIR/medians.tsv. Needs the functions
# of report-common.awk (load, has, get, both_rps, commas); it reads no
# input, it writes everything from BEGIN:
#   awk -v dir=DIR -v lists=tests/bench -f report-common.awk -f report-results.awk

# bound(s, c): what follows a throughput the client set the pace of.
function bound(s, c) { return client_bound(s, c) ? ", *client-bound*" : "" }
# cell_rps(s, c, t): server s in case c, test t ("set" or "get"): requests
# per second, with the p50 and p99 latency when known, and whether the
# client set the pace.
function cell_rps(s, c, t) {
    if ((s, c) in stalled) return "stalls"
    if (!has(s, c, t "_rps")) return "-"
    if (!has(s, c, t "_p50_ms")) return commas(get(s, c, t "_rps")) bound(s, c)
    return commas(get(s, c, t "_rps")) " (" med[s, c, t "_p50_ms"] " / " med[s, c, t "_p99_ms"] ")" bound(s, c)
}
# rps_ratio(a, b, c, value_a, value_b): a's throughput over b's, where both
# set their own pace; where either was client-bound the ratio compares the
# client with itself, and the cell says so instead.
function rps_ratio(a, b, c, va, vb) {
    if (!va || !vb) return "-"
    if (client_bound(a, c) || client_bound(b, c)) return "client-bound"
    return sprintf("%.2fx", va / vb)
}
# cell_pace(s, c): the busy fraction, and system calls per request.
function cell_pace(s, c,    calls) {
    if ((s, c) in stalled) return "stalls"
    if (!has(s, c, "busy")) return "-"
    calls = has(s, c, "syscalls") ? sprintf("%.2f", get(s, c, "syscalls")) : "n/a"
    return sprintf("%.0f%%, %s", 100 * get(s, c, "busy"), calls)
}
# cell_cpu(s, c): CPU per request, its range over the rounds, and how much
# of it was the kernel's.
function cell_cpu(s, c) {
    if ((s, c) in stalled) return "stalls"
    if (!has(s, c, "cpu_us")) return "-"
    return sprintf("%.2f (%.2f-%.2f), %.0f%% sys", get(s, c, "cpu_us"), lo[s, c, "cpu_us"],
                   hi[s, c, "cpu_us"], get(s, c, "cpu_us") > 0 ? 100 * get(s, c, "sys_us") / get(s, c, "cpu_us") : 0)
}
# case_row(kind, c): the row of case c in the CPU table (kind "cpu") or in
# the pace table ("pace"), a cell per server; "" if no server was measured
# in that case (QUICK=1 leaves some out).
function case_row(kind, c,    line, any, i, s) {
    line = "| " case_label[c]; any = 0
    for (i = 1; i <= nsub; i++) {
        s = subj[i]
        line = line " | " (kind == "cpu" ? cell_cpu(s, c) : cell_pace(s, c))
        if ((s, c) in stalled || has(s, c, kind == "cpu" ? "cpu_us" : "busy")) any = 1
    }
    return any ? line : ""
}
# header(first, floor_column): a table's two heading lines: FIRST, a column
# per server, then step04 / Redis (chapter 4's comparison) when both were
# measured, and floor / Redis if floor_column is 1.
function header(first, floor_column,    i, line, sep) {
    line = "| " first; sep = "|---"
    for (i = 1; i <= nsub; i++) { line = line " | " short[subj[i]]; sep = sep "|---" }
    if (ratio) { line = line " | step04 / Redis"; sep = sep "|---" }
    if (floor_column) { line = line " | floor / Redis"; sep = sep "|---" }
    print line " |"; print sep "|"
}
# The median of the round-by-round CPU ratios of pass 1, with their range.
function cell_ratio(pair, c) {
    if (!has(pair, c, "cpu_ratio")) return "-"
    return sprintf("%.2fx (%.2f-%.2f)", get(pair, c, "cpu_ratio"), lo[pair, c, "cpu_ratio"], hi[pair, c, "cpu_ratio"])
}
BEGIN {
    load()
    ratio = ("step04_epoll" in seen) && ("redis" in seen)
    floor_ratio = ("floor" in seen) && ("redis" in seen)
    while ((getline line < (dir "/machine.txt")) > 0) machine_lines = machine_lines "- " line "\n"

    print "### Results of `make bench`"
    print ""
    print "Measured by `make bench`. Every figure is the median of the rounds; within a"
    print "round the servers took turns, each started fresh on 127.0.0.1 and driven by"
    print "`redis-benchmark -r 100000` on the same machine. \"stalls\": the server could"
    print "not serve the case at all (a short probe timed out), so it was not run."
    print "*client-bound*: the server was less than 90% busy (its CPU time over the"
    print "run's time, per CPU it could use), so the client set the pace: that"
    print "throughput measures the client, and is not compared with another server's."
    print ""
    printf "%s", machine_lines
    print ""
    print "#### Requests per second (p50 / p99 latency, ms)"
    print ""
    header("case")
    for (k = 1; k <= ncases; k++) for (t = 1; t <= 2; t++) {
        test = t == 1 ? "set" : "get"; c = cases[k]
        line = "| " toupper(test) ", " case_label[c]; any = 0
        for (i = 1; i <= nsub; i++) {
            line = line " | " cell_rps(subj[i], c, test)
            if ((subj[i], c) in stalled || has(subj[i], c, test "_rps")) any = 1
        }
        if (!any) continue     # a case not measured at all (QUICK=1)
        if (ratio) line = line " | " rps_ratio("step04_epoll", "redis", c, \
            get("step04_epoll", c, test "_rps"), get("redis", c, test "_rps"))
        print line " |"
    }
    print ""
    print "#### Server CPU per request, microseconds (min-max over rounds), and the kernel's share"
    if (ratio) {
        print ""
        print "step04 / Redis: the median of the rounds' own ratios, each round's step04"
        print "against the Redis of the same round (min-max in brackets)."
    }
    if (floor_ratio) {
        print ""
        print "floor: step04's event loop answering +OK to every command, with no parsing,"
        print "commands or store (tests/bench/floor_session.c); floor / Redis, its ratio to"
        print "the Redis of the same round, is about as low as a server making the same"
        print "system calls can go."
    }
    print ""
    header("case", floor_ratio)
    for (k = 1; k <= ncases; k++) {
        c = cases[k]
        if ((line = case_row("cpu", c)) == "") continue
        if (ratio) line = line " | " cell_ratio("step04/Redis", c)
        if (floor_ratio) line = line " | " cell_ratio("floor/Redis", c)
        print line " |"
    }
    # Chapter 5's comparisons: step05 against step04, and against its own
    # floor, round by round, where step05 ran beside them.
    s5_04 = "step05/step04" in seen; s5_floor = "step05/floor05" in seen
    if (s5_04 || s5_floor) {
        print ""
        print "#### step05's CPU per request, round by round, against " \
            (s5_04 && s5_floor ? "step04's and its floor's" : s5_04 ? "step04's" : "its floor's")
        print ""
        print "The median of the rounds' own ratios (min-max in brackets), as above."
        if (s5_floor) print "floor05: step05's loop with the floor's do-nothing session."
        print ""
        line = "| case"; sep = "|---"
        if (s5_04) { line = line " | step05 / step04"; sep = sep "|---" }
        if (s5_floor) { line = line " | step05 / floor05"; sep = sep "|---" }
        print line " |"; print sep "|"
        for (k = 1; k <= ncases; k++) {
            c = cases[k]
            if (!has("step05/step04", c, "cpu_ratio") && !has("step05/floor05", c, "cpu_ratio")) continue
            line = "| " case_label[c]
            if (s5_04) line = line " | " cell_ratio("step05/step04", c)
            if (s5_floor) line = line " | " cell_ratio("step05/floor05", c)
            print line " |"
        }
    }
    # Who set the pace, and the system calls: a table if any busy fraction
    # was measured (a raw.tsv from before it was has none).
    any = 0
    for (i = 1; i <= nsub; i++) for (k = 1; k <= ncases; k++) if (has(subj[i], cases[k], "busy")) any = 1
    if (any) {
        print ""
        print "#### Who set the pace: the server's busy fraction, and system calls per request"
        print ""
        print "Busy: the server's CPU time over the run's time, per CPU it could use (one,"
        print "unless its work runs on several threads); below 90% it waited for the client."
        print "System calls: counted in the server by `perf stat -e raw_syscalls:sys_enter`"
        print "during the run, over the requests; step04 / Redis here is the ratio of the"
        print "two medians."
        if ("syscalls" in machine) { print ""; print "System calls " machine["syscalls"] "." }
        print ""
        header("case")
        for (k = 1; k <= ncases; k++) {
            c = cases[k]
            if ((line = case_row("pace", c)) == "") continue
            if (ratio) line = line " | " (has("step04_epoll", c, "syscalls") && has("redis", c, "syscalls") && \
                get("redis", c, "syscalls") > 0 ? sprintf("%.2fx calls", get("step04_epoll", c, "syscalls") / \
                get("redis", c, "syscalls")) : "-")
            print line " |"
        }
    }
    # The rows for idle connections, printed under their heading if there are any.
    rows = ""
    for (k = 1; k <= nidles; k++) {
        c = idles[k]; any = 0
        line = "| " case_label[c]
        for (i = 1; i <= nsub; i++) {
            s = subj[i]
            if ((s, c) in stalled) { line = line " | stalls"; any = 1; continue }
            if (!has(s, c, "set_rps")) { line = line " | -"; continue }
            any = 1
            line = line " | " commas(both_rps(s, c)) ", " sprintf("%.2f", get(s, c, "cpu_us")) " us" bound(s, c)
        }
        if (ratio) line = line " | " rps_ratio("step04_epoll", "redis", c, both_rps("step04_epoll", c), both_rps("redis", c))
        if (any) rows = rows line " |\n"
    }
    if (rows != "") {
        print ""
        print "#### 50 clients with idle connections open: requests per second (SET and GET together), CPU per request"
        print ""
        header("idle connections")
        printf "%s", rows
    }
    # Memory, for the servers whose memory was measured ("-" for the
    # others: CASES without mem, or the floor); no section if none was.
    any = 0
    for (i = 1; i <= nsub; i++) if (subj[i] in mem_seen) any = 1
    if (!any) exit
    print ""
    print "#### Memory"
    print ""
    header("")
    line = "| RSS at start"
    for (i = 1; i <= nsub; i++) line = line " | " (has(subj[i], "mem", "rss_start_kib") ? \
        sprintf("%.1f MiB", get(subj[i], "mem", "rss_start_kib") / 1024) : "-")
    if (ratio) line = line " | -"
    print line " |"
    line = "| RSS with 1,000 idle connections"
    for (i = 1; i <= nsub; i++) {
        s = subj[i]
        if (!(s in mem_seen)) { line = line " | -"; continue }
        line = line " | " (has(s, "mem", "rss_idle1000_kib") ? sprintf("%.1f MiB (%.1f KiB each)", \
            get(s, "mem", "rss_idle1000_kib") / 1024, \
            (get(s, "mem", "rss_idle1000_kib") - get(s, "mem", "rss_start_kib")) / 1000) : "stalls")
    }
    if (ratio) line = line " | -"
    print line " |"
    line = "| RSS per key"
    for (i = 1; i <= nsub; i++) {
        s = subj[i]
        cell = has(s, "mem", "bytes_per_key") ? sprintf("%.0f B", get(s, "mem", "bytes_per_key")) : "-"
        if (has(s, "mem", "keys")) cell = cell " (" commas(get(s, "mem", "keys")) " keys)"
        line = line " | " cell
    }
    if (ratio) line = line " | " (has("redis", "mem", "bytes_per_key") ? \
        sprintf("%.2fx", get("step04_epoll", "mem", "bytes_per_key") / get("redis", "mem", "bytes_per_key")) : "-")
    print line " |"
}
