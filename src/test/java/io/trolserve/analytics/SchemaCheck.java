package io.trolserve.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;

/** Validates analytics output against its JSON Schema under src/main/resources/schemas. */
final class SchemaCheck {

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    private SchemaCheck() {
    }

    static void assertValid(String schemaName, byte[] json) throws IOException {
        try (InputStream in = SchemaCheck.class.getResourceAsStream("/schemas/" + schemaName)) {
            assertThat(in).as(schemaName).isNotNull();
            JsonSchema schema = FACTORY.getSchema(in, CONFIG);
            String text = new String(json, StandardCharsets.UTF_8);
            assertThat(schema.validate(text, InputFormat.JSON)).as(text).isEmpty();
        }
    }
}
