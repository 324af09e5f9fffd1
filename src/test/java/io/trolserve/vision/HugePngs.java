package io.trolserve.vision;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * 16-bit RGBA PNGs written byte by byte, so that an 8192 x 8192 one (512 MiB of ImageIO raster)
 * is about 0.5 MB, like the one in the issue: one colour except for a 64 x 16 patch of noise, colour
 * and patch chosen by the seed.
 */
final class HugePngs {

    private HugePngs() {}

    static byte[] rgba16(int width, int height, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int noisyFrom = random.nextInt(height);
        byte[] pixel = new byte[8]; // R, G, B, A as big-endian 16-bit samples
        random.nextBytes(pixel);
        byte[] row = new byte[1 + 8 * width]; // filter byte 0 (None), then (W, 4) samples
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.DEFAULT_COMPRESSION), 1 << 16)) {
            for (int y = 0; y < height; y++) {
                boolean noisy = y >= noisyFrom && y < noisyFrom + 16;
                for (int i = 1; i < row.length; i++) {
                    row[i] = noisy && i <= 8 * 64 ? (byte) random.nextInt(256) : pixel[(i - 1) % 8];
                }
                z.write(row);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        byte[] ihdr = new byte[13];
        TestImages.putInt(ihdr, 0, width);
        TestImages.putInt(ihdr, 4, height);
        ihdr[8] = 16; // bit depth
        ihdr[9] = 6;  // RGBA
        return TestImages.concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
                TestImages.chunk("IHDR", ihdr), TestImages.chunk("IDAT", idat.toByteArray()),
                TestImages.chunk("IEND", new byte[0]));
    }
}
