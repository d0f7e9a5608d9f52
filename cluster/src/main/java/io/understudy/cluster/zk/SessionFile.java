package io.understudy.cluster.zk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's ZooKeeper session credentials, kept in a file only its host can read, so that whoever supervises the node
 * process (the local appliance, or a service manager's post-stop hook) can close the session the moment it sees the
 * process die.
 *
 * <p>Why: a killed process cannot close its own session, so ZooKeeper keeps its ephemeral znodes (member record,
 * election latch) until the session times out, and failover waits that long. A supervisor that has <em>seen</em> the
 * process exit knows it will never write again, so ending its session at once is safe; it is the same as the process
 * closing it itself. A lost host, a frozen process or a cut network still take the session timeout, as they must.
 */
public final class SessionFile {

    private static final Logger log = LoggerFactory.getLogger(SessionFile.class);

    /** The credentials of one session. */
    public record Credentials(long sessionId, byte[] password) {
    }

    private SessionFile() {
    }

    /** Records {@code credentials} in {@code file} (atomically, readable by its owner only). */
    public static void write(Path file, Credentials credentials) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        String text = Long.toHexString(credentials.sessionId()) + " "
                + Base64.getEncoder().encodeToString(credentials.password()) + "\n";
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The credentials in {@code file}, or empty when there is none or it cannot be read. */
    public static Optional<Credentials> read(Path file) {
        try {
            String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
            if (parts.length != 2) {
                log.warn("ignoring {}: expected '<session id hex> <password base64>'", file);
                return Optional.empty();
            }
            return Optional.of(new Credentials(Long.parseUnsignedLong(parts[0], 16), Base64.getDecoder().decode(parts[1])));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            log.warn("ignoring {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Closes the session recorded in {@code file}, whose owner is known to be dead; returns whether it was still open.
     * The file is removed either way, so a later call cannot close a session it does not belong to.
     *
     * @param connect ZooKeeper connect string
     */
    public static boolean closeDeadOwnersSession(String connect, Path file, long timeoutMs) {
        Optional<Credentials> recorded = read(file);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", file, e.toString());
        }
        if (recorded.isEmpty()) {
            return false;
        }
        Credentials c = recorded.get();
        CountDownLatch connected = new CountDownLatch(1);
        AtomicBoolean expired = new AtomicBoolean();
        Watcher watcher = event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            } else if (event.getState() == Watcher.Event.KeeperState.Expired) {
                expired.set(true);
                connected.countDown();
            }
        };
        ZooKeeper zk = null;
        try {
            zk = new ZooKeeper(connect, (int) Math.max(1000, timeoutMs), watcher, c.sessionId(), c.password());
            if (!connected.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                log.warn("could not reach ZooKeeper within {} ms to close session 0x{}; it will time out on its own",
                        timeoutMs, Long.toHexString(c.sessionId()));
                return false;
            }
            return !expired.get();
        } catch (IOException e) {
            log.warn("cannot close session 0x{}: {}", Long.toHexString(c.sessionId()), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (zk != null) {
                try {
                    zk.close(); // a closeSession request: the server deletes the session's ephemeral znodes now
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
