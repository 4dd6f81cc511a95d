package dev.killswitch.controller.transport;

import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.connection.channel.direct.AbstractDirectChannel;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/** One logged-in sshj client (and the jump client it goes through); every call opens its own channel. */
final class SshConnection implements Connection {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int SFTP_CHUNK = 32 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** After the remote timeout sends TERM, how long it waits before KILL. */
    static final Duration KILL_AFTER = Duration.ofSeconds(5);
    /** Extra local wait beyond the remote kill, for the answer to travel back. */
    private static final Duration BACKSTOP = Duration.ofSeconds(5);
    private static final int TIMED_OUT = 124;
    private static final int KILLED = 128 + 9;

    private final Target target;
    private final SSHClient client;
    private final SSHClient jump;

    SshConnection(Target target, SSHClient client, SSHClient jump) {
        this.target = target;
        this.client = client;
        this.jump = jump;
    }

    @Override
    public Target target() {
        return target;
    }

    @Override
    public ExecResult exec(List<String> argv, byte[] stdin, Duration timeout) throws TransportException {
        return exec(argv, stdin, null, timeout);
    }

    @Override
    public ExecResult exec(List<String> argv, byte[] stdin, Consumer<String> then, Duration timeout)
            throws TransportException {
        return channel(argv, (out, head) -> stdin, then, timeout);
    }

    @Override
    public ExecResult converse(List<String> argv, Function<String, byte[]> answer, Consumer<String> then,
                               Duration timeout) throws TransportException {
        return channel(argv, (out, head) -> {
            for (int b = out.read(); b >= 0; b = out.read()) {
                if (b == '\n') {
                    byte[] reply = answer.apply(head.toString(StandardCharsets.UTF_8));
                    head.reset();
                    return reply;
                }
                head.write(b);
            }
            return null; // ended without a whole line: what it printed stays in head
        }, then, timeout);
    }

