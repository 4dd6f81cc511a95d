package dev.killswitch.controller.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SshTransportTest {

    @TempDir
    Path dir;

    @Test
    void aMissingPrivateKeyIsReportedBeforeAnyConnectionIsMade() {
        Target target = Targets.named("gw3");
        Unreachable e = assertThrows(Unreachable.class,
                () -> new SshTransport(dir.resolve("known_hosts"), false).connect(target));
        assertEquals("host gw3 (gw3.lab:22): private key /nonexistent/id_ed25519 does not exist or is not readable",
                e.getMessage());
    }

    @Test
    void theGatewayEnforcesTheCommandTimeoutWithCoreutilsTimeout() {
        assertEquals(List.of("timeout", "-k", "5s", "1.500s", "sleep", "9"),
                SshConnection.deadline(Duration.ofMillis(1500), List.of("sleep", "9")));
        assertEquals(List.of("timeout", "-k", "5s", "600.000s", "true"),
                SshConnection.deadline(Duration.ofMinutes(10), List.of("true")));
    }

    @Test
    void becomeGoesOutsideTheTimeoutSoTheTimeoutRunsAsRoot() {
        String line = RemoteCommand.line(RemoteCommand.argv(true,
                SshConnection.deadline(Duration.ofSeconds(2), List.of("iptables-save"))));
        assertTrue(line.startsWith("'sudo' '-n' '--' 'timeout' "), line);
    }

    static final String PASSPHRASE = "correct horse battery staple";

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ed25519, RFC4716", "rsa, PEM"})
    void anEncryptedKeyWithoutItsPassphraseFailsNamingTheKeyFileBeforeTheHostIsContacted(String type, String format)
            throws Exception {
        Path key = encryptedKey(type, format);
        try (Listener gw = new Listener()) {
            Unreachable missing = assertThrows(Unreachable.class,
                    () -> new SshTransport(dir.resolve("known_hosts"), false).connect(gw.target(key)));
            assertEquals("host gw1 (127.0.0.1:" + gw.port() + "): private key " + key + " is encrypted and "
                    + "KILLSWITCH_SSH_KEY_PASSPHRASE is not set; set it to the key's passphrase; the host was not "
                    + "contacted", missing.getMessage());
            Unreachable wrong = assertThrows(Unreachable.class, () -> new SshTransport(dir.resolve("known_hosts"),
                    false, "not the passphrase".toCharArray()).connect(gw.target(key)));
            assertTrue(wrong.getMessage().startsWith("host gw1 (127.0.0.1:" + gw.port() + "): the passphrase in "
                    + "KILLSWITCH_SSH_KEY_PASSPHRASE does not decrypt private key " + key + " ("), wrong.getMessage());
            assertFalse(wrong.getMessage().contains("not the passphrase"));
            assertEquals(0, gw.connections(), "no connection was opened");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ed25519, RFC4716", "rsa, PEM"})
    void anEncryptedKeyWithItsPassphraseGetsAsFarAsTheHost(String type, String format) throws Exception {
        Path key = encryptedKey(type, format);
        char[] passphrase = PASSPHRASE.toCharArray();
        SshTransport transport = new SshTransport(dir.resolve("known_hosts"), false, passphrase);
        java.util.Arrays.fill(passphrase, '\0'); // the transport keeps its own copy
        try (Listener gw = new Listener()) {
            for (int i = 1; i <= 2; i++) { // the second connection reuses the decrypted key
                Unreachable e = assertThrows(Unreachable.class, () -> transport.connect(gw.target(key)));
                assertFalse(e.getMessage().contains("private key"), e.getMessage());
                assertFalse(e.getMessage().contains(PASSPHRASE), e.getMessage());
                assertEquals(i, gw.connections(), e.getMessage());
            }
        }
    }

    /** A private key encrypted with {@link #PASSPHRASE}; RFC4716 is OpenSSH's own format, PEM the older one. */
    Path encryptedKey(String type, String format) throws Exception {
        Path key = dir.resolve("id_" + type + "_" + format);
        Process kg = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-b", type.equals("rsa") ? "2048" : "256",
                "-m", format, "-N", PASSPHRASE, "-f", key.toString()).redirectErrorStream(true).start();
        String out = new String(kg.getInputStream().readAllBytes());
        assertEquals(0, kg.waitFor(), out);
        return key;
    }

    /** A TCP listener on loopback standing in for a gateway: it counts connections and closes them at once. */
    static final class Listener implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger accepted = new AtomicInteger();

        Listener() throws IOException {
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "gateway-listener");
            t.setDaemon(true);
            t.start();
        }

        Target target(Path key) {
            return new Target("gw1", "127.0.0.1", port(), "root", key, false, null, Duration.ofSeconds(5),
                    Duration.ofSeconds(30));
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return accepted.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
