package io.trolserve.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Unit tier: the pixels-in-flight budget, alone and as the decoder uses it. */
class DecodeBudgetTest {

    @Test
    void decodeWaitsUntilEarlierOnesGiveTheirPixelsBack() throws Exception {
        DecodeBudget budget = new DecodeBudget(100);
        DecodeBudget.Lease first = budget.acquire(80);
        CompletableFuture<DecodeBudget.Lease> second = CompletableFuture.supplyAsync(() -> budget.acquire(30));

        assertThat(waitsStill(second)).isTrue();
        assertThat(budget.available()).isEqualTo(20);
        first.close();
        second.get(5, TimeUnit.SECONDS).close();
        assertThat(budget.available()).isEqualTo(100);
    }

    /**
     * A large image at the head of the queue is not overtaken by small ones that would fit. The two
     * cannot hold their pixels at once (95 + 10 > 100), so the order they record is the order they
     * were served in, not a race between two threads that both hold a lease.
     */
    @Test
    void waitersAreServedInArrivalOrder() throws Exception {
        DecodeBudget budget = new DecodeBudget(100);
        DecodeBudget.Lease held = budget.acquire(50);
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> large = waiter(budget, 95, "large", order);
        awaitQueued(budget, 1);
        CompletableFuture<Void> small = waiter(budget, 10, "small", order);
        awaitQueued(budget, 2);

        assertThat(waitsStill(small)).as("50 pixels are free, but the 95 asked first").isTrue();
        held.close();
        CompletableFuture.allOf(large, small).get(5, TimeUnit.SECONDS);
        assertThat(order).containsExactly("large", "small");
    }

    @Test
    void moreThanTheWholeBudgetIsRefusedInsteadOfWaitingForever() {
        DecodeBudget budget = new DecodeBudget(100);

        assertThat(catchThrowableOfType(() -> budget.acquire(101), ImageDecodeException.class).code())
                .isEqualTo(ImageDecodeException.Code.TOO_MANY_PIXELS);
        assertThat(budget.available()).isEqualTo(100);
    }

    @Test
    void budgetMustHoldTheLargestAllowedImage() {
        assertThat(DecodeBudget.forImagesUpTo(1 << 20, 1 << 20).capacity()).isEqualTo(1 << 20);
        assertThatThrownBy(() -> DecodeBudget.forImagesUpTo(1 << 20, (1 << 20) - 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot hold");
        assertThatThrownBy(() -> new DecodeBudget(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DecodeBudget(1L << 31)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Decoded, refused as corrupt, or timed out: the pixels always come back. */
    @Test
    void everyDecodeGivesItsPixelsBack() {
        DecodeBudget budget = new DecodeBudget(1 << 20);
        DecodeLimits limits = new DecodeLimits(1 << 20, Duration.ofSeconds(10), budget);
        byte[] png = TestImages.encode(TestImages.noise(40, 30, BufferedImage.TYPE_3BYTE_BGR, 1), "png");
        byte[] cut = java.util.Arrays.copyOf(png, png.length / 2);
        DecodeLimits instant = new DecodeLimits(1 << 20, Duration.ofNanos(1), budget);

        assertThat(ImageDecoder.decode(png, limits, 14).width()).isEqualTo(14);
        assertThat(catchThrowableOfType(() -> ImageDecoder.decode(cut, limits, 14), ImageDecodeException.class).code())
                .isEqualTo(ImageDecodeException.Code.CORRUPT_IMAGE);
        assertThat(catchThrowableOfType(() -> ImageDecoder.decode(png, instant, 14), ImageDecodeException.class).code())
                .isEqualTo(ImageDecodeException.Code.DECODE_TIMEOUT);
        assertThat(budget.available()).isEqualTo(1 << 20);
    }

    private static CompletableFuture<Void> waiter(DecodeBudget budget, int pixels, String name, List<String> order) {
        return CompletableFuture.runAsync(() -> {
            try (DecodeBudget.Lease lease = budget.acquire(pixels)) {
                order.add(name);
            }
        }, runnable -> new Thread(runnable).start());
    }

    private static void awaitQueued(DecodeBudget budget, int waiters) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (budget.waiting() < waiters && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(budget.waiting()).isEqualTo(waiters);
    }

    private static boolean waitsStill(CompletableFuture<?> f) throws InterruptedException {
        Thread.sleep(100);
        return !f.isDone();
    }
}
