package io.trolserve.model;

import java.util.Random;

import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.ImageDecoder;

/** Small synthetic RGB images with structure (gradients plus noise) so resizing matters. */
public final class TestImages {

    private TestImages() {
    }

    public static DecodedImage gradient(int width, int height, Random random) {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                rgb[i] = (byte) (x * 255 / Math.max(1, width - 1));
                rgb[i + 1] = (byte) (y * 255 / Math.max(1, height - 1));
                rgb[i + 2] = (byte) random.nextInt(256);
            }
        }
        // hashed as if the pixels were the encoded file: distinct images never share a cache key
        return new DecodedImage(width, height, rgb, ImageDecoder.contentHash(rgb));
    }
}
