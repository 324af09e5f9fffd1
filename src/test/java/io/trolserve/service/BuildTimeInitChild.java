package io.trolserve.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

/**
 * Run by {@link BuildTimeInitTest} in a JVM of its own, where nothing has loaded libtorch or
 * started a pool yet: initialises, one at a time, every class under {@code classesDir} whose name
 * starts with {@code prefix}, except those a run-time entry names, and prints one line per class
 * that started a thread or mapped a native library from outside the JDK while it initialised
 * (through whatever it initialised in turn). Exits 0 when there was none.
 *
 * <pre>  args: classesDir prefix runTimeEntries(comma-separated, may be empty)</pre>
 */
public final class BuildTimeInitChild {

    private BuildTimeInitChild() {}

    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        String prefix = args[1];
        List<String> runTime = args.length > 2 && !args[2].isEmpty() ? List.of(args[2].split(",")) : List.of();
        String jdk = Path.of(System.getProperty("java.home")).toRealPath().toString();
        // logging is Quarkus's to set up in an image; started first, its reaper thread is not charged
        // to the first class of ours that holds a Logger
        Logger.getLogger(BuildTimeInitChild.class).debug("scanning");
        List<String> offences = new ArrayList<>();
        int checked = 0;
        for (String name : classNames(classes)) {
            if (!name.startsWith(prefix) || BuildTimeInitTest.initialisedAtRunTime(name, runTime)) {
                continue;
            }
            Set<Thread> threadsBefore = threads();
            Set<String> librariesBefore = libraries(jdk);
            try {
                Class.forName(name, true, BuildTimeInitChild.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                offences.add(name + " fails to initialise: " + e);
                continue;
            }
            checked++;
            for (Thread t : threads()) {
                if (!threadsBefore.contains(t)) {
                    offences.add(name + " started thread \"" + t.getName() + "\"");
                }
            }
            for (String library : libraries(jdk)) {
                if (!librariesBefore.contains(library)) {
                    offences.add(name + " loaded " + library);
                }
            }
        }
        System.out.println("initialised " + checked);
        offences.forEach(System.out::println);
        System.exit(offences.isEmpty() ? 0 : 1);
    }

    private static List<String> classNames(Path classes) throws IOException {
        try (Stream<Path> files = Files.walk(classes)) {
            return files.map(f -> classes.relativize(f).toString())
                    .filter(f -> f.endsWith(".class") && !f.endsWith("package-info.class"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.'))
                    .sorted()
                    .toList();
        }
    }

    private static Set<Thread> threads() {
        Set<Thread> threads = Collections.newSetFromMap(new IdentityHashMap<>());
        threads.addAll(Thread.getAllStackTraces().keySet());
        return threads;
    }

    /** Shared objects mapped into this process, less the JDK's own (native-image brings its own). */
    private static Set<String> libraries(String jdk) throws IOException {
        Set<String> libraries = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            int path = line.indexOf('/');
            if (path >= 0 && line.contains(".so")) {
                String file = line.substring(path);
                if (!file.startsWith(jdk)) {
                    libraries.add(file);
                }
            }
        }
        return libraries;
    }
}
