package io.trolserve.vision;

import java.util.concurrent.Semaphore;

/**
 * Pixels allowed to be decoding at once, shared by every decode that is given this budget. A decode
 * takes its image's width × height (from the header, before ImageIO allocates anything) and gives
 * it back once the image is resized to the model's input: what is held is ImageIO's full-size
 * raster, 1 to 8 bytes a pixel (8-bit grey to 16-bit RGBA), the one thing that grows with the
 * image. A decode that does not fit waits, first come first served (a fair semaphore: a large image
 * is not overtaken forever by small ones).
 *
 * <p>Why pixels and not bytes: the header gives the pixel count for free, and the bytes per pixel
 * of ImageIO's raster are bounded, so a pixel budget bounds the heap. Six 8192 × 8192 16-bit PNGs
 * (the hostile case: 384 MiB of raster each) then decode one after another within
 * {@code 64 Mi} pixels instead of all at once.
 */
public final class DecodeBudget {

    private final long capacity;
    private final Semaphore pixels;

    /** @param capacity pixels that may be decoding at once; at most {@code Integer.MAX_VALUE} */
    public DecodeBudget(long capacity) {
        if (capacity <= 0 || capacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("decode budget must be 1 .. " + Integer.MAX_VALUE + " pixels: " + capacity);
        }
        this.capacity = capacity;
        this.pixels = new Semaphore((int) capacity, true);
    }

    /**
     * A budget that can hold any image allowed by {@code maxImagePixels}: refuses, at start-up, a
     * configuration in which an allowed image would wait forever.
     */
    public static DecodeBudget forImagesUpTo(long maxImagePixels, long capacity) {
        long largest = Math.min(maxImagePixels, ImageDecoder.HARD_MAX_PIXELS);
        if (capacity < largest) {
            throw new IllegalArgumentException("the decode budget of " + capacity + " pixels cannot hold an image of "
                    + largest + " pixels, which the image pixel limit allows");
        }
        return new DecodeBudget(capacity);
    }

    public long capacity() {
        return capacity;
    }

    /** Pixels not taken right now (for metrics and tests). */
    public long available() {
        return pixels.availablePermits();
    }

    /** Decodes waiting for pixels right now, an estimate (for metrics and tests). */
    public int waiting() {
        return pixels.getQueueLength();
    }

    /**
     * Takes {@code count} pixels, waiting while they are not free. The wait is not interruptible,
     * like the intake's in-flight slots: every decode ahead ends within its time limit, so the wait
     * is bounded by the decodes queued before it.
     *
     * @throws ImageDecodeException {@code TOO_MANY_PIXELS} if they could never be free
     */
    Lease acquire(long count) {
        if (count > capacity) {
            throw new ImageDecodeException(ImageDecodeException.Code.TOO_MANY_PIXELS,
                    count + " pixels are more than the whole decode budget of " + capacity);
        }
        int n = (int) Math.max(count, 0);
        pixels.acquireUninterruptibly(n);
        return new Lease(n);
    }

    /** Pixels held by one decode; given back once, by {@link #close()}. */
    final class Lease implements AutoCloseable {

        private int held;

        private Lease(int held) {
            this.held = held;
        }

        @Override
        public void close() {
            pixels.release(held);
            held = 0;
        }
    }
}
