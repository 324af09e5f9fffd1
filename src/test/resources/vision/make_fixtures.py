#!/usr/bin/python3
"""Writes the PIL-equivalence fixtures for io.trolserve.vision (PilEquivalenceTest).

NOT run by CI: the fixtures it writes are committed. Rerun it by hand, with the Debian
python3-pil (the pyenv `python3` on PATH lacks PIL):

    /usr/bin/python3 src/test/resources/vision/make_fixtures.py

For each case it writes an encoded image `fixtures/<name>.<ext>` and `fixtures/<name>.rgb`, the bytes
of `Image.open(f).convert("RGB")` as the official TroL demo.py loads images: (H, W, 3) uint8,
row-major. `fixtures/manifest.tsv` lists name, file, PIL mode, width, height. Files PIL cannot write
(16-bit RGB, 2/4-bit grey, interlaced PNG, hand-laid GIF and BMP variants) are laid out here byte by
byte; PIL is still the one decoding them.
"""
import hashlib
import io
import os
import struct
import zlib

import numpy as np
from PIL import Image, features, __version__ as PIL_VERSION

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
W, H = 23, 17   # odd sizes: row padding, partial JPEG MCUs, Adam7 passes of unequal size
rows = []


def pattern(w=W, h=H, channels=3, seed=0, maxval=255):
    """Gradients plus noise, so every bit of every channel varies."""
    y, x = np.mgrid[0:h, 0:w]
    rs = np.random.RandomState(seed)
    planes = [(x * 11 + y * 3 + 40 * c) / (w * 11 + h * 3 + 80) for c in range(channels)]
    a = np.stack(planes, -1) * maxval + rs.randint(0, maxval // 8 + 1, (h, w, channels))
    return np.clip(a, 0, maxval).astype(np.uint16 if maxval > 255 else np.uint8)


def emit(name, data, ext):
    path = os.path.join(OUT, f"{name}.{ext}")
    with open(path, "wb") as f:
        f.write(data)
    im = Image.open(io.BytesIO(data))
    mode = im.mode
    rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)
    rgb.tofile(os.path.join(OUT, f"{name}.rgb"))
    rows.append(f"{name}\t{name}.{ext}\t{mode}\t{im.size[0]}\t{im.size[1]}")
    print(f"{name:28s} {mode:5s} {im.size} sha256(rgb)={hashlib.sha256(rgb.tobytes()).hexdigest()[:16]}")


