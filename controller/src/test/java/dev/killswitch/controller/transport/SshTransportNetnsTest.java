package dev.killswitch.controller.transport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sshj transport against real sshds in two network namespaces (A, and B behind A). */
@Tag("netns")
class SshTransportNetnsTest {

    private static SshLab lab;
    private static Path knownHosts;

    @BeforeAll
    static void startLab() throws Exception {
        lab = new SshLab();
        try {
            lab.start();
            knownHosts = lab.dir.resolve("known_hosts");
            Files.writeString(knownHosts, "[127.0.0.1]:" + lab.portA + " " + lab.hostKeyLine("a") + "\n"
                    + SshLab.ADDRESS_B + " " + lab.hostKeyLine("b") + "\n");
        } catch (Throwable t) {
            lab.close();
            lab = null;
            throw t;
        }
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void execReturnsStdoutStderrExitCodeAndReadsStdin() throws Exception {
        try (Connection connection = new SshTransport(knownHosts, false).connect(lab.gatewayA("gw-a", lab.clientKey))) {
            ExecResult result = connection.exec(List.of("sh", "-c", "cat; echo oops >&2; exit 3"),
                    "from stdin\n".getBytes(StandardCharsets.UTF_8), null);
            assertEquals(new ExecResult(3, "from stdin\n", "oops\n"), result);
            assertEquals(new ExecResult(0, "", ""), connection.exec(List.of("true"), null, Duration.ofSeconds(10)));
        }
    }

    @Test
    void argumentsReachTheRemoteCommandExactlyAsGiven() throws Exception {
        List<String> nasty = List.of("it's", "two words", "$(id)", "`id`", "line one\nline two", "", "a;b", "*",
                "~", "\"q\"", "x=1", "$HOME", "é 日本");
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(nasty);
        try (Connection connection = new SshTransport(knownHosts, false).connect(lab.gatewayA("gw-a", lab.clientKey))) {
            ExecResult result = connection.exec(argv, null, null);
            assertEquals(0, result.exitCode(), result.stderr());
            List<String> words = Arrays.asList(result.stdout().split("\0", -1));
            assertEquals(nasty, words.subList(0, words.size() - 1));
        }
    }

    @Test
    void anRsaKeyLogsInToo() throws Exception {
        try (Connection connection = new SshTransport(knownHosts, false)
                .connect(lab.gatewayA("gw-a", lab.clientRsaKey))) {
            assertEquals("root\n", connection.exec(List.of("id", "-un"), null, null).stdout());
        }
    }

    @Test
    void aWrongHostKeyIsRefusedBeforeLoginWithBothFingerprintsAndTheFile() throws Exception {
        Path wrong = lab.dir.resolve("known_hosts_wrong");
        Files.writeString(wrong, "[127.0.0.1]:" + lab.portA + " " + lab.hostKeyLine("b") + "\n");
        long loginsBefore = lab.acceptedLogins("a");
        HostKeyMismatch e = assertThrows(HostKeyMismatch.class,
                () -> new SshTransport(wrong, true).connect(lab.gatewayA("gw-a", lab.clientKey)));
        assertEquals("gw-a", e.host());
        assertEquals(List.of("ssh-ed25519 " + lab.fingerprint("b")), e.expected());
        assertEquals("ssh-ed25519 " + lab.fingerprint("a"), e.presented());
        for (String part : List.of("gw-a", lab.fingerprint("a"), lab.fingerprint("b"), wrong.toString(),
                "[127.0.0.1]:" + lab.portA)) {
            assertTrue(e.getMessage().contains(part), part + " missing from: " + e.getMessage());
        }
        assertEquals(loginsBefore, lab.acceptedLogins("a"), "the mismatched host must not see a login");
        assertEquals(1, Files.readAllLines(wrong).size(), "acceptNewHostKeys never replaces a changed key");
    }

    @Test
    void anUnknownHostIsRefusedUnlessNewKeysAreAcceptedAndThenItIsAppended() throws Exception {
        Path fresh = lab.dir.resolve("tofu/known_hosts");
        Target target = lab.gatewayA("gw-a", lab.clientKey);
        UnknownHostKey refused = assertThrows(UnknownHostKey.class,
                () -> new SshTransport(fresh, false).connect(target));
        assertTrue(refused.getMessage().contains(lab.fingerprint("a")), refused.getMessage());
        assertFalse(Files.exists(fresh));

        try (Connection connection = new SshTransport(fresh, true).connect(target)) {
            assertTrue(connection.exec(List.of("true"), null, null).ok());
        }
        assertEquals(List.of("[127.0.0.1]:" + lab.portA + " " + lab.hostKeyLine("a")), Files.readAllLines(fresh));
        try (Connection connection = new SshTransport(fresh, false).connect(target)) {
            assertTrue(connection.exec(List.of("true"), null, null).ok());
        }
    }

    @Test
    void aHashedKnownHostsEntryWrittenByOpenSshIsTrusted() throws Exception {
        Path hashed = lab.dir.resolve("known_hosts_hashed");
        Files.copy(knownHosts, hashed);
        lab.run("ssh-keygen", "-H", "-f", hashed.toString());
        assertTrue(Files.readString(hashed).startsWith("|1|"), Files.readString(hashed));
        try (Connection connection = new SshTransport(hashed, false).connect(lab.gatewayA("gw-a", lab.clientKey))) {
            assertTrue(connection.exec(List.of("true"), null, null).ok());
        }
    }

    @Test
    void aClosedPortIsUnreachableWithinTheConnectTimeout() throws Exception {
        Duration connectTimeout = Duration.ofSeconds(3);
        for (int port : new int[] {lab.portClosed, closedLocalPort()}) {
            Target target = new Target("gw-closed", "127.0.0.1", port, "root", lab.clientKey, false, null,
                    connectTimeout, Duration.ofSeconds(10));
            long start = System.nanoTime();
            Unreachable e = assertThrows(Unreachable.class, () -> new SshTransport(knownHosts, false).connect(target));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(connectTimeout) < 0, "took " + took);
            assertTrue(e.getMessage().startsWith("host gw-closed (127.0.0.1:" + port + ") is unreachable"),
                    e.getMessage());
        }
    }

