#!/usr/bin/python3
"""Writes the Pillow fixtures for TroL-3.8B's image pipeline (docs/TROL_3_8B.md section 3):
PIL's bicubic resize of RGB images, the official tile choice, and whole tile sets.

Dev-time tool, NOT run by CI: the small files it writes under
src/test/resources/vision/pillow/ are committed, and PillowBicubicResizeTest,
DynamicTilingTest and TiledImageFixtureTest compare the Java port against them. Run it with
Debian's python3-pil 9.4 (the pyenv `python3` on PATH has no PIL):

    /usr/bin/python3 tools/reference/pillow_resize_fixtures.py

The resize is PIL itself (`Image.resize((w, h))`, the default filter, which is BICUBIC for RGB).
The tiler below is written from the official function's semantics as TROL_3_8B.md 3.2-3.4
describes `dynamic_preprocess` and `find_closest_aspect_ratio` in ByungKwanLee/TroL
utils/utils.py (min 1, max 6 tiles, 448 px, thumbnail on), not from the Java.

Files (all images are raw (H, W, 3) uint8, row-major, unless a .png):
  resize.tsv    name, input file, in w, in h, out w, out h, expected: a file or sha256:<hex>
  in_*.rgb      resize inputs;  out_*.rgb  expected outputs (the large ones are hashed instead)
  weights.tsv   in, out, the SHA-256 of Pillow's own fixed-point weights (see pillow_weights)
  choice.tsv    w, h, tiles across, tiles down, as the official choice gives them
  tiles.tsv     name, input (a png, or one of the raw in_*.rgb), in w, in h, across, down,
                sha256 of each tile (thumbnail last), expected png or -
  tiles_*.png   tile-set inputs, and one expected tile set stacked top to bottom
"""
import hashlib
import io
import os
import sys

import numpy as np
from PIL import Image, __version__ as PIL_VERSION

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "src", "test", "resources", "vision", "pillow")
TILE = 448
MAX_FILE = 16 * 1024  # expected outputs larger than this are kept as a SHA-256 only

# The order TROL_3_8B.md 3.2 states for CPython 3.11; checked against this interpreter below.
DOC_ORDER = [(1, 1), (1, 2), (2, 1), (3, 1), (1, 3), (4, 1), (1, 4), (2, 2), (1, 5), (5, 1),
             (6, 1), (2, 3), (1, 6), (3, 2)]


# ---------------------------------------------------------------- the official tiler's semantics

def candidate_grids(min_num=1, max_num=6):
    """All (across, down) with min_num <= across*down <= max_num: a set, then sorted by area."""
    grids = set((i, j) for n in range(min_num, max_num + 1)
                for i in range(1, n + 1) for j in range(1, n + 1)
                if min_num <= i * j <= max_num)
    return sorted(grids, key=lambda g: g[0] * g[1])


def closest_grid(width, height, grids):
    """Nearest ratio first; an equal ratio later in the order wins only for a large enough image."""
    aspect = width / height
    best_diff, best = float("inf"), (1, 1)
    for i, j in grids:
        diff = abs(aspect - i / j)
        if diff < best_diff:
            best_diff, best = diff, (i, j)
        elif diff == best_diff and width * height > 0.5 * TILE * TILE * i * j:
            best = (i, j)
    return best


