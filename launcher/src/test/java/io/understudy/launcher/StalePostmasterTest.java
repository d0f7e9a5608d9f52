package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.launcher.StalePostmaster.Action;
import io.understudy.launcher.StalePostmaster.ProcessInfo;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StalePostmasterTest {

    private static final String DIR = "/data/postgres/a";
    private static final String PID_FILE = "4242\n/data/postgres/a\n1700000000\n15432\n";
    private static final ProcessInfo DEAD = new ProcessInfo(false, null, List.of());

    @Test
    void shouldDoNothingWithoutPidFile() {
        assertThat(StalePostmaster.decide(Optional.empty(), DEAD, DIR)).isEqualTo(Action.NONE);
    }

    @Test
    void shouldLetPostgresRecoverWhenPidIsNotRunning() {
        assertThat(StalePostmaster.decide(Optional.of(PID_FILE), DEAD, DIR)).isEqualTo(Action.LET_POSTGRES_RECOVER);
    }

    @Test
    void shouldStopOrphanPostmasterOnThisDirectory() {
        ProcessInfo orphan = new ProcessInfo(true, "/tmp/embedded-pg/PG-1/bin/postgres", List.of("-D", DIR, "-p", "15432"));
        assertThat(StalePostmaster.decide(Optional.of(PID_FILE), orphan, DIR)).isEqualTo(Action.STOP_ORPHAN);
    }

    @Test
    void shouldDeletePidFileWhenPidWasReusedByAnotherProgram() {
        ProcessInfo other = new ProcessInfo(true, "/usr/bin/bash", List.of("-c", "sleep 100"));
        assertThat(StalePostmaster.decide(Optional.of(PID_FILE), other, DIR)).isEqualTo(Action.DELETE_PID_FILE);
    }

    @Test
    void shouldNotTouchPostgresServingAnotherDirectory() {
        ProcessInfo elsewhere = new ProcessInfo(true, "/usr/lib/postgresql/15/bin/postgres", List.of("-D", "/var/lib/pg"));
        assertThat(StalePostmaster.decide(Optional.of(PID_FILE), elsewhere, DIR)).isEqualTo(Action.DELETE_PID_FILE);
    }

    @Test
    void shouldDeleteUnreadablePidFile() {
        assertThat(StalePostmaster.decide(Optional.of("garbage\n"), DEAD, DIR)).isEqualTo(Action.DELETE_PID_FILE);
    }

    @Test
    void shouldReadPidFromFirstLine() {
        assertThat(StalePostmaster.pidOf(PID_FILE)).contains(4242L);
        assertThat(StalePostmaster.pidOf("")).isEmpty();
        assertThat(StalePostmaster.pidOf("-3\n")).isEmpty();
    }
}