    @Test
    void aServerThatNeverAnswersIsUnreachableAfterTheConnectTimeout() {
        Target target = new Target("gw-silent", "127.0.0.1", lab.portSilent, "root", lab.clientKey, false, null,
                Duration.ofSeconds(1), Duration.ofSeconds(10));
        long start = System.nanoTime();
        Unreachable e = assertThrows(Unreachable.class, () -> new SshTransport(knownHosts, false).connect(target));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofMillis(900)) > 0 && took.compareTo(Duration.ofSeconds(4)) < 0,
                "took " + took);
        assertTrue(e.getMessage().contains("no answer within 1000 ms"), e.getMessage());
    }

    @Test
    void aRefusedLoginIsUnreachableAndNamesTheUserAndKeyButNotItsContent() throws Exception {
        Path stranger = lab.dir.resolve("id_stranger");
        lab.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.toString());
        Unreachable e = assertThrows(Unreachable.class,
                () -> new SshTransport(knownHosts, false).connect(lab.gatewayA("gw-a", stranger)));
        assertTrue(e.getMessage().contains("login as root with key " + stranger), e.getMessage());
        String keyBody = Files.readAllLines(stranger).get(1);
        assertFalse(e.getMessage().contains(keyBody), e.getMessage());
    }

    @Test
    void aJumpHostReachesTheGatewayBehindIt() throws Exception {
        Target behind = new Target("gw-b", SshLab.ADDRESS_B, 22, "root", lab.clientKey, false,
                "root@127.0.0.1:" + lab.portA, Duration.ofSeconds(5), Duration.ofSeconds(20));
        try (Connection connection = new SshTransport(knownHosts, false).connect(behind)) {
            ExecResult result = connection.exec(List.of("ip", "-4", "-o", "addr", "show", "dev", "b0"), null, null);
            assertTrue(result.stdout().contains(SshLab.ADDRESS_B + "/24"), result.stdout() + result.stderr());
        }
    }

    @Test
    void aGatewayTheJumpHostCannotReachIsUnreachable() {
        Target behind = new Target("gw-b", SshLab.ADDRESS_B, 2222, "root", lab.clientKey, false,
                "root@127.0.0.1:" + lab.portA, Duration.ofSeconds(5), Duration.ofSeconds(20));
        Unreachable e = assertThrows(Unreachable.class, () -> new SshTransport(knownHosts, false).connect(behind));
        assertTrue(e.getMessage().contains("the jump host could not open a connection to " + SshLab.ADDRESS_B
                + ":2222"), e.getMessage());
    }

    @Test
    void theJumpHostsKeyIsCheckedToo() throws Exception {
        Path onlyB = lab.dir.resolve("known_hosts_only_b");
        Files.writeString(onlyB, "[127.0.0.1]:" + lab.portA + " " + lab.hostKeyLine("b") + "\n"
                + SshLab.ADDRESS_B + " " + lab.hostKeyLine("b") + "\n");
        Target behind = new Target("gw-b", SshLab.ADDRESS_B, 22, "root", lab.clientKey, false,
                "127.0.0.1:" + lab.portA, Duration.ofSeconds(5), Duration.ofSeconds(20));
        HostKeyMismatch e = assertThrows(HostKeyMismatch.class, () -> new SshTransport(onlyB, false).connect(behind));
        assertTrue(e.getMessage().contains("jump host 127.0.0.1:" + lab.portA + " for gw-b"), e.getMessage());
    }

    @Test
    void aCommandPastItsTimeoutIsStoppedAndTheConnectionStaysUsable() throws Exception {
        try (Connection connection = new SshTransport(knownHosts, false).connect(lab.gatewayA("gw-a", lab.clientKey))) {
            long start = System.nanoTime();
            CommandTimeout e = assertThrows(CommandTimeout.class,
                    () -> connection.exec(List.of("sleep", "30"), null, Duration.ofSeconds(1)));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
            assertTrue(e.getMessage().contains("gw-a"), e.getMessage());
            assertEquals("still here\n", connection.exec(List.of("echo", "still here"), null, null).stdout());
        }
    }

    @Test
    void uploadWritesContentAndModeAndSha256ReadsItBack() throws Exception {
        Path remote = lab.dir.resolve("remote/etc/conf.yaml");
        byte[] content = "desired: state\n".getBytes(StandardCharsets.UTF_8);
        try (Connection connection = new SshTransport(knownHosts, false).connect(lab.gatewayA("gw-a", lab.clientKey))) {
            assertNull(connection.sha256(remote.toString()));
            connection.upload(content, remote.toString(), 0600);
            assertEquals(Digests.sha256Hex(content), connection.sha256(remote.toString()));
        }
        assertArrayEquals(content, Files.readAllBytes(remote));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(remote)));
        try (var siblings = Files.list(remote.getParent())) {
            assertEquals(List.of(remote), siblings.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void becomeRunsCommandsAndUploadsBehindSudo() throws Exception {
        Target target = new Target("gw-a", "127.0.0.1", lab.portA, "root", lab.clientKey, true, null,
                Duration.ofSeconds(5), Duration.ofSeconds(20));
        Path remote = lab.dir.resolve("remote/become/settings");
        byte[] content = "become\n".getBytes(StandardCharsets.UTF_8);
        try (Connection connection = new SshTransport(knownHosts, false).connect(target)) {
            assertEquals("root\n", connection.exec(List.of("id", "-un"), null, null).stdout());
            connection.upload(content, remote.toString(), 0640);
            assertEquals(Digests.sha256Hex(content), connection.sha256(remote.toString()));
        }
        List<String> sudo = lab.sudoLog();
        assertTrue(sudo.contains("timeout -k 5s 20.000s id -un"), sudo.toString());
        assertTrue(sudo.stream().anyMatch(line -> line.matches("timeout .* install -m 640 -- "
                + "/root/\\.killswitch-upload-[0-9a-f]{16} .*/remote/become/\\.settings\\.ks-[0-9a-f]{16}")),
                sudo.toString());
        assertArrayEquals(content, Files.readAllBytes(remote));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(remote)));
        try (var home = Files.list(Path.of(System.getProperty("user.home")))) {
            assertTrue(home.noneMatch(path -> path.getFileName().toString().startsWith(".killswitch-upload-")),
                    "the staged copy in the login user's home is removed");
        }
    }

    @Test
    void theAgentIsUploadedOnceSkippedWhenCurrentAndReplacedWhenTampered() throws Exception {
        byte[] jar = new byte[300 * 1024];
        ThreadLocalRandom.current().nextBytes(jar);
        Path remote = lab.dir.resolve("remote/agent/killswitch-agent.jar");
        AgentInstaller installer = new AgentInstaller(jar, remote.toString());
        SshTransport transport = new SshTransport(knownHosts, false);
        try (Connection connection = transport.connect(lab.gatewayA("gw-a", lab.clientKey))) {
            assertTrue(installer.install(connection).uploaded());
            assertFalse(installer.install(connection).uploaded());
            assertArrayEquals(jar, Files.readAllBytes(remote));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(remote)));

            Files.write(remote, "tampered".getBytes(StandardCharsets.UTF_8));
            assertThrows(RemoteError.class, () -> installer.verify(connection));
            assertTrue(installer.install(connection).uploaded());
            installer.verify(connection);
        }
        assertArrayEquals(jar, Files.readAllBytes(remote));
    }

    @Test
    void manyConnectionsRunInParallelFromAThreadPool() throws Exception {
        SshTransport transport = new SshTransport(knownHosts, false);
        int parallel = 50;
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        long start = System.nanoTime();
        try {
            List<Future<String>> runs = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                String name = "gw-a" + i;
                runs.add(pool.submit(() -> {
                    // 50 handshakes through one forwarder on 2 shared cores: allow for a loaded CI machine
                    Target t = lab.gatewayA(name, lab.clientKey);
                    Target patient = new Target(t.name(), t.host(), t.port(), t.user(), t.privateKey(), t.become(),
                            t.jumpHost(), Duration.ofSeconds(60), Duration.ofSeconds(60));
                    try (Connection connection = transport.connect(patient)) {
                        return connection.exec(List.of("echo", name), null, null).stdout();
                    }
                }));
            }
            for (int i = 0; i < parallel; i++) {
                assertEquals("gw-a" + i + "\n", runs.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("%d parallel connect+exec through the forwarder: %d ms%n", parallel,
                (System.nanoTime() - start) / 1_000_000);
    }

    private static int closedLocalPort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
