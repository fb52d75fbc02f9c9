"""Regenerate the lab notebooks in docs/labs/ from the scripts in demos/ (jupytext percent format).

Every demos/[0-9][0-9]_*.py and demos/quickstart.py becomes docs/labs/<name>.ipynb: the `# %%`
cells become code cells, the `# %% [markdown]` cells explanation cells. A first cell lets the
notebook import demos/_common.py from docs/labs/ (or from anywhere inside the repository). The
notebooks are written unexecuted; open one in Jupyter and run it (set TINYGRAD_EDU_QUICK=1 in the
environment for the small, fast version).

    pip install 'tinygrad_edu[labs]'      # jupytext, nbclient, ipykernel
    python docs/make_labs.py              # write docs/labs/*.ipynb
    python docs/make_labs.py --check      # exit status 1 when a notebook is missing or stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMOS, LABS = ROOT / "demos", ROOT / "docs" / "labs"

SETUP = """\
# Setup: the labs import demos/_common.py; find it from here (docs/labs/) or anywhere in the
# repository. For the small, fast version start Jupyter with TINYGRAD_EDU_QUICK=1 set.
import sys
from pathlib import Path

for _base in (Path.cwd(), *Path.cwd().parents):
    if (_base / "demos" / "_common.py").is_file():
        sys.path.insert(0, str(_base / "demos"))
        break"""


def lab_scripts() -> list:
    """The scripts that become notebooks: every numbered lab, then the quick start."""
    return sorted(DEMOS.glob("[0-9][0-9]_*.py")) + [DEMOS / "quickstart.py"]


def notebook_text(script: Path) -> str:
    """The .ipynb JSON of one lab script (deterministic, so that --check can compare)."""
    try:
        import jupytext
        from nbformat.v4 import new_code_cell
    except ImportError as e:
        raise SystemExit(f"make_labs.py: {e}; pip install 'tinygrad_edu[labs]'") from None
    nb = jupytext.read(script, fmt="py:percent")
    nb.cells.insert(0, new_code_cell(SETUP))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{script.stem[:40]}-{i}"  # stable ids: regenerating changes nothing
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "source": f"generated from demos/{script.name} by docs/make_labs.py; edit the script",
    }
    return jupytext.writes(nb, fmt="ipynb")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="only check that docs/labs is current")
    args = p.parse_args(argv)
    LABS.mkdir(parents=True, exist_ok=True)
    stale = []
    for script in lab_scripts():
        target = LABS / f"{script.stem}.ipynb"
        text = notebook_text(script)
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        stale.append(target.relative_to(ROOT))
        if not args.check:
            tmp = target.with_suffix(".ipynb.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)  # atomic: a reader never sees half a notebook
            print(f"wrote {target.relative_to(ROOT)}")
    if args.check and stale:
        print(
            "stale or missing (run python docs/make_labs.py): " + ", ".join(map(str, stale)),
            file=sys.stderr,
        )
        return 1
    if not stale:
        print(f"docs/labs is up to date ({len(lab_scripts())} notebooks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
