package io.trolserve.messaging.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.trolserve.engine.FinishReason;
import io.trolserve.messaging.contract.RequestExamples.Reject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON Schemas under src/main/resources/schemas against what the code accepts and produces:
 * valid examples pass, refusals the schema can express fail, written answers and token events pass,
 * and each schema's properties and required fields are exactly its record's.
 */
class ContractSchemaTest {

    private static final JsonSchemaFactory FACTORY =
            JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    // date-time is only an annotation in 2020-12 unless asserted; the contract means it
    private static final SchemaValidatorsConfig CONFIG =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private static final JsonSchema REQUESTS = load("trol.requests.v1.schema.json");
    private static final JsonSchema ANSWERS = load("trol.answers.v1.schema.json");
    private static final JsonSchema TOKENS = load("trol.tokens.v1.schema.json");

    private static JsonSchema load(String name) {
        try (InputStream in = schemaStream(name)) {
            return FACTORY.getSchema(in, CONFIG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream schemaStream(String name) {
        InputStream in = ContractSchemaTest.class.getResourceAsStream("/schemas/" + name);
        assertThat(in).as(name).isNotNull();
        return in;
    }

    private static Set<ValidationMessage> validate(JsonSchema schema, byte[] json) {
        return schema.validate(new String(json, StandardCharsets.UTF_8), InputFormat.JSON);
    }

    @Test
    void everyValidRequestExampleIsValid() throws Exception {
        RequestParser parser = new RequestParser(RequestLimits.DEFAULTS);
        for (Map.Entry<String, String> e : RequestExamples.VALID.entrySet()) {
            byte[] json = RequestExamples.utf8(e.getValue());
            assertThat(validate(REQUESTS, json)).as(e.getKey()).isEmpty();
            // and the producer side's form of the same request
            byte[] written = ContractJson.write(parser.parse(json, "key-7"));
            assertThat(validate(REQUESTS, written)).as(e.getKey() + " written").isEmpty();
        }
    }

    static List<Reject> schemaRejects() {
        return RequestExamples.REJECTS.stream().filter(Reject::schemaRejects).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaRejects")
    void requestSchemaRejects(Reject reject) {
        assertThat(validate(REQUESTS, reject.value().get())).isNotEmpty();
    }

    @Test
    void writtenAnswersAreValid() {
        for (TrolAnswer a : List.of(ContractJsonTest.ANSWER, ContractJsonTest.FAILED,
                ContractJsonTest.LATE, ContractJsonTest.GENERATED)) {
            assertThat(validate(ANSWERS, ContractJson.write(a))).as(a.toString()).isEmpty();
        }
    }

    @Test
    void invalidAnswersAreRejected() {
        String ok = ContractJson.toJson(ContractJsonTest.ANSWER);
        for (String bad : List.of(
                ok.replace("\"finishReason\":\"stop\"", "\"finishReason\":\"error\""), // error missing
                ok.replace("\"finishReason\":\"stop\"", "\"finishReason\":\"done\""),
                ok.replace("\"version\":1", "\"version\":2"),
                ok.replace("\"model\":\"TroL-1.8B\",", ""),
                ok.replace("\"queueMs\":3.1", "\"queueMs\":-3.1"),
                ok.replace("\"queueMs\":3.1", "\"queueMs\":null"),
                ok.replace("{\"version\":1", "{\"version\":1,\"extra\":true"))) {
            assertThat(validate(ANSWERS, bad.getBytes(StandardCharsets.UTF_8))).as(bad).isNotEmpty();
        }
    }

    @Test
    void writtenTokensAreValidAndBadOnesRejected() {
        assertThat(validate(TOKENS, ContractJson.write(ContractJsonTest.TOKEN))).isEmpty();
        assertThat(validate(TOKENS, ContractJson.write(ContractJsonTest.LAST))).isEmpty();
        String ok = ContractJson.toJson(ContractJsonTest.TOKEN);
        for (String bad : List.of(
                ok.replace("\"final\"", "\"last\""),
                ok.replace("\"index\":0", "\"index\":-1"),
                ok.replace("\"ts\":1764151200123456", "\"ts\":\"1764151200123456\""),
                ok.replace("\"batchSize\":17", "\"batchSize\":0"))) {
            assertThat(validate(TOKENS, bad.getBytes(StandardCharsets.UTF_8))).as(bad).isNotEmpty();
        }
    }

    @Test
    void answerSchemaMatchesTheRecords() throws IOException {
        JsonNode schema = tree("trol.answers.v1.schema.json");
        assertMatches(schema, TrolAnswer.class);
        assertMatches(schema.at("/properties/error"), ErrorInfo.class);
        assertMatches(schema.at("/properties/usage"), Usage.class);
        assertMatches(schema.at("/properties/timings"), Timings.class);
    }

    @Test
    void everyFinishReasonHasAWireNameTheSchemaAllows() throws IOException {
        Set<String> allowed = new TreeSet<>();
        tree("trol.answers.v1.schema.json").at("/properties/finishReason/enum").forEach(n -> allowed.add(n.asText()));
        Set<String> named = new TreeSet<>();
        for (FinishReason reason : FinishReason.values()) {
            String wire = WireFinishReason.of(reason);
            assertThat(WireFinishReason.parse(wire)).isEqualTo(reason);
            named.add(wire);
        }
        assertThat(named).isEqualTo(allowed);
    }

    @Test
    void tokenSchemaMatchesTheRecord() throws IOException {
        assertMatches(tree("trol.tokens.v1.schema.json"), TokenEvent.class);
    }

    @Test
    void requestSchemaMatchesTheRecords() throws IOException {
        JsonNode schema = tree("trol.requests.v1.schema.json");
        Set<String> fields = new TreeSet<>(names(TrolRequest.class));
        fields.add("version"); // on the wire only: always 1 once parsed
        assertThat(propertyNames(schema)).isEqualTo(fields);
        assertThat(propertyNames(schema.at("/$defs/params"))).isEqualTo(names(RequestParams.class));
        assertThat(propertyNames(schema.at("/$defs/inlineImage"))).isEqualTo(names(InlineImage.class));
        assertThat(propertyNames(schema.at("/$defs/urlImage"))).isEqualTo(names(UrlImage.class));
    }

    /** The record's JSON names are the schema's properties; its required components, the required. */
    private static void assertMatches(JsonNode schema, Class<? extends Record> type) {
        assertThat(propertyNames(schema)).as(type.getSimpleName()).isEqualTo(names(type));
        Set<String> required = new TreeSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            JsonProperty p = jsonProperty(c);
            if (p != null && p.required()) {
                required.add(p.value().isEmpty() ? c.getName() : p.value());
            }
        }
        Set<String> schemaRequired = new TreeSet<>();
        schema.path("required").forEach(n -> schemaRequired.add(n.asText()));
        assertThat(schemaRequired).as(type.getSimpleName() + " required").isEqualTo(required);
    }

    private static Set<String> names(Class<? extends Record> type) {
        Set<String> names = new TreeSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            JsonProperty p = jsonProperty(c);
            names.add(p == null || p.value().isEmpty() ? c.getName() : p.value());
        }
        return names;
    }

    // @JsonProperty cannot target a record component; Java copies it to the accessor
    private static JsonProperty jsonProperty(RecordComponent c) {
        return c.getAccessor().getAnnotation(JsonProperty.class);
    }

    private static Set<String> propertyNames(JsonNode schema) {
        Set<String> names = new TreeSet<>();
        schema.path("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode tree(String name) throws IOException {
        try (InputStream in = schemaStream(name)) {
            return new ObjectMapper().readTree(in);
        }
    }
}