def pil_bytes(im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


# ---------------------------------------------------------------- PNG written by hand

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pack_rows(samples, depth):
    """(h, w*channels) integer samples -> list of packed rows (MSB first, big-endian 16-bit)."""
    out = []
    for r in samples:
        if depth == 16:
            out.append(b"".join(struct.pack(">H", int(v)) for v in r))
        elif depth == 8:
            out.append(bytes(int(v) for v in r))
        else:
            per = 8 // depth
            b = bytearray()
            for i in range(0, len(r), per):
                byte = 0
                for j, v in enumerate(r[i:i + per]):
                    byte |= int(v) << (8 - depth * (j + 1))
                b.append(byte)
            out.append(bytes(b))
    return out


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png(samples, depth, ctype, extra=b"", interlace=False):
    """samples: (h, w, channels) array of raw sample values."""
    h, w, c = samples.shape
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = samples[y0::dy, x0::dx]
            if sub.size:
                raw += b"".join(b"\0" + r for r in pack_rows(sub.reshape(sub.shape[0], -1), depth))
    else:
        raw = b"".join(b"\0" + r for r in pack_rows(samples.reshape(h, -1), depth))
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 1 if interlace else 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_cases():
    rgb = pattern()
    rgba = np.concatenate([rgb, pattern(channels=1, seed=1)], -1)
    rgba[0, :5, 3] = 0                                   # fully transparent pixels keep their colour
    grey = pattern(channels=1, seed=2)[:, :, 0]
    emit("png_rgb8", pil_bytes(Image.fromarray(rgb), "PNG"), "png")
    emit("png_rgba8", pil_bytes(Image.fromarray(rgba, "RGBA"), "PNG"), "png")
    emit("png_l8", pil_bytes(Image.fromarray(grey, "L"), "PNG"), "png")
    emit("png_la8", pil_bytes(Image.fromarray(np.stack([grey, grey[::-1]], -1), "LA"), "PNG"), "png")
    emit("png_1bit", pil_bytes(Image.fromarray(grey > 128), "PNG"), "png")
    pal = Image.fromarray(rgb).quantize(colors=13)
    emit("png_p8_trns", pil_bytes(pal, "PNG", transparency=3), "png")
    emit("png_p4", pil_bytes(pal, "PNG", bits=4), "png")
    emit("png_l16", pil_bytes(Image.fromarray(pattern(channels=1, seed=3, maxval=65535)[:, :, 0]), "PNG"), "png")
    # by hand: what PIL cannot write
    emit("png_l16_small", png(pattern(channels=1, seed=4, maxval=400), 16, 0), "png")   # around the clip at 255
    emit("png_rgb16", png(pattern(seed=5, maxval=65535), 16, 2), "png")
    emit("png_rgba16", png(pattern(channels=4, seed=6, maxval=65535), 16, 6), "png")
    emit("png_la16", png(pattern(channels=2, seed=7, maxval=65535), 16, 4), "png")
    emit("png_l2", png(pattern(channels=1, seed=8, maxval=3), 2, 0), "png")
    emit("png_l4", png(pattern(channels=1, seed=9, maxval=15), 4, 0), "png")
    trns_grey = pattern(channels=1, seed=10)
    emit("png_l8_trns", png(trns_grey, 8, 0, chunk(b"tRNS", struct.pack(">H", int(trns_grey[0, 0, 0])))), "png")
    emit("png_rgb8_trns", png(rgb, 8, 2, chunk(b"tRNS", struct.pack(">3H", *map(int, rgb[0, 0])))), "png")
    emit("png_rgb16_trns", png(pattern(seed=11, maxval=65535), 16, 2, chunk(b"tRNS", b"\0\1\0\2\0\3")), "png")
    # palette of 5 colours, indices up to 255: PIL shows (i, i, i) past the table
    short = np.array([[(x * 7 + y * 31) % 256 for x in range(W)] for y in range(H)]).reshape(H, W, 1)
    short[:2] = short[:2] % 5
    plte = chunk(b"PLTE", bytes([200, 10, 20, 30, 200, 40, 50, 60, 200, 1, 2, 3, 250, 250, 250]))
    emit("png_p8_short_palette", png(short, 8, 3, plte + chunk(b"tRNS", bytes([0, 128]))), "png")
    emit("png_p2", png(pattern(channels=1, seed=12, maxval=3), 2, 3, plte), "png")
    emit("png_rgb8_interlaced", png(rgb, 8, 2, interlace=True), "png")
    emit("png_l4_interlaced", png(pattern(channels=1, seed=13, maxval=15), 4, 0, interlace=True), "png")
    emit("png_rgba16_interlaced", png(pattern(channels=4, seed=14, maxval=65535), 16, 6, interlace=True), "png")
    # gAMA 1.0 and sRGB intent: ancillary colour chunks that PIL does not apply
    emit("png_rgb8_gama", png(rgb, 8, 2, chunk(b"gAMA", struct.pack(">I", 100000)) + chunk(b"cHRM", bytes(32))), "png")


# ---------------------------------------------------------------- JPEG (libjpeg-turbo through PIL)

def jpeg_segments(data):
    """Splits a JPEG into [(marker, segment bytes)] up to the first SOS, and the rest."""
    pos, segs = 2, []
    while True:
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker == 0xDA:
            return segs, data[pos:]
        segs.append((marker, data[pos:pos + 2 + length]))
        pos += 2 + length


def jpeg_join(segs, rest):
    return b"\xff\xd8" + b"".join(s for _, s in segs) + rest


def adobe(transform):
    payload = b"Adobe" + struct.pack(">HHHB", 100, 0, 0, transform)
    return (0xEE, b"\xff\xee" + struct.pack(">H", len(payload) + 2) + payload)


def without_jfif(data):
    segs, rest = jpeg_segments(data)
    return [s for s in segs if s[0] != 0xE0], rest


def with_component_ids(data, ids):
    """Renames the three components in SOF0 and the (single, baseline) SOS header."""
    segs, rest = without_jfif(data)
    out = []
    for m, s in segs:
        if m == 0xC0:
            s = bytearray(s)
            for i, cid in enumerate(ids):
                s[10 + 3 * i] = cid
            s = bytes(s)
        out.append((m, s))
    sos = bytearray(rest)
    for i, cid in enumerate(ids):
        sos[5 + 2 * i] = cid
    return jpeg_join(out, bytes(sos))


def jpeg_cases():
    from PIL import ImageCms
    rgb = Image.fromarray(pattern(w=37, h=29, seed=20))
    emit("jpg_444", pil_bytes(rgb, "JPEG", quality=95, subsampling=0), "jpg")
    emit("jpg_422", pil_bytes(rgb, "JPEG", quality=85, subsampling=1), "jpg")
    emit("jpg_420", pil_bytes(rgb, "JPEG", quality=75, subsampling=2), "jpg")
    emit("jpg_420_progressive", pil_bytes(rgb, "JPEG", quality=90, progressive=True), "jpg")
    emit("jpg_420_optimized", pil_bytes(rgb, "JPEG", quality=60, optimize=True), "jpg")
    emit("jpg_420_large", pil_bytes(Image.fromarray(pattern(w=64, h=48, seed=21)), "JPEG", quality=80), "jpg")
    emit("jpg_grey", pil_bytes(rgb.convert("L"), "JPEG", quality=90), "jpg")
    cmyk = Image.fromarray(np.concatenate([pattern(w=37, h=29, seed=22), pattern(w=37, h=29, channels=1, seed=23)], -1), "CMYK")
    cmyk_bytes = pil_bytes(cmyk, "JPEG", quality=90)      # PIL writes Adobe transform 0, inverted
    emit("jpg_cmyk", cmyk_bytes, "jpg")
    segs, rest = jpeg_segments(cmyk_bytes)                # same scans relabelled YCCK (transform 2)
    emit("jpg_ycck", jpeg_join([adobe(2) if m == 0xEE else (m, s) for m, s in segs], rest), "jpg")
    emit("jpg_cmyk_no_adobe", jpeg_join([(m, s) for m, s in segs if m != 0xEE], rest), "jpg")
    exif = Image.Exif()
    exif[0x0112] = 6                                      # "rotate 90 CW": PIL's open ignores it
    emit("jpg_exif_orientation6", pil_bytes(rgb, "JPEG", quality=90, exif=exif.tobytes()), "jpg")
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    emit("jpg_icc_lab", pil_bytes(rgb, "JPEG", quality=90, icc_profile=lab), "jpg")
    # colour-space guesses of libjpeg without JFIF: Adobe transform 0 = RGB, ids 'R','G','B' = RGB,
    # ids 1,2,3 = YCbCr
    base = pil_bytes(rgb, "JPEG", quality=90, subsampling=0)
    segs, rest = without_jfif(base)
    emit("jpg_adobe_rgb", jpeg_join([adobe(0)] + segs, rest), "jpg")
    emit("jpg_adobe_ycc", jpeg_join([adobe(1)] + segs, rest), "jpg")
    emit("jpg_ids_rgb", with_component_ids(base, b"RGB"), "jpg")
    emit("jpg_no_markers", jpeg_join(segs, rest), "jpg")


# ---------------------------------------------------------------- GIF

def lzw_literals(indices, min_code):
    """A valid LZW stream that sends a clear code before every pixel: no dictionary to build."""
    clear, size = 1 << min_code, min_code + 1
    acc = n = 0
    out = bytearray()
    for v in [c for i in indices for c in (clear, int(i))] + [clear + 1]:
        acc |= v << n
        n += size
        while n >= 8:
            out.append(acc & 255)
            acc >>= 8
            n -= 8
    return bytes(out + (bytes([acc]) if n else b""))


def sub_blocks(data):
    return b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255] for i in range(0, len(data), 255)) + b"\0"


