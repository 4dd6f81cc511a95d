package dev.killswitch.controller.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.transport.Connection;
import dev.killswitch.controller.transport.ExecResult;
import dev.killswitch.controller.transport.FakeTransport;
import dev.killswitch.controller.transport.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The agent's class-data archive is used only when intact, and written by one detached, low-priority command on the
 * gateway (the job itself runs for real in {@link ClassArchiveNetnsTest}).
 */
class ClassArchiveTest {

    private static final String JAR = "/var/lib/killswitch/agent/killswitch-agent.jar";
    private static final String ARCHIVE = "/var/lib/killswitch/agent/killswitch-agent.jsa";

    private final List<List<String>> commands = new CopyOnWriteArrayList<>();

    private FakeTransport gateway(int exit) {
        return new FakeTransport((host, argv, stdin) -> {
            commands.add(argv);
            return new ExecResult(exit, "", "");
        });
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
    void theWriterIsOneDetachedLowPriorityCommandWhoseDataAreArgumentsNotScript() throws Exception {
        try (Connection c = connect(gateway(0))) {
            assertTrue(new ClassArchive(JAR).writeLater(c, HostRun.JVM));
        }
        List<String> expected = new ArrayList<>(List.of("setsid", "-f", "nice", "-n", "19", "sh", "-c",
                ClassArchive.WRITER, "sh", ARCHIVE, ARCHIVE + ".new", JAR));
        expected.addAll(HostRun.JVM);
        expected.addAll(ClassArchive.QUIET);
        assertEquals(List.of(expected), commands);
        assertFalse(ClassArchive.WRITER.contains("killswitch"), "no path is written into the script");
    }

    @Test
    void aWriterThatCannotStartIsOnlyReported() throws Exception {
        try (Connection c = connect(gateway(127))) {
            assertFalse(new ClassArchive(JAR).writeLater(c, HostRun.JVM));
        }
    }

    @Test
    void theArchiveIsIntactOnlyWhenSha256sumConfirmsBothRecordedChecksums() throws Exception {
        try (Connection c = connect(gateway(0))) {
            assertTrue(new ClassArchive(JAR).intact(c));
        }
        assertEquals(List.of("sha256sum", "--check", "--status", "--", ARCHIVE + ".sha256"), commands.get(0));
        try (Connection c = connect(gateway(1))) {
            assertFalse(new ClassArchive(JAR).intact(c));
        }
    }
}
