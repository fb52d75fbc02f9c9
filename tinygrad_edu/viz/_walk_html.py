"""The walkthrough as one self-contained HTML page: inline SVG, CSS and JavaScript, no network.

Layout: the graph (Graphviz SVG) on the left, the step's panel on the right, the controls on top
(previous/next buttons, a slider; arrow keys, Home and End), the derivation cards of the ops below.
The page marks the current node's SVG group with class `current` and every edge that has carried
a gradient so far with class `carried` (the edges of the current step also with `now`); a click
on a node jumps to its step. `document.body.dataset.step` is the current step (0-based).
"""

from __future__ import annotations

import html
import json
import re

from .explain import primitive_card, primitives

CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { position: sticky; top: 0; background: #fafafa; border-bottom: 1px solid #ccc;
         padding: 8px 12px; display: flex; gap: 10px; align-items: center; z-index: 2; }
header h1 { font-size: 16px; margin: 0 12px 0 0; }
header input[type=range] { flex: 1; }
button { font-size: 14px; padding: 3px 10px; }
#counter { min-width: 90px; font-variant-numeric: tabular-nums; }
main { display: flex; gap: 12px; padding: 10px; align-items: flex-start; }
#graph { flex: 1; overflow: auto; max-height: 82vh; border: 1px solid #ddd; }
#graph svg { max-width: 100%; height: auto; }
#panel { width: 430px; flex: none; font-size: 13px; line-height: 1.35; }
#panel h2 { font-size: 17px; margin: 0 0 6px 0; }
#panel .rule { background: #fff7e6; border-left: 4px solid #e69f00; padding: 6px 8px;
               font-family: Menlo, Consolas, monospace; white-space: pre-wrap; }
#panel table { border-collapse: collapse; width: 100%; margin-top: 6px; }
#panel td { border-top: 1px solid #eee; padding: 3px 4px; vertical-align: top; }
#panel td.k { font-family: Menlo, Consolas, monospace; white-space: nowrap; color: #555; }
#panel div.src { color: #555; font-size: 12px; }
#panel div.v { font-family: Menlo, Consolas, monospace; white-space: pre-wrap; padding-left: 10px; }
#panel td.v { font-family: Menlo, Consolas, monospace; white-space: pre-wrap;
            overflow-wrap: anywhere; word-break: normal; }
