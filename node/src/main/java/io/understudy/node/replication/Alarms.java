package io.understudy.node.replication;

import java.util.ArrayList;
import java.util.List;

/** Pure: which replication alarms a node raises, from plain values. Each alarm is {@code name: detail}. */
public final class Alarms {

    /** A secondary's slot holds more WAL than {@code replication.slotAlarmBytes}. */
    public static final String SLOT_LAGGING = "slot_lagging";
    /** A secondary's slot exists but nobody streams from it. */
    public static final String SLOT_INACTIVE = "slot_inactive";
    /** The primary has no secondary streaming from it: RPO is no longer bounded by the lag. */
    public static final String NO_SECONDARY = "no_secondary";
    /** Sync mode acknowledges writes without a secondary (syncFallback=async). */
    public static final String SYNC_DEGRADED = "sync_degraded";
    /** This secondary's replication stopped on an error. */
    public static final String REPLICATION_FAILED = "replication_failed";
    /** max_slot_wal_keep_size could not be set: an absent secondary could fill the disk. */
    public static final String WAL_BOUND_UNSET = "wal_bound_unset";

    private Alarms() {
    }

    /** One slot on the primary: its name, whether a walsender streams from it, and the WAL it holds. */
    public record SlotView(String name, boolean active, long retainedBytes) {
    }

    public static List<String> ofPrimary(List<SlotView> slots, long alarmBytes, boolean syncDegraded, boolean walBoundSet) {
        List<String> alarms = new ArrayList<>();
        boolean anyActive = false;
        for (SlotView slot : slots) {
            anyActive |= slot.active();
            if (slot.retainedBytes() > alarmBytes) {
                alarms.add(SLOT_LAGGING + ": " + slot.name() + " holds " + slot.retainedBytes() + " bytes of WAL (alarm above "
                        + alarmBytes + ")");
            }
            if (!slot.active()) {
                alarms.add(SLOT_INACTIVE + ": nobody streams from " + slot.name());
            }
        }
        if (!anyActive) {
            alarms.add(NO_SECONDARY + ": no secondary is streaming from this primary");
        }
        if (syncDegraded) {
            alarms.add(SYNC_DEGRADED + ": replication.mode=sync but writes are acknowledged without a secondary");
        }
        if (!walBoundSet) {
            alarms.add(WAL_BOUND_UNSET + ": max_slot_wal_keep_size could not be set; a lost secondary may fill the disk");
        }
        return alarms;
    }

    public static List<String> ofSecondary(String replicationError) {
        return replicationError == null ? List.of() : List.of(REPLICATION_FAILED + ": " + replicationError);
    }
}