def gif(screen, table_bits, frame, indices, transparent=None, local_table_bits=None, min_code=None):
    (sw, sh), (fx, fy, fw, fh) = screen, frame
    table = bytes((i * 37 + c * 91) % 256 for i in range(1 << table_bits) for c in range(3))
    d = b"GIF89a" + struct.pack("<HHBBB", sw, sh, 0x80 | (table_bits - 1), 1, 0) + table
    if transparent is not None:
        d += b"\x21\xf9\x04" + bytes([1, 0, 0, transparent, 0])
    flags = 0
    local = b""
    if local_table_bits:
        flags = 0x80 | (local_table_bits - 1)
        local = bytes((i * 53 + c * 17 + 5) % 256 for i in range(1 << local_table_bits) for c in range(3))
    d += b"\x2c" + struct.pack("<HHHHB", fx, fy, fw, fh, flags) + local
    mc = min_code or max(2, table_bits)
    return d + bytes([mc]) + sub_blocks(lzw_literals(indices, mc)) + b";"


def gif_cases():
    pal = Image.fromarray(pattern(seed=30)).quantize(colors=29)
    emit("gif_interlaced", pil_bytes(pal, "GIF"), "gif")
    emit("gif_progressive_off", pil_bytes(pal, "GIF", interlace=False), "gif")
    emit("gif_transparent", pil_bytes(pal, "GIF", transparency=4), "gif")
    idx = pattern(w=10, h=7, channels=1, seed=31, maxval=7).ravel()
    emit("gif_frame_offset", gif((W, H), 3, (5, 4, 10, 7), idx), "gif")
    emit("gif_frame_offset_transparent", gif((W, H), 3, (5, 4, 10, 7), idx, transparent=2), "gif")
    emit("gif_frame_past_screen", gif((10, 8), 3, (5, 4, 10, 7), idx), "gif")
    emit("gif_local_table", gif((W, H), 3, (0, 0, 10, 7), idx, local_table_bits=3), "gif")
    emit("gif_index_past_table", gif((10, 7), 2, (0, 0, 10, 7), idx, min_code=3), "gif")


