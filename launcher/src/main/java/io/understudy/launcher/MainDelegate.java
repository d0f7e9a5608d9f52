package io.understudy.launcher;

import io.understudy.cluster.config.ConfigException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs another module's {@code main(String[])} in this JVM. The main class is bound by name so
 * the launcher builds and tests on its own while the node and the switch are developed alongside.
 */
final class MainDelegate {

    /** Exit status for a configuration error, as the node and switch mains use. */
    static final int CONFIG_ERROR = 2;
    /** Exit status for anything else that stops a main from starting. */
    static final int FAILED = 1;

    private static final Logger LOG = LoggerFactory.getLogger(MainDelegate.class);

    private MainDelegate() {
    }

    /**
     * Calls {@code className.main(args)}. A main that returns normally leaves its own threads
     * running; the caller must then not exit the JVM.
     *
     * @return 0 when main returned, {@link #CONFIG_ERROR} on a {@link ConfigException}, else {@link #FAILED}
     */
    static int run(String className, String... args) {
        MethodHandle main;
        try {
            main = MethodHandles.publicLookup().findStatic(Class.forName(className), "main",
                    MethodType.methodType(void.class, String[].class));
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            LOG.error("this build of understudy has no usable {}.main: {}", className, e.toString());
            return FAILED;
        }
        try {
            main.invoke((Object) args);
            return 0;
        } catch (ConfigException e) {
            LOG.error("configuration error: {}", e.getMessage());
            return CONFIG_ERROR;
        } catch (Throwable e) {
            if (e instanceof Error error && !(e instanceof LinkageError)) {
                throw error;
            }
            LOG.error("{} failed to start: {}", className, e.toString(), e);
            return FAILED;
        }
    }
}
