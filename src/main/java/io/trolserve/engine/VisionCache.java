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
 * encoded together in one batch, the tiles of every image (one for TroL-1.8B/7B, 1 to 7 for
 * TroL-3.8B) laid end to end. Engine thread only. Cached tensors are retained here; a request
 * that uses one retains it too, so eviction never pulls features from under a prefill.
 */
final class VisionCache implements AutoCloseable {

    private final TrolModel model;
    private final long budgetBytes;
    private final LinkedHashMap<String, Tensor> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;
    private long tilesEncoded;

    VisionCache(TrolModel model, long budgetBytes) {
        this.model = model;
        this.budgetBytes = budgetBytes;
    }

    /**
     * Gives every request its features, (image tokens, H), retained for the request; encodes the
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

    /**
     * The tiles the request would have encoded if it ran now (it needs features none cached), one
     * entry per tile, {@code hash} or {@code hash#k}: the step budget prices them one encode each,
     * and the same image wanted by two requests is counted once.
     */
    List<String> toEncode(Request r) {
        if (!r.needsImageFeatures()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (DecodedImage img : r.input.images()) {
            if (!cache.containsKey(img.contentHash())) {
                out.add(img.contentHash());
                int tiles = model.imagePolicy().tiles(img.width(), img.height());
                for (int k = 1; k < tiles; k++) {
                    out.add(img.contentHash() + "#" + k);
                }
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
            int[] tiles = new int[images.size()];
            for (int i = 0; i < images.size(); i++) {
                DecodedImage img = images.get(i);
                Tensor one = model.preprocess(img);       // (tiles, 3, S, S)
                tiles[i] = (int) one.size(0);
                pixels.push_back(one);
            }
            Tensor features = model.encodePixels(torch.cat(pixels, 0));                 // (all tiles, G*G, H)
            long hidden = features.size(2);
            int first = 0;
            for (int i = 0; i < images.size(); i++) {
                // its own storage, not a view of the batch: (tiles * G*G, H)
                Tensor one = features.narrow(0, first, tiles[i]).reshape(-1, hidden).clone();
                one.retainReference();   // outlives this scope: owned by the cache from here on
                out.put(images.get(i).contentHash(), one);
                first += tiles[i];
            }
            tilesEncoded += first;
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

    /** Vision-tower tiles encoded so far: what the step cost model prices (an image is 1 to 7 of them). */
    long tilesEncoded() {
        return tilesEncoded;
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
