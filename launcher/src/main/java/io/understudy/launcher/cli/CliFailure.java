package io.understudy.launcher.cli;

/**
 * Why a command did not do what was asked, in words for the operator; the command exits with
 * {@link #exitCode}. Exit codes of the client commands: 0 done, 1 refused or failed (the switch said
 * no, could not be reached, did not accept the token, or a drill missed its targets), 2 usage.
 */
public final class CliFailure extends RuntimeException {

    /** The cluster or the switch refused, could not be reached, or the outcome was not what was asked. */
    public static final int REFUSED = 1;

    private final int exitCode;

    public CliFailure(String message) {
        this(REFUSED, message);
    }

    public CliFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
