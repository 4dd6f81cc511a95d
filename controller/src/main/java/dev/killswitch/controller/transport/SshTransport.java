package dev.killswitch.controller.transport;

import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@link Transport} over SSH with sshj: strict host key checking against a known_hosts file (trust on first use
 * only when asked), key login, connect and socket timeouts, keepalive, and an optional jump host whose key is
 * checked too. One SSH connection per {@link #connect}; thread-safe.
 */
public final class SshTransport implements Transport {

    /** Seconds between keepalive requests; three missed answers in a row end the connection. */
    static final int KEEPALIVE_SECONDS = 10;
    /** Read timeout once logged in: long enough that keepalive answers always arrive within it. */
    static final int SOCKET_TIMEOUT_MS = 3 * KEEPALIVE_SECONDS * 1000;
    /** sshj's default wait for protocol answers (channel opens, re-keying) once logged in. */
    private static final int PROTOCOL_TIMEOUT_MS = 30_000;

    private final KnownHosts knownHosts;

    /**
     * @param knownHostsFile OpenSSH known_hosts file (need not exist unless hosts are to be trusted from it)
     * @param acceptNewHostKeys append the key of a host that has no entry yet (trust on first use); a host whose
     *     key changed is refused either way
     */
    public SshTransport(Path knownHostsFile, boolean acceptNewHostKeys) {
        this.knownHosts = new KnownHosts(knownHostsFile, acceptNewHostKeys);
    }

    /** The current user's {@code ~/.ssh/known_hosts}. */
    public static Path defaultKnownHosts() {
        return Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
    }

    @Override
    public Connection connect(Target target) throws TransportException {
        Endpoint jump = target.jump();
        SSHClient jumpClient = null;
        try {
            if (jump != null) {
                jumpClient = login(target, "jump host " + jump.address() + " for " + target.name(), jump, null);
            }
            Endpoint self = new Endpoint(target.user(), target.host(), target.port());
            SSHClient client = login(target, target.name() + " (" + target.address() + ")", self, jumpClient);
            return new SshConnection(target, client, jumpClient);
        } catch (TransportException | RuntimeException e) {
            SshConnection.closeQuietly(jumpClient);
            throw e;
        }
    }

    private SSHClient login(Target target, String who, Endpoint at, SSHClient via) throws TransportException {
        Path key = target.privateKey();
        if (!Files.isReadable(key)) {
            throw new Unreachable(target.name(), "host " + who + ": private key " + key
                    + " does not exist or is not readable", null);
        }
        int connectMs = Math.toIntExact(Math.max(1, target.connectTimeout().toMillis()));
        // A config per client: its random source and factories are not meant to be shared across threads.
        Config config = new DefaultConfig();
        config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        SSHClient client = new SSHClient(config);
        KnownHosts.Check check = knownHosts.newCheck();
        client.addHostKeyVerifier(check);
        client.setConnectTimeout(connectMs);
        client.setTimeout(connectMs); // a silent server fails the handshake within the connect timeout
        client.getTransport().setTimeoutMs(connectMs);
        client.getConnection().getKeepAlive().setKeepAliveInterval(KEEPALIVE_SECONDS);
        try {
            if (via == null) {
                client.connect(at.host(), at.port());
            } else {
                via.getConnection().setTimeoutMs(connectMs);
                client.connectVia(via.newDirectConnection(at.host(), at.port()));
            }
            KeyProvider keys = loadKey(client, target, who);
            client.authPublickey(at.user(), keys);
            client.getTransport().setTimeoutMs(PROTOCOL_TIMEOUT_MS);
            if (client.getSocket() != null) {
                client.getSocket().setSoTimeout(SOCKET_TIMEOUT_MS);
            }
            return client;
        } catch (IOException e) {
            SshConnection.closeQuietly(client);
            throw refusal(target, who, at, check, e);
        } catch (RuntimeException e) {
            SshConnection.closeQuietly(client);
            throw e;
        }
    }

    private static KeyProvider loadKey(SSHClient client, Target target, String who) throws Unreachable {
        try {
            return client.loadKeys(target.privateKey().toString());
        } catch (IOException e) {
            // Only the exception's class: a parser message could quote the key file.
            throw new Unreachable(target.name(), "host " + who + ": cannot load private key " + target.privateKey()
                    + " (" + e.getClass().getSimpleName() + "); it must be an unencrypted OpenSSH or PEM key", null);
        }
    }

    private TransportException refusal(Target target, String who, Endpoint at, KnownHosts.Check check,
                                       IOException e) {
        KnownHosts.Verdict refused = check.refused();
        if (refused instanceof KnownHosts.Changed changed) {
            return new HostKeyMismatch(target.name(), who, KnownHosts.entryName(at.host(), at.port()),
                    changed.expected(), changed.presented(), knownHosts.file());
        }
        if (refused instanceof KnownHosts.Unknown unknown) {
            return new UnknownHostKey(target.name(), who, unknown.presented(), knownHosts.file());
        }
        return new Unreachable(target.name(), "host " + who + " is unreachable: " + reason(target, at, e), e);
    }

    private static String reason(Target target, Endpoint at, IOException e) {
        Duration timeout = target.connectTimeout();
        if (e instanceof UserAuthException) {
            return "login as " + at.user() + " with key " + target.privateKey() + " was refused ("
                    + e.getMessage() + ")";
        }
        if (e instanceof UnknownHostException) {
            return "cannot resolve host name " + at.host();
        }
        if (e instanceof SocketTimeoutException || hasCause(e, SocketTimeoutException.class)) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof OpenFailException) {
            return "the jump host could not open a connection to " + at.address() + " (" + e.getMessage() + ")";
        }
        return "SSH handshake failed (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }
}
