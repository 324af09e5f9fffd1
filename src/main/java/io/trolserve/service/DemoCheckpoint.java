package io.trolserve.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.trolserve.text.TrolTokenizer;

/**
 * The demo TroL shipped inside the jar: {@code train-tiny}'s output, kept in the sources under
 * {@code src/main/resources/models/trol-demo/}. It is unpacked to disk on first use because the
 * loader maps checkpoint files; the folder is named by the files' SHA-256, so a jar with another
 * demo model never reads a stale copy, and several processes starting at once each write their own
 * temporary folder, the first rename winning.
 */
public final class DemoCheckpoint {

    /** Where the files live on the class path. */
    public static final String RESOURCES = "/models/trol-demo/";

    /** The published layout's files, and how the model was trained. */
    public static final List<String> FILES = List.of("config.json", "model.safetensors", "trol_gating.pt",
            TrolTokenizer.FILE_NAME, "training.json");

    /** The directory name the model goes by (its answers carry it as the model name). */
    public static final String NAME = "trol-demo";

    private static final Logger LOG = Logger.getLogger(DemoCheckpoint.class);

    private DemoCheckpoint() {
    }

    /** The unpacked checkpoint under {@code cacheDir}, written there on first use. */
    public static Path ensureUnpacked(Path cacheDir) throws IOException {
        Map<String, byte[]> files = read();
        Path dir = cacheDir.resolve(digest(files)).resolve(NAME);
        LOG.warnf("no checkpoint configured (trol.model.path / TROL_MODEL_PATH): running the demo TroL from %s. It was"
                + " trained here on pictures of coloured shapes (circles, squares, triangles, stars) and answers"
                + " questions about such pictures only; set TROL_MODEL_PATH to a TroL-1.8B, 7B or 3.8B checkpoint"
                + " directory for real answers", dir);
        if (Files.exists(dir.resolve(TrolTokenizer.FILE_NAME))) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        Path partial = Files.createTempDirectory(dir.getParent(), NAME + ".partial-");
        try {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Files.write(partial.resolve(f.getKey()), f.getValue());
            }
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            deleteTree(partial);
        } catch (IOException e) {
            deleteTree(partial);
            if (!Files.exists(dir.resolve(TrolTokenizer.FILE_NAME))) {
                throw e;
            }
        }
        return dir;
    }

    private static Map<String, byte[]> read() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String name : FILES) {
            try (InputStream in = DemoCheckpoint.class.getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IllegalStateException("the demo checkpoint's " + name + " is not on the class path ("
                            + RESOURCES + "); was the jar built from a checkout without models/trol-demo?");
                }
                out.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the demo checkpoint's " + name, e);
            }
        }
        return out;
    }

    private static String digest(Map<String, byte[]> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            files.forEach((name, bytes) -> {
                sha.update(name.getBytes(StandardCharsets.UTF_8));
                sha.update(bytes);
            });
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
