package io.understudy.replicator;

import static io.understudy.replicator.PgPair.count;
import static io.understudy.replicator.PgPair.exec;
import static io.understudy.replicator.PgPair.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.replicator.apply.ApplyException;
import io.understudy.replicator.apply.Change;
import io.understudy.replicator.apply.TableName;
import io.understudy.replicator.apply.TargetWriter;
import io.understudy.replicator.apply.Unchanged;
import io.understudy.replicator.capture.DurableGroups.Commit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A group's changes reach the target in order whether they go one by one or as batches of one statement text, and a
 * change the target rejects inside a batch is named as if it had gone alone, with nothing of its group applied.
 */
class TargetWriterIT extends WithPgPair {

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    private static List<List<Change>> singleRowTransactions(TableName table, int from, int to) {
        List<List<Change>> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(List.of(Change.upsert(Change.Op.INSERT, table, row("id", Integer.toString(i), "n", Integer.toString(i)))));
        }
        return out;
    }

    private TargetWriter writer(String stream) throws Exception {
        TargetWriter writer = new TargetWriter(pg.targetPool, stream, "test");
        writer.prepare();
        return writer;
    }

    @Test
    void aGroupOfManyShapesIsAppliedInStreamOrder() throws Exception {
        exec(pg.target, "CREATE TABLE public.tw_order (id int PRIMARY KEY, n int, note text)");
        TableName t = TableName.parse("public.tw_order");
        TargetWriter writer = writer("tw_order");
        List<List<Change>> group = singleRowTransactions(t, 0, 300);
        group.add(List.of(Change.delete(t, row("id", "5")), Change.delete(t, row("id", "6")),
                Change.upsert(Change.Op.UPDATE, t, row("id", "7", "note", "seven")),
                Change.upsert(Change.Op.UPDATE, t, row("id", "8", "n", "80", "note", Unchanged.TOAST)),
                Change.upsert(Change.Op.UPDATE, t, row("id", "9", "n", "90", "note", Unchanged.TOAST)),
                Change.upsert(Change.Op.INSERT, t, row("id", "5", "n", "50")),
                Change.truncate(t),
                Change.upsert(Change.Op.INSERT, t, row("id", "1", "n", "1")),
                Change.upsert(Change.Op.INSERT, t, row("id", "2", "n", "2"))));
        group.addAll(singleRowTransactions(t, 10, 20));
        group.add(List.of(Change.delete(t, row("id", "12")), Change.delete(t, row("id", "13")),
                Change.upsert(Change.Op.UPDATE, t, row("id", "14", "n", "140", "note", Unchanged.TOAST))));

        writer.applyTransactions(group, new AppliedState("tw_order", 100, 1, true), false);

        assertThat(rows(pg.target, "SELECT string_agg(id || ':' || n, ',' ORDER BY id) FROM tw_order"))
                .containsExactly("1:1,2:2,10:10,11:11,14:140,15:15,16:16,17:17,18:18,19:19");
        assertThat(TargetWriter.readState(pg.targetPool, "tw_order").orElseThrow().commitPosition()).isEqualTo(100);
    }

    @Test
    void aBatchCarriesNullsBytesAndTextOfEveryRowFaithfully() throws Exception {
        exec(pg.target, "CREATE TABLE public.tw_values (id int PRIMARY KEY, body bytea, at timestamptz, note text)");
        TableName t = TableName.parse("public.tw_values");
        TargetWriter writer = writer("tw_values");
        List<List<Change>> group = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Object body = i % 3 == 0 ? null : new byte[] {(byte) i, 0, (byte) 255};
            Object at = i % 4 == 0 ? null : "2026-12-02T10:00:00." + (100001 + 2 * i) + "Z";
            Object note = i % 5 == 0 ? null : "n" + i + " 'q' \\ \"";
            group.add(List.of(Change.upsert(Change.Op.INSERT, t, row("id", Integer.toString(i), "body", body, "at", at, "note", note))));
        }

        writer.applyTransactions(group, new AppliedState("tw_values", 500, 1, true), true);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String body = i % 3 == 0 ? "null" : String.format("\\x%02x00ff", i);
            String at = i % 4 == 0 ? "null" : "2026-12-02 10:00:00." + (100001 + 2 * i);
            String note = i % 5 == 0 ? "null" : "n" + i + " 'q' \\ \"";
            expected.add(i + "|" + body + "|" + at + "|" + note);
        }
        assertThat(rows(pg.target, "SELECT id || '|' || coalesce(body::text, 'null') || '|'"
                + " || coalesce((at AT TIME ZONE 'UTC')::text, 'null') || '|' || coalesce(note, 'null') FROM tw_values ORDER BY id"))
                .containsExactlyElementsOf(expected);
    }

    @Test
    void theStateRowWrittenFirstCarriesTheSettingsForTheChangesAfterItAndNeverMovesBack() throws Exception {
        exec(pg.target, "CREATE TABLE public.tw_fired (n int)");
        exec(pg.target, "CREATE TABLE public.tw_role (id int PRIMARY KEY, n int)");
        exec(pg.target, "CREATE FUNCTION tw_fire() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO tw_fired VALUES (1);"
                + " RETURN NEW; END$$");
        exec(pg.target, "CREATE TRIGGER tw_role_fire AFTER INSERT ON tw_role FOR EACH ROW EXECUTE FUNCTION tw_fire()");
        TableName t = TableName.parse("public.tw_role");
        TargetWriter writer = writer("tw_role");

        writer.applyTransactions(singleRowTransactions(t, 0, 1), new AppliedState("tw_role", 500, 1, true), true);
        writer.applyTransactions(singleRowTransactions(t, 1, 3), new AppliedState("tw_role", 600, 2, true), false);
        writer.applyTransactions(singleRowTransactions(t, 3, 4), new AppliedState("tw_role", 550, 3, true), true);
        writer.recordPosition(new AppliedState("tw_role", 590, 4, true), false);

        assertThat(count(pg.target, "SELECT count(*) FROM tw_role")).isEqualTo(4);
        assertThat(count(pg.target, "SELECT count(*) FROM tw_fired")).as("replica role for every change").isZero();
        assertThat(TargetWriter.readState(pg.targetPool, "tw_role").orElseThrow().commitPosition()).isEqualTo(600);
        try (var c = pg.targetPool.getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT current_setting('session_replication_role'), current_setting('synchronous_commit')")) {
            rs.next();
            assertThat(rs.getString(1) + " " + rs.getString(2)).as("settings local to their transaction").isEqualTo("origin on");
        }
    }

    @Test
    void aChangeRejectedInsideABatchIsNamedAndItsGroupRolledBack() throws Exception {
        exec(pg.target, "CREATE TABLE public.tw_check (id int PRIMARY KEY, n int CHECK (n < 1000))");
        TableName t = TableName.parse("public.tw_check");
        TargetWriter writer = writer("tw_check");
        List<List<Change>> group = singleRowTransactions(t, 0, 50);
        group.set(37, List.of(Change.upsert(Change.Op.INSERT, t, row("id", "37", "n", "5000"))));

        assertThatThrownBy(() -> writer.applyTransactions(group, new AppliedState("tw_check", 200, 1, true), false))
                .isInstanceOf(ApplyException.class)
                .hasMessageStartingWith("target rejected insert on public.tw_check (key id=37): ")
                .hasMessageContaining("tw_check_n_check").hasMessageNotContaining("atch");
        assertThat(count(pg.target, "SELECT count(*) FROM tw_check")).isZero();
        assertThat(TargetWriter.readState(pg.targetPool, "tw_check")).isEmpty();
    }

    @Test
    void aValueTheColumnCannotTakeInsideABatchIsNamedWithItsColumn() throws Exception {
        exec(pg.target, "CREATE TABLE public.tw_typed (id int PRIMARY KEY, n int)");
        TableName t = TableName.parse("public.tw_typed");
        TargetWriter writer = writer("tw_typed");
        List<List<Change>> group = singleRowTransactions(t, 0, 20);
        group.set(11, List.of(Change.upsert(Change.Op.INSERT, t, row("id", "11", "n", "eleven"))));

        assertThatThrownBy(() -> writer.applyTransactions(group, new AppliedState("tw_typed", 300, 1, true), true))
                .isInstanceOf(ApplyException.class)
                .hasMessageStartingWith("schema mismatch: insert on public.tw_typed (key id=11): column public.tw_typed.n is integer");
        assertThat(count(pg.target, "SELECT count(*) FROM tw_typed")).isZero();
    }

    @Test
    void aSingleChangeIsCheckedNamedAndRolledBackWithItsStateRow() throws Exception {
        exec(pg.target, "CREATE TABLE public.tw_single (id int PRIMARY KEY, n int CHECK (n < 1000), note text)");
        TableName t = TableName.parse("public.tw_single");
        TargetWriter writer = writer("tw_single");

        assertThatThrownBy(() -> writer.applyTransactions(List.of(List.of(Change.upsert(Change.Op.INSERT, t,
                row("id", "1", "n", "5000")))), new AppliedState("tw_single", 100, 1, true), true))
                .isInstanceOf(ApplyException.class)
                .hasMessageStartingWith("target rejected insert on public.tw_single (key id=1): ")
                .hasMessageContaining("tw_single_n_check");
        assertThatThrownBy(() -> writer.applyTransactions(List.of(List.of(Change.upsert(Change.Op.UPDATE, t,
                row("id", "2", "n", "2", "note", Unchanged.TOAST)))), new AppliedState("tw_single", 200, 2, true), false))
                .isInstanceOf(ApplyException.class).hasMessageContaining("but 0 matched");
        assertThat(TargetWriter.readState(pg.targetPool, "tw_single")).as("no state row without its change").isEmpty();

        Commit commit = writer.applyTransactions(List.of(List.of(Change.upsert(Change.Op.INSERT, t, row("id", "3", "n", "3")))),
                new AppliedState("tw_single", 300, 3, true), false);

        assertThat(count(pg.target, "SELECT count(*) FROM tw_single WHERE id = 3")).isEqualTo(1);
        assertThat(TargetWriter.readState(pg.targetPool, "tw_single").orElseThrow().commitPosition()).isEqualTo(300);
        assertThat(commit.synced()).isFalse();
        assertThat(commit.walEnd()).as("read after the commit").isPositive()
                .isGreaterThanOrEqualTo(commit.flushed());
    }

    @Test
    void aMissingRowInsideABatchOfUpdatesFailsTheGroup() throws Exception {
        exec(pg.target, "CREATE TABLE public.tw_missing (id int PRIMARY KEY, n int, note text)");
        exec(pg.target, "INSERT INTO tw_missing SELECT i, i, 'x' FROM generate_series(0, 9) i");
        TableName t = TableName.parse("public.tw_missing");
        TargetWriter writer = writer("tw_missing");
        List<List<Change>> group = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            group.add(List.of(Change.upsert(Change.Op.UPDATE, t, row("id", Integer.toString(i), "n", "-1", "note", Unchanged.TOAST))));
        }

        assertThatThrownBy(() -> writer.applyTransactions(group, new AppliedState("tw_missing", 400, 1, true), false))
                .isInstanceOf(ApplyException.class)
                .hasMessageContaining("expected one row for UPDATE \"public\".\"tw_missing\"").hasMessageContaining("but 0 matched");
        assertThat(count(pg.target, "SELECT count(*) FROM tw_missing WHERE n = -1")).isZero();
    }
}
