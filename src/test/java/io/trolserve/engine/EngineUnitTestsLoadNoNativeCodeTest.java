package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler and KV-manager tests need no libtorch. Each of their tests runs again here, in a
 * class loader of its own that loads this project's classes and JavaCPP's afresh and records every
 * class it is asked for. libtorch, like every JavaCPP library, loads only through JavaCPP's
 * {@code Loader} (the static initialiser of {@code Tensor} or {@code global.torch} calls it), so a
 * run that never asked for {@code Loader} loaded no native code. A loader of its own, because the
 * test JVM is shared: other tests load libtorch into it, before or after these.
 */
class EngineUnitTestsLoadNoNativeCodeTest {

    /** Every test on {@link SchedulerRig}. */
    private static final List<Class<?>> TENSOR_FREE_TESTS = List.of(SchedulerTest.class, KvCacheManagerTest.class,
            SchedulerLatencyTargetTest.class, SchedulerSimulationTest.class);
    private static final String NATIVE_LOADER = "org.bytedeco.javacpp.Loader";
    private static final String TORCH_BINDINGS = "org.bytedeco.pytorch.global.torch";

    @Test
    void theSchedulerAndKvCacheManagerTestsLoadNoNativeCode() throws Exception {
        try (RecordingLoader loader = new RecordingLoader()) {
            int ran = 0;
            for (Class<?> test : TENSOR_FREE_TESTS) {
                ran += runTests(loader.loadClass(test.getName()));
            }

            int declared = TENSOR_FREE_TESTS.stream().mapToInt(t -> annotated(t, Test.class).size()).sum();
            assertThat(ran).as("tests run in the recording loader").isEqualTo(declared).isPositive();
            assertThat(loader.asked()).as("the tests ran on classes of the recording loader")
                    .contains(Scheduler.class.getName(), KvCacheManager.class.getName(), Request.class.getName());
            assertThat(loader.asked()).as("classes the scheduler and KV tests loaded")
                    .doesNotContain(NATIVE_LOADER, TORCH_BINDINGS);
        }
    }

    @Test
    void theCheckWouldSeeATensorInitialised() throws Exception {
        try (RecordingLoader loader = new RecordingLoader()) {
            // loading a class is not initialising it: a Tensor field type asks for Tensor alone
            Class.forName(Tensor.class.getName(), false, loader);
            assertThat(loader.asked()).contains(Tensor.class.getName()).doesNotContain(NATIVE_LOADER);

            // what would load libtorch, stopped at its first step: Tensor's initialiser asks for the (refused) Loader
            try {
                Class.forName(Tensor.class.getName(), true, loader);
            } catch (LinkageError expected) {
                // the initialiser could not reach the Loader, so nothing native was loaded
            }
            assertThat(loader.asked()).contains(NATIVE_LOADER);
        }
    }

    /** Runs every {@code @Test} method of a test class on a fresh instance, with its before- and after-each methods. */
    private static int runTests(Class<?> testClass) throws Exception {
        List<Method> before = annotated(testClass, BeforeEach.class);
        List<Method> after = annotated(testClass, AfterEach.class);
        int ran = 0;
        for (Method test : annotated(testClass, Test.class)) {
            var constructor = testClass.getDeclaredConstructor();
            constructor.setAccessible(true);
            Object instance = constructor.newInstance();
            try {
                for (Method m : before) {
                    m.invoke(instance);
                }
                test.invoke(instance);
                for (Method m : after) {
                    m.invoke(instance);
                }
            } catch (InvocationTargetException e) {
                String name = testClass.getSimpleName() + "." + test.getName();
                throw new AssertionError(name + " failed in the recording loader", e.getCause());
            }
            ran++;
        }
        return ran;
    }

    private static List<Method> annotated(Class<?> testClass, Class<? extends Annotation> annotation) {
        List<Method> out = new ArrayList<>();
        for (Method m : testClass.getDeclaredMethods()) {
            if (m.isAnnotationPresent(annotation)) {
                m.setAccessible(true);
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Loads {@code io.trolserve} and {@code org.bytedeco} classes itself, child first, from the
     * places the test JVM found them, and records every such name it is asked for; anything else
     * (the JDK, JUnit, AssertJ) comes from the test's own loader, shared. It refuses JavaCPP's
     * Loader, so that a test that goes wrong fails without loading libtorch a second time into
     * this JVM (which can abort it).
     */
    private static final class RecordingLoader extends URLClassLoader {

        private final Set<String> asked = new TreeSet<>();

        RecordingLoader() {
            // class literals load these in the test's loader without initialising them: no native code
            super(new URL[] {location(EngineUnitTestsLoadNoNativeCodeTest.class), location(Scheduler.class),
                    location(Tensor.class), location(Loader.class)},
                    EngineUnitTestsLoadNoNativeCodeTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("io.trolserve.") && !name.startsWith("org.bytedeco.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                asked.add(name);
                if (name.equals(NATIVE_LOADER)) {
                    throw new ClassNotFoundException(name + " is refused: these tests must load no native code");
                }
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        synchronized Set<String> asked() {
            return new TreeSet<>(asked);
        }

        private static URL location(Class<?> c) {
            try {
                return c.getProtectionDomain().getCodeSource().getLocation().toURI().toURL();
            } catch (URISyntaxException | MalformedURLException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
