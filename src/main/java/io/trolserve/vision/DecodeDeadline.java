package io.trolserve.vision;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The time one decode may take. When it is up, the decode is stopped wherever it is:
 * <ul>
 *   <li>ImageIO's reader is told to stop ({@link ImageReader#abort()}, from the timer thread): the
 *       PNG, GIF and BMP readers check it between rows and passes, and return early;</li>
 *   <li>the encoded bytes stop flowing ({@link #input}): the next read fails. This is what stops
 *       the JPEG reader, whose {@code abort()} refuses calls from another thread while it reads,
 *       and whose libjpeg consumes its input as it decodes;</li>
 *   <li>our own row loops call {@link #check()} between rows.</li>
 * </ul>
 * Whatever the reader does with an early stop (a partial image, an I/O error), the decoder asks
 * {@link #expired()} first, so the request fails with {@code DECODE_TIMEOUT}, not as corrupt.
 */
final class DecodeDeadline implements AutoCloseable {

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Duration limit;
    private final long endNanos;
    private final ScheduledFuture<?> alarm;
    private volatile boolean expired;
    private ImageReader reader; // guarded by this: abort() never reaches a disposed reader

    private DecodeDeadline(Duration limit) {
        this.limit = limit;
        this.endNanos = System.nanoTime() + limit.toNanos();
        this.alarm = TIMER.schedule(this::expire, limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    static DecodeDeadline start(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("decode time limit must be positive: " + limit);
        }
        return new DecodeDeadline(limit);
    }

    /** The reader to abort when time is up, until {@link #unwatch()}. */
    synchronized void watch(ImageReader r) {
        reader = r;
        if (expired) {
            abortQuietly(r);
        }
    }

    synchronized void unwatch() {
        reader = null;
    }

    private synchronized void expire() {
        expired = true;
        if (reader != null) {
            abortQuietly(reader);
        }
    }

    private static void abortQuietly(ImageReader r) {
        try {
            r.abort();
        } catch (IllegalStateException busy) {
            // the JPEG reader's thread lock: the guarded input stops it instead
        }
    }

    /** Also reads the clock: a busy machine may run the timer late, the checks here never are. */
    boolean expired() {
        if (!expired && System.nanoTime() - endNanos >= 0) {
            expired = true;
        }
        return expired;
    }

    /** @throws ImageDecodeException {@code DECODE_TIMEOUT} once the time is up */
    void check() {
        if (expired()) {
            throw timeout();
        }
    }

    ImageDecodeException timeout() {
        return new ImageDecodeException(ImageDecodeException.Code.DECODE_TIMEOUT,
                "decoding took longer than " + limit.toMillis() + " ms");
    }

    /** The encoded bytes as ImageIO input that fails every read once the time is up. */
    ImageInputStream input(byte[] encoded) {
        return new GuardedImageInput(encoded, this);
    }

    @Override
    public void close() {
        alarm.cancel(false);
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "image-decode-deadline");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true); // a finished decode leaves no task behind
        return t;
    }
}
