# tests/bench/report-chart.awk - pass 3 of tests/bench/report: chart.svg,
# from DIR/medians.tsv. Six panels in a 2 x 3 grid; each panel is a grouped
# bar chart on its own linear scale, one colour per server (servers.txt).
# A throughput the client set the pace of is drawn pale and hatched.
# With -v which=pace it draws pace.svg instead: who set the pace (the
# server's busy fraction, against the 90% line) and system calls per
# request, in four panels.
# Needs the functions of report-common.awk; it reads no input, it writes
# everything from BEGIN:
#   awk -v dir=DIR -v lists=tests/bench -f report-common.awk -f report-chart.awk

function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); return s }
# A "nice" axis maximum: 1, 2 or 5 times a power of ten, above v.
function nice(v,    p) {
    if (v <= 0) return 1
    p = 1; while (p * 10 <= v) p *= 10
    if (v <= p) return p; if (v <= 2 * p) return 2 * p; if (v <= 5 * p) return 5 * p
    return 10 * p
}
function short_number(v) {
    if (unit == "%") return sprintf("%g%%", v)
    if (v >= 1e6) return sprintf("%gM", v / 1e6)
    if (v >= 1e3) return sprintf("%gk", v / 1e3)
    return sprintf("%g", v)
}
# A bar's value, as its tooltip shows it.
function shown(v) {
    if (unit == "%") return sprintf("%.0f%%", v)
    if (unit == "calls") return sprintf("%.2f", v)
    return commas(v)
}
# panel(x, y, title, ngroups): draw bars from val[g, i] (0 = no value) with
# labels glabel[g]; note[g, i] is written instead of a bar ("stalls"), and
# a bar with pale[g, i] set is drawn pale and hatched: client-bound. The
# globals unit ("", "%" or "calls": how values are written), top_fixed
# (the axis maximum, instead of one chosen from the values; a taller bar
# stops there) and mark (a value to draw a dashed line at) change one
# panel, and are reset after it.
function panel(x, y, title, ngroups,    w, h, left, top, plotw, ploth, max, g, i, v, top_v, gw, bw, bx, bh, t, tip) {
    w = 440; h = 270; left = x + 50; top = y + 40; plotw = w - 70; ploth = h - 90
    max = 0
    for (g = 1; g <= ngroups; g++) for (i = 1; i <= nsub; i++) if (val[g, i] > max) max = val[g, i]
    # A busy fraction over 100% is the server's work while the clients
    # connect, counted in its CPU but not in redis-benchmark's time (see
    # measure in tests/bench/run), or the clock ticks' coarseness in short
    # runs. Its bar stops at the top; its tooltip keeps the figure.
    top_v = top_fixed > 0 ? top_fixed : nice(max)
    printf "<text x=\"%d\" y=\"%d\" class=\"title\">%s</text>\n", x + 10, y + 20, esc(title)
    for (t = 0; t <= 4; t++) {
        v = top_v * t / 4
        printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>\n", \
            left, top + ploth - ploth * t / 4, left + plotw, top + ploth - ploth * t / 4
        printf "<text x=\"%d\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%s</text>\n", \
            left - 4, top + ploth - ploth * t / 4 + 4, short_number(v)
    }
    gw = plotw / ngroups; bw = (gw - 16) / nsub
    for (g = 1; g <= ngroups; g++) {
        for (i = 1; i <= nsub; i++) {
            bx = left + (g - 1) * gw + 8 + (i - 1) * bw
            if ((g, i) in note) {
                printf "<text x=\"%.1f\" y=\"%d\" class=\"note\" transform=\"rotate(-90 %.1f %d)\">%s</text>\n", \
                    bx + bw / 2 + 3, top + ploth - 4, bx + bw / 2 + 3, top + ploth - 4, note[g, i]
                continue
            }
            if (val[g, i] <= 0) continue
            bh = ploth * (val[g, i] < top_v ? val[g, i] : top_v) / top_v
            tip = short[subj[i]] ": " shown(val[g, i])
            if ((g, i) in pale) {
                tip = tip " (client-bound: server " sprintf("%.0f", pale[g, i] * 100) "% busy)"
                printf "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.35\"/>\n", \
                    bx, top + ploth - bh, bw - 2, bh, colour[subj[i]]
                printf "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"url(#hatch)\" class=\"bound\"><title>%s</title></rect>\n", \
                    bx, top + ploth - bh, bw - 2, bh, tip
                continue
            }
            printf "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s</title></rect>\n", \
                bx, top + ploth - bh, bw - 2, bh, colour[subj[i]], tip
        }
        printf "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%s</text>\n", \
            left + (g - 0.5) * gw, top + ploth + 16, esc(glabel[g])
    }
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"base\"/>\n", left, top + ploth, left + plotw, top + ploth
    if (mark > 0 && mark <= top_v)
        printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"mark\"/>\n", \
            left, top + ploth - ploth * mark / top_v, left + plotw, top + ploth - ploth * mark / top_v
    delete val; delete note; delete glabel; delete pale
    unit = ""; top_fixed = 0; mark = 0
}
# fill(g, label, case, what): one group of bars; what is a metric, "both"
# (SET and GET requests per second together) or "busy" (in percent). A
# throughput ("both" or a *_rps metric) that was client-bound is pale.
function fill(g, label, c, what,    i, s) {
    glabel[g] = label
    for (i = 1; i <= nsub; i++) {
        s = subj[i]
        if ((s, c) in stalled) { note[g, i] = "stalls"; continue }
        val[g, i] = what == "both" ? both_rps(s, c) : what == "busy" ? 100 * get(s, c, what) : get(s, c, what)
        if ((what == "both" || what ~ /_rps$/) && client_bound(s, c)) pale[g, i] = get(s, c, "busy")
    }
}
# svg_start(height): the document's start, its styles and the hatching.
function svg_start(height) {
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"%d\" viewBox=\"0 0 900 %d\" font-family=\"sans-serif\">\n", height, height
    print "<style>.title{font-size:14px;font-weight:bold}.axis{font-size:11px;fill:#444}.note{font-size:11px;fill:#b00}"
    print ".grid{stroke:#ddd}.base{stroke:#444}.legend{font-size:12px}.small{font-size:11px;fill:#444}"
    print ".mark{stroke:#b00;stroke-dasharray:5,3}</style>"
    print "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
    print "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#555\" stroke-width=\"1.2\"/></pattern></defs>"
    printf "<rect width=\"900\" height=\"%d\" fill=\"white\"/>\n", height
}
# svg_end(y): the legend and the machine at y, and the document's end.
function svg_end(y,    i) {
    for (i = 1; i <= nsub; i++) {
        printf "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", 20 + (i - 1) * 110, y, colour[subj[i]]
        printf "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>\n", 36 + (i - 1) * 110, y + 11, short[subj[i]]
    }
    printf "<text x=\"20\" y=\"%d\" class=\"small\">%s; %s; %s; rounds: %s</text>\n", y - 15, \
        esc(machine["cpu"]), esc(machine["kernel"]), esc(machine["date"]), esc(machine["rounds"])
    if ("pinning" in machine)
        printf "<text x=\"20\" y=\"%d\" class=\"small\">%s; redis-benchmark threads: %s</text>\n", y - 30, \
            esc(machine["pinning"]), esc(machine["redis-benchmark threads"])
    print "</svg>"
}
# The pace chart (which=pace): busy fractions and system calls per request,
# unpipelined on the left, pipelined on the right.
function pace_chart() {
    svg_start(640)
    fill(1, "1 client", "c1-P1", "busy"); fill(2, "50 clients", "c50-P1", "busy")
    fill(3, "1,000 clients", "c1000-P1", "busy")
    unit = "%"; top_fixed = 100; mark = 90
    panel(0, 0, "Server busy (CPU / time), unpipelined", 3)
    fill(1, "1, -P 16", "c1-P16", "busy"); fill(2, "50, -P 16", "c50-P16", "busy")
    fill(3, "1,000, -P 16", "c1000-P16", "busy"); fill(4, "50, -P 32", "c50-P32", "busy")
    unit = "%"; top_fixed = 100; mark = 90
    panel(450, 0, "Server busy (CPU / time), pipelined", 4)
    fill(1, "1 client", "c1-P1", "syscalls"); fill(2, "50 clients", "c50-P1", "syscalls")
    fill(3, "1,000 clients", "c1000-P1", "syscalls")
    unit = "calls"
    panel(0, 280, "System calls per request, unpipelined", 3)
    fill(1, "1, -P 16", "c1-P16", "syscalls"); fill(2, "50, -P 16", "c50-P16", "syscalls")
    fill(3, "1,000, -P 16", "c1000-P16", "syscalls"); fill(4, "50, -P 32", "c50-P32", "syscalls")
    unit = "calls"
    panel(450, 280, "System calls per request, pipelined", 4)
    print "<line x1=\"20\" y1=\"572\" x2=\"44\" y2=\"572\" class=\"mark\"/>"
    print "<text x=\"50\" y=\"576\" class=\"small\">90% busy: below it, the server waited for the client, which set the pace</text>"
    svg_end(620)
}
BEGIN {
    load()
    if (which == "pace") { pace_chart(); exit }
    svg_start(900)

    fill(1, "1 client", "c1-P1", "get_rps"); fill(2, "50 clients", "c50-P1", "get_rps")
    fill(3, "1,000 clients", "c1000-P1", "get_rps")
    panel(0, 0, "GET requests/s, unpipelined", 3)
    fill(1, "1 client", "c1-P16", "get_rps"); fill(2, "50 clients", "c50-P16", "get_rps")
    fill(3, "1,000 clients", "c1000-P16", "get_rps")
    panel(450, 0, "GET requests/s, pipelined (-P 16)", 3)
    fill(1, "no idle", "idle0", "both"); fill(2, "1,000 idle", "idle1000", "both")
    fill(3, "10,000 idle", "idle10000", "both")
    panel(0, 280, "50 clients: requests/s with idle connections open", 3)
    fill(1, "50 clients, -P 1", "c50-P1", "cpu_us"); fill(2, "50 clients, -P 16", "c50-P16", "cpu_us")
    fill(3, "50 + 10,000 idle", "idle10000", "cpu_us")
    panel(450, 280, "Server CPU per request, microseconds", 3)
    glabel[1] = "bytes per key"
    for (i = 1; i <= nsub; i++) val[1, i] = get(subj[i], "mem", "bytes_per_key")
    panel(0, 560, "Memory per key (RSS growth / keys stored)", 1)
    glabel[1] = "KiB per idle connection"
    for (i = 1; i <= nsub; i++) {
        s = subj[i]
        if (!(s in mem_seen)) continue  # not measured: no bar, no note
        if (!has(s, "mem", "rss_idle1000_kib")) { note[1, i] = "stalls"; continue }
        val[1, i] = (get(s, "mem", "rss_idle1000_kib") - get(s, "mem", "rss_start_kib")) / 1000
    }
    panel(450, 560, "Memory per idle connection (RSS, 1,000 held)", 1)

    # The hatching's legend; then the servers' and the machine, along the bottom.
    print "<rect x=\"20\" y=\"808\" width=\"24\" height=\"12\" fill=\"#888\" fill-opacity=\"0.35\"/>"
    print "<rect x=\"20\" y=\"808\" width=\"24\" height=\"12\" fill=\"url(#hatch)\"/>"
    print "<text x=\"50\" y=\"818\" class=\"small\">pale, hatched: client-bound, the server less than 90% busy; that bar measures the client</text>"
    svg_end(870)
}
