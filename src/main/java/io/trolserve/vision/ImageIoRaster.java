package io.trolserve.vision;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes the first image with the JDK's ImageIO reader and returns its raw samples. Each call gets
 * its own reader, so calls are independent and thread-safe. Failures are mapped by the caller. The
 * full-size raster returned is the one large allocation of a decode (what {@link DecodeBudget}
 * accounts for); it becomes garbage as soon as the caller has turned its rows into RGB.
 */
final class ImageIoRaster {

    private ImageIoRaster() {}

    static RawPixels read(byte[] encoded, FormatHeader header, DecodeDeadline deadline) throws IOException {
        ImageReader reader = jdkReader(header.format());
        // In memory, not ImageIO.createImageInputStream: that may spool to a temp file.
        try (ImageInputStream in = deadline.input(encoded)) {
            deadline.watch(reader);
            reader.setInput(in, true, true); // metadata ignored: no ICC, gamma or EXIF is applied
            if (reader.getWidth(0) != header.rasterWidth() || reader.getHeight(0) != header.rasterHeight()) {
                throw ImageDecodeException.corrupt(String.format("%s header says %dx%d, decoder sees %dx%d",
                        header.format(), header.rasterWidth(), header.rasterHeight(),
                        reader.getWidth(0), reader.getHeight(0)));
            }
            if (header.format() == ImageFormat.JPEG) {
                return new RawPixels(reader.readRaster(0, null), null); // components before colour conversion
            }
            BufferedImage image = reader.read(0);
            return new RawPixels(image.getRaster(), image.getColorModel());
        } finally {
            deadline.unwatch();
            reader.dispose();
        }
    }

    /**
     * The conversions in this package assume the JDK plugins' raw samples; a third-party plugin on
     * the classpath (registered for the same format) might convert colours first, so it is skipped.
     */
    private static ImageReader jdkReader(ImageFormat format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.name().toLowerCase(Locale.ROOT));
        ImageReader fallback = null;
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (r.getClass().getName().startsWith("com.sun.imageio.plugins.")) {
                return r;
            }
            fallback = fallback == null ? r : fallback;
        }
        if (fallback == null) {
            throw ImageDecodeException.unsupported("no ImageIO reader for " + format);
        }
        return fallback;
    }
}
