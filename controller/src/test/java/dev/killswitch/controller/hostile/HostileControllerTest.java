package dev.killswitch.controller.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.cli.CapturedRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile controller corpus (src/test/resources/hostile: inventories, playbooks and extra-vars files, listed
 * in INDEX.tsv with the line, field and message each must get): {@code killswitch plan} and {@code apply} exit 1
 * with an error naming the file, line and field, and never open a connection to the host. The host's address is a
 * listener of this test that counts connections; the good inputs do connect to it, which proves it would see one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileControllerTest {
    static final String CORPUS = "hostile";

    ServerSocket listener;
    Path key;
    final AtomicInteger connections = new AtomicInteger();
    @TempDir
    Path dir;

    /** One corpus entry: the file (kind/name), and what its error must name. */
    record Case(String file, int exit, int line, String field, String fragment, String named) {
        String kind() {
            return file.substring(0, file.indexOf('/'));
        }
    }

    @BeforeAll
    void listen() throws Exception {
        // a real key, so that a run that gets past the inputs does open a connection
        key = Files.createTempDirectory("ks-t-hostile-key-").resolve("id_ed25519");
        Process kg = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        kg.getInputStream().readAllBytes();
        assertEquals(0, kg.waitFor());
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    connections.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        }, "hostile-listener");
        t.setDaemon(true);
        t.start();
    }

    @AfterAll
    void close() throws IOException {
        listener.close();
        Files.deleteIfExists(key);
        Files.deleteIfExists(Path.of(key + ".pub"));
        Files.deleteIfExists(key.getParent());
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String l : text(CORPUS + "/INDEX.tsv").split("\n")) {
            if (!l.isBlank() && !l.startsWith("#")) {
                String[] f = l.split("\t", -1);
                out.add(Arguments.of(f[0], new Case(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3], f[4], f[5])));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachBadInputIsRefusedWithFileLineAndFieldBeforeAnyConnection(String name, Case c) throws IOException {
        Path file = write(c.file());
        List<String> args = new ArrayList<>(List.of("-i", c.kind().equals("inventory") ? file.toString()
                : write("good/hosts.ini").toString()));
        if (c.kind().equals("vars")) {
            args.addAll(List.of("-e", "@" + file));
        }
        args.addAll(List.of("-e", "ansible_ssh_private_key_file=" + key, "--known-hosts",
                write("good/known_hosts", "").toString(), "--agent-jar",
                write("good/agent.jar", "not a jar").toString(), "--connect-timeout", "2", "--no-color"));
        args.add(c.kind().equals("playbook") ? file.toString() : write("good/play.yml").toString());
        Path named = c.named().isEmpty() ? file : dir.resolve(c.named()); // vars: the play line that uses them
        for (String cmd : List.of("plan", "apply")) {
            int before = connections.get();
            Run r = run(cmd, args);
            String all = r.out + r.err;
            assertEquals(c.exit(), r.exit, cmd + " " + name + ": " + all);
            assertTrue(!all.contains("\tat ") && !all.contains("Exception"), cmd + " " + name + " raw exception: " + all);
            assertTrue(all.contains(named + ":" + c.line()), cmd + " " + name + ": names " + named + ":" + c.line() + ": "
                    + all);
            assertTrue(all.contains(c.field()), cmd + " " + name + ": names the field " + c.field() + ": " + all);
            assertTrue(all.contains(c.fragment()), cmd + " " + name + ": says " + c.fragment() + ": " + all);
            assertEquals(before, connections.get(), cmd + " " + name + ": connected to the host");
        }
    }

    @Test
    void theGoodInputsDoReachTheHostSoTheListenerWouldSeeAConnection() throws IOException {
        int before = connections.get();
        Run r = run("plan", List.of("-i", write("good/hosts.ini").toString(), "-e",
                "ansible_ssh_private_key_file=" + key, "--known-hosts",
                write("good/known_hosts", "").toString(), "--agent-jar", write("good/agent.jar", "x").toString(),
                "--connect-timeout", "2", write("good/play.yml").toString()));
        assertEquals(1, r.exit, r.out + r.err); // the listener is no SSH server
        assertTrue(connections.get() > before, r.out + r.err);
    }

    @Test
    void theCorpusHasBadInventoriesPlaybooksAndVars() {
        List<String> kinds = cases().map(a -> ((Case) a.get()[1]).kind()).distinct().toList();
        assertEquals(List.of("inventory", "playbook", "vars"), kinds);
        assertTrue(cases().count() >= 80);
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(String cmd, List<String> args) {
        List<String> argv = new ArrayList<>(List.of(cmd));
        argv.addAll(args);
        CapturedRun r = CapturedRun.of(argv.toArray(String[]::new));
        return new Run(r.exit(), r.out(), r.err());
    }

    /** Copies a corpus file into the temp dir with the listener's port in place of @PORT@. */
    Path write(String resource) throws IOException {
        byte[] b = bytes(CORPUS + "/" + resource);
        String latin = new String(b, StandardCharsets.ISO_8859_1).replace("@PORT@", String.valueOf(listener.getLocalPort()));
        Path p = dir.resolve(resource);
        Files.createDirectories(p.getParent());
        Files.write(p, latin.getBytes(StandardCharsets.ISO_8859_1));
        return p;
    }

    Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    static String text(String resource) {
        return new String(bytes(resource), StandardCharsets.UTF_8);
    }

    static byte[] bytes(String resource) {
        try (InputStream in = HostileControllerTest.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
