package io.trolserve.engine;

import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.TrolModel;
import io.trolserve.vision.DecodedImage;

/** Projected features of a request's images, held for the plain path's whole prefill ({@link PlainGenerator}). */
final class ImageFeatures implements AutoCloseable {
    private final Tensor all;   // (images * G*G, H), or null without images

    private ImageFeatures(Tensor all) {
        this.all = all;
    }

    static ImageFeatures encode(TrolModel model, List<DecodedImage> images) {
        if (images == null || images.isEmpty()) {
            return new ImageFeatures(null);
        }
        try (PointerScope scope = new PointerScope()) {
            TensorVector perImage = new TensorVector();
            for (DecodedImage img : images) {
                perImage.push_back(model.encodeImage(img));
            }
            Tensor all = torch.cat(perImage, 0);
            // escapes the scope on purpose: it must live until the prefill is done
            all.retainReference();
            return new ImageFeatures(all);
        }
    }

    Tensor rows(int start, int count) {
        if (all == null || start + count > all.size(0)) {
            throw new IllegalArgumentException("the prompt has more image tokens than the images provide");
        }
        return all.narrow(0, start, count);
    }

    @Override
    public void close() {
        if (all != null) {
            all.releaseReference();
        }
    }
}
