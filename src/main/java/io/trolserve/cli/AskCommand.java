package io.trolserve.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.engine.SamplingParams;
import io.trolserve.messaging.KafkaClientSettings;
import io.trolserve.messaging.KafkaSettings;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.InvalidRequestException;
import io.trolserve.messaging.contract.RequestLimits;
import io.trolserve.messaging.contract.RequestParser;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;
import io.trolserve.vision.ImageDecoder;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ask QUESTION}: one request through Kafka, as a person at a terminal would send it; the
 * answer is printed as its tokens arrive, then its timings.
 */
@Command(name = "ask", mixinStandardHelpOptions = true,
        description = "Send one question through Kafka and print the answer as it is generated.")
public class AskCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "The question")
    String question;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (default: kafka.bootstrap.servers, else the embedded broker's address)")
    String bootstrap;

    @Option(names = "--image", description = "PNG, JPEG, GIF or BMP file the question is about")
    Path image;

    @Option(names = "--max-new-tokens", defaultValue = "" + SamplingParams.DEFAULT_MAX_NEW_TOKENS)
    int maxNewTokens;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "How long to wait for the answer (ISO-8601, default ${DEFAULT-VALUE})")
    Duration timeout;

    @Inject
    KafkaSettings kafka;

    @Override
    public Integer call() throws IOException, InterruptedException {
        String id = "ask-" + UUID.randomUUID();
        byte[] request = requestJson(id);
        PrintStream out = System.out;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            long deadline = System.nanoTime() + timeout.toNanos();
            listenFromTheEnd(consumer, List.of(kafka.topics().tokens(), kafka.topics().answers()));
            producer.send(new ProducerRecord<>(kafka.topics().requests(), id.getBytes(StandardCharsets.UTF_8), request))
                    .get();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (!id.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        continue;
                    }
                    if (record.topic().equals(kafka.topics().tokens())) {
                        TokenEvent token = ContractJson.readToken(record.value());
                        out.print(token.text());
                        out.flush();
                    } else {
                        return printAnswer(out, ContractJson.readAnswer(record.value()));
                    }
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalArgumentException("could not send the request to Kafka at " + bootstrapServers() + ": "
                    + e.getCause().getMessage());
        }
        throw new IllegalArgumentException("no answer within " + timeout + " (is `serve` running against "
                + bootstrapServers() + "?)");
    }

    /**
     * Assigns every partition of the reply topics and fixes their end offsets now. A group
     * subscription with "latest" would resolve those offsets lazily, on a later poll: a fast
     * service could answer in between and the answer would land before the consumer's start.
     */
    private void listenFromTheEnd(KafkaConsumer<byte[], byte[]> consumer, List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new IllegalArgumentException("Kafka at " + bootstrapServers() + " did not answer within 30 s");
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist at " + bootstrapServers()
                        + " (is `serve` running against it?)");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    private int printAnswer(PrintStream out, TrolAnswer answer) {
        out.println();
        if (answer.error() != null) {
            System.err.println("error: " + answer.error().code() + ": " + answer.error().message());
            return 1;
        }
        out.printf("[%s, %d prompt + %d generated tokens; queue %s ms, vision %s ms, prefill %s ms, TTFT %s ms, "
                        + "total %s ms, mean inter-token %s ms]%n", answer.finishReason(), answer.usage().promptTokens(),
                answer.usage().completionTokens(), answer.timings().queueMs(), answer.timings().visionMs(),
                answer.timings().prefillMs(), answer.timings().ttftMs(), answer.timings().e2eMs(), answer.timings().meanItlMs());
        return 0;
    }

    /** The request as trol.requests takes it, checked by the service's own parser before it is sent. */
    private byte[] requestJson(String id) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("question", question);
        if (image != null) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(image);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("image file not found: " + image);
            }
            String mediaType = "image/" + ImageDecoder.probe(bytes).format().name().toLowerCase(java.util.Locale.ROOT);
            json.put("image", Map.of("data", Base64.getEncoder().encodeToString(bytes), "mediaType", mediaType));
        }
        json.put("params", Map.of("maxNewTokens", maxNewTokens));
        byte[] value = new ObjectMapper().writeValueAsBytes(json);
        try {
            new RequestParser(RequestLimits.DEFAULTS).parse(value, id);
        } catch (InvalidRequestException e) {
            throw new IllegalArgumentException(e.code().wireName() + ": " + e.getMessage());
        }
        return value;
    }

    private String bootstrapServers() {
        if (bootstrap != null) {
            return bootstrap;
        }
        return ConfigProvider.getConfig().getOptionalValue("kafka.bootstrap.servers", String.class)
                .orElse("127.0.0.1:" + kafka.embedded().port());
    }

    /** Security settings (SASL, TLS) come from the same kafka.* configuration the service's channels use. */
    private Properties consumerProperties() {
        Properties p = KafkaClientSettings.fromConfig();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private Properties producerProperties() {
        Properties p = KafkaClientSettings.fromConfig();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}
