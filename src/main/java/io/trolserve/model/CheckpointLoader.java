package io.trolserve.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import io.trolserve.model.checkpoint.CheckpointException;
import io.trolserve.model.checkpoint.MappedWeights;
import io.trolserve.torch.Libtorch;

/**
 * Loads a TroL checkpoint directory as published (TROL_SPEC §1): config.json, the safetensors
 * weights (single file or shards), and the traversal gates. Every missing, unexpected or
 * mis-shaped tensor is collected and reported at once, by name, before any tensor is built.
 */
public final class CheckpointLoader {

    private final Path dir;
    private final Placement placement;
    private final List<Tensor> owned = new ArrayList<>();

    private CheckpointLoader(Path dir, Placement placement) {
        this.dir = dir;
        this.placement = placement;
    }

    public static TrolWeights load(Path dir, Placement placement) {
        Libtorch.ensureLoaded();
        TrolConfig config = TrolConfig.read(dir.resolve(ConfigKeys.FILE));
        try (MappedWeights mapped = MappedWeights.openCheckpoint(dir)) {
            long positionRows = validate(dir, config, mapped);
            GateValues gates = GateValues.read(dir, config);
            return new CheckpointLoader(dir, placement).build(config, mapped, gates, positionRows);
        }
    }

    /** Returns the stored CLIP position-table rows after checking every tensor against config.json. */
    private static long validate(Path dir, TrolConfig config, MappedWeights mapped) {
        MappedWeights.Located pos = mapped.tensors().get(CheckpointLayout.POSITION_EMBEDDING);
        long gridRows = (long) config.vision().imageTokens() + 1;
        long positionRows = pos == null || pos.entry().shape().length != 2 ? gridRows : pos.entry().shape()[0];
        List<String> problems = new ArrayList<>();
        if (!CheckpointLayout.isSquarePlusClass(positionRows)) {
            problems.add(CheckpointLayout.POSITION_EMBEDDING + ": " + positionRows
                    + " rows is not n*n+1 (577 or " + gridRows + " expected)");
            positionRows = gridRows;
        }
        Set<String> expectedNames = new HashSet<>();
        for (CheckpointLayout.Expected e : CheckpointLayout.expected(config, positionRows)) {
            expectedNames.add(e.name());
            MappedWeights.Located found = mapped.tensors().get(e.name());
            if (found == null) {
                problems.add("missing tensor " + e.name() + " " + Arrays.toString(e.shape()));
            } else if (!Arrays.equals(found.entry().shape(), e.shape())) {
                problems.add("tensor " + e.name() + " has shape " + Arrays.toString(found.entry().shape())
                        + " but config.json implies " + Arrays.toString(e.shape()));
            } else {
                try {
                    found.entry().dtype(found.file().path());
                } catch (CheckpointException ex) {
                    problems.add(ex.getMessage());
                }
            }
        }
        for (String name : mapped.tensors().keySet()) {
            if (!expectedNames.contains(name) && !CheckpointLayout.isKnownUnused(name)) {
                problems.add("unexpected tensor " + name + " " + Arrays.toString(mapped.tensors().get(name).entry().shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(dir + ": the weights do not match config.json (" + problems.size()
                    + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  - "
                    + String.join("\n  - ", problems.subList(0, Math.min(problems.size(), 40)))
                    + (problems.size() > 40 ? "\n  - ... and " + (problems.size() - 40) + " more" : ""));
        }
        return positionRows;
    }

    private TrolWeights build(TrolConfig c, MappedWeights mapped, GateValues gates, long positionRows) {
        try {
            return TrolAssembly.assemble(c, placement, new TrolAssembly.Source() {
                @Override
                public Tensor tensor(String name) {
                    return place(mapped, name);
                }

                @Override
                public Tensor stacked(List<String> names) {
                    return CheckpointLoader.this.stacked(mapped, names);
                }

                @Override
                public Tensor positionTable(int grid) {
                    return CheckpointLoader.this.positionTable(mapped, grid, positionRows);
                }

                @Override
                public Tensor gateWeight(int layer) {
                    return own(gates.weight(layer, placement));
                }

                @Override
                public Tensor gateBias(int layer) {
                    return own(gates.bias(layer, placement));
                }
            }, owned);
        } catch (RuntimeException e) {
            owned.forEach(Tensor::close);
            throw e;
        }
    }

    /** The named tensors (a CLIP layer's q, k and v projections) stacked along dimension 0. */
    private Tensor stacked(MappedWeights mapped, List<String> names) {
        try (TensorVector parts = new TensorVector()) {
            for (String name : names) {
                try (Tensor t = mapped.view(name)) {
                    parts.push_back(t);
                }
            }
            try (Tensor cat = torch.cat(parts, 0)) {
                return own(toPlacement(cat));
            }
        }
    }

    /**
     * The CLIP position table for a grid x grid image. A table of another size (577 = 24x24+1 in
     * CLIP ViT-L/14-336) keeps its class row and has its grid resized bicubically in float32, as
     * the official {@code resize_pos} does at load time.
     */
    private Tensor positionTable(MappedWeights mapped, int grid, long positionRows) {
        long side = Math.round(Math.sqrt(positionRows - 1.0));
        if (side == grid) {
            return place(mapped, CheckpointLayout.POSITION_EMBEDDING);
        }
        try (Tensor stored = mapped.view(CheckpointLayout.POSITION_EMBEDDING);
             Tensor table = stored.to(ScalarType.Float);                                   // (n*n+1, C)
             Tensor cls = table.narrow(0, 0, 1);                                           // (1, C)
             Tensor cells = table.narrow(0, 1, side * side).reshape(1, side, side, -1);    // (1, n, n, C)
             Tensor image = cells.permute(0, 3, 1, 2);                                     // (1, C, n, n)
             Tensor resized = torch.upsample_bicubic2d(image, new long[] {grid, grid}, false); // (1, C, G, G)
             Tensor rows = resized.permute(0, 2, 3, 1).reshape(grid * grid, -1);          // (G*G, C)
             TensorVector parts = new TensorVector(cls, rows);
             Tensor full = torch.cat(parts, 0)) {                                          // (G*G+1, C)
            return own(toPlacement(full));
        }
    }

    private Tensor place(MappedWeights mapped, String name) {
        try (Tensor view = mapped.view(name)) {
            return own(toPlacement(view));
        }
    }

    /** Same device and dtype as stored: returns an alias of the mapping (no copy). */
    private Tensor toPlacement(Tensor t) {
        try (Device device = placement.device()) {
            return t.to(device, placement.scalarType());
        }
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    Path dir() {
        return dir;
    }
}
