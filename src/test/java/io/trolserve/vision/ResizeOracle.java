package io.trolserve.vision;

import java.util.SplittableRandom;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.torch.Libtorch;

/**
 * libtorch's uint8 bicubic resize, called as the preprocessor called it before images came
 * resized, next to {@link BicubicResizer}; and resize cases to compare them on. Also a main, for
 * {@link BicubicResizerTest} to run the comparison in a JVM whose libtorch uses another kernel.
 */
final class ResizeOracle {

    /** Target sides: TroL's 490, the tiny test checkpoints' 56, and smaller ones. */
    static final int[] TARGETS = {490, 56, 28, 14};

    /** An RGB image, (height, width, 3), and the size to resize it to. */
    record Case(int width, int height, byte[] rgb, int outWidth, int outHeight) {

        @Override
        public String toString() {
            return width + "x" + height + " -> " + outWidth + "x" + outHeight;
        }
    }

    private ResizeOracle() {}

    /** {@code torch.upsample_bicubic2d} on the (1, 3, h, w) uint8 tensor, align_corners=false. */
    static byte[] libtorch(Case c) {
        Libtorch.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            Tensor hwc = AbstractTensor.create(c.rgb(), false, 1, c.height(), c.width(), 3);     // (1, h, w, 3) uint8
            Tensor chw = hwc.permute(0, 3, 1, 2).contiguous();                                    // (1, 3, h, w)
            Tensor resized = torch.upsample_bicubic2d(chw, new long[] {c.outHeight(), c.outWidth()}, false);
            Tensor out = resized.permute(0, 2, 3, 1).contiguous();                               // (1, H, W, 3)
            byte[] bytes = new byte[3 * c.outWidth() * c.outHeight()];
            out.data_ptr_byte().get(bytes);
            return bytes;
        }
    }

    /** {@link BicubicResizer}, fed row by row as a decoder feeds it, skipping the rows it does not want. */
    static byte[] java(Case c) {
        BicubicResizer resizer = new BicubicResizer(c.width(), c.height(), c.outWidth(), c.outHeight());
        byte[] row = new byte[3 * c.width()];
        for (int y = 0; y < c.height(); y++) {
            if (resizer.wantsRow(y)) {
                System.arraycopy(c.rgb(), 3 * y * c.width(), row, 0, row.length);
                resizer.row(y, row);
            }
        }
        return resizer.rgb();
    }

    /**
     * Sizes from 1 to 1200 (half of them under 20), to a target side or to any size up to 600 in
     * either direction; pixels noise, saturated 0/255 (the overshoot that must clamp) or smooth.
     * Never a 1 x 1 output: libtorch's AVX2 kernel fails an internal assertion on it (a 1 x 1
     * tensor is also channels-last), and no model takes one.
     */
    static Case randomCase(SplittableRandom random) {
        int width = 1 + random.nextInt(random.nextBoolean() ? 20 : 1200);
        int height = 1 + random.nextInt(random.nextBoolean() ? 20 : 1200);
        int outWidth = random.nextInt(4) == 0 ? 2 + random.nextInt(599) : TARGETS[random.nextInt(TARGETS.length)];
        int outHeight = random.nextInt(4) == 0 ? 2 + random.nextInt(599) : outWidth;
        return new Case(width, height, pixels(width, height, random), outWidth, outHeight);
    }

    static byte[] pixels(int width, int height, SplittableRandom random) {
        byte[] rgb = new byte[3 * width * height];
        switch (random.nextInt(3)) {
            case 0 -> random.nextBytes(rgb);
            case 1 -> {
                for (int i = 0; i < rgb.length; i++) {
                    rgb[i] = random.nextInt(3) == 0 ? 0 : (byte) 255;
                }
            }
            default -> {
                for (int i = 0; i < rgb.length; i++) {
                    int x = i / 3 % width;
                    int y = i / 3 / width;
                    rgb[i] = (byte) (x * 7 + y * 3 + i % 3 * 50);
                }
            }
        }
        return rgb;
    }

    /** Where two resizes first differ, or null when they are equal. */
    static String firstDifference(Case c, byte[] expected, byte[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                int pixel = i / 3;
                return String.format("%s: first difference at x=%d y=%d channel %d: libtorch %d, java %d", c,
                        pixel % c.outWidth(), pixel / c.outWidth(), i % 3, expected[i] & 0xFF, actual[i] & 0xFF);
            }
        }
        return null;
    }

    /** args: seed trials. Prints the CPU capability libtorch runs with, then one line per mismatch and a count. */
    public static void main(String[] args) {
        Libtorch.ensureLoaded();
        System.out.println("capability " + torch.get_cpu_capability().getString());
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[0]));
        int trials = Integer.parseInt(args[1]);
        int mismatches = 0;
        for (int i = 0; i < trials; i++) {
            Case c = randomCase(random);
            String difference = firstDifference(c, libtorch(c), java(c));
            if (difference != null) {
                mismatches++;
                System.out.println(difference);
            }
        }
        System.out.println("mismatches " + mismatches + " of " + trials);
    }
}
