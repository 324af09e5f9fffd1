package io.trolserve.vision;

import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * PNG's IHDR (and PLTE), and PIL's rules for turning each colour type and bit depth into RGB,
 * checked against Pillow 9.4:
 *
 * <pre>
 *   colour type        depth     PIL mode     RGB value of a sample v
 *   0 grey             1,2,4     1 / L;n      v * 255 / (2^depth - 1)    (scaled)
 *   0 grey             16        I            min(v, 255)                (clipped, not scaled!)
 *   4 grey + alpha     16        LA;16B       v >> 8                     (high byte)
 *   2 RGB, 6 RGBA      16        RGB(A);16B   v >> 8
 *   3 palette          1..8      P            PLTE[v], (v, v, v) past the table's end
 *   any, 8-bit                                v; alpha and tRNS dropped, nothing composited
 * </pre>
 */
record PngHeader(int width, int height, int bitDepth, int colorType, Palette palette, boolean reachesIdat)
        implements FormatHeader {

    @Override
    public ImageFormat format() {
        return ImageFormat.PNG;
    }

    static PngHeader parse(byte[] encoded) {
        HeaderBytes h = new HeaderBytes(encoded, "PNG");
        if (h.u32be(8) != 13 || !h.matches(12, "IHDR")) {
            throw h.corrupt("first chunk is not a 13-byte IHDR");
        }
        long width = h.u32be(16);
        long height = h.u32be(20);
        int depth = h.u8(24);
        int colorType = h.u8(25);
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw h.corrupt("invalid size " + width + "x" + height);
        }
        if (!validDepth(colorType, depth) || h.u8(26) != 0 || h.u8(27) != 0 || h.u8(28) > 1) {
            throw h.corrupt("invalid IHDR (colour type " + colorType + ", bit depth " + depth + ")");
        }
        BeforeIdat chunks = readChunksUpToIdat(h);
        return new PngHeader((int) width, (int) height, depth, colorType, chunks.palette(), chunks.reachesIdat());
    }

    private record BeforeIdat(Palette palette, boolean reachesIdat) {}

    @Override
    public void checkDecodable() {
        if (!reachesIdat) {
            throw ImageDecodeException.corrupt("PNG data ends before the image data (IDAT)");
        }
        if (colorType == 3 && palette == null) {
            throw ImageDecodeException.corrupt("PNG palette image without PLTE");
        }
    }

    /**
     * Walks the chunks before the first IDAT, checking each CRC as PIL does (it refuses a bad CRC
     * there, while ImageIO does not look), and keeps PLTE. Data that ends before IDAT is left for
     * {@link #checkDecodable} to refuse, so that {@code probe} works on a file's first bytes. Chunks
     * after IDAT, IEND included, are not required: PIL decodes a file that ends after its image data.
     */
    private static BeforeIdat readChunksUpToIdat(HeaderBytes h) {
        Palette palette = null;
        CRC32 crc = new CRC32();
        long pos = 8;
        while (true) {
            if (pos + 12 > h.length()) {
                return new BeforeIdat(palette, false);
            }
            long length = h.u32be(pos);
            if (length > Integer.MAX_VALUE) {
                throw h.corrupt("chunk length " + length + " at byte " + pos);
            }
            if (h.matches(pos + 4, "IDAT")) {
                return new BeforeIdat(palette, true);
            }
            if (pos + 12 + length > h.length()) {
                return new BeforeIdat(palette, false);
            }
            crc.reset();
            crc.update(h.array(), (int) pos + 4, (int) length + 4);
            if (crc.getValue() != h.u32be(pos + 8 + length)) {
                throw h.corrupt("bad CRC in chunk at byte " + pos);
            }
            if (h.matches(pos + 4, "PLTE")) {
                if (length % 3 != 0) {
                    throw h.corrupt("PLTE length " + length + " is not a multiple of 3");
                }
                int start = (int) pos + 8;
                palette = Palette.ofTriples(Arrays.copyOfRange(h.array(), start, start + (int) Math.min(length, 768)));
            } else if (h.matches(pos + 4, "IEND")) {
                throw h.corrupt("no IDAT chunk");
            }
            pos += 12 + length;
        }
    }

    private static boolean validDepth(int colorType, int depth) {
        return switch (colorType) {
            case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
            case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
            case 2, 4, 6 -> depth == 8 || depth == 16;
            default -> false;
        };
    }

    @Override
    public void toRgb(RawPixels pixels, RgbRowSink sink) {
        byte[] lut = colorType == 3 ? null : sampleToByte();
        boolean grey = colorType == 0 || colorType == 4;
        int bands = pixels.bands(); // ImageIO may add an alpha band for tRNS; only the first are read
        pixels.toRgbRows(sink, (s, n, rgb, o) -> {
            for (int i = 0, at = 0; i < n; i++, at += bands, o += 3) {
                if (lut == null) {
                    palette.write(s[at], rgb, o);
                } else if (grey) {
                    rgb[o] = rgb[o + 1] = rgb[o + 2] = lut[s[at]];
                } else {
                    rgb[o] = lut[s[at]];
                    rgb[o + 1] = lut[s[at + 1]];
                    rgb[o + 2] = lut[s[at + 2]];
                }
            }
        });
    }

    /** The table above as a lookup from sample value (0 .. 2^depth - 1) to output byte. */
    private byte[] sampleToByte() {
        int max = (1 << bitDepth) - 1;
        byte[] lut = new byte[max + 1];
        for (int v = 0; v <= max; v++) {
            int value;
            if (bitDepth < 8) {
                value = v * 255 / max;
            } else if (bitDepth == 8) {
                value = v;
            } else {
                value = colorType == 0 ? Math.min(v, 255) : v >> 8;
            }
            lut[v] = (byte) value;
        }
        return lut;
    }
}
