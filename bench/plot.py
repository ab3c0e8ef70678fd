#!/usr/bin/env python3
"""Draws the benchmark plots of the README from the result lines that
bench/link.sh and bench/zone_sign.sh append to RESULTS=FILE.

    bench/plot.py -o docs/bench bench/results/*.tsv          # write the SVGs
    bench/plot.py --check -o docs/bench bench/results/*.tsv  # are they current?

link-efficiency.svg: efficiency against bit error rate, one line per tool
(the clean line at the left edge), for the linesim runs.
sign-time.svg: wall time to sign against zone size, one line per signer.
Plain SVG from the standard library, byte-for-byte the same for the same
results, so --check can tell a plot that was not redrawn.
"""
import argparse
import math
import sys
from pathlib import Path

W, H = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 150, 40, 60
COLOURS = {"kskline": "#1f77b4", "kermit": "#d62728", "zmodem": "#2ca02c", "ldns-signzone": "#d62728",
           "dnssec-signzone": "#2ca02c", "kskline-reuse": "#9467bd"}
NAMES = {"kskline": "kskline", "kermit": "C-Kermit", "zmodem": "ZMODEM (lrzsz)", "ldns-signzone": "ldns-signzone",
         "dnssec-signzone": "dnssec-signzone", "kskline-reuse": "kskline --reuse"}


def read_results(paths):
    """The result lines of the files, split at tabs, by kind (link, sign)."""
    rows = {"link": [], "sign": []}
    for path in paths:
        for number, line in enumerate(Path(path).read_text().splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if fields[0] not in rows:
                sys.exit(f"plot.py: {path}:{number}: unknown result kind '{fields[0]}'")
            rows[fields[0]].append(fields)
    return rows


def fmt(v):
    return f"{v:.1f}".rstrip("0").rstrip(".")


def chart(title, xlabel, ylabel, series, xticks, yticks, xmap, ymax, note=""):
    """An SVG line chart: series is [(tool, [(x, y), ...])], xmap maps x to 0..1; note under the legend."""
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    px = lambda x: LEFT + xmap(x) * pw
    py = lambda y: TOP + ph - (y / ymax) * ph
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2:.0f}" y="22" text-anchor="middle" font-size="14">{title}</text>']
    for y, label in yticks:
        out.append(f'<line x1="{LEFT}" y1="{py(y):.1f}" x2="{LEFT + pw}" y2="{py(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{label}</text>')
    for x, label in xticks:
        out.append(f'<line x1="{px(x):.1f}" y1="{TOP + ph}" x2="{px(x):.1f}" y2="{TOP + ph + 5}" stroke="black"/>')
        out.append(f'<text x="{px(x):.1f}" y="{TOP + ph + 18}" text-anchor="middle">{label}</text>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="black"/>')
    out.append(f'<text x="{LEFT + pw / 2:.0f}" y="{H - 15}" text-anchor="middle">{xlabel}</text>')
    out.append(f'<text x="18" y="{TOP + ph / 2:.0f}" text-anchor="middle" '
               f'transform="rotate(-90 18 {TOP + ph / 2:.0f})">{ylabel}</text>')
    for i, (tool, points) in enumerate(series):
        colour = COLOURS.get(tool, "black")
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{colour}"/>')
        ly = TOP + 10 + 20 * i
        out.append(f'<line x1="{LEFT + pw + 12}" y1="{ly}" x2="{LEFT + pw + 32}" y2="{ly}" stroke="{colour}" '
                   'stroke-width="2"/>')
        out.append(f'<text x="{LEFT + pw + 38}" y="{ly + 4}">{NAMES.get(tool, tool)}</text>')
    if note:
        for j, text in enumerate(note.split("\n")):
            out.append(f'<text x="{LEFT + pw + 12}" y="{TOP + 30 + 20 * len(series) + 15 * j}" font-size="10">{text}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def link_plot(rows):
    """Efficiency against bit error rate, from the linesim runs; None without any."""
    # link SIM BAUD SIZE LINE TOOL SECONDS EFFICIENCY STATUS
    runs = [r for r in rows if r[1] == "linesim" and (r[4] == "clean" or r[4].startswith("ber"))]
    if not runs:
        return None
    ber = lambda r: 0.0 if r[4] == "clean" else float(r[4][3:])
    nonzero = [ber(r) for r in runs if ber(r) > 0] or [1e-6]
    lo, hi = math.floor(math.log10(min(nonzero))) - 1, math.ceil(math.log10(max(nonzero)))
    xmap = lambda b: (math.log10(b) - lo) / (hi - lo) if b > 0 else 0.0
    series = []
    for tool in ("kskline", "kermit", "zmodem"):
        points = sorted((ber(r), float(r[7])) for r in runs if r[5] == tool)
        if points:
            series.append((tool, points))
    xticks = [(0.0, "clean")] + [(10.0 ** e, f"1e{e}") for e in range(lo + 1, hi + 1)]
    yticks = [(y, f"{y}%") for y in range(0, 101, 20)]
    title = f"Efficiency over a simulated serial line, {runs[0][2]} baud, {int(runs[0][3]) // 1024} KiB one way"
    return chart(title, "bit error rate (every bit time of the line)", "payload ÷ line rate", series, xticks,
                 yticks, xmap, 100.0, "drawn at 0%:\nthe transfer failed")


def sign_plot(rows):
    """Wall time to sign against zone size; None without any runs."""
    # sign NAMES RECORDS TOOL WALL CPU RSS
    if not rows:
        return None
    sizes = sorted({int(r[1]) for r in rows})
    tools = [t for t in ("kskline", "ldns-signzone", "dnssec-signzone", "kskline-reuse") if any(r[3] == t for r in rows)]
    series = [(t, sorted((int(r[1]), float(r[4])) for r in rows if r[3] == t)) for t in tools]
    top = max(y for _, points in series for _, y in points)
    step = next(m * 10.0 ** e for e in range(-2, 9) for m in (1, 2, 5) if top / (m * 10.0 ** e) <= 6)
    ymax = step * math.ceil(top / step)
    lo, hi = math.log10(sizes[0]), math.log10(sizes[-1])
    span = hi - lo or 1.0
    xmap = lambda n: 0.05 + 0.9 * ((math.log10(n) - lo) / span if hi > lo else 0.5)
    xticks = [(n, f"{n:,}") for n in sizes]
    yticks = [(step * i, fmt(step * i) + " s") for i in range(int(ymax / step) + 1)]
    return chart("Signing a zone with an ECDSA P-256 ZSK (NSEC), wall time", "names in the zone (log scale)",
                 "seconds", series, xticks, yticks, xmap, ymax)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", help="result files (RESULTS= of link.sh and zone_sign.sh)")
    parser.add_argument("-o", "--output", required=True, help="the directory the SVGs go to")
    parser.add_argument("--check", action="store_true", help="exit 1 if a plot in --output is not current")
    args = parser.parse_args()
    rows = read_results(args.results)
    plots = {"link-efficiency.svg": link_plot(rows["link"]), "sign-time.svg": sign_plot(rows["sign"])}
    stale = []
    for name, svg in plots.items():
        if svg is None:
            continue
        path = Path(args.output) / name
        if args.check:
            if not path.exists() or path.read_text() != svg:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(svg)
            print(f"plot.py: wrote {path}")
    if stale:
        sys.exit("plot.py: not drawn from the results (run bench/plot.py -o DIR RESULTS...): " + ", ".join(stale))


if __name__ == "__main__":
    main()
