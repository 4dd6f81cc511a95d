package dev.killswitch.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.resident.Conversation;
import dev.killswitch.agent.resident.Frames;
import dev.killswitch.agent.resident.Resident;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The resident agent's socket, wire format and dialogue, with a real Unix socket and scripted commands. */
class ResidentTest {
    private Path dir;
    private Path socket;
    private CompletableFuture<Boolean> server;
    private final java.util.concurrent.CountDownLatch overrun = new java.util.concurrent.CountDownLatch(1);

    @BeforeEach
    void socketDir() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "ks-rt-");
        socket = dir.resolve("agent.sock");
    }

    @AfterEach
    void removeIt() throws Exception {
        if (server != null) {
            server.get(10, TimeUnit.SECONDS); // each test's server exits after its short idle time
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    private void serve(Resident.Commands commands) throws Exception {
        server = CompletableFuture.supplyAsync(() -> {
            try {
                return Resident.serve(socket, Duration.ofMillis(400), commands, new PrintStream(
                        java.io.OutputStream.nullOutputStream()), overrun::countDown);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        for (int i = 0; i < 200 && !Resident.listening(socket); i++) {
            Thread.sleep(10);
        }
        assertTrue(Resident.listening(socket), "the resident agent listens");
    }

    private Conversation.Reply call(List<String> argv, String ssh, java.util.function.Function<String, byte[]> answer,
                                    byte[] stdin, java.util.function.Consumer<String> then) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return Conversation.run(Frames.in(ch), Frames.out(ch), ch::shutdownOutput, argv, ssh, answer, stdin, then, null);
        }
    }

    /** Prints a first line, reads stdin, then prints what it read and a second line; exits 3. */
    private static int dialogue(List<String> argv, Map<String, String> env, java.io.InputStream in, PrintStream out,
                                PrintStream err) {
        try {
            out.println("facts for " + env.get(Resident.SSH_CONNECTION));
            out.flush();
            String got = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            out.println("got:" + got);
            out.println("line2");
            err.println("a warning");
            return 3;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aDialogueAnswersTheFirstLineAndHandsOnTheRestLineByLine() throws Exception {
        serve(ResidentTest::dialogue);
        List<String> asked = new ArrayList<>();
        List<String> lines = new ArrayList<>();

        Conversation.Reply r = call(List.of("apply"), "203.0.113.2 50022 203.0.113.11 22", first -> {
            asked.add(first);
            return "desired".getBytes(StandardCharsets.UTF_8);
        }, null, lines::add);

        assertEquals(List.of("facts for 203.0.113.2 50022 203.0.113.11 22"), asked);
        assertEquals(3, r.exitCode());
        assertEquals("got:desired\nline2\n", r.stdout());
        assertEquals("a warning\n", r.stderr());
        assertEquals(List.of("got:desired", "line2"), lines);
    }

    @Test
    void withoutADialogueStdinGoesInWholeAndStdoutIsEverything() throws Exception {
        serve(ResidentTest::dialogue);

        Conversation.Reply r = call(List.of("x"), null, null, "abc".getBytes(StandardCharsets.UTF_8), null);

        assertEquals("facts for null\ngot:abc\nline2\n", r.stdout());
        assertEquals(3, r.exitCode());
    }

    @Test
    void aCommandThatEndsWithoutAWholeFirstLineIsNotAnswered() throws Exception {
        serve((argv, env, in, out, err) -> {
            out.print("partial");
            return 1;
        });
        List<String> asked = new ArrayList<>();

        Conversation.Reply r = call(List.of("plan"), null, first -> {
            asked.add(first);
            return new byte[0];
        }, null, null);

        assertEquals(List.of(), asked);
        assertEquals("partial", r.stdout());
        assertEquals(1, r.exitCode());
    }

    @Test
    void outputLargerThanAFrameArrivesWhole() throws Exception {
        String big = "x".repeat(3 * Frames.MAX + 17);
        serve((argv, env, in, out, err) -> {
            out.print(big);
            return 0;
        });

        assertEquals(big, call(List.of("plan"), null, null, null, null).stdout());
    }

    @Test
    void aRequestSetsOnlySshConnection() throws Exception {
        List<Map<String, String>> seen = new ArrayList<>();
        serve((argv, env, in, out, err) -> {
            seen.add(env);
            return 0;
        });
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Frames.out(ch).write(("{\"argv\":[\"plan\"],\"env\":{\"LD_PRELOAD\":\"/tmp/x.so\",\"SSH_CONNECTION\":"
                    + "\"1.2.3.4 5 6.7.8.9 22\"}}\n").getBytes(StandardCharsets.UTF_8));
            ch.shutdownOutput();
            Frames.read(new java.io.DataInputStream(Frames.in(ch)));
        }

        assertEquals(List.of(Map.of(Resident.SSH_CONNECTION, "1.2.3.4 5 6.7.8.9 22")), seen);
    }

    @Test
    void theSocketIsRootsOnlyAndASecondAgentDoesNotTakeItOver() throws Exception {
        serve((argv, env, in, out, err) -> 0);

        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(socket)));
        assertFalse(Resident.serve(socket, Duration.ofMillis(100), (argv, env, in, out, err) -> 0,
                new PrintStream(java.io.OutputStream.nullOutputStream()), () -> { }));
    }

    @Test
    void aRequestThatOutlivesItsCallersTimeEndsTheAgent() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        serve((argv, env, in, out, err) -> {
            try {
                release.await(); // a program that hangs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        });
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            long t0 = System.nanoTime();
            Conversation.EndOfInput end = ch::shutdownOutput;
            CompletableFuture<Conversation.Reply> call = CompletableFuture.supplyAsync(() -> {
                try {
                    return Conversation.run(Frames.in(ch), Frames.out(ch), end, List.of("apply"), null, null, null,
                            null, Duration.ofMillis(200));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

            assertTrue(overrun.await(15, TimeUnit.SECONDS), "the agent gives up on itself");
            double waited = (System.nanoTime() - t0) / 1e9;
            assertTrue(waited >= 5.0, "not before the caller's time plus the grace: " + waited);
            release.countDown();
            assertEquals(0, call.get(10, TimeUnit.SECONDS).exitCode());
        }
    }

    @Test
    void aRequestThatEndsInTimeDoesNotEndTheAgent() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        serve((argv, env, in, out, err) -> {
            if (argv.get(0).equals("hold")) { // keeps the agent from its idle exit meanwhile
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 0;
        });
        CompletableFuture<Conversation.Reply> hold = CompletableFuture.supplyAsync(() -> {
            try {
                return call(List.of("hold"), null, null, null, null);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Conversation.run(Frames.in(ch), Frames.out(ch), ch::shutdownOutput, List.of("plan"), null, null, null,
                    null, Duration.ofMillis(100));
        }

        Thread.sleep(Resident.OVERRUN_GRACE.toMillis() + 500);

        assertEquals(1, overrun.getCount(), "a request that ended in time never ends the agent");
        release.countDown();
        assertEquals(0, hold.get(10, TimeUnit.SECONDS).exitCode());
    }

    @Test
    void itExitsWhenIdleAndRemovesItsSocket() throws Exception {
        serve((argv, env, in, out, err) -> 0);
        call(List.of("plan"), null, null, null, null);

        assertTrue(server.get(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket));
        assertFalse(Resident.listening(socket));
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket)); // then closed: the file stays, nothing listens
        }
        assertTrue(Files.exists(socket));

        serve((argv, env, in, out, err) -> 7);

        assertEquals(7, call(List.of("plan"), null, null, null, null).exitCode());
    }

    @Test
    void requestsRunAsCommandLinesWithTheCallersSshConnectionOnly() throws Exception {
        Resident.Commands commands = ServeCommand.commands(Map.of("SSH_CONNECTION", "9.9.9.9 1 8.8.8.8 22",
                "KILLSWITCH_REQUIRE_NETNS", "1"));
        serve(commands);
        Path dump = Path.of(ResidentTest.class.getResource("/corpus/public/aosp-mirror__platform_external_iptables__policy-drop.rules").toURI());

        Conversation.Reply imported = call(List.of("import", "--from", dump.toString()), null, null, null, null);
        Conversation.Reply nested = call(List.of("serve"), null, null, null, null);

        assertEquals(0, imported.exitCode(), imported.stderr());
        ByteArrayOutputStream direct = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(direct, true, StandardCharsets.UTF_8);
        AgentMain.run(new Invocation(java.io.InputStream.nullInputStream(), out, out, Map.of()), "import", "--from",
                dump.toString());
        assertEquals(direct.toString(StandardCharsets.UTF_8), imported.stdout());
        assertEquals(1, nested.exitCode());
        assertTrue(nested.stderr().contains("does not start another one"), nested.stderr());
    }

    @Test
    void theSocketPathIsNamedAfterTheJarAndRefusedWhenTooLong() {
        String sha = "bb8485486a7c9b0b" + "0".repeat(48);
        assertEquals(Path.of("/var/lib/killswitch/agent-bb8485486a7c9b0b.sock"),
                Resident.socket(Path.of("/var/lib/killswitch"), sha).orElseThrow());
        assertTrue(Resident.socket(Path.of("/" + "d".repeat(90)), sha).isEmpty());
    }
}
