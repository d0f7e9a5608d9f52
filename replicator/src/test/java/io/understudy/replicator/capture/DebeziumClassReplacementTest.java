package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.pipeline.meters.CommonEventMeter;
import io.debezium.pipeline.metrics.PipelineMetrics;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The replicator replaces one Debezium class ({@code io.debezium.pipeline.meters.CommonEventMeter}, see its Javadoc
 * and docs/replication-speed.md). These checks fail when that replacement becomes unnecessary or wrong: a Debezium
 * upgrade (the upstream fix may make it unnecessary, and the class may have changed), a class path on which
 * Debezium's own copy wins, or a replacement that no longer offers what Debezium's copy offers its callers.
 */
class DebeziumClassReplacementTest {

    private static final String REPLACED = "io.debezium.pipeline.meters.CommonEventMeter";

    @Test
    void shouldBeReconsideredWhenDebeziumIsUpgraded() {
        assertThat(io.debezium.connector.postgresql.Module.version())
                .as("Debezium was upgraded: check whether its CommonEventMeter still builds the last event's summary per"
                        + " event; if not, delete the replacement, else compare it with the new class and update this version")
                .isEqualTo("3.6.1.Final");
    }

    @Test
    void shouldBeTheClassTheConnectorLoads() {
        URL ours = CommonEventMeter.class.getProtectionDomain().getCodeSource().getLocation();
        URL debeziums = PipelineMetrics.class.getProtectionDomain().getCodeSource().getLocation();

        assertThat(ours).as("Debezium's own copy comes first on the class path").isNotEqualTo(debeziums);
    }

    @Test
    void shouldOfferEveryFieldConstructorAndMethodOfDebeziumsCopy() throws Exception {
        URL debeziumJar = PipelineMetrics.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader original = new OriginalFirst(debeziumJar, getClass().getClassLoader())) {
            Class<?> theirs = original.loadClass(REPLACED);
            assertThat(theirs.getProtectionDomain().getCodeSource().getLocation()).isEqualTo(debeziumJar);

            assertThat(signatures(CommonEventMeter.class)).containsAll(signatures(theirs));
            assertThat(CommonEventMeter.class.getInterfaces()).containsExactly(theirs.getInterfaces());
        }
    }

    /** Public and protected fields, constructors and methods, as name(parameter types) -> type. */
    private static Set<String> signatures(Class<?> type) {
        Set<String> out = new TreeSet<>();
        Arrays.stream(type.getDeclaredFields())
                .filter(f -> Modifier.isPublic(f.getModifiers()) || Modifier.isProtected(f.getModifiers()))
                .forEach(f -> out.add(f.getName() + " : " + f.getType().getName()));
        Stream.concat(Arrays.stream(type.getDeclaredConstructors()), Arrays.stream(type.getDeclaredMethods()))
                .filter(e -> Modifier.isPublic(e.getModifiers()) || Modifier.isProtected(e.getModifiers()))
                .forEach(e -> out.add(signature(e)));
        return out;
    }

    private static String signature(Executable e) {
        String returns = e instanceof Constructor<?> ? "" : " -> " + ((java.lang.reflect.Method) e).getReturnType().getName();
        return (e instanceof Constructor<?> ? "<init>" : e.getName())
                + Arrays.stream(e.getParameterTypes()).map(Class::getName).toList() + returns;
    }

    /** Loads the replaced class from Debezium's jar, everything else as usual. */
    private static final class OriginalFirst extends URLClassLoader {
        OriginalFirst(URL jar, ClassLoader parent) {
            super(new URL[] {jar}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(REPLACED)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : findClass(name);
            }
        }
    }
}
