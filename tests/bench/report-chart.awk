# tests/bench/report-chart.awk - pass 3 of tests/bench/report: chart.svg,
# from DIR/medians.tsv. Six panels in a 2 x 3 grid; each panel is a grouped
# bar chart on its own linear scale, one colour per server (servers.txt).
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
    if (v >= 1e6) return sprintf("%gM", v / 1e6)
    if (v >= 1e3) return sprintf("%gk", v / 1e3)
    return sprintf("%g", v)
}
# panel(x, y, title, ngroups): draw bars from val[g, i] (0 = no value) with
# labels glabel[g]; note[g, i] is written instead of a bar ("stalls").
function panel(x, y, title, ngroups,    w, h, left, top, plotw, ploth, max, g, i, v, top_v, gw, bw, bx, bh, t) {
    w = 440; h = 270; left = x + 50; top = y + 40; plotw = w - 70; ploth = h - 90
    max = 0
    for (g = 1; g <= ngroups; g++) for (i = 1; i <= nsub; i++) if (val[g, i] > max) max = val[g, i]
    top_v = nice(max)
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
            bh = ploth * val[g, i] / top_v
            printf "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %s</title></rect>\n", \
                bx, top + ploth - bh, bw - 2, bh, colour[subj[i]], short[subj[i]], commas(val[g, i])
        }
        printf "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%s</text>\n", \
            left + (g - 0.5) * gw, top + ploth + 16, esc(glabel[g])
    }
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"base\"/>\n", left, top + ploth, left + plotw, top + ploth
    delete val; delete note; delete glabel
}
# fill(g, label, case, what): one group of bars; what is a metric or "both".
function fill(g, label, c, what,    i, s) {
    glabel[g] = label
    for (i = 1; i <= nsub; i++) {
        s = subj[i]
        if ((s, c) in stalled) { note[g, i] = "stalls"; continue }
        val[g, i] = what == "both" ? both_rps(s, c) : get(s, c, what)
    }
}
BEGIN {
    load()
    while ((getline line < (dir "/machine.txt")) > 0) {
        split(line, kv, ": ")
        if (kv[1] == "date" || kv[1] == "cpu" || kv[1] == "kernel" || kv[1] == "rounds") info[kv[1]] = substr(line, length(kv[1]) + 3)
    }
    print "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"880\" viewBox=\"0 0 900 880\" font-family=\"sans-serif\">"
    print "<style>.title{font-size:14px;font-weight:bold}.axis{font-size:11px;fill:#444}.note{font-size:11px;fill:#b00}"
    print ".grid{stroke:#ddd}.base{stroke:#444}.legend{font-size:12px}.small{font-size:11px;fill:#444}</style>"
    print "<rect width=\"900\" height=\"880\" fill=\"white\"/>"

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

    # Legend and the machine, along the bottom.
    for (i = 1; i <= nsub; i++) {
        printf "<rect x=\"%d\" y=\"850\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", 20 + (i - 1) * 110, colour[subj[i]]
        printf "<text x=\"%d\" y=\"861\" class=\"legend\">%s</text>\n", 36 + (i - 1) * 110, short[subj[i]]
    }
    printf "<text x=\"20\" y=\"835\" class=\"small\">%s; %s; %s; rounds: %s</text>\n", \
        esc(info["cpu"]), esc(info["kernel"]), esc(info["date"]), esc(info["rounds"])
    print "</svg>"
}
