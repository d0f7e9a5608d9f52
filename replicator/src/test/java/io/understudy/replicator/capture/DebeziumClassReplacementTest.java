package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.base.ChangeEventQueue;
import io.debezium.connector.postgresql.PostgresConnector;
import io.debezium.connector.postgresql.connection.DateTimeFormat;
import io.debezium.connector.postgresql.pipeline.txmetadata.PostgresTransactionMonitor;
import io.debezium.embedded.async.AsyncEmbeddedEngine;
import io.debezium.embedded.async.ParallelSmtAndConvertBatchProcessor;
import io.debezium.pipeline.meters.CommonEventMeter;
import io.debezium.pipeline.metrics.PipelineMetrics;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The replicator replaces Debezium classes ({@code io.debezium.pipeline.meters.CommonEventMeter},
 * {@code io.debezium.connector.base.ChangeEventQueue} with its builder, the engine's
 * {@code io.debezium.embedded.async.ParallelSmtAndConvertBatchProcessor} and the PostgreSQL connector's
 * {@code io.debezium.connector.postgresql.pipeline.txmetadata.PostgresTransactionMonitor} and
 * {@code io.debezium.connector.postgresql.connection.DateTimeFormat} with its one implementation; see their Javadoc and
 * docs/replication-speed.md). These checks fail when a replacement becomes unnecessary or wrong: a Debezium upgrade
 * (an upstream fix may make it unnecessary, and the class may have changed), a class path on which Debezium's own
 * copy wins, or a replacement that no longer offers what Debezium's copy offers its callers.
 */
class DebeziumClassReplacementTest {

    /** Each replaced class, with a class of Debezium's that comes in the same jar as Debezium's own copy of it. */
    private static final Map<Class<?>, Class<?>> REPLACED = Map.of(
            CommonEventMeter.class, PipelineMetrics.class,
            ChangeEventQueue.class, PipelineMetrics.class,
            ChangeEventQueue.Builder.class, PipelineMetrics.class,
            ParallelSmtAndConvertBatchProcessor.class, AsyncEmbeddedEngine.class,
            PostgresTransactionMonitor.class, PostgresConnector.class,
            DateTimeFormat.class, PostgresConnector.class,
            DateTimeFormat.ISODateTimeFormat.class, PostgresConnector.class);

    static List<Class<?>> replaced() {
        return List.copyOf(REPLACED.keySet());
    }

    /** The jar Debezium's own copy of {@code ours} comes in. */
    static URL debeziumJarOf(Class<?> ours) {
        return REPLACED.get(ours).getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void shouldBeReconsideredWhenDebeziumIsUpgraded() {
        assertThat(io.debezium.connector.postgresql.Module.version())
                .as("Debezium was upgraded: check whether its CommonEventMeter still builds the last event's summary per"
                        + " event and whether its ChangeEventQueue still waits for a full batch (and spins in the last"
                        + " millisecond of a poll), and whether its engine still hands every record of a batch to its record"
                        + " thread pool with no transformation configured, and whether its PostgresTransactionMonitor"
                        + " still formats every transaction id with String.format, and whether its DateTimeFormat still"
                        + " parses every date and timestamp with a DateTimeFormatter (and whether the connector's"
                        + " PostgresSourceInfoStructMaker still fills the fields UnderstudySourceInfoStructMaker fills);"
                        + " delete a replacement that is no longer needed, else compare it with"
                        + " the new class and update this version")
                .isEqualTo("3.6.1.Final");
    }

    @ParameterizedTest
    @MethodSource("replaced")
    void shouldBeTheClassTheConnectorLoads(Class<?> ours) {
        URL debeziums = debeziumJarOf(ours);

        assertThat(ours.getProtectionDomain().getCodeSource().getLocation())
                .as("Debezium's own copy of %s comes first on the class path", ours.getName()).isNotEqualTo(debeziums);
    }

    @ParameterizedTest
    @MethodSource("replaced")
    void shouldOfferEveryFieldConstructorAndMethodOfDebeziumsCopy(Class<?> ours) throws Exception {
        URL debeziumJar = debeziumJarOf(ours);
        Set<String> names = REPLACED.keySet().stream().map(Class::getName).collect(Collectors.toSet());
        try (URLClassLoader original = new OriginalFirst(debeziumJar, getClass().getClassLoader(), names)) {
            Class<?> theirs = original.loadClass(ours.getName());
            assertThat(theirs.getProtectionDomain().getCodeSource().getLocation()).isEqualTo(debeziumJar);

            assertThat(signatures(ours)).containsAll(signatures(theirs));
            assertThat(Arrays.stream(ours.getInterfaces()).map(Class::getName))
                    .containsExactlyElementsOf(Arrays.stream(theirs.getInterfaces()).map(Class::getName).toList());
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

    /** Loads the replaced classes from Debezium's jar, everything else as usual. */
    static final class OriginalFirst extends URLClassLoader {
        private final Set<String> names;

        OriginalFirst(URL jar, ClassLoader parent, Set<String> names) {
            super(new URL[] {jar}, parent);
            this.names = names;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!names.contains(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : findClass(name);
            }
        }
    }
}
