package io.trolserve.model;

import java.util.List;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * TroL-3.8B's per-tile transform (docs/TROL_3_8B.md §3.5): {@code ToTensor} then {@code Normalize}
 * with the ImageNet mean and std, {@code (v/255 - mean)/std}, each step in float32 as torchvision
 * does it, then cast to the model dtype. The tiles arrive already S x S (the tiler resized them).
 */
final class TilePixels {

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private TilePixels() {
    }

    /**
     * @param rgbTiles each S x S pixels of interleaved RGB bytes, row-major, in tile order
     * @return (N, 3, S, S) normalised tiles in the placement's dtype on its device
     */
    static Tensor normalise(List<byte[]> rgbTiles, int side, Placement placement) {
        int tileBytes = Math.multiplyExact(side * side, 3);
        if (rgbTiles.isEmpty()) {
            throw new IllegalArgumentException("no tiles to normalise");
        }
        byte[] all = new byte[Math.multiplyExact(tileBytes, rgbTiles.size())];
        for (int i = 0; i < rgbTiles.size(); i++) {
            byte[] tile = rgbTiles.get(i);
            if (tile.length != tileBytes) {
                throw new IllegalArgumentException("tile " + i + " has " + tile.length + " bytes, expected "
                        + tileBytes + " (" + side + "x" + side + " RGB)");
            }
            System.arraycopy(tile, 0, all, i * tileBytes, tileBytes);
        }
        long n = rgbTiles.size();
        try (Device device = placement.device()) {
            Tensor hwc = AbstractTensor.create(all, false, n, side, side, 3);                 // (N, S, S, 3) uint8
            Tensor unit = hwc.permute(0, 3, 1, 2).to(device, ScalarType.Float)
                    .div(new Scalar(255.0));                                                  // (N, 3, S, S)
            Tensor mean = AbstractTensor.create(IMAGENET_MEAN, 1, 3, 1, 1).to(device, ScalarType.Float);
            Tensor std = AbstractTensor.create(IMAGENET_STD, 1, 3, 1, 1).to(device, ScalarType.Float);
            return unit.sub(mean).div(std).to(placement.scalarType()).contiguous();          // (N, 3, S, S)
        }
    }
}
