package io.trolserve.messaging.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trolserve.engine.FinishReason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Answers and token events through the one JSON configuration, and back. */
class ContractJsonTest {

    static final TrolAnswer ANSWER = new TrolAnswer("req-42", "TroL-1.8B", "He is fishing.",
            FinishReason.STOP, null, new Usage(1321, 1225, 57),
            new Timings(3.1, 12.0, 40.2, 55.3, 612.0, 9.8));
    static final TrolAnswer FAILED = new TrolAnswer("req-43", "TroL-1.8B", "", FinishReason.ERROR,
            new ErrorInfo("invalid-base64", "image.data is not valid base64"), Usage.NONE, Timings.NONE);
    static final TrolAnswer LATE = new TrolAnswer("req-44", "TroL-1.8B", "", FinishReason.DEADLINE,
            null, Usage.NONE, new Timings(0.2, null, null, null, 0.3, null));
    static final TrolAnswer GENERATED = ANSWER.withTokenIds(new int[] {791, 374, 11, 0});
    static final TokenEvent TOKEN = new TokenEvent("req-42", "TroL-1.8B", 0, 1234, "The", 1764151200123456L, 55.3, 17, false);
    static final TokenEvent LAST = new TokenEvent("req-42", "TroL-1.8B", 56, 2, "", 1764151200723456L, 9.8, 16, true);

    private static String json(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void answersRoundTrip() {
        for (TrolAnswer a : new TrolAnswer[] {ANSWER, FAILED, LATE, GENERATED}) {
            assertThat(ContractJson.readAnswer(ContractJson.write(a))).isEqualTo(a);
        }
    }

    @Test
    void tokensRoundTrip() {
        assertThat(ContractJson.readToken(ContractJson.write(TOKEN))).isEqualTo(TOKEN);
        assertThat(ContractJson.readToken(ContractJson.write(LAST))).isEqualTo(LAST);
    }

    @Test
    void answerIsCompactWithVersionAndWithoutNulls() {
        assertThat(json(ContractJson.write(ANSWER))).isEqualTo("{\"version\":1,\"id\":\"req-42\","
                + "\"model\":\"TroL-1.8B\",\"answer\":\"He is fishing.\",\"finishReason\":\"stop\","
                + "\"usage\":{\"promptTokens\":1321,\"imageTokens\":1225,\"completionTokens\":57},"
                + "\"timings\":{\"queueMs\":3.1,\"visionMs\":12.0,\"prefillMs\":40.2,\"ttftMs\":55.3,"
                + "\"e2eMs\":612.0,\"meanItlMs\":9.8}}");
        assertThat(json(ContractJson.write(LATE)))
                .contains("\"timings\":{\"queueMs\":0.2,\"e2eMs\":0.3}")
                .doesNotContain("null", "error", "tokenIds");
        assertThat(ContractJson.toJson(GENERATED)).endsWith(",\"tokenIds\":[791,374,11,0]}");
    }

    @Test
    void tokenEventUsesFinal() {
        assertThat(ContractJson.toJson(LAST)).isEqualTo("{\"version\":1,\"id\":\"req-42\",\"model\":\"TroL-1.8B\",\"index\":56,"
                + "\"tokenId\":2,\"text\":\"\",\"ts\":1764151200723456,\"latencyMs\":9.8,"
                + "\"batchSize\":16,\"final\":true}");
    }

    @Test
    void fieldsANewerProducerAddsAreIgnored() {
        String token = ContractJson.toJson(TOKEN);
        assertThat(read(token.replace("{\"version\":1", "{\"version\":1,\"priority\":{\"a\":[1]}"))).isEqualTo(TOKEN);
        String answer = ContractJson.toJson(ANSWER);
        assertThat(ContractJson.readAnswer(answer.replace("{\"version\":1", "{\"version\":1,\"shard\":3")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo(ANSWER);
    }

    @Test
    void readingIsStrict() {
        String token = ContractJson.toJson(TOKEN);
        assertThatThrownBy(() -> read(token.replace("\"final\":false", "\"last\":false")))
                .isInstanceOf(IllegalArgumentException.class); // missing "final"
        assertThatThrownBy(() -> read(token.replace("\"version\":1,", "")))
                .isInstanceOf(IllegalArgumentException.class); // missing primitive must not read as 0
        assertThatThrownBy(() -> read(token.replace("\"version\":1", "\"version\":2")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> read(token.replace("\"index\":0", "\"index\":\"0\"")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> read(token.replace("\"index\":0", "\"index\":0.5")))
                .isInstanceOf(IllegalArgumentException.class);
        String answer = ContractJson.toJson(ANSWER);
        assertThatThrownBy(() -> ContractJson.readAnswer(answer.replace("\"stop\"", "\"done\"").getBytes()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContractJson.readAnswer(answer.replace("\"model\":\"TroL-1.8B\",", "").getBytes()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static TokenEvent read(String json) {
        return ContractJson.readToken(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void recordsRefuseWhatTheSchemaRefuses() {
        assertThatThrownBy(() -> new Timings(Double.NaN, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TrolAnswer("a", "m", "", FinishReason.ERROR, null, Usage.NONE, Timings.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenEvent("a", "m", 0, 1, "x", 1L, 1.0, 0, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorInfoFromARefusal() {
        ErrorInfo info = ErrorInfo.of(new InvalidRequestException(ErrorCode.NOT_UTF8, "bad bytes"));
        assertThat(info).isEqualTo(new ErrorInfo("not-utf8", "bad bytes"));
    }
}
