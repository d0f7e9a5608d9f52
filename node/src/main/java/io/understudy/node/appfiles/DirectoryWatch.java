package io.understudy.node.appfiles;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change events of the files directory, every subdirectory watched (a new one as soon as its creation is seen, and
 * walked then, since files may appear in it before it is watched). Events only say which paths to look at: they are
 * lossy (an overflow drops them, a watch limit can leave directories unwatched), so the periodic full scan stays the
 * safety net and {@link #complete()} tells a flush whether it may rely on them.
 *
 * <p>{@link #awaitMarker} is how a flush knows every change made before it was called has been seen: one inotify
 * queue delivers events in the order they happened, so once the event of a marker file created now has been handled
 * (together with every key already signalled), so have the events of all earlier writes. One thread reads events.
 */
final class DirectoryWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DirectoryWatch.class);

    private final LocalDisk disk;
    private final Runnable onChange;
    private final ConcurrentHashMap<String, Long> dirty = new ConcurrentHashMap<>();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final AtomicLong markersIssued = new AtomicLong();
    private final Object markerMonitor = new Object();
    /** Written by {@link #start} before the event thread starts, then by that thread alone. */
    private final Map<WatchKey, Path> keys = new HashMap<>();
    private long markerSeen;
    private volatile boolean complete = true;
    private WatchService service;
    private Thread thread;

    DirectoryWatch(LocalDisk disk, Runnable onChange) {
        this.disk = disk;
        this.onChange = onChange;
    }

    /** Watches the whole tree; changes made from now on are reported. */
    void start() throws IOException {
        service = FileSystems.getDefault().newWatchService();
        register(disk.root(), false);
        thread = new Thread(this::run, "app-files-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Paths changed since the last call, each with when it last changed (wall clock, ms). */
    Map<String, Long> drainDirty() {
        Map<String, Long> out = new HashMap<>();
        for (String path : dirty.keySet()) {
            Long at = dirty.remove(path);
            if (at != null) {
                out.put(path, at);
            }
        }
        return out;
    }

    /** Whether events were dropped since the last call (only a full scan can tell what changed). */
    boolean takeOverflow() {
        return overflowed.getAndSet(false);
    }

    /** Whether every directory is watched. */
    boolean complete() {
        return complete;
    }

    /**
     * Creates a marker file in the root and waits until its event has been handled: every change made before this
     * call is then in {@link #drainDirty}. False on timeout or when the marker cannot be written. A marker of the same
     * name left by an earlier process of this node (killed between creating and removing it) is replaced; one that a
     * {@link LocalDisk#walk walk} removes meanwhile has made its event all the same.
     */
    boolean awaitMarker(long timeoutMs) throws InterruptedException {
        long n = markersIssued.incrementAndGet();
        Path marker = disk.root().resolve(LocalDisk.FLUSH_MARKER_PREFIX + n);
        try {
            try {
                Files.createFile(marker);
            } catch (FileAlreadyExistsException leftover) {
                Files.delete(marker);
                Files.createFile(marker);
            }
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            log.warn("cannot write the flush marker {}: {}", marker, e.toString());
            return false;
        }
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        synchronized (markerMonitor) {
            while (markerSeen < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                markerMonitor.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    private void run() {
        try {
            while (true) {
                long marker = handle(service.take());
                if (marker > 0) {
                    // Keys signalled before the marker's are queued by now: handle them before calling it seen.
                    for (WatchKey more = service.poll(); more != null; more = service.poll()) {
                        marker = Math.max(marker, handle(more));
                    }
                    synchronized (markerMonitor) {
                        markerSeen = Math.max(markerSeen, marker);
                        markerMonitor.notifyAll();
                    }
                }
                onChange.run();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        } catch (RuntimeException e) {
            complete = false;
            log.error("the files directory watch stopped; changes are found by the periodic scan only", e);
        }
    }

    /** Records the key's events; returns the highest flush marker among them, 0 if none. */
    private long handle(WatchKey key) {
        Path dir = keys.get(key);
        long marker = 0;
        long now = System.currentTimeMillis();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || dir == null) {
                overflowed.set(true);
                continue;
            }
            Path name = (Path) event.context();
            if (LocalDisk.isInternal(name)) {
                if (dir.equals(disk.root()) && name.toString().startsWith(LocalDisk.FLUSH_MARKER_PREFIX)
                        && event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                    marker = Math.max(marker, parseMarker(name.toString()));
                }
                continue;
            }
            Path child = dir.resolve(name);
            String relative = disk.relative(child);
            if (relative == null) {
                continue;
            }
            dirty.put(relative, now);
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                register(child, true);
            }
        }
        if (!key.reset()) {
            keys.remove(key);
        }
        return marker;
    }

    private static long parseMarker(String name) {
        try {
            return Long.parseLong(name.substring(LocalDisk.FLUSH_MARKER_PREFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Watches {@code top} and every directory under it; with {@code markFiles}, every file found is reported changed. */
    private void register(Path top, boolean markFiles) {
        long now = System.currentTimeMillis();
        try {
            Files.walkFileTree(top, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    try {
                        keys.put(dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                                StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY), dir);
                    } catch (java.nio.file.NoSuchFileException e) {
                        // created and deleted again before it could be watched: nothing to watch
                    } catch (IOException e) {
                        if (complete) {
                            log.warn("cannot watch {} ({}); changes there are found by the periodic scan only", dir, e.toString());
                        }
                        complete = false;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String relative = markFiles && !LocalDisk.isInternal(file.getFileName()) ? disk.relative(file) : null;
                    if (relative != null) {
                        dirty.put(relative, now);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (java.nio.file.NoSuchFileException e) {
            // gone again already
        } catch (IOException e) {
            complete = false;
            log.warn("cannot walk {} to watch it: {}", top, e.toString());
        }
    }

    @Override
    public void close() {
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                log.debug("closing the watch service: {}", e.toString());
            }
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
