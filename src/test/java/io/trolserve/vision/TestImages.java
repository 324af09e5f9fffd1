package io.trolserve.vision;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Images made in the test with the JDK's own writers, and hand-laid PNG chunks. */
final class TestImages {

    private TestImages() {}

    static BufferedImage noise(int width, int height, int type, long seed) {
        BufferedImage image = new BufferedImage(width, height, type);
        Random random = new Random(seed);
        int bands = image.getRaster().getNumBands();
        int max = (1 << image.getSampleModel().getSampleSize(0)) - 1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int b = 0; b < bands; b++) {
                    image.getRaster().setSample(x, y, b, random.nextInt(max + 1));
                }
            }
        }
        return image;
    }

    static byte[] encode(BufferedImage image, String format) {
        return write(image, format, null, null);
    }

    static byte[] interlacedPng(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT); // Adam7
        return write(image, "png", param, null);
    }

    static byte[] write(BufferedImage image, String format, ImageWriteParam param, IIOMetadata metadata) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** The RGB bytes of an 8-bit image's raster, band by band: what a decoder must return. */
    static byte[] rasterRgb(BufferedImage image) {
        int w = image.getWidth();
        byte[] out = new byte[3 * w * image.getHeight()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    out[3 * (y * w + x) + c] = (byte) image.getRaster().getSample(x, y, c);
                }
            }
        }
        return out;
    }

    /** A PNG signature and IHDR chunk (valid CRC) claiming the given size, and nothing else. */
    static byte[] pngHeader(long width, long height, int depth, int colorType) {
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, width);
        putInt(ihdr, 4, height);
        ihdr[8] = (byte) depth;
        ihdr[9] = (byte) colorType;
        return concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, chunk("IHDR", ihdr));
    }

    static byte[] chunk(String type, byte[] data) {
        byte[] c = new byte[12 + data.length];
        putInt(c, 0, data.length);
        for (int i = 0; i < 4; i++) {
            c[4 + i] = (byte) type.charAt(i);
        }
        System.arraycopy(data, 0, c, 8, data.length);
        CRC32 crc = new CRC32();
        crc.update(c, 4, 4 + data.length);
        putInt(c, 8 + data.length, crc.getValue());
        return c;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static void putInt(byte[] b, int pos, long value) {
        b[pos] = (byte) (value >>> 24);
        b[pos + 1] = (byte) (value >>> 16);
        b[pos + 2] = (byte) (value >>> 8);
        b[pos + 3] = (byte) value;
    }

    /** Offset of the first occurrence of {@code marker} at or after {@code from}, or -1. */
    static int indexOf(byte[] b, int from, int... marker) {
        outer:
        for (int i = from; i + marker.length <= b.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if ((b[i + j] & 0xFF) != marker[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
