package io.trolserve.model;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Image to CLIP input (TROL_SPEC §2, steps 1-3), as the official pipeline does it: the RGB bytes
 * stay uint8 through the bicubic resize (the official code calls {@code F.interpolate} on the
 * uint8 tensor of {@code pil_to_tensor}, and libtorch's uint8 bicubic kernel rounds and clamps
 * differently from a float resize), then normalise in float32 on the model's device.
 *
 * <p>On the serving path images arrive already S x S: the decoder resized them, bit-exactly as
 * this kernel would ({@code vision.BicubicResizer}), so the resize is skipped here; libtorch's
 * kernel copies an image of the target size unchanged anyway.
 */
final class ImagePreprocessor implements AutoCloseable {

    private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private final int size;
    private final Placement placement;
    private final Tensor mean255;   // (1, 3, 1, 1) float32 on device
    private final Tensor std255;    // (1, 3, 1, 1)

    ImagePreprocessor(int size, Placement placement) {
        this.size = size;
        this.placement = placement;
        try (Device device = placement.device();
             Tensor mean = AbstractTensor.create(MEAN, 1, 3, 1, 1);
             Tensor std = AbstractTensor.create(STD, 1, 3, 1, 1);
             Tensor meanScaled = mean.mul(new org.bytedeco.pytorch.Scalar(255.0));
             Tensor stdScaled = std.mul(new org.bytedeco.pytorch.Scalar(255.0))) {
            this.mean255 = meanScaled.to(device, ScalarType.Float).clone();
            this.std255 = stdScaled.to(device, ScalarType.Float).clone();
        }
    }

    /**
     * @param rgb interleaved RGB bytes, row-major, 3 per pixel
     * @return (1, 3, S, S) normalised pixels in the model dtype on its device
     */
    Tensor pixels(int width, int height, byte[] rgb) {
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " RGB bytes, got " + rgb.length);
        }
        Tensor hwc = AbstractTensor.create(rgb, false, 1, height, width, 3);                // (1, h, w, 3) uint8
        Tensor chw = hwc.permute(0, 3, 1, 2).contiguous();                                 // (1, 3, h, w) uint8
        Tensor resized = width == size && height == size ? chw
                : torch.upsample_bicubic2d(chw, new long[] {size, size}, false);            // (1, 3, S, S) uint8
        try (Device device = placement.device()) {
            Tensor f = resized.to(device, ScalarType.Float);                                 // (1, 3, S, S)
            return f.sub(mean255).div(std255).to(placement.scalarType());
        }
    }

    @Override
    public void close() {
        mean255.close();
        std255.close();
    }
}
