package io.understudy.workload;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The writes of the test application ({@code understudy testapp}) as an {@link Endpoint}: odd writes are rows
 * ({@code POST /items}, the application gives each the next id of its sequence), even writes are files
 * ({@code PUT /files/<id>.bin}), every one with an {@code Idempotency-Key}. A file's content is a function of its
 * name, so a checker can tell a whole file from a half one by its name alone. Remembers the id each acknowledged
 * row was answered with. Thread-safe.
 */
public final class AppWrites implements Endpoint {

    /** What a file's name ends with. */
    public static final String FILE_SUFFIX = ".bin";
    /** Every this many files is large enough to span several chunks of the file replication. */
    private static final int LARGE_EVERY = 25;
    private static final int LARGE_SIZE = 200 * 1024;

    private final Map<String, Set<Long>> answeredIds = new ConcurrentHashMap<>();

    /** Whether write {@code seq} is a file (else a row). */
    public static boolean isFile(long seq) {
        return seq % 2 == 0;
    }

    /** The file name of write {@code id}. */
    public static String fileName(String id) {
        return id + FILE_SUFFIX;
    }

    /** The whole content of the file named {@code name}: its name over and over, a few hundred bytes to 200 KiB. */
    public static String fileContent(String name) {
        int hash = name.hashCode() & 0x7fffffff;
        int size = hash % LARGE_EVERY == 0 ? LARGE_SIZE : 256 + hash % 2048;
        String line = name + "\n";
        StringBuilder out = new StringBuilder(size + line.length());
        while (out.length() < size) {
            out.append(line);
        }
        return out.substring(0, size);
    }

    /**
     * The seq of the write a file or row body of the run {@code prefix} belongs to, from its name or body;
     * empty when it is not one.
     */
    public static Optional<Long> seqOf(String prefix, String nameOrBody) {
        String rest = nameOrBody.startsWith(prefix) ? nameOrBody.substring(prefix.length())
                : nameOrBody.startsWith(ROW_PREFIX + prefix) ? nameOrBody.substring(ROW_PREFIX.length() + prefix.length()) : null;
        if (rest == null || rest.length() < 9 || !rest.substring(0, 9).chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(rest.substring(0, 9)));
    }

    private static final String ROW_PREFIX = "row ";

    /** The body of row writes numbered {@code seq} sort from this one (text order, collation C). */
    public static String rowBodyOf(String prefix, long seq) {
        return ROW_PREFIX + Writers.idOf(prefix, seq);
    }

    @Override
    public String body(long seq, int writer, String id) {
        return isFile(seq) ? fileContent(fileName(id)) : ROW_PREFIX + id;
    }

    @Override
    public boolean createOnly(long seq) {
        return false;
    }

    @Override
    public HttpRequest.Builder write(String baseUrl, long seq, String id, String body) {
        if (isFile(seq)) {
            return HttpRequest.newBuilder(URI.create(baseUrl + "/files/" + fileName(id)))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return HttpRequest.newBuilder(URI.create(baseUrl + "/items")).header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    /** Not part of this load: a row cannot be read back by its write's id. */
    @Override
    public HttpRequest.Builder read(String baseUrl, String id) {
        throw new UnsupportedOperationException("the test application's load has no reads");
    }

    @Override
    public void acknowledged(Op op, String answer) {
        if (isFile(op.seq())) {
            return;
        }
        try {
            JsonNode id = ClusterJson.MAPPER.readTree(answer).path("id");
            if (id.canConvertToLong()) {
                answeredIds.computeIfAbsent(op.id(), k -> new ConcurrentSkipListSet<>()).add(id.asLong());
            }
        } catch (IOException e) {
            answeredIds.computeIfAbsent(op.id(), k -> new ConcurrentSkipListSet<>());
        }
    }

    /** Per write id, the row ids its acknowledged attempts were answered with (more than one: applied twice). */
    public Map<String, Set<Long>> answeredIds() {
        return Map.copyOf(answeredIds);
    }
}
