package io.trolserve.vision;

import java.util.Arrays;

/**
 * A GIF's logical screen and first frame, composed as Pillow 9.4 composes frame 0: the canvas is the
 * logical screen (grown if the frame reaches past it), filled with the frame's transparent index if
 * it has one and with index 0 otherwise — not with the background colour — and the frame is pasted
 * at its offset. Colours come from the frame's local table, else the global one. Later frames are
 * ignored.
 */
record GifHeader(int width, int height, int frameLeft, int frameTop, int frameWidth, int frameHeight,
        Palette palette, int fillIndex) implements FormatHeader {

    @Override
    public ImageFormat format() {
        return ImageFormat.GIF;
    }

    @Override
    public int rasterWidth() {
        return frameWidth;
    }

    @Override
    public int rasterHeight() {
        return frameHeight;
    }

    static GifHeader parse(byte[] encoded) {
        HeaderBytes h = new HeaderBytes(encoded, "GIF");
        int screenWidth = h.u16le(6);
        int screenHeight = h.u16le(8);
        int flags = h.u8(10);
        int pos = 13;
        Palette palette = Palette.greyRamp();
        if ((flags & 0x80) != 0) {
            int size = 3 << ((flags & 7) + 1);
            palette = Palette.ofTriples(slice(h, pos, size));
            pos += size;
        }
        int transparent = -1;
        while (true) {
            int block = h.u8(pos);
            if (block == 0x21) { // extension: label, then sub-blocks
                if (h.u8(pos + 1) == 0xF9 && h.u8(pos + 2) >= 4 && (h.u8(pos + 3) & 1) != 0) {
                    transparent = h.u8(pos + 6); // graphic control: the last one before the frame counts
                }
                pos = skipSubBlocks(h, pos + 2);
            } else if (block == 0x2C) {
                break;
            } else if (block == 0x3B) {
                throw h.corrupt("no image in file");
            } else {
                pos++; // stray byte: PIL skips it too
            }
        }
        int left = h.u16le(pos + 1);
        int top = h.u16le(pos + 3);
        int frameWidth = h.u16le(pos + 5);
        int frameHeight = h.u16le(pos + 7);
        int frameFlags = h.u8(pos + 9);
        if ((frameFlags & 0x80) != 0) {
            palette = Palette.ofTriples(slice(h, pos + 10, 3 << ((frameFlags & 7) + 1)));
        }
        int width = Math.max(screenWidth, left + frameWidth);
        int height = Math.max(screenHeight, top + frameHeight);
        if (frameWidth == 0 || frameHeight == 0) {
            throw h.corrupt("empty first frame " + frameWidth + "x" + frameHeight);
        }
        return new GifHeader(width, height, left, top, frameWidth, frameHeight, palette, Math.max(transparent, 0));
    }

    private static int skipSubBlocks(HeaderBytes h, int pos) {
        int size;
        while ((size = h.u8(pos)) != 0) {
            pos += size + 1;
        }
        return pos + 1;
    }

    private static byte[] slice(HeaderBytes h, int pos, int size) {
        h.require(pos, size);
        return Arrays.copyOfRange(h.array(), pos, pos + size);
    }

    @Override
    public void toRgb(RawPixels pixels, RgbRowSink sink) {
        byte[] fill = new byte[3 * width];
        palette.write(fillIndex, fill, 0);
        for (int o = 3; o < fill.length; o *= 2) { // fill by doubling the filled prefix
            System.arraycopy(fill, 0, fill, o, Math.min(o, fill.length - o));
        }
        byte[] row = fill.clone();
        int[] samples = pixels.newSpan();
        int bands = pixels.bands();
        for (int y = 0; y < height; y++) {
            if (!sink.wantsRow(y)) {
                continue;
            }
            if (y < frameTop || y >= frameTop + frameHeight) {
                sink.row(y, fill);
                continue;
            }
            for (int x = 0; x < frameWidth; ) {
                int n = pixels.span(y - frameTop, x, samples);
                for (int i = 0, o = 3 * (frameLeft + x); i < n; i++, o += 3) {
                    palette.write(samples[i * bands], row, o);
                }
                x += n;
            }
            sink.row(y, row); // the columns left and right of the frame keep the fill
        }
    }
}
