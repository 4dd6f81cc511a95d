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
        java.util.Optional<Path> socket = Resident.socket(Path.of(stateDir), jarSha256);
        if (socket.isEmpty()) {
            return null;
        }
        Connection.Stream stream;
        try {
            stream = c.openSocket(socket.get().toString());
        } catch (UnsupportedOperationException e) {
            return null;
        }
        if (stream == null) {
            return null;
        }
        // sshd's view of this connection, which the guard protects (behind NAT the controller's own view differs)
        ExecResult env = c.exec(List.of("printenv", Resident.SSH_CONNECTION), null, null);
        return new ResidentAgent(c, stream, env.ok() && !env.stdout().isBlank() ? env.stdout().strip() : null);
    }

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
