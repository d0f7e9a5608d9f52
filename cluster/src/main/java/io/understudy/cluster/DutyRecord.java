package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The content of {@code /duties/<name>}: what the primaries have done about one duty. Only a primary writes it,
 * and the start of a run only in one ZooKeeper transaction with a check that {@code /primary} still names it.
 *
 * @param duty           the duty's name
 * @param registeredAtMs when a primary first saw the duty configured; slots before it are not owed
 * @param last           the latest run started, or null before the first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DutyRecord(String duty, long registeredAtMs, DutyRun last) {

    public DutyRecord withLast(DutyRun run) {
        return new DutyRecord(duty, registeredAtMs, run);
    }
}
