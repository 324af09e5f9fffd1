package io.trolserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.trolserve.analytics.LatencyStats;
import io.trolserve.messaging.contract.InlineImage;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;

/**
 * {@link NativeReflection} keeps up with the records: a contract record added without its
 * registration would serialize on the JVM and fail only in a native image ("Failed to access
 * RecordComponents"), where no test of this build runs.
 */
class NativeReflectionTest {

    private static final String CONTRACT_PACKAGE = TrolAnswer.class.getPackageName();

    private static Set<Class<?>> registered() {
        return Set.of(NativeReflection.class.getAnnotation(RegisterForReflection.class).targets());
    }

    @Test
    void everyRecordOfTheContractPackageIsRegistered() throws Exception {
        List<Class<?>> records = recordsOf(CONTRACT_PACKAGE);

        assertThat(records).contains(TrolAnswer.class, TokenEvent.class); // the scan found the package
        assertThat(registered()).containsAll(records);
    }

    @Test
    void everyRecordARegisteredRecordHoldsIsRegistered() {
        Set<Class<?>> reachable = new LinkedHashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(registered());
        while (!todo.isEmpty()) {
            for (RecordComponent component : todo.pop().getRecordComponents()) {
                for (Class<?> held : ownRecords(component.getGenericType())) {
                    if (reachable.add(held)) {
                        todo.push(held);
                    }
                }
            }
        }

        assertThat(reachable).as("records reached through the registered ones")
                .contains(LatencyStats.class, LatencyStats.Percentiles.class, InlineImage.class); // List<...>, sealed
        assertThat(registered()).containsAll(reachable);
    }

    @Test
    void onlyRecordsAreListed() {
        assertThat(registered()).allMatch(Class::isRecord, "is a record");
    }

    /** Our records a component's type names: itself, type arguments, array elements, a sealed type's records. */
    private static Set<Class<?>> ownRecords(Type type) {
        Set<Class<?>> found = new LinkedHashSet<>();
        if (type instanceof ParameterizedType p) {
            found.addAll(ownRecords(p.getRawType()));
            for (Type argument : p.getActualTypeArguments()) {
                found.addAll(ownRecords(argument));
            }
        } else if (type instanceof GenericArrayType a) {
            found.addAll(ownRecords(a.getGenericComponentType()));
        } else if (type instanceof Class<?> c) {
            if (c.isArray()) {
                found.addAll(ownRecords(c.getComponentType()));
            } else if (c.getName().startsWith("io.trolserve.")) {
                if (c.isRecord()) {
                    found.add(c);
                }
                if (c.isSealed()) {
                    for (Class<?> permitted : c.getPermittedSubclasses()) {
                        found.addAll(ownRecords(permitted));
                    }
                }
            }
        }
        return found;
    }

    /** The records among the compiled classes of one package (not its subpackages). */
    static List<Class<?>> recordsOf(String packageName) throws IOException, URISyntaxException {
        Path classes = Path.of(NativeReflection.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = classes.resolve(packageName.replace('.', '/'));
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".class"))
                    .<Class<?>>map(f -> load(packageName + "." + f.substring(0, f.length() - ".class".length())))
                    .filter(Class::isRecord)
                    .toList();
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, NativeReflectionTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
