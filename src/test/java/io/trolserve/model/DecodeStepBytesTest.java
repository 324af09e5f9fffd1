package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.trolserve.model.checkpoint.DType;
import io.trolserve.tiny.TinyCheckpointSpec;

/** The weight bytes a decode step reads, which bench single divides by bandwidth, counted from the config. */
class DecodeStepBytesTest {

    @Test
    void normsBaseProjectionsAndHeadInThePlacementsDtype() {
        TinyCheckpointSpec spec = TinyCheckpointSpec.micro().toBuilder().bias(true).build();
        try (TrolModel model = TrolModel.load(TinyCheckpoints.of(spec), Placement.cpuFloat32())) {
            TrolConfig c = (TrolConfig) model.config();
            long h = c.hiddenSize();
            long i = c.intermediateSize();
            long perLayer = 2 * h                                  // attention_norm, ffn_norm
                    + c.qkvRows() * h + c.qkvRows()                // wqkv + bias
                    + h * (long) c.numHeads() * c.headDim() + h    // wo + bias
                    + 3 * h * i;                                   // w1, w3, w2
            long elements = c.numLayers() * perLayer + h + (long) c.vocabSize() * h;
            assertThat(model.decodeStepBytes()).isEqualTo(elements * DType.F32.byteSize());
        }
    }
}
