package dev.killswitch.controller.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.transport.Connection;
import dev.killswitch.controller.transport.ExecResult;
import dev.killswitch.controller.transport.FakeTransport;
import dev.killswitch.controller.transport.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The agent's class-data archive is used only when intact, and kept only after the JVM accepted it. */
class ClassArchiveTest {

    private static final String JAR = "/var/lib/killswitch/agent/killswitch-agent.jar";
    private static final String ARCHIVE = "/var/lib/killswitch/agent/killswitch-agent.jsa";
    private static final byte[] JAR_BYTES = "jar".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ARCHIVE_BYTES = "archive".getBytes(StandardCharsets.UTF_8);

    private final List<List<String>> commands = new CopyOnWriteArrayList<>();
    private final List<String> written = new CopyOnWriteArrayList<>();

    private FakeTransport gateway(int jvmCheckExit, int checksumExit) {
        FakeTransport t = new FakeTransport((host, argv, stdin) -> {
            commands.add(argv);
            if (argv.get(0).equals("dd")) {
                written.add(new String(stdin, StandardCharsets.UTF_8));
            }
            if (argv.get(0).equals("sha256sum")) {
                return new ExecResult(checksumExit, "", "");
            }
            return new ExecResult(argv.contains("-Xshare:on") ? jvmCheckExit : 0, "", "");
        });
        t.putFile("gw1", JAR, JAR_BYTES, 0644);
        t.putFile("gw1", ARCHIVE + ".new", ARCHIVE_BYTES, 0444); // as the agent JVM leaves it at exit
        return t;
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static Connection connect(FakeTransport t) throws Exception {
        return t.connect(new Target("gw1", "gw1.lab", 22, "root", Path.of("/nonexistent/id_ed25519"), false, null,
                Duration.ofSeconds(5), Duration.ofSeconds(30)));
    }

    @Test
    void theArchiveLivesNextToTheJarAndItsFlagsKeepTheJvmQuietOnStdout() {
        ClassArchive a = new ClassArchive(JAR);
        assertEquals(ARCHIVE, a.path());
        assertEquals(List.of("-XX:SharedArchiveFile=" + ARCHIVE, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"), a.use());
        assertEquals(List.of("-XX:ArchiveClassesAtExit=" + ARCHIVE + ".new", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"),
                a.write());
    }

    @Test
    void anArchiveTheJvmAcceptsIsRenamedIntoPlaceWithTheChecksumsOfArchiveAndJar() throws Exception {
        FakeTransport t = gateway(0, 0);
        try (Connection c = connect(t)) {
            assertTrue(new ClassArchive(JAR).keep(c, HostRun.JVM));
        }
        assertNotNull(t.file("gw1", ARCHIVE));
        assertNull(t.file("gw1", ARCHIVE + ".new"));
        assertEquals(List.of(sha256(ARCHIVE_BYTES) + "  " + ARCHIVE + "\n" + sha256(JAR_BYTES)
                + "  " + JAR + "\n"), written);
        List<String> check = commands.get(0);
        assertTrue(check.containsAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + ARCHIVE + ".new", "-cp", JAR,
                "-version")), check.toString());
        assertEquals(List.of("dd", "of=" + ARCHIVE + ".sha256", "status=none"), commands.get(commands.size() - 1));
    }

    @Test
    void anArchiveTheJvmRefusesIsDeletedAndNeverRecorded() throws Exception {
        FakeTransport t = gateway(134, 0);
        try (Connection c = connect(t)) {
            assertFalse(new ClassArchive(JAR).keep(c, HostRun.JVM));
        }
        assertNull(t.file("gw1", ARCHIVE));
        assertTrue(written.isEmpty());
        assertEquals(List.of("rm", "-f", "--", ARCHIVE + ".new"), commands.get(commands.size() - 1));
    }

    @Test
    void theArchiveIsIntactOnlyWhenSha256sumConfirmsBothRecordedChecksums() throws Exception {
        try (Connection c = connect(gateway(0, 0))) {
            assertTrue(new ClassArchive(JAR).intact(c));
        }
        assertEquals(List.of("sha256sum", "--check", "--status", "--", ARCHIVE + ".sha256"), commands.get(0));
        try (Connection c = connect(gateway(0, 1))) {
            assertFalse(new ClassArchive(JAR).intact(c));
        }
    }
}
