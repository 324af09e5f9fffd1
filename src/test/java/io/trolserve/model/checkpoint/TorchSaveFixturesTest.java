package io.trolserve.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files written by real PyTorch ({@code src/test/resources/checkpoint/make_fixtures.py}, torch 1.13),
 * read back exactly: every key in order, its layout, and every element as float32 bits.
 */
class TorchSaveFixturesTest {

    static Path fixture(String name) {
        try {
            return Path.of(TorchSaveFixturesTest.class.getResource("/checkpoint/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode expected() throws IOException {
        try (InputStream in = TorchSaveFixturesTest.class.getResourceAsStream("/checkpoint/expected.json")) {
            return new ObjectMapper().readTree(in).get("files");
        }
    }

    static Stream<String> fixtureNames() throws IOException {
        List<String> names = new ArrayList<>();
        expected().fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("fixtureNames")
    void readsEveryTensorExactlyAsPyTorchWroteIt(String name) throws IOException {
        JsonNode want = expected().get(name);
        Map<String, RawTensor> got = TorchSaveReader.read(fixture(name));

        List<String> wantKeys = new ArrayList<>();
        want.fieldNames().forEachRemaining(wantKeys::add);
        assertThat(got.keySet()).containsExactlyElementsOf(wantKeys);
        for (String key : wantKeys) {
            JsonNode w = want.get(key);
            RawTensor t = got.get(key);
            assertThat(t.dtype()).as(key).isEqualTo(DType.fromUserName(w.get("dtype").asText()).orElseThrow());
            assertThat(t.shape()).as(key).containsExactly(longs(w.get("shape")));
            assertThat(t.stride()).as(key).containsExactly(longs(w.get("stride")));
            assertThat(t.storageOffset()).as(key).isEqualTo(w.get("offset").asLong());
            assertThat(t.storageKey()).as(key).isEqualTo(w.get("storage").asText());
            assertThat(floatBits(t.toFloatArray())).as(key).containsExactly(ints(w.get("bits")));
        }
    }

    @Test
    void officialGatingLayoutSharesOneWeightAndOneBiasStorage() {
        Map<String, RawTensor> gating = TorchSaveReader.read(fixture("trol_gating.pt"));

        assertThat(gating).hasSize(6);
        for (int layer = 0; layer < 3; layer++) {
            assertThat(gating.get(layer + ".weight").storageKey()).isEqualTo("0");
            assertThat(gating.get(layer + ".weight").shape()).containsExactly(1, 8);
            assertThat(gating.get(layer + ".bias").storageKey()).isEqualTo("1");
            assertThat(gating.get(layer + ".bias").toFloatArray())
                    .containsExactly(gating.get("0.bias").toFloatArray());
        }
    }

    @Test
    void contiguousBytesOfAStridedViewAreItsElementsInRowMajorOrder() {
        RawTensor slice = TorchSaveReader.read(fixture("views.pt")).get("slice"); // base[1:3, 1::2]

        assertThat(slice.storageOffset()).isEqualTo(7);
        assertThat(slice.stride()).containsExactly(6, 2);
        ByteBuffer bytes = ByteBuffer.wrap(slice.contiguousBytes()).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[6];
        bytes.asFloatBuffer().get(values);
        // base = arange(24).reshape(4, 6) / 8; rows 1-2, columns 1, 3, 5
        assertThat(values).containsExactly(7 / 8f, 9 / 8f, 11 / 8f, 13 / 8f, 15 / 8f, 17 / 8f);
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static int[] floatBits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}
