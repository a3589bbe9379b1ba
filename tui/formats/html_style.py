"""The export page's stylesheet: readable on screen and phone, printable, legible without colour."""

from __future__ import annotations

CSS = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5b5b66; --rule: #d9d9e0; --paper: #ffffff;
  --wash: #f5f6f8; --accent: #0060a8; --marked: #fff4cc; --marked-edge: #c79a00; }
* { box-sizing: border-box; }
html { background: var(--paper); }
body { margin: 0; color: var(--ink); background: var(--paper);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 56rem; margin: 0 auto; padding: 2.5rem 1.5rem 3rem; }
h1, h2, h3, h4 { line-height: 1.25; margin: 2rem 0 .75rem; font-weight: 650; }
h1 { font-size: 1.9rem; margin-top: .25rem; }
h2 { font-size: 1.35rem; padding-bottom: .3rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.1rem; }
.eyebrow { margin: 0; color: var(--muted); font-size: .8rem; letter-spacing: .08em; text-transform: uppercase; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 1rem 0 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.reflection { display: grid; gap: .75rem; margin: 1.5rem 0 0; }
.reflection section { background: var(--wash); border-left: 4px solid var(--accent); padding: .75rem 1rem;
  border-radius: 0 6px 6px 0; }
.reflection .label { margin: 0 0 .35rem; font-size: .8rem; font-weight: 650; text-transform: uppercase;
  letter-spacing: .06em; color: var(--muted); }
.reflection p { margin: .3rem 0; }
p.lede { color: var(--muted); margin: .25rem 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem;
  font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .4rem .55rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
td.num, th.num { text-align: right; }
td.num, td.date { white-space: nowrap; }
figure { margin: 1rem 0 1.5rem; }
.scroll { overflow-x: auto; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .35rem; }
svg { display: block; width: 100%; height: auto; font-family: inherit; }
svg text { font-size: 13px; fill: var(--ink); }
svg .axis text { font-size: 11px; fill: var(--muted); }
svg .axis line { stroke: var(--rule); }
svg .lane { fill: var(--wash); }
svg .flag text { font-size: 10px; font-weight: 700; fill: #fff; }
svg .flag path { fill: var(--ink); }
.who { font-weight: 600; }
.s0 { color: #0060a8; fill: #0060a8; } .s1 { color: #b34700; fill: #b34700; } .s2 { color: #00785a; fill: #00785a; }
.s3 { color: #a3377e; fill: #a3377e; } .s4 { color: #7a5c00; fill: #7a5c00; } .s5 { color: #3b5b92; fill: #3b5b92; }
.s6 { color: #5d6d00; fill: #5d6d00; } .s7 { color: #6b4c9a; fill: #6b4c9a; }
.moment { border: 1px solid var(--rule); border-radius: 8px; padding: 1rem 1.1rem .6rem; margin: 1rem 0 1.25rem; }
.moment h3 { margin: 0 0 .5rem; display: flex; flex-wrap: wrap; gap: .35rem .7rem; align-items: baseline; }
.moment .num { display: inline-block; min-width: 1.7rem; padding: .05rem .45rem; border-radius: 999px;
  background: var(--ink); color: #fff; font-size: .8rem; text-align: center; }
.moment .time { font-variant-numeric: tabular-nums; }
.tag { display: inline-block; padding: .05rem .55rem; border-radius: 999px; border: 1px solid var(--accent);
  color: var(--accent); font-size: .8rem; font-weight: 600; }
.note { margin: .4rem 0 .5rem; padding: .1rem 0 .1rem .9rem; border-left: 3px solid var(--rule); }
.note p { margin: .35rem 0; }
.byline { color: var(--muted); font-size: .85rem; margin: .25rem 0 .6rem; }
audio { width: 100%; margin: .25rem 0 .6rem; }
ol.lines { list-style: none; margin: .4rem 0 .4rem; padding: 0; font-size: .95rem; }
ol.lines li { display: grid; grid-template-columns: 3.6rem 7.5rem 1fr; gap: .6rem; padding: .2rem .4rem;
  border-left: 3px solid transparent; }
ol.lines li.inside { background: var(--marked); border-left-color: var(--marked-edge); }
ol.lines .t { color: var(--muted); font-variant-numeric: tabular-nums; }
.empty { color: var(--muted); font-style: italic; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
footer { margin-top: 3rem; padding-top: .75rem; border-top: 1px solid var(--rule); color: var(--muted);
  font-size: .8rem; }
section.session + section.session { margin-top: 3.5rem; border-top: 3px double var(--rule); }
@media (max-width: 40rem) { ol.lines li { grid-template-columns: 3.2rem 1fr; }
  ol.lines .said { grid-column: 1 / -1; } }
@page { margin: 16mm 15mm; }
@media print {
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  audio, .no-print { display: none; }
  .moment, figure, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""
