package dev.killswitch.controller.rollout;

import dev.killswitch.agent.resident.Conversation;
import dev.killswitch.agent.resident.Resident;
import dev.killswitch.controller.transport.CommandTimeout;
import dev.killswitch.controller.transport.Connection;
import dev.killswitch.controller.transport.ExecResult;
import dev.killswitch.controller.transport.RemoteError;
import dev.killswitch.controller.transport.TransportException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One request to a gateway's resident agent (see the agent's {@code serve}): over the run's SSH connection to the
 * agent's socket in its state dir, named after the jar this controller installs, so only that very agent answers.
 */
final class ResidentAgent {
    private final Connection connection;
    private final Connection.Stream stream;
    private final String sshConnection;

    private ResidentAgent(Connection connection, Connection.Stream stream, String sshConnection) {
        this.connection = connection;
        this.stream = stream;
        this.sshConnection = sshConnection;
    }

    /**
     * The resident agent of the jar with {@code jarSha256} for {@code stateDir}, or null when none answers (none
     * started yet, an older jar's, a login that is not root, a transport without socket forwarding).
     */
    static ResidentAgent reach(Connection c, String stateDir, String jarSha256) throws TransportException {
        if (c.target().become()) {
            return null; // its socket is root's; sshd forwards as the login user
        }
        try {
            return attach(c, stateDir, jarSha256);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /** As {@link #reach}, but a transport that forwards to no sockets throws UnsupportedOperationException. */
    private static ResidentAgent attach(Connection c, String stateDir, String jarSha256) throws TransportException {
        java.util.Optional<Path> socket = Resident.socket(Path.of(stateDir), jarSha256);
        if (socket.isEmpty()) {
            return null;
        }
        Connection.Stream stream = c.openSocket(socket.get().toString());
        if (stream == null) {
            return null;
        }
        // sshd's view of this connection, which the guard protects (behind NAT the controller's own view differs)
        ExecResult env = c.exec(List.of("printenv", Resident.SSH_CONNECTION), null, null);
        return new ResidentAgent(c, stream, env.ok() && !env.stdout().isBlank() ? env.stdout().strip() : null);
    }

    /**
     * Starts the resident agent of the installed {@code jar} (SHA-256 {@code jarSha256}) for {@code stateDir} and
     * returns it once it answers, so that the run that starts it works through it: the gateway then starts one JVM,
     * not an agent per call and a resident one besides. It skips the warm-up (this run's requests are its warm-up).
     * Null when it does not answer within {@code wait}, or it listens but sshd does not forward to it
     * ({@code AllowStreamLocalForwarding no}): the run then starts the agent per call.
     */
    static ResidentAgent start(Connection c, List<String> jvm, String jar, String jarSha256, String stateDir,
                               Duration idle, Duration wait) throws TransportException {
        java.util.Optional<Path> socket = Resident.socket(Path.of(stateDir), jarSha256);
        if (c.target().become() || socket.isEmpty()) {
            return null;
        }
        try {
            ResidentAgent running = attach(c, stateDir, jarSha256); // another run may have started it meanwhile
            if (running != null) {
                return running;
            }
        } catch (UnsupportedOperationException e) {
            return null; // this transport could never reach it
        }
        List<String> argv = new ArrayList<>(List.of("sh", "-c", LAUNCH, "killswitch-resident", stateDir, "java"));
        argv.addAll(jvm);
        argv.addAll(Resident.serve(Path.of(jar), Path.of(stateDir), idle, 0));
        if (!c.exec(argv, null, null).ok()) {
            return null; // no java (the agent per call then says what to install), or no state dir
        }
        long end = System.nanoTime() + wait.toNanos();
        for (int attempt = 1; ; attempt++) {
            ResidentAgent agent = reach(c, stateDir, jarSha256);
            if (agent != null) {
                return agent;
            }
            if (System.nanoTime() > end) {
                return null;
            }
            // every second: an agent that listens there yet cannot be reached means sshd does not forward to it
            // (a socket file alone may be a stale one, which the agent starting now replaces)
            if (attempt % 10 == 0 && !c.exec(List.of("ss", "-Hxl", "src", socket.get().toString()), null, null)
                    .stdout().isBlank()) {
                return reach(c, stateDir, jarSha256);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /**
     * Starts {@code "$@"} in its own session with its output in STATE-DIR/resident.log ($1, created root-only when
     * missing): it outlives the SSH session. Exits 127 at once when there is no java.
     */
    private static final String LAUNCH = "command -v \"$2\" >/dev/null || exit 127; umask 077 && mkdir -p -- \"$1\""
            + " && log=\"$1/resident.log\" && shift && exec setsid -f \"$@\" </dev/null >>\"$log\" 2>&1";

    /** Runs one agent command as {@link Connection#converse} (answer given) or {@link Connection#exec} would. */
    ExecResult run(List<String> args, Function<String, byte[]> answer, byte[] stdin, Consumer<String> then,
                   Duration timeout) throws TransportException {
        Duration limit = timeout == null ? connection.target().commandTimeout() : timeout;
        long start = System.nanoTime();
        // the agent's own timeout does not apply to a request: end the stream at the limit, as the gateway ends a command
        CompletableFuture.delayedExecutor(limit.toMillis(), TimeUnit.MILLISECONDS).execute(stream::close);
        try (stream) {
            Conversation.Reply r = Conversation.run(stream.in(), stream.out(), stream::endOutput, args, sshConnection,
                    answer, stdin, then, limit);
            return new ExecResult(r.exitCode(), r.stdout(), r.stderr());
        } catch (IOException e) {
            if (System.nanoTime() - start >= limit.toNanos()) {
                throw new CommandTimeout(connection.target().name(), "resident agent " + String.join(" ", args), limit);
            }
            String host = connection.target().name();
            throw new RemoteError(host, "host " + host + ": resident agent: " + e.getMessage(), e);
        }
    }
}
