package dev.killswitch.controller.transport;

import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.transport.cipher.Cipher;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Transport} over SSH with sshj: strict host key checking against a known_hosts file (trust on first use
 * only when asked), key login, connect and socket timeouts, keepalive, and an optional jump host whose key is
 * checked too. Encrypted private keys are decrypted with the passphrase from {@value #PASSPHRASE_ENV}, never from
 * an argument (visible in ps). One SSH connection per {@link #connect}; thread-safe.
 */
public final class SshTransport implements Transport {

    /** Seconds between keepalive requests; three missed answers in a row end the connection. */
    static final int KEEPALIVE_SECONDS = 10;
    /** Read timeout once logged in: long enough that keepalive answers always arrive within it. */
    static final int SOCKET_TIMEOUT_MS = 3 * KEEPALIVE_SECONDS * 1000;
    /** sshj's default wait for protocol answers (channel opens, re-keying) once logged in. */
    private static final int PROTOCOL_TIMEOUT_MS = 30_000;

    /** The environment variable holding the passphrase of encrypted private keys. */
    public static final String PASSPHRASE_ENV = "KILLSWITCH_SSH_KEY_PASSPHRASE";

    private final KnownHosts knownHosts;
    private final char[] passphrase;
    // Decrypted once per run: bcrypt makes each decryption slow on purpose, and a run opens many connections.
    private final Map<Path, KeyProvider> keys = new ConcurrentHashMap<>();

    /** A transport for unencrypted keys only. */
    public SshTransport(Path knownHostsFile, boolean acceptNewHostKeys) {
        this(knownHostsFile, acceptNewHostKeys, null);
    }

    /**
     * @param knownHostsFile OpenSSH known_hosts file (need not exist unless hosts are to be trusted from it)
     * @param acceptNewHostKeys append the key of a host that has no entry yet (trust on first use); a host whose
     *     key changed is refused either way
     * @param keyPassphrase the passphrase of encrypted private keys, or null when there is none
     */
    public SshTransport(Path knownHostsFile, boolean acceptNewHostKeys, char[] keyPassphrase) {
        this.knownHosts = new KnownHosts(knownHostsFile, acceptNewHostKeys);
        this.passphrase = keyPassphrase == null ? null : keyPassphrase.clone();
    }

    /** {@value #PASSPHRASE_ENV} from the environment; null when unset or empty. */
    public static char[] passphraseFromEnvironment() {
        String value = System.getenv(PASSPHRASE_ENV);
        return value == null || value.isEmpty() ? null : value.toCharArray();
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
        Config config = new ProbedConfig();
        config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        SSHClient client = new SSHClient(config);
        // before connecting: a key that cannot be used fails without contacting the host
        KeyProvider identity = loadKey(client, target, who);
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
            client.authPublickey(at.user(), identity);
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

    /**
     * sshj's defaults, except that the ciphers this JVM supports are found once per process: sshj's own config
     * tries every cipher on each construction, which cost more controller CPU than the key exchange (a 10-host apply
     * opens 20 connections).
     */
    private static final class ProbedConfig extends DefaultConfig {
        private static final List<Factory.Named<Cipher>> CIPHERS = List.copyOf(new DefaultConfig().getCipherFactories());

        @Override
        protected void initCipherFactories() {
            setCipherFactories(CIPHERS);
        }
    }

    private KeyProvider loadKey(SSHClient client, Target target, String who) throws Unreachable {
        Path file = target.privateKey();
        KeyProvider cached = keys.get(file);
        if (cached != null) {
            return cached;
        }
        Passphrase finder = new Passphrase(passphrase);
        try {
            KeyProvider loaded = client.loadKeys(file.toString(), finder);
            loaded.getPrivate(); // sshj decrypts lazily; a wrong passphrase must fail here, not in the middle of a login
            keys.putIfAbsent(file, loaded);
            return loaded;
        } catch (IOException | RuntimeException e) {
            throw new Unreachable(target.name(), "host " + who + ": " + keyError(file, finder.asked, e)
                    + "; the host was not contacted", null);
        }
    }

    // Only the exception's class: a parser message could quote the key file.
    private String keyError(Path file, boolean asked, Exception e) {
        if (!asked) {
            return "cannot load private key " + file + " (" + e.getClass().getSimpleName()
                    + "); it must be an OpenSSH or PEM private key";
        }
        if (passphrase == null) {
            return "private key " + file + " is encrypted and " + PASSPHRASE_ENV + " is not set; set it to the "
                    + "key's passphrase";
        }
        return "the passphrase in " + PASSPHRASE_ENV + " does not decrypt private key " + file + " ("
                + e.getClass().getSimpleName() + ")";
    }

    /** Hands sshj a copy of the passphrase (it wipes what it gets) and remembers whether the key asked for one. */
    private static final class Passphrase implements PasswordFinder {
        private final char[] value;
        private volatile boolean asked;

        Passphrase(char[] value) {
            this.value = value;
        }

        @Override
        public char[] reqPassword(Resource<?> resource) {
            asked = true;
            return value == null ? new char[0] : value.clone();
        }

        @Override
        public boolean shouldRetry(Resource<?> resource) {
            return false; // the passphrase cannot change during a run
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
