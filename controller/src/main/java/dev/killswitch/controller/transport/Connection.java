package dev.killswitch.controller.transport;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

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

    /**
     * As {@link #exec(List, byte[], Duration)}, and hands {@code then} each whole line of stdout as soon as it arrives,
     * while the command goes on (it may, say, wait for something {@code then} does). An unchecked exception from
     * {@code then} ends the call: the channel is closed and the exception propagates.
     *
     * @throws UnsupportedOperationException when this connection cannot watch a command's output as it comes
     */
    default ExecResult exec(List<String> argv, byte[] stdin, Consumer<String> then, Duration timeout)
            throws TransportException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " holds no dialogues");
    }

    /**
     * Runs {@code argv} as a dialogue: waits for the first line it prints, writes {@code answer}'s reply to that line to
     * its standard input (then end of file), and waits for it as {@link #exec} does. The result's stdout is what it
     * printed after that line. When it ends without printing a whole line, {@code answer} is not called and stdout is
     * whatever it printed.
     *
     * @throws UnsupportedOperationException when this connection cannot hold a dialogue (then use {@link #exec} twice)
     */
    default ExecResult converse(List<String> argv, Function<String, byte[]> answer, Duration timeout)
            throws TransportException {
        return converse(argv, answer, null, timeout);
    }

    /**
     * As {@link #converse(List, Function, Duration)}, and after the answer hands {@code then} each further whole line
     * as soon as it arrives, while the command goes on (it may, say, wait for something {@code then} does). An
     * unchecked exception from {@code then} ends the call: the channel is closed and the exception propagates.
     */
    default ExecResult converse(List<String> argv, Function<String, byte[]> answer, Consumer<String> then,
                                Duration timeout) throws TransportException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " holds no dialogues");
    }

    /**
     * Writes a small file in one go, replacing it: over SFTP (no shell, no temporary name), or with {@code dd} under
     * sudo when the target asks for become. For tokens the reader checks, not for files that must appear atomically.
     */
    void put(byte[] content, String remotePath, int mode) throws TransportException;

    /** Writes {@code content} to {@code remotePath} with permission bits {@code mode}: to a temporary name, then renamed. */
    void upload(byte[] content, String remotePath, int mode) throws TransportException;

    /** Renames {@code from} to {@code to} on the gateway, replacing {@code to} (one rename on the same filesystem). */
    void move(String from, String to) throws TransportException;

    /** Lowercase hex SHA-256 of a remote file, or null when the file does not exist. */
    String sha256(String remotePath) throws TransportException;

    /**
     * A byte stream to the Unix socket {@code path} on the gateway (OpenSSH's streamlocal forwarding, as the login
     * user), or null when nothing listens there.
     *
     * @throws UnsupportedOperationException when this connection cannot forward to sockets
     */
    default Stream openSocket(String path) throws TransportException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " forwards to no sockets");
    }

    /** Both directions of a forwarded socket. */
    interface Stream extends AutoCloseable {
        java.io.InputStream in();

        java.io.OutputStream out();

        /** Sends end of file; what comes back can still be read. */
        void endOutput() throws java.io.IOException;

        /** Closes both directions; never throws. */
        @Override
        void close();
    }

    /** Closes the connection; never throws. */
    @Override
    void close();
}
