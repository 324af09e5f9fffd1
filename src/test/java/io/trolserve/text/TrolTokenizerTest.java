package io.trolserve.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.tiny.TinyTokenizerWriter;

class TrolTokenizerTest {

    private static final int V = TinyTokenizerFixture.VOCAB_SIZE;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static TrolTokenizer tok;

    @BeforeAll
    static void load() {
        tok = TinyTokenizerFixture.load(shared);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void aFullTrolPromptRoundTripsWithoutTruncation() {
        String text = PromptTemplate.expandImageMarkers(
                PromptTemplate.text("Describe the image: café — 東京 🚀", true), 1225);

        int[] ids = tok.encode(text);

        assertThat(ids.length).isGreaterThan(1225 + 100); // far past DJL's default cut at 512
        assertThat(Arrays.stream(ids).filter(id -> id == V).count()).isEqualTo(1225);
        assertThat(ids[0]).isEqualTo(tok.bosTokenId());
        assertThat(ids[ids.length - 1]).isEqualTo(tok.encode("\n")[0]);
        assertThat(tok.decode(ids)).isEqualTo(text);
    }

    @Test
    void specialTokensWrittenInTextEncodeToTheirIds() {
        assertThat(tok.encode("<s>")).containsExactly(1);
        assertThat(tok.encode("</s>")).containsExactly(2);
        assertThat(tok.encode("[UNUSED_TOKEN_145]")).containsExactly(V - 2);
        assertThat(tok.encode("[UNUSED_TOKEN_146]")).containsExactly(V - 1);
        assertThat(tok.encode("<image><image>")).containsExactly(V, V);
    }

    @Test
    void encodeAddsNoSpecialTokens() {
        assertThat(tok.encode("")).isEmpty();
        int[] ids = tok.encode("What is this?");
        assertThat(ids).doesNotContain(tok.bosTokenId(), tok.eosTokenId());
        assertThat(tok.decode(ids)).isEqualTo("What is this?");
    }

    @Test
    void decodeKeepsTheTextOfSpecialTokens() {
        int[] ids = tok.encode("<s>hi[UNUSED_TOKEN_145]</s>");

        assertThat(tok.decode(ids)).isEqualTo("<s>hi[UNUSED_TOKEN_145]</s>");
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        assertThatThrownBy(() -> tok.decode(new int[] {V + 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(V + 1));
        assertThatThrownBy(() -> tok.decode(new int[] {-1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownTokenStringsHaveNoId() {
        assertThat(tok.tokenId("[NOT_A_TOKEN]")).isEmpty();
    }

    @Test
    void encodesAndDecodesFromSeveralThreadsAtOnce() throws Exception {
        String prompt = PromptTemplate.text("What is it?", true);
        List<String> texts = List.of("café — 東京 🚀", PromptTemplate.SYSTEM_PROMPT,
                PromptTemplate.expandImageMarkers(prompt, 1225), "a b c");
        List<int[]> expected = texts.stream().map(tok::encode).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 50; round++) {
                        for (int i = 0; i < texts.size(); i++) {
                            int[] ids = tok.encode(texts.get(i));
                            boolean same = Arrays.equals(ids, expected.get(i))
                                    && tok.decode(ids).equals(texts.get(i));
                            if (!same) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void theNativeLibraryIsTheBundledCpuOneUnlessTheOperatorChose() {
        // on a CUDA host DJL would otherwise try to download a "cu" build (see NativeTokenizers)
        if (System.getenv(NativeTokenizers.FLAVOR_PROPERTY) == null) {
            assertThat(System.getProperty(NativeTokenizers.FLAVOR_PROPERTY)).isEqualTo("cpu");
        }
    }

    @Test
    void closeIsIdempotentAndLaterUseFailsClearly() {
        TrolTokenizer own = TinyTokenizerFixture.load(dir);
        own.close();
        own.close();

        assertThatThrownBy(() -> own.encode("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMissingTokenizerJsonIsNamed() {
        assertThatThrownBy(() -> TrolTokenizer.load(dir))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("missing");
    }

    @Test
    void aSentencepieceOnlyCheckpointIsToldHowToMakeTokenizerJson() throws Exception {
        Files.write(dir.resolve("tokenizer.model"), new byte[] {1, 2, 3});

        assertThatThrownBy(() -> TrolTokenizer.load(dir))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("tokenizer.json")
                .hasMessageContaining("tokenizer.model")
                .hasMessageContaining("save_pretrained");
    }

    @Test
    void anInvalidTokenizerJsonIsNamed() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": ");
        assertThatThrownBy(() -> TrolTokenizer.load(dir))
                .isInstanceOf(TokenizerException.class).hasMessageContaining(file.toString());

        Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": 7}}");
        assertThatThrownBy(() -> TrolTokenizer.load(dir))
                .isInstanceOf(TokenizerException.class).hasMessageContaining(file.toString());

        // well-formed JSON that the Rust parser rejects: a BPE model without merges
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}");
        assertThatThrownBy(() -> TrolTokenizer.load(dir))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a valid Hugging Face tokenizer.json");
    }

    @Test
    void aTokenizerWithoutTheImageTokenFailsWhenItIsAskedFor() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        TinyTokenizerWriter.write(file, V);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(file.toFile());
        ArrayNode added = (ArrayNode) root.get("added_tokens");
        added.remove(added.size() - 1); // <image>
        json.writeValue(file.toFile(), root);

        try (TrolTokenizer noImage = TrolTokenizer.load(dir)) {
            assertThat(noImage.bosTokenId()).isEqualTo(1);
            assertThatThrownBy(noImage::imageTokenId)
                    .isInstanceOf(TokenizerException.class)
                    .hasMessageContaining("<image>")
                    .hasMessageContaining(file.toString());
        }
    }
}