def tile_set(image):
    """Resize of the original to the grid, row-major crops, then a thumbnail of the original."""
    i, j = closest_grid(image.size[0], image.size[1], candidate_grids())
    grid = image.resize((TILE * i, TILE * j))
    tiles = [grid.crop(((k % i) * TILE, (k // i) * TILE, (k % i + 1) * TILE, (k // i + 1) * TILE))
             for k in range(i * j)]
    if i * j != 1:
        tiles.append(image.resize((TILE, TILE)))
    return (i, j), tiles


# ---------------------------------------------------------------- images

def noise(w, h, seed):
    return np.random.RandomState(seed).randint(0, 256, (h, w, 3)).astype(np.uint8)


def gradient(w, h):
    y, x = np.mgrid[0:h, 0:w]
    planes = [x * 255.0 / max(w - 1, 1), y * 255.0 / max(h - 1, 1), (x + y) * 255.0 / max(w + h - 2, 1)]
    return np.clip(np.stack(planes, -1) + 0.5, 0, 255).astype(np.uint8)


def hard_edges(w, h):
    """Single-pixel stripes, a checkerboard and a step: the bicubic overshoot must clamp at 0 and 255."""
    y, x = np.mgrid[0:h, 0:w]
    r = np.where(x % 2 == 0, 255, 0)
    g = np.where((x // 3 + y // 3) % 2 == 0, 255, 0)
    b = np.where(x < w // 2, 0, 255) ^ np.where(y % 5 == 0, 255, 0)
    return np.stack([r, g, b], -1).astype(np.uint8)


def scene(w, h, seed):
    """Smooth shading, sharp shapes and a noisy patch: small as PNG, still every rounding case."""
    y, x = np.mgrid[0:h, 0:w]
    a = gradient(w, h).astype(np.int32)
    disc = (x - w * 0.3) ** 2 + (y - h * 0.55) ** 2 < (min(w, h) * 0.25) ** 2
    a[disc] = [250, 30, 20]
    a[(x > w * 0.6) & (x < w * 0.62)] = [0, 0, 0]
    a[(y > h * 0.2) & (y < h * 0.23) & (x > w * 0.5)] = [255, 255, 255]
    ph, pw = max(h // 16, 1), max(w // 16, 1)
    a[h // 10:h // 10 + ph, w // 10:w // 10 + pw] = noise(pw, ph, seed)
    return np.clip(a, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- writers

def sha256(data):
    return hashlib.sha256(data).hexdigest()


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def png(array):
    buf = io.BytesIO()
    Image.fromarray(array, "RGB").save(buf, "PNG", optimize=True)
    return buf.getvalue()


def resize_fixtures():
    inputs = {
        "noise37x23": noise(37, 23, 1), "noise1x1": noise(1, 1, 2), "noise1x17": noise(1, 17, 3),
        "noise17x1": noise(17, 1, 4), "noise120x2": noise(120, 2, 5), "noise120x72": noise(120, 72, 6),
        "noise5x4": noise(5, 4, 7), "noise3000x2": noise(3000, 2, 8), "noise2x3000": noise(2, 3000, 9),
        "edges40x40": hard_edges(40, 40), "gradient64x48": gradient(64, 48),
    }
    outputs = {
        # big and small downscales, upscales, one side unchanged, 1-pixel sides, odd sizes, same size
        "noise37x23": [(7, 5), (30, 20), (36, 22), (38, 24), (37, 40), (50, 23), (37, 9), (100, 61),
                       (1, 1), (1, 23), (37, 1), (37, 23), (448, 448)],
        "noise1x1": [(5, 3), (1, 9), (448, 448)],
        "noise1x17": [(4, 9), (3, 1), (1, 5)],
        "noise17x1": [(9, 4), (1, 3), (5, 1)],
        "noise120x2": [(13, 7), (200, 5), (120, 1)],
        "noise120x72": [(3, 2), (17, 13), (119, 71), (121, 72), (120, 23), (448, 448), (1344, 896)],
        "noise5x4": [(448, 448), (11, 13)],
        "noise3000x2": [(2688, 448), (448, 448), (100, 1), (3000, 7)],
        "noise2x3000": [(448, 2688), (448, 448), (1, 100)],
        "edges40x40": [(13, 13), (97, 97), (40, 17), (64, 40), (39, 41)],
        "gradient64x48": [(21, 35), (130, 99), (64, 1)],
    }
    rows = []
    for name, array in inputs.items():
        h, w, _ = array.shape
        write(f"in_{name}.rgb", array.tobytes())
        image = Image.fromarray(array, "RGB")
        for ow, oh in outputs[name]:
            out = np.asarray(image.resize((ow, oh)), dtype=np.uint8).tobytes()
            assert len(out) == ow * oh * 3
            if len(out) <= MAX_FILE:
                expected = f"out_{name}_{ow}x{oh}.rgb"
                write(expected, out)
            else:
                expected = "sha256:" + sha256(out)
            rows.append(f"{name}_{ow}x{oh}\tin_{name}.rgb\t{w}\t{h}\t{ow}\t{oh}\t{expected}")
    write("resize.tsv", ("# written by pillow_resize_fixtures.py with Pillow " + PIL_VERSION + "\n"
                         "# name\tinput\tin_w\tin_h\tout_w\tout_h\texpected\n"
                         + "\n".join(rows) + "\n").encode())
    print(f"resize: {len(rows)} cases")


def pillow_weights(n_in, n_out):
    """Pillow's own 22-bit weights of one axis, as an (n_in, n_out) int32 matrix, little-endian.

    A 32-bit integer ("I") image goes through the same precompute_coeffs; its pass sums
    pixel * double weight and rounds with ROUND_UP, (int)(s +- 0.5), which for a pixel of 2^22
    is exactly normalize_coeffs_8bpc's (int)(w * 2^22 +- 0.5). So resizing the identity times
    2^22 (row r: an impulse at column r) horizontally gives, at (r, o), the weight input r has in
    output o (0 outside its window). Nothing here re-derives the weights.
    """
    eye = Image.fromarray(np.eye(n_in, dtype=np.int32) * (1 << 22), "I")
    out = np.asarray(eye.resize((n_out, n_in), Image.BICUBIC), dtype=np.int32)
    assert out.shape == (n_in, n_out) and (abs(out.sum(0, dtype=np.int64) - (1 << 22)) <= n_in).all()
    return out.astype("<i4").tobytes()


def weights_fixtures():
    """Every pair of sides up to 40 (one hash per input side), then the tiler's large pairs."""
    rows = []
    for n_in in range(1, 41):
        blob = b"".join(pillow_weights(n_in, n_out) for n_out in range(1, 41) if n_out != n_in)
        rows.append(f"{n_in}\t1-40\t{sha256(blob)}")
    for n_in, n_out in [(3000, 2688), (3000, 448), (2, 448), (1, 448), (2, 2688), (634, 896), (634, 448),
                        (500, 1344), (300, 896), (500, 448), (1000, 1344), (1000, 448), (1920, 896),
                        (1080, 448), (2999, 13), (1201, 1200), (448, 449)]:
        rows.append(f"{n_in}\t{n_out}\t{sha256(pillow_weights(n_in, n_out))}")
    write("weights.tsv", ("# written by pillow_resize_fixtures.py with Pillow " + PIL_VERSION + "\n"
                          "# in\tout (1-40: every out but in, concatenated)\tsha256 of the (in, out) int32 weights\n"
                          + "\n".join(rows) + "\n").encode())
    print(f"weights: {len(rows)} rows")


def choice_sizes():
    """Every small size, exact midpoints between candidate ratios and their neighbours, the
    sizes around the area thresholds of ties, and random large ones."""
    sizes = {(w, h) for w in range(1, 41) for h in range(1, 41)}
    ratios = sorted({i / j for i, j in DOC_ORDER})
    fractions = sorted({(i, j) for i, j in DOC_ORDER}, key=lambda g: g[0] / g[1])
    for (a, b), (c, d) in zip(fractions, fractions[1:]):
        if a / b == c / d:
            continue
        p, q = a * d + c * b, 2 * b * d  # the midpoint (a/b + c/d) / 2 = p / q
        for k in (1, 2, 3, 7, 31, 100, 146, 147, 173, 174, 500):
            for dw in (-1, 0, 1):
                if k * p + dw > 0:
                    sizes.add((k * p + dw, k * q))
    for n in (447, 448, 449, 633, 634, 635, 896, 1000):
        sizes.add((n, n))
    random = np.random.RandomState(12)
    for _ in range(600):
        sizes.add((int(random.randint(1, 5001)), int(random.randint(1, 5001))))
    for _ in range(300):
        w, h = np.exp(random.uniform(0, np.log(65535), 2)).astype(int)
        sizes.add((int(max(w, 1)), int(max(h, 1))))
    assert ratios[0] == 1 / 6
    return sorted(sizes)


def choice_fixtures():
    grids = candidate_grids()
    assert grids == DOC_ORDER, f"candidate order under this Python differs from the doc: {grids}"
    rows = [f"{w}\t{h}\t{i}\t{j}" for w, h in choice_sizes() for i, j in [closest_grid(w, h, grids)]]
    write("choice.tsv", ("# written by pillow_resize_fixtures.py: the official tile choice (min 1, max 6, 448)\n"
                         "# w\th\tacross\tdown\n" + "\n".join(rows) + "\n").encode())
    print(f"choice: {len(rows)} sizes, candidate order {grids}")


def tiles_fixtures():
    # the noise inputs are resize_fixtures' raw files; the scenes are written as PNGs
    cases = {"scene500x300": scene(500, 300, 20), "noise3000x2": noise(3000, 2, 8),
             "noise2x3000": noise(2, 3000, 9), "noise1x1": noise(1, 1, 2), "noise5x4": noise(5, 4, 7),
             "scene634x634": scene(634, 634, 24), "scene1000x300": scene(1000, 300, 25)}
    rows = []
    for name, array in cases.items():
        h, w, _ = array.shape
        if name.startswith("noise"):
            source = f"in_{name}.rgb"
            with open(os.path.join(OUT, source), "rb") as f:
                assert f.read() == array.tobytes()
        else:
            source = f"tiles_{name}.png"
            write(source, png(array))
            assert (np.asarray(Image.open(os.path.join(OUT, source)).convert("RGB")) == array).all()
        (i, j), tiles = tile_set(Image.fromarray(array, "RGB"))
        blobs = [np.asarray(t, dtype=np.uint8).tobytes() for t in tiles]
        expected = "-"
        if name == "scene500x300":  # one set kept whole, for a readable failure
            expected = f"tiles_{name}_expected.png"
            write(expected, png(np.concatenate([np.asarray(t) for t in tiles], 0)))
        rows.append(f"{name}\t{source}\t{w}\t{h}\t{i}\t{j}\t{','.join(sha256(b) for b in blobs)}\t{expected}")
        print(f"tiles: {name} {w}x{h} -> grid {i}x{j}, {len(tiles)} tiles")
    write("tiles.tsv", ("# written by pillow_resize_fixtures.py with Pillow " + PIL_VERSION + "\n"
                        "# name\tinput\tin_w\tin_h\tacross\tdown\ttile_sha256s\texpected\n" + "\n".join(rows) + "\n").encode())


def main():
    if sys.byteorder != "little":
        raise SystemExit("expects a little-endian machine")
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    resize_fixtures()
    weights_fixtures()
    choice_fixtures()
    tiles_fixtures()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"Pillow {PIL_VERSION}: {len(os.listdir(OUT))} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
