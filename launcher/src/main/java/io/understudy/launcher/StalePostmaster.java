package io.understudy.launcher;

import java.util.List;
import java.util.Optional;

/**
 * What to do about a {@code postmaster.pid} found in a data directory before PostgreSQL starts.
 * Pure: the caller looks at the file and the process table, this decides.
 */
public final class StalePostmaster {

    /** The decision, with the reason logged by the caller. */
    public enum Action {
        /** No pid file: a clean start. */
        NONE,
        /** The pid is not running: PostgreSQL removes the file itself and runs crash recovery. */
        LET_POSTGRES_RECOVER,
        /** The pid now belongs to an unrelated process; PostgreSQL would refuse to start, so delete the file. */
        DELETE_PID_FILE,
        /** A postmaster on this very directory outlived the appliance that started it: stop it first. */
        STOP_ORPHAN
    }

    /** What the process table says about the pid from the file. */
    public record ProcessInfo(boolean alive, String command, List<String> arguments) {
    }

    private StalePostmaster() {
    }

    /** The pid on the first line of {@code postmaster.pid}, if the content has one. */
    public static Optional<Long> pidOf(String pidFileContent) {
        String first = pidFileContent.lines().findFirst().orElse("").trim();
        try {
            long pid = Long.parseLong(first);
            return pid > 0 ? Optional.of(pid) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * @param pidFile   content of {@code postmaster.pid}, or empty when there is no file
     * @param process   the process with that pid (ignored when the file has no pid)
     * @param dataDir   the data directory being started, absolute
     */
    public static Action decide(Optional<String> pidFile, ProcessInfo process, String dataDir) {
        if (pidFile.isEmpty()) {
            return Action.NONE;
        }
        if (pidOf(pidFile.get()).isEmpty()) {
            return Action.DELETE_PID_FILE;
        }
        if (!process.alive()) {
            return Action.LET_POSTGRES_RECOVER;
        }
        return runs(process, dataDir) ? Action.STOP_ORPHAN : Action.DELETE_PID_FILE;
    }

    /** Whether {@code process} is a live PostgreSQL server on {@code dataDir} (absolute). */
    public static boolean runs(ProcessInfo process, String dataDir) {
        boolean isPostgres = process.command() != null && process.command().endsWith("/postgres");
        return process.alive() && isPostgres && process.arguments().contains(dataDir);
    }
}
