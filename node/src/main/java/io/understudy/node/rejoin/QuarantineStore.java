package io.understudy.node.rejoin;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.Lsn;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Quarantined transactions of a diverged old primary: one JSON file each under {@code <data.dir>/quarantine/}, written
 * before anything is wiped, atomically (temporary file, fsync, rename, fsync of the directory), never changed after.
 * The header fields come first, so a listing reads only those. Thread-safe (files are immutable once visible).
 */
public final class QuarantineStore {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** Writes what follows the header: the summary, the transactions, an export. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator json) throws Exception;
    }

    /**
     * What every quarantine says about itself.
     *
     * @param transactions divergent transactions, or null when they could not be told apart (an incomplete export)
     * @param changes      their row changes, or null likewise
     */
    public record Header(String node, long epoch, String newPrimary, long newPrimaryEpoch, long promotedFromPosition,
                         Instant createdAt, boolean complete, String reason, Integer transactions, Integer changes) {
    }

    private final Path dir;

    public QuarantineStore(Path dir) {
        this.dir = dir;
    }

    /** Writes a new quarantine and returns its id once it is durable. */
    public String write(Header header, Body body) throws IOException {
        Files.createDirectories(dir);
        String id = freshId(header);
        Path tmp = dir.resolve("." + id + ".json.tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE); OutputStream out = java.nio.channels.Channels.newOutputStream(channel);
             JsonGenerator json = ClusterJson.MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("id", id);
            json.writeStringField("node", header.node());
            json.writeNumberField("epoch", header.epoch());
            json.writeStringField("newPrimary", header.newPrimary());
            json.writeNumberField("newPrimaryEpoch", header.newPrimaryEpoch());
            json.writeStringField("promotedFromPosition", Lsn.format(header.promotedFromPosition()));
            json.writeStringField("createdAt", header.createdAt().truncatedTo(ChronoUnit.MILLIS).toString());
            json.writeBooleanField("complete", header.complete());
            json.writeStringField("reason", header.reason());
            writeCount(json, "transactions", header.transactions());
            writeCount(json, "changes", header.changes());
            try {
                body.write(json);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("cannot write quarantine " + id + ": " + e.getMessage(), e);
            }
            json.writeEndObject();
            json.flush();
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, dir.resolve(id + ".json"), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        return id;
    }

    /** Every quarantine's header, oldest first: id, epoch, transactions, changes, createdAt, complete, and more. */
    public List<Map<String, Object>> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json") && !p.getFileName().toString().startsWith("."))
                    .toList();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Path file : files) {
            out.add(header(file));
        }
        out.sort((x, y) -> String.valueOf(x.get("createdAt")).compareTo(String.valueOf(y.get("createdAt"))));
        return out;
    }

    /** The file of quarantine {@code id}, if there is one (ids that are not plain names never match). */
    public Optional<Path> file(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Path file = dir.resolve(id + ".json");
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    private static Map<String, Object> header(Path file) throws IOException {
        Map<String, Object> h = new LinkedHashMap<>();
        try (JsonParser p = ClusterJson.MAPPER.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("quarantine " + file + " is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value.isScalarValue()) {
                    h.put(name, value == JsonToken.VALUE_NULL ? null
                            : value.isNumeric() ? p.getNumberValue() : value.isBoolean() ? p.getBooleanValue() : p.getText());
                } else {
                    break; // the body: headers end here
                }
            }
        }
        return h;
    }

    private String freshId(Header header) {
        String base = "epoch-" + header.epoch() + "-from-" + header.node() + "-" + STAMP.format(header.createdAt());
        String id = base;
        for (int n = 2; Files.exists(dir.resolve(id + ".json")); n++) {
            id = base + "-" + n;
        }
        return id;
    }

    private static void writeCount(JsonGenerator json, String name, Integer value) throws IOException {
        if (value == null) {
            json.writeNullField(name);
        } else {
            json.writeNumberField(name, value);
        }
    }
}
