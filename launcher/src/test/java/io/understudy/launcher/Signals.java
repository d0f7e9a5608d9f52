package io.understudy.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Sends signals (STOP, CONT) to processes through one shell started up front, whose {@code kill}
 * is a builtin: forking a {@code kill} process per signal takes hundreds of milliseconds on a
 * loaded machine, which would make a 500 ms freeze last a second. {@link #send} returns once the
 * signal was sent. Not thread-safe.
 */
final class Signals implements AutoCloseable {

    private final Process shell;
    private final Writer commands;
    private final BufferedReader replies;

    Signals() throws IOException {
        shell = new ProcessBuilder("bash", "-c", "while read -r sig pid; do if kill -\"$sig\" \"$pid\"; then echo ok; else echo failed; fi; done")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = new java.io.OutputStreamWriter(shell.getOutputStream(), StandardCharsets.US_ASCII);
        replies = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** Sends {@code signal} (e.g. {@code STOP}) to {@code pid}; returns {@link System#nanoTime()} right after. */
    long send(String signal, long pid) throws IOException {
        commands.write(signal + " " + pid + "\n");
        commands.flush();
        String reply = replies.readLine();
        if (!"ok".equals(reply)) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " answered " + reply);
        }
        return System.nanoTime();
    }

    @Override
    public void close() throws InterruptedException {
        shell.destroy();
        shell.waitFor(10, TimeUnit.SECONDS);
    }
}
