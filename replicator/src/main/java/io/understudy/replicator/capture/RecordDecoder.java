package io.understudy.replicator.capture;

import io.understudy.replicator.apply.Change;
import io.understudy.replicator.apply.TableName;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Decodes one Debezium {@link SourceRecord} into a {@link CaptureEvent}. The only class that knows Debezium's
 * record layout (topics, envelope, source block, offsets).
 */
public final class RecordDecoder {

    private static final Set<String> SNAPSHOT_MARKS = Set.of("true", "first", "first_in_data_collection", "last_in_data_collection", "last");

    private final String transactionTopic;
    private final String heartbeatTopic;
    private final String messageTopic;
    private final ValueConverter converter;

    public RecordDecoder(String topicPrefix, ValueConverter converter) {
        this.transactionTopic = topicPrefix + ".transaction";
        this.heartbeatTopic = EngineProperties.HEARTBEAT_TOPIC_PREFIX + "." + topicPrefix;
        this.messageTopic = topicPrefix + ".message";
        this.converter = converter;
    }

    public CaptureEvent decode(SourceRecord record) {
        String topic = record.topic();
        if (topic.equals(heartbeatTopic) || topic.equals(messageTopic)) {
            Map<String, ?> offset = record.sourceOffset();
            return new CaptureEvent.Progress(offsetLsn(offset), !offset.containsKey("snapshot"));
        }
        if (record.value() == null) {
            return new CaptureEvent.Ignored("tombstone on " + topic);
        }
        Struct value = (Struct) record.value();
        if (topic.equals(transactionTopic)) {
            String txId = xid(value.getString("id"));
            return switch (value.getString("status")) {
                case "BEGIN" -> new CaptureEvent.Begin(txId);
                case "END" -> new CaptureEvent.End(txId, offsetLsn(record.sourceOffset()), value.getInt64("ts_ms"));
                default -> new CaptureEvent.Ignored("transaction status " + value.getString("status"));
            };
        }
        if (value.schema().field("op") == null || value.schema().field("source") == null) {
            return new CaptureEvent.Ignored("not a change event on " + topic);
        }
        Struct source = value.getStruct("source");
        TableName table = new TableName(source.getString("schema"), source.getString("table"));
        Change change = change(value.getString("op"), table, (Struct) record.key(), value);
        Object snapshot = source.get("snapshot");
        if (snapshot != null && SNAPSHOT_MARKS.contains(snapshot.toString())) {
            return new CaptureEvent.SnapshotRow(change, offsetLsn(record.sourceOffset()), "last".equals(snapshot.toString()));
        }
        return new CaptureEvent.Data(String.valueOf(source.getInt64("txId")), change);
    }

    private Change change(String op, TableName table, Struct key, Struct value) {
        return switch (op) {
            case "r" -> Change.upsert(Change.Op.READ, table, columns(table, value.getStruct("after")));
            case "c" -> Change.upsert(Change.Op.INSERT, table, columns(table, value.getStruct("after")));
            case "u" -> new Change(Change.Op.UPDATE, table, Map.of(), columns(table, value.getStruct("before")),
                    columns(table, value.getStruct("after")));
            case "d" -> new Change(Change.Op.DELETE, table, columns(table, key), columns(table, value.getStruct("before")), Map.of());
            case "t" -> Change.truncate(table);
            default -> throw new IllegalStateException("unknown change operation '" + op + "' on " + table);
        };
    }

    private Map<String, Object> columns(TableName table, Struct row) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (row == null) {
            return values;
        }
        for (Field field : row.schema().fields()) {
            values.put(field.name(), converter.convert(new Column(table, field.name()), field.schema(), row.get(field)));
        }
        return values;
    }

    /** A column as error messages name it; built per value, its text only when a message needs it. */
    private record Column(TableName table, String name) {
        @Override
        public String toString() {
            return table + "." + name;
        }
    }

    /** Debezium's PostgreSQL transaction id is {@code "<xid>:<lsn>"}; the data events carry only the xid. */
    private static String xid(String id) {
        int colon = id.indexOf(':');
        return colon < 0 ? id : id.substring(0, colon);
    }

    private static long offsetLsn(Map<String, ?> offset) {
        Object lsn = offset.get("lsn");
        return lsn instanceof Number n ? n.longValue() : 0L;
    }
}
