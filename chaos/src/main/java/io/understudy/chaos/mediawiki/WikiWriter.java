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
 * afterwards. A failed write stays failed, with one exception: a key in doubt (an attempt cut off by a failover) is
 * followed by the same write under a new key, as the gateway asks. Bounded in count and time.
 */
public final class WikiWriter implements AutoCloseable {

    /** Longer than the switch's hold time: a held request is the switch hiding a failover, not a failure. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(WikiWriter.class);
    private static final int MAX_WRITES_PER_THREAD = 2000;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    /** The gateway's answer to a key whose first attempt reached the application and was cut off before its answer. */
    private static final String IN_DOUBT = "idempotency_key_in_doubt";

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
            String name = kind == WikiWrite.Kind.PAGE ? "Failover " + tag + " page " + n : "Failover-" + tag + "-upload-" + n + ".txt";
            String text = kind == WikiWrite.Kind.PAGE ? "Page " + n + " of " + tag + ": " + words(random, 20 + random.nextInt(200))
                    : words(random, 300 + random.nextInt(30_000));
            String key = "wiki-" + tag + "-" + kind.name().toLowerCase() + "-" + n;
            try {
                WikiWrite w = attempt(kind, client, name, text.getBytes(StandardCharsets.UTF_8), key);
                if (w.failure() != null && w.failure().contains(IN_DOUBT)) {
                    // What the gateway asks of a client: check the effect, use a new key. Sending the same edit or
                    // file again is that check here: MediaWiki answers nochange when the first attempt was applied.
                    attempt(kind, client, name, text.getBytes(StandardCharsets.UTF_8), key + "-again");
                }
                TimeUnit.NANOSECONDS.sleep(pause.toNanos());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private WikiWrite attempt(WikiWrite.Kind kind, WikiClient client, String name, byte[] content, String key)
            throws InterruptedException {
        long sent = System.nanoTime();
        WikiWrite w = kind == WikiWrite.Kind.PAGE
                ? WikiWrite.ofEdit(name, content, sent, client.edit(name, new String(content, StandardCharsets.UTF_8), key))
                : WikiWrite.ofUpload(name, content, sent, client.upload(name, content, key));
        record(w);
        return w;
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