    /** Reads stdout to its end, handing each whole line to {@code then} as it arrives; keeps all of it in head. */
    private static void lines(InputStream out, ByteArrayOutputStream head, Consumer<String> then) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = out.read(); b >= 0; b = out.read()) {
            head.write(b);
            if (b == '\n') {
                then.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }

    @Override
    public Stream openSocket(String path) throws TransportException {
        StreamLocalChannel channel = new StreamLocalChannel(client.getConnection(), path);
        try {
            channel.open();
        } catch (OpenFailException e) {
            return null; // sshd could not connect to it: nothing listens there (or forwarding is off)
        } catch (IOException e) {
            throw failed("opening " + path + " failed", e);
        }
        return new Stream() {
            @Override
            public InputStream in() {
                return channel.getInputStream();
            }

            @Override
            public OutputStream out() {
                return channel.getOutputStream();
            }

            @Override
            public void endOutput() throws IOException {
                channel.getOutputStream().close(); // sshj sends the channel's EOF; sshd shuts the socket's write side
            }

            @Override
            public void close() {
                closeQuietly(channel);
            }
        };
    }

    /** OpenSSH's {@code direct-streamlocal@openssh.com} channel: socket path, then two reserved fields. */
    private static final class StreamLocalChannel extends AbstractDirectChannel {
        private final String path;

        StreamLocalChannel(net.schmizz.sshj.connection.Connection conn, String path) {
            super(conn, "direct-streamlocal@openssh.com");
            this.path = path;
        }

        @Override
        protected SSHPacket buildOpenReq() {
            return super.buildOpenReq().putString(path).putString("").putUInt32(0);
        }
    }

    @Override
    public void put(byte[] content, String remotePath, int mode) throws TransportException {
        if (target.become()) {
            run(List.of("dd", "of=" + remotePath, "status=none"), content);
            return;
        }
        FileAttributes attributes = new FileAttributes.Builder().withPermissions(mode).build();
        try (SFTPClient sftp = client.newSFTPClient();
             RemoteFile file = sftp.open(remotePath, EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.TRUNC),
                     attributes)) {
            file.write(0, content, 0, content.length);
        } catch (IOException e) {
            throw failed("writing " + remotePath + " failed", e);
        }
    }

    /** Before the command's stdin is written and closed: reads what it needs from stdout, returns the stdin bytes. */
    @FunctionalInterface
    private interface Opening {
        byte[] stdin(InputStream out, ByteArrayOutputStream head) throws IOException;
    }

    private ExecResult channel(List<String> argv, Opening opening, Consumer<String> then, Duration timeout)
            throws TransportException {
        Duration limit = timeout == null ? target.commandTimeout() : timeout;
        String line = RemoteCommand.line(RemoteCommand.argv(target.become(), deadline(limit, argv)));
        long start = System.nanoTime();
        try (Session session = client.startSession()) {
            // Buffer whatever arrives so neither stream can stall the other; outputs here are small.
            session.setAutoExpand(true);
            Session.Command command = session.exec(line);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            byte[] stdin = opening.stdin(command.getInputStream(), head);
            try (OutputStream in = command.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            if (then != null) {
                lines(command.getInputStream(), head, then);
            }
            try {
                command.join(limit.plus(KILL_AFTER).plus(BACKSTOP).toMillis(), TimeUnit.MILLISECONDS);
            } catch (ConnectionException e) {
                if (client.isConnected() && client.getTransport().isRunning()) {
                    // The remote timeout did not end it: sshd keeps a channel open while its process lives,
                    // so only dropping the connection frees us. Later calls on it report the connection lost.
                    close();
                    throw new CommandTimeout(target.name(), String.join(" ", argv), limit);
                }
                throw lost(e);
            }
            int exitCode = exitCode(command);
            if ((exitCode == TIMED_OUT || exitCode == KILLED) && System.nanoTime() - start >= limit.toNanos()) {
                throw new CommandTimeout(target.name(), String.join(" ", argv), limit);
            }
            String out = head.toString(StandardCharsets.UTF_8)
                    + IOUtils.readFully(command.getInputStream()).toString(StandardCharsets.UTF_8);
            String err = IOUtils.readFully(command.getErrorStream()).toString(StandardCharsets.UTF_8);
            return new ExecResult(exitCode, out, err);
        } catch (IOException e) {
            throw failed(argv.get(0) + " failed to run", e);
        }
    }

    /**
     * {@code argv} under coreutils timeout: TERM at the limit, KILL {@link #KILL_AFTER} later. The gateway has to
     * enforce it, because sshd neither kills a command whose channel closes nor takes signals for root logins.
     */
    static List<String> deadline(Duration limit, List<String> argv) {
        long millis = Math.max(1, limit.toMillis());
        List<String> all = new ArrayList<>(List.of("timeout", "-k", KILL_AFTER.toSeconds() + "s",
                String.format(Locale.ROOT, "%d.%03ds", millis / 1000, millis % 1000)));
        all.addAll(argv);
        return all;
    }

    @Override
    public void upload(byte[] content, String remotePath, int mode) throws TransportException {
        if (remotePath.isEmpty() || remotePath.endsWith("/")) {
            throw new IllegalArgumentException("upload needs a file path, not '" + remotePath + "'");
        }
        String dir = parent(remotePath);
        String name = remotePath.substring(remotePath.lastIndexOf('/') + 1);
        String suffix = HexFormat.of().toHexDigits(RANDOM.nextLong());
        String temporary = join(dir, "." + name + ".ks-" + suffix);
        run(List.of("mkdir", "-p", "--", dir));
        try (SFTPClient sftp = client.newSFTPClient()) {
            if (target.become()) {
                // The login user may not write there: stage in its home, then copy as root next to the target.
                String staged = join(sftp.canonicalize("."), ".killswitch-upload-" + suffix);
                write(sftp, staged, content, 0600);
                try {
                    run(List.of("install", "-m", Integer.toOctalString(mode), "--", staged, temporary));
                } finally {
                    quietly(() -> sftp.rm(staged));
                }
            } else {
                try {
                    write(sftp, temporary, content, mode);
                } catch (IOException e) {
                    quietly(() -> sftp.rm(temporary));
                    throw e;
                }
            }
        } catch (IOException e) {
            throw failed("upload to " + remotePath + " failed", e);
        }
        try {
            move(temporary, remotePath);
        } catch (TransportException e) {
            quietlyRun(List.of("rm", "-f", "--", temporary));
            throw e;
        }
    }

    @Override
    public void move(String from, String to) throws TransportException {
        run(List.of("mv", "-f", "--", from, to));
    }

    @Override
    public String sha256(String remotePath) throws TransportException {
        ExecResult result = exec(List.of("env", "LC_ALL=C", "sha256sum", "--", remotePath), null, null);
        if (!result.ok()) {
            if (result.stderr().contains("No such file or directory")) {
                return null;
            }
            throw new RemoteError(target.name(), "host " + target.name() + ": sha256sum " + remotePath
                    + " failed with exit code " + result.exitCode() + ": " + result.stderr().strip());
        }
        // sha256sum prefixes the line with a backslash when it had to escape the file name.
        String out = result.stdout().startsWith("\\") ? result.stdout().substring(1) : result.stdout();
        String hex = out.length() >= 64 ? out.substring(0, 64) : out;
        if (!SHA256.matcher(hex).matches()) {
            throw new RemoteError(target.name(), "host " + target.name() + ": sha256sum " + remotePath
                    + " printed no checksum: " + result.stdout().strip());
        }
        return hex;
    }

    @Override
    public void close() {
        closeQuietly(client);
        closeQuietly(jump);
    }

    static void closeQuietly(Closeable closeable) {
        if (closeable != null) {
            IOUtils.closeQuietly(closeable);
        }
    }

    private void run(List<String> argv) throws TransportException {
        run(argv, null);
    }

    private void run(List<String> argv, byte[] stdin) throws TransportException {
        ExecResult result = exec(argv, stdin, null);
        if (!result.ok()) {
            throw new RemoteError(target.name(), "host " + target.name() + ": " + String.join(" ", argv)
                    + " failed with exit code " + result.exitCode() + ": " + result.stderr().strip());
        }
    }

    private void quietlyRun(List<String> argv) {
        try {
            exec(argv, null, null);
        } catch (TransportException e) {
            // best effort cleanup; the original failure is what matters
        }
    }

    private static void write(SFTPClient sftp, String path, byte[] content, int mode) throws IOException {
        FileAttributes attributes = new FileAttributes.Builder().withPermissions(mode).build();
        // EXCL: the random name must be new, so nothing planted there in advance (a symlink, say) is written through.
        try (RemoteFile file = sftp.open(path, EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.EXCL), attributes);
             OutputStream out = file.new RemoteFileOutputStream(0, 16)) {
            // One write request per chunk: OpenSSH's sftp-server drops the session on messages over 256 KiB.
            for (int offset = 0; offset < content.length; offset += SFTP_CHUNK) {
                out.write(content, offset, Math.min(SFTP_CHUNK, content.length - offset));
            }
        }
        sftp.chmod(path, mode); // the server applied its umask to the mode given at open
    }

    private static int exitCode(Session.Command command) {
        Integer status = command.getExitStatus();
        if (status != null) {
            return status;
        }
        Signal signal = command.getExitSignal();
        return signal == null ? -1 : 128 + signalNumber(signal);
    }

    private static int signalNumber(Signal signal) {
        return switch (signal) {
            case HUP -> 1;
            case INT -> 2;
            case QUIT -> 3;
            case ILL -> 4;
            case ABRT -> 6;
            case FPE -> 8;
            case KILL -> 9;
            case USR1 -> 10;
            case SEGV -> 11;
            case USR2 -> 12;
            case PIPE -> 13;
            case ALRM -> 14;
            case TERM -> 15;
            case UNKNOWN -> 0;
        };
    }

    private Unreachable lost(IOException e) {
        return new Unreachable(target.name(), "host " + target.name() + " (" + target.address()
                + "): connection lost (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }

    private TransportException failed(String what, IOException e) {
        if (!client.isConnected()) {
            return lost(e);
        }
        return new RemoteError(target.name(), "host " + target.name() + ": " + what + ": " + e.getMessage(), e);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return ".";
        }
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    private static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    private interface Step {
        void run() throws IOException;
    }

    private static void quietly(Step step) {
        try {
            step.run();
        } catch (IOException e) {
            // cleanup after a failure or timeout; nothing more to do
        }
    }
}
