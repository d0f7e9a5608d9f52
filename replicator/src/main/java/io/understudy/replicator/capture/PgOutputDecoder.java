package io.understudy.replicator.capture;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes pgoutput protocol version 1 messages ("Logical Replication Message Formats" in the PostgreSQL manual), as
 * {@code pg_logical_slot_peek_binary_changes} returns them, into committed transactions. Pure; not thread-safe.
 * Messages outside the protocol or out of transaction order raise {@link IllegalArgumentException}: a stream that is
 * not understood must never pass for an empty one.
 */
public final class PgOutputDecoder {

    /** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01T00:00:00Z). */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    private record Relation(String table, List<String> columns) {
    }

    private final Map<Integer, Relation> relations = new HashMap<>();
    private final List<PeekedTransaction> committed = new ArrayList<>();
    private List<PeekedChange> openChanges;
    private long openFinalLsn;
    private long openXid;

    /** Feeds one message (the {@code data} of one row of the slot functions). */
    public void accept(byte[] message) {
        if (message.length == 0) {
            throw new IllegalArgumentException("empty pgoutput message");
        }
        ByteBuffer in = ByteBuffer.wrap(message);
        char type = (char) in.get();
        try {
            switch (type) {
                case 'B' -> begin(in);
                case 'C' -> commit(in);
                case 'R' -> relation(in);
                case 'I' -> change(PeekedChange.Op.INSERT, in);
                case 'U' -> change(PeekedChange.Op.UPDATE, in);
                case 'D' -> change(PeekedChange.Op.DELETE, in);
                case 'T' -> truncate(in);
                case 'O', 'Y', 'M' -> { } // origin, type and message: nothing a row comparison needs
                default -> throw new IllegalArgumentException("unknown pgoutput message type '" + type + "'");
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated pgoutput message of type '" + type + "'", e);
        }
    }

    /** The transactions committed so far, in commit order. */
    public List<PeekedTransaction> transactions() {
        return List.copyOf(committed);
    }

    /** Whether a transaction has begun and not yet committed (a peek never ends inside one). */
    public boolean inTransaction() {
        return openChanges != null;
    }

    private void begin(ByteBuffer in) {
        if (openChanges != null) {
            throw new IllegalArgumentException("BEGIN inside transaction " + openXid);
        }
        openFinalLsn = in.getLong();
        in.getLong(); // commit time: the Commit message repeats it
        openXid = Integer.toUnsignedLong(in.getInt());
        openChanges = new ArrayList<>();
    }

    private void commit(ByteBuffer in) {
        requireOpen("COMMIT");
        in.get(); // flags, unused
        long commitLsn = in.getLong();
        long endLsn = in.getLong();
        long commitMicros = in.getLong();
        committed.add(new PeekedTransaction(endLsn, commitLsn, openXid, toInstant(commitMicros), openChanges));
        openChanges = null;
    }

    private void relation(ByteBuffer in) {
        int oid = in.getInt();
        String namespace = string(in);
        String name = string(in);
        in.get(); // replica identity
        int count = Short.toUnsignedInt(in.getShort());
        List<String> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            in.get(); // flags: part of the key
            columns.add(string(in));
            in.getInt(); // type oid
            in.getInt(); // type modifier
        }
        relations.put(oid, new Relation((namespace.isEmpty() ? "pg_catalog" : namespace) + "." + name, columns));
    }

    private void change(PeekedChange.Op op, ByteBuffer in) {
        requireOpen(op.name());
        Relation rel = relationOf(in.getInt());
        Map<String, String> oldValues = Map.of();
        Map<String, String> values = Map.of();
        char marker = (char) in.get();
        if (op != PeekedChange.Op.INSERT && (marker == 'K' || marker == 'O')) {
            oldValues = tuple(in, rel);
            if (op == PeekedChange.Op.UPDATE) {
                marker = (char) in.get();
            }
        }
        if (op != PeekedChange.Op.DELETE) {
            if (marker != 'N') {
                throw new IllegalArgumentException(op + " on " + rel.table() + " without a new tuple (marker '" + marker + "')");
            }
            values = tuple(in, rel);
        } else if (oldValues.isEmpty() && marker != 'K' && marker != 'O') {
            throw new IllegalArgumentException("DELETE on " + rel.table() + " without a key tuple (marker '" + marker + "')");
        }
        openChanges.add(new PeekedChange(op, rel.table(), values, oldValues));
    }

    private void truncate(ByteBuffer in) {
        requireOpen("TRUNCATE");
        int count = in.getInt();
        in.get(); // options: CASCADE, RESTART IDENTITY
        for (int i = 0; i < count; i++) {
            openChanges.add(new PeekedChange(PeekedChange.Op.TRUNCATE, relationOf(in.getInt()).table(), Map.of(), Map.of()));
        }
    }

    private Map<String, String> tuple(ByteBuffer in, Relation rel) {
        int count = Short.toUnsignedInt(in.getShort());
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String column = i < rel.columns().size() ? rel.columns().get(i) : "column_" + (i + 1);
            char kind = (char) in.get();
            switch (kind) {
                case 'n' -> values.put(column, null);
                case 'u' -> values.put(column, PeekedChange.UNCHANGED_TOAST);
                case 't', 'b' -> {
                    byte[] bytes = new byte[in.getInt()];
                    in.get(bytes);
                    values.put(column, kind == 't' ? new String(bytes, StandardCharsets.UTF_8) : "\\x" + HexFormat.of().formatHex(bytes));
                }
                default -> throw new IllegalArgumentException("unknown tuple value kind '" + kind + "' in " + rel.table());
            }
        }
        return values;
    }

    private Relation relationOf(int oid) {
        Relation rel = relations.get(oid);
        if (rel == null) {
            throw new IllegalArgumentException("change on relation " + Integer.toUnsignedLong(oid) + " before its Relation message");
        }
        return rel;
    }

    private void requireOpen(String what) {
        if (openChanges == null) {
            throw new IllegalArgumentException(what + " outside a transaction");
        }
    }

    private static String string(ByteBuffer in) {
        int start = in.position();
        int end = start;
        while (in.get(end) != 0) {
            end++;
        }
        String s = new String(in.array(), in.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
        in.position(end + 1);
        return s;
    }

    private static Instant toInstant(long pgMicros) {
        long micros = pgMicros + PG_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }
}
