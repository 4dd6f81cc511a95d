package dev.killswitch.controller.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.transport.Connection;
import dev.killswitch.controller.transport.ExecResult;
import dev.killswitch.controller.transport.FakeTransport;
import dev.killswitch.controller.transport.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's class-data archive is used only when intact, and written by a detached job on the gateway that keeps
 * it only after the JVM accepted it (the job itself is run here for real, with the built agent jar).
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

    /** The script as the gateway runs it, in the foreground (without setsid and nice), on a copy of the agent jar. */
    private static int runWriter(Path jar, List<String> jvm) throws Exception {
        String base = jar.toString().substring(0, jar.toString().length() - 4);
        List<String> argv = new ArrayList<>(List.of("sh", "-c", ClassArchive.WRITER, "sh", base + ".jsa",
                base + ".jsa.new", jar.toString()));
        argv.addAll(jvm);
        argv.addAll(ClassArchive.QUIET);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the writer finished");
        return p.exitValue();
    }

    @Test
    void theWriterLeavesAnArchiveTheJvmStartsFromAndChecksumsThatSha256sumConfirms(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("killswitch-agent.jar");
        Files.copy(BuiltAgent.jar(), jar);
        assertEquals(0, runWriter(jar, HostRun.JVM));
        Path archive = dir.resolve("killswitch-agent.jsa");
        assertTrue(Files.size(archive) > 0);
        assertFalse(Files.exists(dir.resolve("killswitch-agent.jsa.new")));
        Process check = new ProcessBuilder("sha256sum", "--check", "--status", "--", archive + ".sha256")
                .redirectErrorStream(true).start();
        assertEquals(0, check.waitFor());
        assertEquals(List.of(archive.toString(), jar.toString()), Files.readAllLines(Path.of(archive + ".sha256"))
                .stream().map(l -> l.substring(66)).toList());
        List<String> run = new ArrayList<>(List.of("java"));
        run.addAll(HostRun.JVM);
        run.addAll(new ClassArchive(jar.toString()).use());
        run.addAll(List.of("-Xshare:on", "-jar", jar.toString(), "--version"));
        Process agent = new ProcessBuilder(run).redirectErrorStream(true).start();
        String out = new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, agent.waitFor(), "the agent starts from the archive (-Xshare:on fails without it): " + out);
    }

    @Test
    void aWriterWhoseJvmFailsLeavesNeitherArchiveNorChecksums(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("killswitch-agent.jar");
        Files.copy(BuiltAgent.jar(), jar);
        List<String> jvm = new ArrayList<>(HostRun.JVM);
        jvm.add("-XX:+ThisFlagDoesNotExist"); // every JVM the writer starts fails
        assertEquals(1, runWriter(jar, jvm));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("killswitch-agent.jar", "killswitch-agent.jsa.lock"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aSecondWriterLeavesTheArchiveToTheOneRunning(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("killswitch-agent.jar");
        Files.copy(BuiltAgent.jar(), jar);
        Process holder = new ProcessBuilder("flock", dir.resolve("killswitch-agent.jsa.lock").toString(), "sleep", "30")
                .start();
        try {
            Path lock = dir.resolve("killswitch-agent.jsa.lock");
            for (int i = 0; i < 250 && !held(lock); i++) {
                Thread.sleep(20);
            }
            assertTrue(held(lock));
            assertEquals(0, runWriter(jar, HostRun.JVM));
            assertFalse(Files.exists(dir.resolve("killswitch-agent.jsa")));
        } finally {
            holder.destroy();
        }
    }

    /** True when another process holds the lock on {@code lock} ({@code flock -n} cannot take it). */
    private static boolean held(Path lock) throws Exception {
        return Files.exists(lock) && new ProcessBuilder("flock", "-n", lock.toString(), "true").start().waitFor() == 1;
    }
}
