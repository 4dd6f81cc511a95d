package dev.killswitch.controller.transport;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentInstallerTest {

    private static final byte[] JAR = "PK agent v1".getBytes(StandardCharsets.UTF_8);
    private static final String PATH = AgentInstaller.DEFAULT_PATH;

    private static final FakeTransport.Script JAVA_17 = (host, argv, stdin) -> argv.equals(List.of("java", "-version"))
            ? new ExecResult(0, "", "openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime Environment\n")
            : new ExecResult(0, "", "");

    @Test
    void uploadsOnceThenSkipsWhileTheChecksumMatches() throws Exception {
        FakeTransport fake = new FakeTransport(JAVA_17);
        AgentInstaller installer = new AgentInstaller(JAR);
        try (Connection connection = fake.connect(Targets.named("gw1"))) {
            AgentInstaller.Installed first = installer.install(connection);
            AgentInstaller.Installed second = installer.install(connection);
            assertTrue(first.uploaded());
            assertFalse(second.uploaded());
            assertEquals(Digests.sha256Hex(JAR), second.sha256());
        }
        assertArrayEquals(JAR, fake.file("gw1", PATH).content());
        assertEquals(0644, fake.file("gw1", PATH).mode());
        assertEquals(1, fake.uploads());
    }

    @Test
    void aTamperedJarIsReplaced() throws Exception {
        FakeTransport fake = new FakeTransport(JAVA_17);
        fake.putFile("gw1", PATH, "PK evil".getBytes(StandardCharsets.UTF_8), 0644);
        try (Connection connection = fake.connect(Targets.named("gw1"))) {
            assertThrows(RemoteError.class, () -> new AgentInstaller(JAR).verify(connection));
            assertTrue(new AgentInstaller(JAR).install(connection).uploaded());
            new AgentInstaller(JAR).verify(connection);
        }
        assertArrayEquals(JAR, fake.file("gw1", PATH).content());
    }

    @Test
    void refusesWhenTheUploadArrivesCorruptedAndKeepsTheOldJar() throws Exception {
        byte[] old = "PK agent v0".getBytes(StandardCharsets.UTF_8);
        FakeTransport fake = new FakeTransport(JAVA_17);
        fake.putFile("gw1", PATH, old, 0644);
        try (Connection real = fake.connect(Targets.named("gw1"))) {
            Connection corrupting = new Forwarding(real) {
                @Override
                public void upload(byte[] content, String remotePath, int mode) throws TransportException {
                    super.upload("PK truncated".getBytes(StandardCharsets.UTF_8), remotePath, mode);
                }
            };
            RemoteError e = assertThrows(RemoteError.class, () -> new AgentInstaller(JAR).install(corrupting));
            assertTrue(e.getMessage().contains("old agent was left in place"), e.getMessage());
        }
        assertArrayEquals(old, fake.file("gw1", PATH).content());
    }

    @Test
    void aHostWithoutJavaGetsTheInstallHint() throws Exception {
        FakeTransport fake = new FakeTransport((host, argv, stdin) ->
                new ExecResult(127, "", "bash: line 1: java: command not found\n"));
        try (Connection connection = fake.connect(Targets.named("gw3"))) {
            RemoteError e = assertThrows(RemoteError.class, () -> new AgentInstaller(JAR).install(connection));
            assertEquals("host gw3 has no Java runtime: install openjdk-17-jre-headless"
                    + " (apt-get install -y openjdk-17-jre-headless)", e.getMessage());
            assertEquals("gw3", e.host());
        }
        assertEquals(0, fake.uploads());
    }

    @Test
    void aHostWithAnOldJavaIsRefused() throws Exception {
        FakeTransport fake = new FakeTransport((host, argv, stdin) ->
                new ExecResult(0, "", "openjdk version \"11.0.22\" 2024-01-16\n"));
        try (Connection connection = fake.connect(Targets.named("gw3"))) {
            RemoteError e = assertThrows(RemoteError.class, () -> new AgentInstaller(JAR).install(connection));
            assertTrue(e.getMessage().startsWith("host gw3 has Java 11, the agent needs Java 17"), e.getMessage());
        }
    }

    @Test
    void readsTheReleaseFromJavaVersionOutput() {
        assertEquals(17, AgentInstaller.release("openjdk version \"17.0.15\" 2025-04-15"));
        assertEquals(21, AgentInstaller.release("openjdk version \"21\" 2023-09-19"));
        assertEquals(8, AgentInstaller.release("java version \"1.8.0_392\""));
        assertEquals(0, AgentInstaller.release("something else"));
    }

    @Test
    void installedCommandRunsTheJarWithArguments() {
        assertEquals(List.of("java", "-jar", PATH, "apply", "--json"),
                new AgentInstaller.Installed(PATH, "x", false).command(List.of("apply", "--json")));
    }

    /** Passes every call through; tests override one to misbehave. */
    private static class Forwarding implements Connection {
        private final Connection inner;

        Forwarding(Connection inner) {
            this.inner = inner;
        }

        @Override
        public Target target() {
            return inner.target();
        }

        @Override
        public ExecResult exec(List<String> argv, byte[] stdin, java.time.Duration timeout) throws TransportException {
            return inner.exec(argv, stdin, timeout);
        }

        @Override
        public void upload(byte[] content, String remotePath, int mode) throws TransportException {
            inner.upload(content, remotePath, mode);
        }

        @Override
        public void put(byte[] content, String remotePath, int mode) throws TransportException {
            inner.put(content, remotePath, mode);
        }

        @Override
        public void move(String from, String to) throws TransportException {
            inner.move(from, to);
        }

        @Override
        public String sha256(String remotePath) throws TransportException {
            return inner.sha256(remotePath);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
