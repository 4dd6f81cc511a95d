package dev.killswitch.controller.transport;

/**
 * What a remote command returned. {@code exitCode} is 128 + the signal number when a signal ended it, and -1 when
 * the gateway reported neither.
 */
public record ExecResult(int exitCode, String stdout, String stderr) {

    public ExecResult {
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }

    public boolean ok() {
        return exitCode == 0;
    }
}
