package dev.killswitch.controller.transport;

import java.time.Duration;
import java.util.List;

/** One open connection to one gateway; each call runs on its own channel. */
public interface Connection extends AutoCloseable {

    /** The gateway this connection reaches. */
    Target target();

    /**
     * Runs {@code argv} on the gateway (behind {@code sudo -n --} when the target asks for become) and waits for it.
     * Every argument is single-quoted for the remote POSIX shell, so data never becomes shell syntax.
     *
     * @param stdin bytes fed to the command, then end of file; null for none
     * @param timeout how long to wait; null for the target's command timeout
     * @throws CommandTimeout when the command outlives the timeout; the gateway itself stops it (coreutils
     *     {@code timeout}: TERM, then KILL five seconds later)
     */
    ExecResult exec(List<String> argv, byte[] stdin, Duration timeout) throws TransportException;

    /** Writes {@code content} to {@code remotePath} with permission bits {@code mode}: to a temporary name, then renamed. */
    void upload(byte[] content, String remotePath, int mode) throws TransportException;

    /** Renames {@code from} to {@code to} on the gateway, replacing {@code to} (one rename on the same filesystem). */
    void move(String from, String to) throws TransportException;

    /** Lowercase hex SHA-256 of a remote file, or null when the file does not exist. */
    String sha256(String remotePath) throws TransportException;

    /** Closes the connection; never throws. */
    @Override
    void close();
}
