package io.understudy.node.rejoin;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.replicator.capture.PeekedChange;
import io.understudy.replicator.capture.PeekedTransaction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DivergenceTest {

    private static PeekedTransaction tx(long end, PeekedChange... changes) {
        return new PeekedTransaction(end, end - 40, end, Instant.EPOCH, List.of(changes));
    }

    private static PeekedChange insert(String table, Map<String, String> row) {
        return new PeekedChange(PeekedChange.Op.INSERT, table, row, Map.of());
    }

    @Test
    void shouldCountOnlyTransactionsEndingAfterThePromotedFromPosition() {
        List<PeekedTransaction> held = List.of(
                tx(100, insert("public.objects", Map.of("id", "applied"))),
                tx(200, insert("public.objects", Map.of("id", "at-p"))),
                tx(300, insert("public.objects", Map.of("id", "lost"))),
                tx(400));
        Divergence d = Divergence.after(200, held);
        assertThat(d.transactions()).extracting(PeekedTransaction::commitPosition).containsExactly(300L);
        assertThat(d.changes()).isEqualTo(1);
        assertThat(d.none()).isFalse();
        assertThat(Divergence.after(300, held).none()).as("an empty transaction changes nothing").isTrue();
        assertThat(Divergence.after(0, List.of()).none()).isTrue();
    }

    @Test
    void shouldSummariseEachApplicationObjectOncePerOperation() {
        Divergence d = Divergence.after(0, List.of(
                tx(10, insert("public.files", Map.of("path", "r/q3.pdf")),
                        insert("public.file_chunks", Map.of("path", "r/q3.pdf", "seq", "0")),
                        insert("public.file_chunks", Map.of("path", "r/q3.pdf", "seq", "1")),
                        insert("public.idempotency_keys", Map.of("key", "k1"))),
                tx(20, new PeekedChange(PeekedChange.Op.DELETE, "public.objects", Map.of(), Map.of("id", "o1")),
                        new PeekedChange(PeekedChange.Op.TRUNCATE, "public.objects", Map.of(), Map.of()))));
        assertThat(d.touched()).containsExactly(
                new Divergence.Touched("file", "r/q3.pdf", "INSERT"),
                new Divergence.Touched("file", "r/q3.pdf", "CONTENT INSERT"),
                new Divergence.Touched("idempotency key", "k1", "INSERT"),
                new Divergence.Touched("object", "o1", "DELETE"),
                new Divergence.Touched("object", "*", "TRUNCATE"));
        Divergence files = Divergence.after(0, List.of(tx(30,
                insert("understudy.app_file_chunks", Map.of("version", "4294967297", "seq", "0", "data", "\\x00")),
                insert("understudy.app_file_chunks", Map.of("version", "4294967297", "seq", "1", "data", "\\x01")),
                insert("understudy.app_files", Map.of("path", "uploads/a.png", "version", "4294967297")))));
        assertThat(files.touched()).as("an application file's chunks summarised as its content").containsExactly(
                new Divergence.Touched("app file version", "4294967297", "CONTENT INSERT"),
                new Divergence.Touched("app file", "uploads/a.png", "INSERT"));
        assertThat(d.describe().get(1).get("changes")).asList().first()
                .isEqualTo(Map.of("op", "DELETE", "table", "public.objects", "key", Map.of("id", "o1")));
    }
}
