package io.trolserve.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Paints a {@link Scene} as RGB bytes, row-major HWC ({@code side * side * 3}), the layout
 * {@code ImageDecoder} hands the vision tower. Edges are antialiased by 4x4 supersampling: a
 * pixel's colour mixes the shape's and the background's by the share of its 16 sample points
 * inside the shape. Noise jitters the background only, so a shape's inside is exactly its colour.
 */
public final class SceneRenderer {

    /** The plain background's grey level, every channel. */
    public static final int BACKGROUND = 236;
    /** A noisy background's per-channel jitter is uniform in {@code [-NOISE, NOISE]}. */
    public static final int NOISE = 12;

    private static final int SUBSAMPLES = 4;

    private SceneRenderer() {
    }

    public static byte[] render(Scene scene) {
        int side = scene.side();
        byte[] rgb = background(scene);
        for (PlacedShape shape : scene.shapes()) {
            paint(shape, side, rgb);
        }
        return rgb;
    }

    private static byte[] background(Scene scene) {
        byte[] rgb = new byte[scene.side() * scene.side() * 3];
        if (!scene.noisyBackground()) {
            Arrays.fill(rgb, (byte) BACKGROUND);
            return rgb;
        }
        SplittableRandom noise = new SplittableRandom(scene.noiseSeed());
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (BACKGROUND + noise.nextInt(-NOISE, NOISE + 1));
        }
        return rgb;
    }

    // Only the pixels of the shape's box can be touched; shapes never share a pixel (they are
    // placed a gap apart), so each blend is against the background alone.
    private static void paint(PlacedShape shape, int side, byte[] rgb) {
        int x0 = Math.max(0, (int) Math.floor(shape.left()));
        int x1 = Math.min(side - 1, (int) Math.floor(shape.right()));
        int y0 = Math.max(0, (int) Math.floor(shape.top()));
        int y1 = Math.min(side - 1, (int) Math.floor(shape.bottom()));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int covered = coveredSamples(shape, x, y);
                if (covered > 0) {
                    blend(rgb, (y * side + x) * 3, shape.colour(), covered);
                }
            }
        }
    }

    private static int coveredSamples(PlacedShape shape, int x, int y) {
        int covered = 0;
        for (int sy = 0; sy < SUBSAMPLES; sy++) {
            for (int sx = 0; sx < SUBSAMPLES; sx++) {
                if (shape.covers(x + (sx + 0.5) / SUBSAMPLES, y + (sy + 0.5) / SUBSAMPLES)) {
                    covered++;
                }
            }
        }
        return covered;
    }

    private static void blend(byte[] rgb, int at, ShapeColour colour, int covered) {
        int samples = SUBSAMPLES * SUBSAMPLES;
        for (int c = 0; c < 3; c++) {
            int under = rgb[at + c] & 0xFF;
            // Integer rounding of (colour * covered + under * (samples - covered)) / samples.
            rgb[at + c] = (byte) ((colour.channel(c) * covered + under * (samples - covered) + samples / 2) / samples);
        }
    }
}
