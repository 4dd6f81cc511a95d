package dev.killswitch.controller.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A dialogue over a real sshd: the command's first line is answered on its stdin within the same channel. */
@Tag("netns")
class SshDialogueNetnsTest {

    private static SshLab lab;
    private static Path knownHosts;

    @BeforeAll
    static void startLab() throws Exception {
        lab = new SshLab();
        try {
            lab.start();
            knownHosts = lab.dir.resolve("known_hosts");
            Files.writeString(knownHosts, "[127.0.0.1]:" + lab.portA + " " + lab.hostKeyLine("a") + "\n");
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
    void theFirstLineIsAnsweredOnStdinAndTheRestIsTheResult() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        try (Connection c = new SshTransport(knownHosts, false).connect(lab.gatewayA("gw-a", lab.clientKey))) {
            ExecResult r = c.converse(List.of("sh", "-c", "echo question; read a; echo \"got $a\"; echo err >&2; exit 2"),
                    line -> {
                        asked.add(line);
                        return "answer\n".getBytes(StandardCharsets.UTF_8);
                    }, null);
            assertEquals(List.of("question"), asked);
            assertEquals(new ExecResult(2, "got answer\n", "err\n"), r);
        }
    }

    @Test
    void aWatchedCommandHandsOnEachLineWhileItWaitsForWhatTheWatcherDoes() throws Exception {
        Path go = lab.dir.resolve("go");
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Connection c = new SshTransport(knownHosts, false).connect(lab.gatewayA("gw-a", lab.clientKey))) {
            // the command ends only once the watcher, called with its first line, has made the file it waits for
            ExecResult r = c.exec(List.of("sh", "-c", "read a; echo \"got $a\"; while [ ! -e \"$1\" ]; do sleep 0.05; "
                    + "done; echo done", "sh", go.toString()), "input\n".getBytes(StandardCharsets.UTF_8), line -> {
                        seen.add(line);
                        if (line.equals("got input")) {
                            touch(go);
                        }
                    }, null);
            assertEquals(List.of("got input", "done"), seen);
            assertEquals(new ExecResult(0, "got input\ndone\n", ""), r);
        }
    }

    private static void touch(Path p) {
        try {
            Files.writeString(p, "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aCommandThatEndsWithoutALineIsNeverAsked() throws Exception {
        try (Connection c = new SshTransport(knownHosts, false).connect(lab.gatewayA("gw-a", lab.clientKey))) {
            ExecResult r = c.converse(List.of("sh", "-c", "printf partial; exit 1"), line -> {
                throw new AssertionError("asked " + line);
            }, null);
            assertEquals(new ExecResult(1, "partial", ""), r);
        }
    }
}
