"""The walkthrough as pictures for slides: one PNG per step, or an animated GIF.

Each frame is the graph (re-rendered by Graphviz with the current node outlined in vermilion and
the edges that have carried a gradient drawn in pink) above the step's text. matplotlib lays the
frame out; Pillow (a matplotlib dependency) writes the GIF.
"""

from __future__ import annotations

import io
import os
import re

CURRENT = "#d55e00"  # Okabe-Ito vermilion
CARRIED = "#cc79a7"  # Okabe-Ito reddish purple
MAX_TEXT_LINES = 16


def step_source(walk, k: int) -> str:
    """The DOT text of the graph with step k highlighted."""
    carried = {e for s in walk.steps[: k + 1] for e in s.edges}
    now = set(walk.steps[k].edges)

    def edge(m) -> str:
        name = f"{m.group(1)}->{m.group(2)}"
        if name not in carried:
            return m.group(0)
        colour, width = (CURRENT, "3") if name in now else (CARRIED, "2")
        return f'\t{m.group(1)} -> {m.group(2)} [color="{colour}" penwidth={width}]\n'

    src = re.sub(r"^\t(\w+) -> (\w+)\n", edge, walk.graph.source, flags=re.M)
    marks = "".join(f'\t{h} [color="{CURRENT}" penwidth=5]\n' for h in walk.steps[k].highlight)
    return src[: src.rstrip().rfind("}")] + marks + "}\n"


def _render_png(walk, k: int) -> bytes:
    from ._render import pipe_source

    return pipe_source(step_source(walk, k), "png")


def frame(walk, k: int, dpi: int = 100, figsize=(12, 8)):
    """A matplotlib Figure: the highlighted graph above the text of step k."""
    import matplotlib.image as mpimg

    from ._mpl import new_figure

    fig, (top, bottom) = new_figure(
        2, 1, figsize=figsize, dpi=dpi, gridspec_kw={"height_ratios": (3, 1.3)}
    )
    image = mpimg.imread(io.BytesIO(_render_png(walk, k)), format="png")
    top.imshow(image, interpolation="antialiased")
    top.set_title(f"backward, step {k + 1} of {len(walk)}: {walk.steps[k].title}", fontsize=12)
    lines = walk.steps[k].text().splitlines()
    lines = [line if len(line) <= 150 else line[:147] + "..." for line in lines]
    if len(lines) > MAX_TEXT_LINES:
        lines = lines[: MAX_TEXT_LINES - 1] + [f"  ... {len(lines) - MAX_TEXT_LINES + 1} more"]
    bottom.text(
        0.0,
        1.0,
        "\n".join(lines),
        family="monospace",
        fontsize=10,
        va="top",
        transform=bottom.transAxes,
    )
    for ax in (top, bottom):
        ax.set_axis_off()
    return fig


def save_frames(walk, folder: str, dpi: int = 100) -> str:
    """step_001.png, step_002.png, ... in `folder`; returns the folder."""
    from ._mpl import pyplot

    plt = pyplot()
    os.makedirs(folder, exist_ok=True)
    width = len(str(len(walk)))
    for k in range(len(walk)):
        fig = frame(walk, k, dpi=dpi)
        fig.savefig(os.path.join(folder, f"step_{k + 1:0{max(width, 3)}d}.png"), dpi=dpi)
        plt.close(fig)
    return folder


def save_gif(walk, path: str, dpi: int = 80, seconds_per_step: float = 1.5) -> str:
    """An animated GIF, one frame per step (the last one held twice as long)."""
    from PIL import Image

    from ._mpl import pyplot

    plt = pyplot()
    images = []
    for k in range(len(walk)):
        fig = frame(walk, k, dpi=dpi)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        plt.close(fig)
        images.append(Image.open(io.BytesIO(buf.getvalue())).convert("P", palette=Image.ADAPTIVE))
    durations = [int(seconds_per_step * 1000)] * len(images)
    durations[-1] *= 2
    tmp = path + ".tmp.gif"
    images[0].save(tmp, save_all=True, append_images=images[1:], duration=durations, loop=0)
    os.replace(tmp, path)
    return path
