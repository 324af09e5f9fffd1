package io.trolserve.service;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.messaging.Topics;

/** The topics the service tests use, and what they send and read there: JSON, images, records by id. */
final class ServiceRecords {

    static final String REQUESTS = Topics.REQUESTS;
    static final String ANSWERS = Topics.ANSWERS;
    static final String TOKENS = Topics.TOKENS;
    static final String DLQ = Topics.REQUESTS_DLQ;
    static final ObjectMapper JSON = new ObjectMapper();

    private ServiceRecords() {
    }

    static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static Set<String> idsOf(List<ConsumerRecord<byte[], byte[]>> records, String prefix) {
        return records.stream().map(KafkaTestClient::key).filter(k -> k != null && k.startsWith(prefix))
                .collect(Collectors.toSet());
    }

    static Map<String, JsonNode> byId(List<ConsumerRecord<byte[], byte[]>> records, String prefix) throws IOException {
        Map<String, JsonNode> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String id = KafkaTestClient.key(r);
            if (id != null && id.startsWith(prefix)) {
                out.put(id, JSON.readTree(r.value()));
            }
        }
        return out;
    }

    /** Requests with the prefix whose final token event was read. */
    static long lastTokens(List<ConsumerRecord<byte[], byte[]>> records, String prefix) {
        return records.stream().filter(r -> KafkaTestClient.key(r).startsWith(prefix))
                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"final\":true")).count();
    }

    /** A PNG of random pixels, the same for the same seed. */
    static byte[] png(int width, int height, long seed) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, random.nextInt(0xFFFFFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /**
     * A flat 16-bit RGB PNG, written chunk by chunk: 8192x8192 of it is 522 kB on the wire and
     * 384 MiB of samples once decoded, the decompression bomb that passes a plain pixel cap.
     */
    static byte[] flat16BitPng(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 16).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(idat,
                new java.util.zip.Deflater(9))) {
            byte[] row = new byte[1 + width * 6];   // filter type 0, then R, G, B as 16-bit samples
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A PNG signature and an IHDR that claims a huge image, and nothing else. */
    static byte[] pngHeaderClaiming(int width, int height) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 25);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        b.putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }
}
