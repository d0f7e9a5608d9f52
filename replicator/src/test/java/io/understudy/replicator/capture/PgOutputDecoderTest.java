package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {

    /** 2026-01-02T03:04:05.000006Z in microseconds since 2000-01-01. */
    private static final long COMMIT_MICROS = (Instant.parse("2026-01-02T03:04:05Z").getEpochSecond() - 946_684_800L) * 1_000_000L + 6;

    /** Builds pgoutput v1 messages byte by byte, as the manual lays them out. */
    private static final class Msg {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Msg(char type) {
            b(type);
        }

        Msg b(int v) {
            return io(() -> out.writeByte(v));
        }

        Msg i16(int v) {
            return io(() -> out.writeShort(v));
        }

        Msg i32(int v) {
            return io(() -> out.writeInt(v));
        }

        Msg i64(long v) {
            return io(() -> out.writeLong(v));
        }

        Msg str(String s) {
            return io(() -> {
                out.write(s.getBytes(StandardCharsets.UTF_8));
                out.writeByte(0);
            });
        }

        Msg text(String s) {
            byte[] v = s.getBytes(StandardCharsets.UTF_8);
            return io(() -> {
                out.writeByte('t');
                out.writeInt(v.length);
                out.write(v);
            });
        }

        byte[] build() {
            return bytes.toByteArray();
        }

        private Msg io(IoStep step) {
            try {
                step.run();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return this;
        }

        private interface IoStep {
            void run() throws IOException;
        }
    }

    private static byte[] begin(long finalLsn, int xid) {
        return new Msg('B').i64(finalLsn).i64(COMMIT_MICROS).i32(xid).build();
    }

    private static byte[] commit(long commitLsn, long endLsn) {
        return new Msg('C').b(0).i64(commitLsn).i64(endLsn).i64(COMMIT_MICROS).build();
    }

    private static byte[] objectsRelation() {
        return new Msg('R').i32(16400).str("public").str("objects").b('d').i16(2)
                .b(1).str("id").i32(25).i32(-1)
                .b(0).str("body").i32(17).i32(-1).build();
    }

    private static PgOutputDecoder decoderWithObjects() {
        PgOutputDecoder d = new PgOutputDecoder();
        d.accept(objectsRelation());
        return d;
    }

    @Test
    void shouldDecodeATransactionWithEveryRowOperation() {
        PgOutputDecoder d = decoderWithObjects();
        d.accept(begin(0x1_0000_0100L, 742));
        d.accept(new Msg('I').i32(16400).b('N').i16(2).text("r1").text("\\x7b7d").build());
        d.accept(new Msg('U').i32(16400).b('N').i16(2).text("r1").b('u').build());
        d.accept(new Msg('U').i32(16400).b('K').i16(2).text("r1").b('n').b('N').i16(2).text("r2").b('n').build());
        d.accept(new Msg('D').i32(16400).b('K').i16(2).text("r2").b('n').build());
        d.accept(new Msg('T').i32(1).b(0).i32(16400).build());
        d.accept(commit(0x1_0000_0100L, 0x1_0000_0130L));

        assertThat(d.inTransaction()).isFalse();
        PeekedTransaction tx = d.transactions().get(0);
        assertThat(tx.commitPosition()).isEqualTo(0x1_0000_0130L);
        assertThat(tx.commitLsn()).isEqualTo(0x1_0000_0100L);
        assertThat(tx.xid()).isEqualTo(742);
        assertThat(tx.commitTime()).isEqualTo(Instant.parse("2026-01-02T03:04:05.000006Z"));
        assertThat(tx.changes()).extracting(PeekedChange::op).containsExactly(PeekedChange.Op.INSERT,
                PeekedChange.Op.UPDATE, PeekedChange.Op.UPDATE, PeekedChange.Op.DELETE, PeekedChange.Op.TRUNCATE);
        assertThat(tx.changes()).extracting(PeekedChange::table).containsOnly("public.objects");
        assertThat(tx.changes().get(0).values()).containsExactly(Map.entry("id", "r1"), Map.entry("body", "\\x7b7d"));
        assertThat(tx.changes().get(1).values()).containsEntry("body", PeekedChange.UNCHANGED_TOAST);
        Map<String, String> keyWithNull = new HashMap<>();
        keyWithNull.put("id", "r1");
        keyWithNull.put("body", null);
        assertThat(tx.changes().get(2).oldValues()).isEqualTo(keyWithNull);
        assertThat(tx.changes().get(2).values()).containsEntry("id", "r2");
        assertThat(tx.changes().get(3).values()).isEmpty();
        assertThat(tx.changes().get(3).row()).containsEntry("id", "r2");
        assertThat(tx.changes().get(4).row()).isEmpty();
    }

    @Test
    void shouldKeepTransactionsInCommitOrderAndIgnoreOriginTypeAndMessageRecords() {
        PgOutputDecoder d = decoderWithObjects();
        d.accept(begin(100, 1));
        d.accept(new Msg('O').i64(5).str("elsewhere").build());
        d.accept(new Msg('Y').i32(99999).str("public").str("mood").build());
        d.accept(new Msg('I').i32(16400).b('N').i16(2).text("a").b('n').build());
        d.accept(commit(100, 120));
        d.accept(begin(200, 2));
        d.accept(commit(200, 220));

        assertThat(d.transactions()).extracting(PeekedTransaction::xid).containsExactly(1L, 2L);
        assertThat(d.transactions().get(1).changes()).isEmpty();
    }

    @Test
    void shouldRefuseWhatItDoesNotUnderstand() {
        assertThatThrownBy(() -> new PgOutputDecoder().accept(new byte[] {'S', 0, 0, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown pgoutput message type 'S'");
        assertThatThrownBy(() -> new PgOutputDecoder().accept(new Msg('I').i32(1).b('N').i16(0).build()))
                .hasMessageContaining("outside a transaction");
        PgOutputDecoder unknownRelation = new PgOutputDecoder();
        unknownRelation.accept(begin(1, 1));
        assertThatThrownBy(() -> unknownRelation.accept(new Msg('I').i32(7).b('N').i16(0).build()))
                .hasMessageContaining("before its Relation message");
        PgOutputDecoder truncated = decoderWithObjects();
        truncated.accept(begin(1, 1));
        byte[] insert = new Msg('I').i32(16400).b('N').i16(2).text("abc").text("def").build();
        assertThatThrownBy(() -> truncated.accept(Arrays.copyOf(insert, insert.length - 2)))
                .hasMessageContaining("truncated pgoutput message");
        PgOutputDecoder twice = new PgOutputDecoder();
        twice.accept(begin(1, 1));
        assertThatThrownBy(() -> twice.accept(begin(2, 2))).hasMessageContaining("BEGIN inside transaction 1");
    }

    @Test
    void shouldReportAnUnfinishedTransaction() {
        PgOutputDecoder d = decoderWithObjects();
        d.accept(begin(1, 1));
        assertThat(d.inTransaction()).isTrue();
        assertThat(d.transactions()).isEmpty();
    }
}