#panel h3 { font-size: 13px; margin: 10px 0 2px 0; color: #0072b2; }
.node.current > polygon:first-of-type, .node.current > ellipse
  { stroke: #d55e00 !important; stroke-width: 5px !important; }
.edge.carried path { stroke: #cc79a7; stroke-width: 2.5px; }
.edge.carried polygon { stroke: #cc79a7; fill: #cc79a7; }
.edge.now path { stroke: #d55e00; stroke-width: 4px; }
.edge.now polygon { stroke: #d55e00; fill: #d55e00; }
.node { cursor: pointer; }
#cards { padding: 0 12px 30px 12px; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; margin: 8px 0; }
.card:target { border-color: #d55e00; box-shadow: 0 0 6px #d55e00; }
.card pre { margin: 4px 0; white-space: pre-wrap; }
.hint { color: #666; font-size: 12px; }
"""

JS = """
const STEPS = JSON.parse(document.getElementById('steps-data').textContent);
const byTitle = {};
document.querySelectorAll('#graph g.node, #graph g.edge').forEach(el => {
  const t = el.querySelector('title');
  if (t) (byTitle[t.textContent] = byTitle[t.textContent] || []).push(el);  // a*a: 2 edges
});
const slider = document.getElementById('slider');
const esc = s => String(s).replace(/[&<>]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;'}[c]));
function row(k, v) {
  return '<tr><td class="k">' + esc(k) + '</td><td class="v">' + esc(v) + '</td></tr>';
}
function wide(k, v) {
  return '<tr><td colspan="2"><div class="src">' + esc(k) + '</div><div class="v">' + esc(v) +
    '</div></td></tr>';
}
function show(k) {
  k = Math.max(0, Math.min(STEPS.length - 1, k));
  const s = STEPS[k];
  document.body.dataset.step = k;
  slider.value = k;
  document.getElementById('counter').textContent = 'step ' + (k + 1) + ' / ' + STEPS.length;
  document.querySelectorAll('#graph .current, #graph .carried, #graph .now').forEach(
    el => el.classList.remove('current', 'carried', 'now'));
  for (let i = 0; i <= k; i++) for (const e of STEPS[i].edges) {
    for (const el of byTitle[e] || []) {
      el.classList.add('carried');
      if (i === k) el.classList.add('now');
    }
  }
  for (const h of s.highlight) for (const el of byTitle[h] || []) el.classList.add('current');
  const first = (byTitle[s.highlight[0]] || [])[0];
  if (first && first.scrollIntoView) first.scrollIntoView({block: 'nearest', inline: 'nearest'});
  let out = '<h2>' + esc(s.title) + '</h2>';
  if (s.op) out += '<div class="hint">primitive ' + esc(s.op) +
    ' &middot; <a href="#card-' + esc(s.op) + '">derivation card</a></div>';
  const rule = s.kind === 'op' ? s.forward + '\\n' + s.rule : s.rule;
  out += '<div class="rule">' + esc(rule) + '</div>';
  out += '<h3>gradient arriving (g)</h3><table>';
  for (const [src, v] of s.arriving) out += wide(src, v);
  if (s.arriving.length > 1) out += wide('sum of the contributions: g', s.grad);
  out += '</table>';
  if (s.values.length) {
    out += '<h3>numbers in the rule</h3><table>';
    for (const [sym, v] of s.values) out += row(sym, v);
    out += '</table>';
  }
  if (s.delivered.length) {
    out += '<h3>gradient sent to each input</h3><table>';
    for (const [sym, dest, v] of s.delivered) out += wide('d' + sym + ' \\u2192 ' + dest, v);
    out += '</table>';
  }
  document.getElementById('panel').innerHTML = out;
}
document.getElementById('prev').onclick = () => show(+slider.value - 1);
document.getElementById('next').onclick = () => show(+slider.value + 1);
slider.oninput = () => show(+slider.value);
document.addEventListener('keydown', ev => {
  if (ev.target === slider) return;  // the slider moves itself with the arrows
  const k = +slider.value;
  const moves = {ArrowRight: k + 1, ArrowDown: k + 1, ' ': k + 1, ArrowLeft: k - 1,
                 ArrowUp: k - 1, Home: 0, End: STEPS.length - 1};
  if (ev.key in moves) { ev.preventDefault(); show(moves[ev.key]); }
});
STEPS.forEach((s, i) => {
  for (const el of byTitle[s.highlight[0]] || []) el.addEventListener('click', () => show(i));
});
show(0);
"""


def _svg(walk) -> str:
    """The graph as inline SVG (no XML prolog), or a note saying how to get a renderer."""
    from ._render import GraphvizNotFoundError

    try:
        svg = walk.graph.pipe(format="svg", encoding="utf-8")
    except GraphvizNotFoundError as e:
        return f'<p class="hint">No picture: {html.escape(str(e))}</p>'
    return re.sub(r"^.*?(?=<svg)", "", svg, flags=re.S)


def _cards(walk) -> str:
    prims = primitives()
    parts = []
    for name in dict.fromkeys(s.op for s in walk.steps if s.op):
        cls = prims.get(name)
        text = str(primitive_card(cls)) if cls is not None else f"{name}: no card"
        parts.append(
            f'<div class="card" id="card-{html.escape(name)}"><b>{html.escape(name)}'
            f"</b><pre>{html.escape(text)}</pre></div>"
        )
    return "\n".join(parts)


def page(walk) -> str:
    """The whole HTML document of a Walkthrough."""
    data = json.dumps([s.to_dict() for s in walk.steps]).replace("</", "<\\/")
    title = html.escape(f"backward of {walk.title}")
    n = max(len(walk.steps) - 1, 0)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{CSS}</style></head>
<body data-step="0">
<header><h1>Watch backward happen</h1>
<button id="prev" title="previous step (left arrow)">&#9664; prev</button>
<button id="next" title="next step (right arrow)">next &#9654;</button>
<span id="counter"></span>
<input id="slider" type="range" min="0" max="{n}" value="0" aria-label="step">
<span class="hint">&larr; &rarr; keys, Home, End; click a node</span></header>
<main><div id="graph">{_svg(walk)}</div><div id="panel"></div></main>
<section id="cards"><h2>Derivation cards</h2>{_cards(walk)}</section>
<script type="application/json" id="steps-data">{data}</script>
<script>{JS}</script>
</body></html>
"""


def iframe(document: str, height: int = 640) -> str:
    """The page inside an iframe (Jupyter): its script and ids stay separate from the notebook."""
    return (
        f'<iframe srcdoc="{html.escape(document, quote=True)}" style="width: 100%; '
        f'height: {height}px; border: 1px solid #ccc;"></iframe>'
    )
