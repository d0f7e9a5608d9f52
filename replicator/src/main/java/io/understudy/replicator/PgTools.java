package io.understudy.replicator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * PostgreSQL's client programs (pg_dump, pg_restore, psql), looked up in Debian's PostgreSQL 15 directory, then on
 * {@code $PATH}. The embedded servers are PostgreSQL 15 too, so these work against every server the project starts.
 */
public final class PgTools {

    /** Where Debian's {@code postgresql-client-15} installs them. */
    public static final Path DEBIAN_15 = Path.of("/usr/lib/postgresql/15/bin");

    private PgTools() {
    }

    /**
     * The executable {@code tool}.
     *
     * @throws IllegalStateException naming the tool and where it was looked for, when it is in neither place
     */
    public static Path find(String tool) {
        Path debian = DEBIAN_15.resolve(tool);
        if (Files.isExecutable(debian)) {
            return debian;
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir).resolve(tool);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(tool + " not found in " + DEBIAN_15 + " nor on $PATH; install Debian's postgresql-client-15");
    }

    /**
     * Runs {@code tool} with {@code args} and {@code env} added to the environment, and returns its standard output.
     *
     * @throws IOException with the tool's standard error when it exits with a non-zero status
     */
    public static String run(String tool, List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(find(tool).toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Process process = pb.start();
        process.getOutputStream().close();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        String stdout = drain(process.getInputStream());
        int status = process.waitFor();
        if (status != 0) {
            throw new IOException(tool + " exited with status " + status + ": " + stderr.join().strip());
        }
        return stdout;
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