# ---------------------------------------------------------------- BMP

def bmp(w, h, bpp, rows_bytes, palette=b"", compression=0, masks=b"", top_down=False, raw_rows=None):
    if raw_rows is None:
        order = rows_bytes if top_down else rows_bytes[::-1]
        pixels = b"".join(r + b"\0" * (-len(r) % 4) for r in order)
    else:
        pixels = raw_rows
    info = struct.pack("<IiiHHIIiiII", 40, w, -h if top_down else h, 1, bpp, compression, len(pixels),
                       2835, 2835, len(palette) // 4, 0)
    off = 14 + len(info) + len(masks) + len(palette)
    return b"BM" + struct.pack("<IHHI", off + len(pixels), 0, 0, off) + info + masks + palette + pixels


def rle(rows_values, nibbles):
    """RLE8 / RLE4, encoded runs only (bottom-up), end-of-line after each row, end-of-bitmap last."""
    out = bytearray()
    for r in rows_values[::-1]:
        x = 0
        while x < len(r):
            n = 1
            while x + n < len(r) and r[x + n] == r[x] and n < 255:
                n += 1
            out += bytes([n, (r[x] << 4 | r[x]) if nibbles else r[x]])
            x += n
        out += b"\0\0"
    return bytes(out + b"\0\1")


def bmp_cases():
    rgb = pattern(seed=40)
    emit("bmp_rgb24", pil_bytes(Image.fromarray(rgb), "BMP"), "bmp")
    emit("bmp_rgba32", pil_bytes(Image.fromarray(pattern(channels=4, seed=41), "RGBA"), "BMP"), "bmp")
    emit("bmp_p8", pil_bytes(Image.fromarray(rgb).quantize(colors=40), "BMP"), "bmp")
    emit("bmp_l8", pil_bytes(Image.fromarray(rgb).convert("L"), "BMP"), "bmp")
    emit("bmp_1bit", pil_bytes(Image.fromarray(rgb).convert("1"), "BMP"), "bmp")
    v5 = pattern(seed=42, maxval=31)
    emit("bmp_rgb555", bmp(W, H, 16, [b"".join(struct.pack("<H", r << 10 | g << 5 | b) for r, g, b in row.tolist())
                                       for row in v5]), "bmp")
    g6 = pattern(channels=1, seed=43, maxval=63)[:, :, 0]
    emit("bmp_rgb565", bmp(W, H, 16, [b"".join(struct.pack("<H", r << 11 | g << 5 | b) for (r, _, b), g in
                                               zip(row.tolist(), grow.tolist())) for row, grow in zip(v5, g6)],
                           compression=3, masks=struct.pack("<3I", 0xF800, 0x7E0, 0x1F)), "bmp")
    emit("bmp_bgrx32", bmp(W, H, 32, [bytes(v for p in row.tolist() for v in (p[2], p[1], p[0], 77)) for row in rgb]), "bmp")
    emit("bmp_top_down", bmp(W, H, 24, [bytes(v for p in row.tolist() for v in p[::-1]) for row in rgb], top_down=True), "bmp")
    palette16 = bytes((i * 41 + c * 13) % 256 if c < 3 else 0 for i in range(16) for c in range(4))
    n4 = pattern(channels=1, seed=44, maxval=15)[:, :, 0].tolist()
    emit("bmp_4bit", bmp(W, H, 4, [bytes((r[i] << 4) | (r[i + 1] if i + 1 < W else 0) for i in range(0, W, 2)) for r in n4],
                         palette=palette16), "bmp")
    emit("bmp_rle4", bmp(W, H, 4, None, palette=palette16, compression=2, raw_rows=rle(n4, True)), "bmp")
    palette256 = bytes((i * 7 + c * 50) % 256 if c < 3 else 0 for i in range(256) for c in range(4))
    n8 = (pattern(channels=1, seed=45)[:, :, 0] // 16 * 16).tolist()   # runs to encode
    emit("bmp_rle8", bmp(W, H, 8, None, palette=palette256, compression=1, raw_rows=rle(n8, False)), "bmp")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    png_cases()
    jpeg_cases()
    gif_cases()
    bmp_cases()
    with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
        f.write(f"# written by make_fixtures.py with Pillow {PIL_VERSION}, libjpeg {features.version('jpg')}\n")
        f.write("# name\tfile\tpil_mode\twidth\theight\n")
        f.write("\n".join(rows) + "\n")
