package io.understudy.chaos.mediawiki;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clients of the switch writing to the wiki without a break: one thread creates pages, one uploads files, each
 * logged in with its own session, each write to a new title or file name. Every answer is kept and logged (a line
 * per write in {@code log}), so what was acknowledged can be checked against each node's database and directory
 * afterwards. The writer never retries by itself: a write that failed stays failed. Bounded in count and time.
 */
public final class WikiWriter implements AutoCloseable {

    /** Longer than the switch's hold time: a held request is the switch hiding a failover, not a failure. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(WikiWriter.class);
    private static final int MAX_WRITES_PER_THREAD = 2000;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final String switchUrl;
    private final String tag;
    private final long seed;
    private final Duration pause;
    private final long deadline;
    private final BufferedWriter log;
    private final ConcurrentLinkedQueue<WikiWrite> writes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param tag   makes this writer's titles and file names unique, e.g. {@code run1}
     * @param seed  for the pages' texts and the files' bytes (the caller prints it)
     * @param pause between one thread's writes
     * @param limit the writer stops by itself after this long
     */
    public WikiWriter(String switchUrl, String tag, long seed, Duration pause, Duration limit, Path log) throws IOException {
        this.switchUrl = switchUrl;
        this.tag = tag;
        this.seed = seed;
        this.pause = pause;
        this.deadline = System.nanoTime() + limit.toNanos();
        this.log = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
    }

    /** Logs both sessions in (before any fault), then starts writing. */
    public WikiWriter start() throws IOException, InterruptedException {
        WikiClient pages = loggedIn();
        WikiClient uploads = loggedIn();
        threads.add(new Thread(() -> run(WikiWrite.Kind.PAGE, pages, new Random(seed)), "wiki-pages-" + tag));
        threads.add(new Thread(() -> run(WikiWrite.Kind.UPLOAD, uploads, new Random(seed + 1)), "wiki-uploads-" + tag));
        threads.forEach(Thread::start);
        return this;
    }

    private WikiClient loggedIn() throws IOException, InterruptedException {
        WikiClient client = new WikiClient(switchUrl, REQUEST_TIMEOUT);
        client.login(WikiSite.ADMIN, WikiSite.ADMIN_PASSWORD);
        return client;
    }

    private void run(WikiWrite.Kind kind, WikiClient client, Random random) {
        for (int n = 1; n <= MAX_WRITES_PER_THREAD && !stop.get() && System.nanoTime() < deadline; n++) {
            try {
                long sent = System.nanoTime();
                WikiWrite w;
                if (kind == WikiWrite.Kind.PAGE) {
                    String title = "Failover " + tag + " page " + n;
                    byte[] text = ("Page " + n + " of " + tag + ": " + words(random, 20 + random.nextInt(200)))
                            .getBytes(StandardCharsets.UTF_8);
                    w = WikiWrite.ofEdit(title, text, sent, client.edit(title, new String(text, StandardCharsets.UTF_8),
                            key(kind, n)));
                } else {
                    String name = "Failover-" + tag + "-upload-" + n + ".txt";
                    byte[] bytes = words(random, 300 + random.nextInt(30_000)).getBytes(StandardCharsets.UTF_8);
                    w = WikiWrite.ofUpload(name, bytes, sent, client.upload(name, bytes, key(kind, n)));
                }
                record(w);
                TimeUnit.NANOSECONDS.sleep(pause.toNanos());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private String key(WikiWrite.Kind kind, int n) {
        return "wiki-" + tag + "-" + kind.name().toLowerCase() + "-" + n;
    }

    private synchronized void record(WikiWrite w) {
        writes.add(w);
        try {
            log.write(w.logLine());
            log.newLine();
            log.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!w.acked()) {
            LOG.info("wiki write failed: {}", w.logLine());
        }
    }

    /** Lower-case words and line breaks: text MediaWiki takes for plain text, never for HTML or script. */
    private static String words(Random random, int length) {
        StringBuilder s = new StringBuilder(length);
        while (s.length() < length) {
            int word = 1 + random.nextInt(10);
            for (int i = 0; i < word; i++) {
                s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            s.append(random.nextInt(12) == 0 ? '\n' : ' ');
        }
        return s.toString();
    }

    /** Everything answered so far, in the order the answers came. */
    public List<WikiWrite> writes() {
        return List.copyOf(writes);
    }

    public long count(Predicate<WikiWrite> which) {
        return writes.stream().filter(which).count();
    }

    /** Stops both threads after their current write and waits for them. */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.interrupt();
            t.join(REQUEST_TIMEOUT.toMillis() + 5000);
        }
        synchronized (this) {
            try {
                log.close();
            } catch (IOException e) {
                LOG.warn("cannot close the writer's log: {}", e.toString());
            }
        }
    }
}
