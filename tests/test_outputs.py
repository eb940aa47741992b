"""What the reports show equals what the committed notebooks show, on any machine.

The committed notebooks were executed on the committer's machine (``make notebooks``); the
reports are built here. Text outputs must be equal exactly. Figures must have the same pixels:
the PNG files are decoded and compared pixel by pixel, not byte by byte, because the compressed
bytes depend on the zlib build and the CPU it runs on, while what a reader sees does not. No
tolerance is needed: figures are drawn from values carried at a stated precision
(``analysis.carried``) with the bundled font, so another BLAS kernel or a system copy of the font
changes no pixel. ``.ci/run`` runs this file again under two other OpenBLAS kernels with
``--fresh-build``.
"""
from __future__ import annotations

import base64
import io

import nbformat
import numpy as np
import pytest
from PIL import Image

from techmarket.data.paths import NOTEBOOKS_DIR
from techmarket.site.plan import Job

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
IMAGE = "image/png"


def pixels(b64: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGBA"))


def differences(committed: list, built: list) -> list[str]:
    """How two cells' outputs differ: text exactly, images by their pixels ([] when equal)."""
    if len(committed) != len(built):
        return [f"{len(committed)} output(s) committed, {len(built)} built"]
    found = []
    for k, (a, b) in enumerate(zip(committed, built, strict=True)):
        if a.get("output_type") != b.get("output_type") or set(a.get("data", {})) != set(b.get("data", {})):
            found.append(f"output {k}: different kinds of output")
            continue
        if a.get("text") != b.get("text"):
            found.append(f"output {k}: text differs")
        for mime, value in a.get("data", {}).items():
            if mime == IMAGE:
                pa, pb = pixels(value), pixels(b["data"][mime])
                if pa.shape != pb.shape:
                    found.append(f"output {k}: image size {pa.shape[:2]} committed, {pb.shape[:2]} built")
                elif (pa != pb).any():
                    n = int((pa != pb).any(axis=-1).sum())
                    found.append(f"output {k}: {n} pixel(s) differ")
            elif value != b["data"][mime]:
                found.append(f"output {k}: {mime} differs")
    return found


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_reports_show_what_the_committed_notebooks_show(built_reports, nb):
    committed = nbformat.read(nb, as_version=4)
    built = nbformat.read(Job(built_reports.notebooks_dir / nb.name, "zh").outputs(built_reports)["ipynb"],
                          as_version=4)
    by_id = {c.id: c for c in built.cells}
    assert set(by_id) - {c.id for c in committed.cells} == {"injected-parameters"}
    problems = {c.id: differences(c.outputs, by_id[c.id].outputs) for c in committed.cells if c.cell_type == "code"}
    assert not {k: v for k, v in problems.items() if v}, f"{nb.stem}: {problems}"


# --- the comparison itself can fail -------------------------------------------------------------
def _png(colour: tuple[int, int, int], compress: int = 6) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (4, 3), colour).save(buf, format="png", compress_level=compress)
    return base64.b64encode(buf.getvalue()).decode()


def _output(text: str = "", image: str | None = None) -> nbformat.NotebookNode:
    data = {"text/plain": text} | ({IMAGE: image} if image else {})
    return nbformat.from_dict({"output_type": "display_data", "data": data, "metadata": {}})


def test_same_pixels_in_other_bytes_are_equal_and_one_pixel_is_not():
    a, b = _png((10, 20, 30), compress=1), _png((10, 20, 30), compress=9)
    assert a != b  # other bytes ...
    assert differences([_output("x", a)], [_output("x", b)]) == []  # ... same picture
    buf = io.BytesIO()
    img = Image.new("RGB", (4, 3), (10, 20, 30))
    img.putpixel((1, 1), (10, 20, 31))
    img.save(buf, format="png")
    assert differences([_output("x", a)], [_output("x", base64.b64encode(buf.getvalue()).decode())]) == [
        "output 0: 1 pixel(s) differ"]


def test_text_is_compared_exactly():
    assert differences([_output("2.89")], [_output("2.89 ")]) == ["output 0: text/plain differs"]
    assert differences([_output("a")], []) == ["1 output(s) committed, 0 built"]
