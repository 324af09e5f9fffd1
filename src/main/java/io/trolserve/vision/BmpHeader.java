package io.trolserve.vision;

import java.awt.image.IndexColorModel;
import java.awt.image.SampleModel;

/**
 * A BMP's info header. PIL reads 1/4/8-bit BMPs through their colour table (modes 1, L or P give
 * the same RGB) and 16/24/32-bit ones as direct colour, scaling a 5- or 6-bit field v to
 * {@code v * 255 / (2^bits - 1)} rounded down (checked with Pillow 9.4); alpha is dropped.
 * Embedded JPEG/PNG (compression 4, 5) is refused, as PIL refuses it.
 */
record BmpHeader(int width, int height, int bitsPerPixel, int compression) implements FormatHeader {

    @Override
    public ImageFormat format() {
        return ImageFormat.BMP;
    }

    static BmpHeader parse(byte[] encoded) {
        HeaderBytes h = new HeaderBytes(encoded, "BMP");
        int infoSize = h.s32le(14);
        int width;
        int height;
        int bits;
        int compression;
        if (infoSize == 12) { // OS/2 core header: 16-bit fields, never compressed
            width = h.u16le(18);
            height = h.u16le(20);
            bits = h.u16le(24);
            compression = 0;
        } else if (infoSize >= 40 && infoSize <= 124) {
            width = h.s32le(18);
            height = h.s32le(22);
            bits = h.u16le(28);
            compression = h.s32le(30);
        } else {
            throw h.corrupt("unknown info header size " + infoSize);
        }
        if (width <= 0 || height == 0 || height == Integer.MIN_VALUE) {
            throw h.corrupt("invalid size " + width + "x" + height);
        }
        return new BmpHeader(width, Math.abs(height), bits, compression); // height < 0: stored top-down
    }

    @Override
    public void checkDecodable() {
        boolean ok = switch (compression) {
            case 0 -> bitsPerPixel == 1 || bitsPerPixel == 4 || bitsPerPixel == 8
                    || bitsPerPixel == 16 || bitsPerPixel == 24 || bitsPerPixel == 32;
            case 1 -> bitsPerPixel == 8; // RLE8
            case 2 -> bitsPerPixel == 4; // RLE4
            case 3 -> bitsPerPixel == 16 || bitsPerPixel == 32; // bit fields
            default -> false;
        };
        if (!ok) {
            throw ImageDecodeException.unsupported(
                    "BMP with compression " + compression + " and " + bitsPerPixel + " bits per pixel is not supported");
        }
    }

    @Override
    public void toRgb(RawPixels pixels, RgbRowSink sink) {
        int bands = pixels.bands();
        if (pixels.colorModel() instanceof IndexColorModel icm) {
            Palette palette = Palette.of(icm);
            pixels.toRgbRows(sink, (s, n, rgb, o) -> {
                for (int i = 0; i < n; i++, o += 3) {
                    palette.write(s[i * bands], rgb, o);
                }
            });
            return;
        }
        // ImageIO reads a palette that is the identity grey ramp as one grey band: PIL's mode "L"
        int[] band = bands >= 3 ? new int[] {0, 1, 2} : new int[] {0, 0, 0};
        byte[][] lut = {scale(pixels, band[0]), scale(pixels, band[1]), scale(pixels, band[2])};
        pixels.toRgbRows(sink, (s, n, rgb, o) -> {
            for (int i = 0, at = 0; i < n; i++, at += bands, o += 3) {
                for (int c = 0; c < 3; c++) {
                    rgb[o + c] = lut[c][s[at + band[c]]];
                }
            }
        });
    }

    private static byte[] scale(RawPixels pixels, int band) {
        SampleModel sm = pixels.raster().getSampleModel();
        int bits = sm.getSampleSize(band);
        if (bits < 1 || bits > 8) {
            throw ImageDecodeException.unsupported("BMP bit-field layout with a " + bits + "-bit channel");
        }
        int max = (1 << bits) - 1;
        byte[] lut = new byte[max + 1];
        for (int v = 0; v <= max; v++) {
            lut[v] = (byte) (v * 255 / max);
        }
        return lut;
    }
}
