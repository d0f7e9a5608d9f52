package io.debezium.connector.postgresql;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.connector.AbstractSourceInfo;
import io.debezium.connector.SnapshotRecord;
import java.time.Instant;
import org.apache.kafka.connect.data.Struct;

/**
 * The {@code source} block of every change record, as the PostgreSQL connector's own maker builds it, without its
 * {@code sequence} field. Debezium 3.6.1 makes that field (the last commit's and the event's LSN as a JSON array)
 * with a JSON mapper for every change, on the connector's single decoding thread: about 5 % of that thread in the
 * replication benchmark's profile. Nothing here reads it: the replicator's {@code RecordDecoder} takes the schema,
 * the table, the transaction id and the snapshot mark from this block and every position from the record's offset.
 * The field is optional in the block's schema, so its absence is valid. The class is Understudy's own, not a
 * replacement: it lives in the connector's package because the source's time and database name are visible only
 * there.
 */
public final class UnderstudySourceInfoStructMaker extends PostgresSourceInfoStructMaker {

    private String version;
    private String connector;
    private String serverName;

    @Override
    public void init(String connector, String version, CommonConnectorConfig connectorConfig) {
        super.init(connector, version, connectorConfig);
        this.connector = connector;
        this.version = version;
        this.serverName = connectorConfig.getLogicalName();
    }

    /** The connector's own maker's fields, over {@link #commonStruct}: its own calls its parent's, with the sequence. */
    @Override
    public Struct struct(SourceInfo sourceInfo) {
        Struct struct = commonStruct(sourceInfo)
                .put(SourceInfo.SCHEMA_NAME_KEY, sourceInfo.schemaName())
                .put(SourceInfo.TABLE_NAME_KEY, sourceInfo.tableName());
        if (sourceInfo.snapshot() != SnapshotRecord.INCREMENTAL) {
            putIfSet(struct, SourceInfo.TXID_KEY, sourceInfo.txId());
            putIfSet(struct, SourceInfo.LSN_KEY, sourceInfo.lsn() == null ? null : sourceInfo.lsn().asLong());
            putIfSet(struct, SourceInfo.XMIN_KEY, sourceInfo.xmin());
        }
        putIfSet(struct, SourceInfo.ORIGIN_KEY, sourceInfo.originName());
        putIfSet(struct, SourceInfo.ORIGIN_LSN_KEY, sourceInfo.originLsn() == null ? null : sourceInfo.originLsn().asLong());
        return struct;
    }

    private static void putIfSet(Struct struct, String field, Object value) {
        if (value != null) {
            struct.put(field, value);
        }
    }

    @Override
    protected Struct commonStruct(SourceInfo sourceInfo) {
        Instant timestamp = sourceInfo.timestamp() == null ? Instant.now() : sourceInfo.timestamp();
        Struct struct = new Struct(schema())
                .put(AbstractSourceInfo.DEBEZIUM_VERSION_KEY, version)
                .put(AbstractSourceInfo.DEBEZIUM_CONNECTOR_KEY, connector)
                .put(AbstractSourceInfo.SERVER_NAME_KEY, serverName)
                .put(AbstractSourceInfo.TIMESTAMP_KEY, timestamp.toEpochMilli())
                .put(AbstractSourceInfo.DATABASE_NAME_KEY, sourceInfo.database() == null ? "" : sourceInfo.database())
                .put(AbstractSourceInfo.TIMESTAMP_US_KEY, timestamp.getEpochSecond() * 1_000_000 + timestamp.getNano() / 1_000)
                .put(AbstractSourceInfo.TIMESTAMP_NS_KEY, timestamp.getEpochSecond() * 1_000_000_000L + timestamp.getNano());
        SnapshotRecord snapshot = sourceInfo.snapshot();
        if (snapshot != null) {
            snapshot.toSource(struct);
        }
        return struct;
    }
}
