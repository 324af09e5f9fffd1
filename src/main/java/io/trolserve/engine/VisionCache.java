package io.trolserve.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.TrolModel;
import io.trolserve.vision.DecodedImage;

/**
 * Projected image features by image content hash, within a byte budget (least recently used
 * first out), so the same image asked about twice is encoded once; misses of one step are
 * encoded together in one batch. Engine thread only. Cached tensors are retained here; a request
 * that uses one retains it too, so eviction never pulls features from under a prefill.
 */
final class VisionCache implements AutoCloseable {

    private final TrolModel model;
    private final long budgetBytes;
    private final LinkedHashMap<String, Tensor> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    VisionCache(TrolModel model, long budgetBytes) {
        this.model = model;
        this.budgetBytes = budgetBytes;
    }

    /**
     * Gives every request its features, (images * G*G, H), retained for the request; encodes the
     * images nobody has cached in one batch. @return nanoseconds spent encoding
     */
    long provide(List<Request> requests) {
        Map<String, DecodedImage> missing = new LinkedHashMap<>();
        for (Request r : requests) {
            for (DecodedImage img : r.input.images()) {
                if (!cache.containsKey(img.contentHash())) {
                    missing.putIfAbsent(img.contentHash(), img);
                } else {
                    hits++;
                }
            }
        }
        long started = System.nanoTime();
        Map<String, Tensor> fresh = encode(new ArrayList<>(missing.values()));
        long took = missing.isEmpty() ? 0 : System.nanoTime() - started;
        for (Request r : requests) {
            r.imageFeatures(gather(r, fresh));
            r.output.encodedImagesIn(r.input.images().stream().anyMatch(i -> missing.containsKey(i.contentHash())) ? took : 0);
        }
        fresh.forEach(this::put);
        return took;
    }

    /** Content hashes of the images the request would have encoded if it ran now: it needs features none cached. */
    List<String> toEncode(Request r) {
        if (!r.needsImageFeatures()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (DecodedImage img : r.input.images()) {
            if (!cache.containsKey(img.contentHash())) {
                out.add(img.contentHash());
            }
        }
        return out;
    }

    private Map<String, Tensor> encode(List<DecodedImage> images) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (images.isEmpty()) {
            return out;
        }
        misses += images.size();
        try (PointerScope scope = new PointerScope()) {
            TensorVector pixels = new TensorVector();
            for (DecodedImage img : images) {
                pixels.push_back(model.preprocess(img.width(), img.height(), img.rgb()));
            }
            Tensor features = model.encodePixels(torch.cat(pixels, 0));                 // (N, G*G, H)
            for (int i = 0; i < images.size(); i++) {
                Tensor one = features.select(0, i).clone();   // (G*G, H), its own storage, not a view of the batch
                one.retainReference();   // outlives this scope: owned by the cache from here on
                out.put(images.get(i).contentHash(), one);
            }
        }
        return out;
    }

    /** The request's images' features stacked in prompt order, retained for the request. */
    private Tensor gather(Request r, Map<String, Tensor> fresh) {
        List<Tensor> parts = new ArrayList<>();
        for (DecodedImage img : r.input.images()) {
            parts.add(fresh.containsKey(img.contentHash()) ? fresh.get(img.contentHash()) : cache.get(img.contentHash()));
        }
        if (parts.size() == 1) {
            Tensor handle = new Tensor(parts.get(0));   // a second owning handle for the request
            handle.retainReference();                   // survives the step's scope; the request releases it
            return handle;
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor all = torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
            all.retainReference();   // released by the engine when the request's prefill is done
            return all;
        }
    }

    private void put(String hash, Tensor features) {
        long size = features.nbytes();
        cache.put(hash, features);
        bytes += size;
        while (bytes > budgetBytes && !cache.isEmpty()) {
            Map.Entry<String, Tensor> eldest = cache.entrySet().iterator().next();
            bytes -= eldest.getValue().nbytes();
            eldest.getValue().releaseReference();
            cache.remove(eldest.getKey());
        }
    }

    long bytes() {
        return bytes;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    @Override
    public void close() {
        cache.values().forEach(Tensor::releaseReference);
        cache.clear();
        bytes = 0;
    }
}
