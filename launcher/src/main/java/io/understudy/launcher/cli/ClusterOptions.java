package io.understudy.launcher.cli;

import io.understudy.launcher.AdminToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where the cluster is and how to prove the right to act on it, shared by every client command.
 * The token comes from {@code --token-file}, else {@code UNDERSTUDY_TOKEN}, else the local
 * appliance's {@code <data-dir>/conf/admin-token} when that file exists.
 */
public final class ClusterOptions {

    /** The environment variable holding the switch's admin token. */
    public static final String TOKEN_ENV = "UNDERSTUDY_TOKEN";

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL",
            description = "a failover switch (or, for status, a node) of the cluster (default: ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "file holding the switch's admin token (default: $" + TOKEN_ENV + ", else <data-dir>/conf/admin-token)")
    Path tokenFile;

    @Option(names = "--data-dir", defaultValue = "./data", paramLabel = "DIR",
            description = "the local appliance's data dir, for its token (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--timeout", defaultValue = "PT10S", paramLabel = "DURATION",
            description = "how long to wait for each answer, ISO-8601 or e.g. 10s (default: 10s)",
            converter = DurationConverter.class)
    Duration timeout;

    @Option(names = "--json", description = "print JSON for scripts instead of tables")
    boolean json;

    private Map<String, String> env = System.getenv();

    /** For tests: the environment to read {@link #TOKEN_ENV} from. */
    ClusterOptions withEnv(Map<String, String> env) {
        this.env = env;
        return this;
    }

    public String url() {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean json() {
        return json;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The token and where it came from; empty when none is configured anywhere. */
    public Optional<Token> token() {
        if (tokenFile != null) {
            return Optional.of(new Token(read(tokenFile), "--token-file " + tokenFile));
        }
        String fromEnv = env.get(TOKEN_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(new Token(fromEnv.trim(), "$" + TOKEN_ENV));
        }
        Path local = dataDir.resolve("conf").resolve(AdminToken.FILE);
        if (Files.isReadable(local)) {
            return Optional.of(new Token(read(local), local.toString()));
        }
        return Optional.empty();
    }

    /** @param source where it was read, for error messages */
    public record Token(String value, String source) {
    }

    private static String read(Path file) {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new CliFailure(2, "the token file " + file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new CliFailure(2, "cannot read the token file " + file + ": " + e.getMessage());
        }
    }
}
