package dev.killswitch.controller.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class archive's writer ({@link ClassArchive#WRITER}) run for real, as a gateway runs it (in the foreground
 * here: without setsid and nice), on a copy of the built agent jar, in a network namespace of its own: its
 * {@code warmup --host} reads that namespace's facts and rules.
 */
@Tag("netns")
class ClassArchiveNetnsTest {

    private final String ns = "ks-t-cds-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    @TempDir
    Path dir;
    private Path jar;

    @BeforeEach
    void namespace() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "netns tests need root");
        assertEquals(0, run(List.of("ip", "netns", "add", ns)));
        jar = dir.resolve("killswitch-agent.jar");
        Files.copy(BuiltAgent.jar(), jar);
    }

    @AfterEach
    void removeNamespace() throws Exception {
        run(List.of("ip", "netns", "del", ns));
    }

    private static int run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + argv.get(0));
        return p.exitValue();
    }

    private int writer(List<String> jvm) throws Exception {
        String base = jar.toString().substring(0, jar.toString().length() - 4);
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "sh", "-c", ClassArchive.WRITER, "sh",
                base + ".jsa", base + ".jsa.new", jar.toString()));
        argv.addAll(jvm);
        argv.addAll(ClassArchive.QUIET);
        return run(argv);
    }

    @Test
    void theWriterLeavesAnArchiveTheJvmStartsFromAndChecksumsThatSha256sumConfirms() throws Exception {
        assertEquals(0, writer(HostRun.JVM));
        Path archive = dir.resolve("killswitch-agent.jsa");
        assertTrue(Files.size(archive) > 0);
        assertFalse(Files.exists(dir.resolve("killswitch-agent.jsa.new")));
        assertEquals(0, run(List.of("sha256sum", "--check", "--status", "--", archive + ".sha256")));
        assertEquals(List.of(archive.toString(), jar.toString()), Files.readAllLines(Path.of(archive + ".sha256"))
                .stream().map(l -> l.substring(66)).toList());
        List<String> agent = new ArrayList<>(List.of("ip", "netns", "exec", ns, "java"));
        agent.addAll(HostRun.JVM);
        agent.addAll(new ClassArchive(jar.toString()).use());
        agent.addAll(List.of("-Xshare:on", "-jar", jar.toString(), "--version"));
        Process p = new ProcessBuilder(agent).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the agent starts from the archive (-Xshare:on fails without one): " + out);
    }

    @Test
    void aWriterWhoseJvmFailsLeavesNeitherArchiveNorChecksums() throws Exception {
        List<String> jvm = new ArrayList<>(HostRun.JVM);
        jvm.add("-XX:+ThisFlagDoesNotExist"); // every JVM the writer starts fails
        assertEquals(1, writer(jvm));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("killswitch-agent.jar", "killswitch-agent.jsa.lock"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aSecondWriterLeavesTheArchiveToTheOneRunning() throws Exception {
        Path lock = dir.resolve("killswitch-agent.jsa.lock");
        Process holder = new ProcessBuilder("flock", lock.toString(), "sleep", "30").start();
        try {
            for (int i = 0; i < 250 && !held(lock); i++) {
                Thread.sleep(20);
            }
            assertTrue(held(lock));
            assertEquals(0, writer(HostRun.JVM));
            assertFalse(Files.exists(dir.resolve("killswitch-agent.jsa")));
        } finally {
            holder.destroy();
        }
    }

    /** True when another process holds the lock on {@code lock} ({@code flock -n} cannot take it). */
    private static boolean held(Path lock) throws Exception {
        return Files.exists(lock) && run(List.of("flock", "-n", lock.toString(), "true")) == 1;
    }
}
