package dev.killswitch.controller.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.killswitch.agent.resident.Frames;
import dev.killswitch.controller.transport.CommandTimeout;
import dev.killswitch.controller.transport.Connection;
import dev.killswitch.controller.transport.ExecResult;
import dev.killswitch.controller.transport.Target;
import dev.killswitch.controller.transport.TransportException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the controller uses a gateway's resident agent, and what a request to it comes to (scripted socket). */
class ResidentAgentTest {
    private static final String SHA = "ab".repeat(32);

    /** A connection whose socket answers with {@code answer} (null: nothing listens) and whose exec runs printenv. */
    private static final class Gateway implements Connection {
        final boolean become;
        final byte[] answer;
        final List<String> opened = new ArrayList<>();
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        final Duration commandTimeout;
        final List<List<String>> execs = new ArrayList<>();
        volatile boolean closed;
        /** Socket opens that find nothing listening before the agent answers (it is starting). */
        int listensAfter;
        /** The exit status of the command that starts the resident agent. */
        int launchExit;
        /** Whether {@code ss} finds an agent listening on the socket. */
        boolean listening;
        /** False: a transport that forwards to no sockets (test fakes). */
        boolean forwards = true;

        Gateway(boolean become, byte[] answer, Duration commandTimeout) {
            this.become = become;
            this.answer = answer;
            this.commandTimeout = commandTimeout;
        }

        @Override
        public Target target() {
            return new Target("gw1", "127.0.0.1", 22, become ? "ops" : "root", Path.of("/nonexistent"), become, null,
                    Duration.ofSeconds(5), commandTimeout);
        }

        @Override
        public ExecResult exec(List<String> argv, byte[] stdin, Duration timeout) {
            execs.add(argv);
            if (argv.get(0).equals("sh")) {
                return new ExecResult(launchExit, "", "");
            }
            if (argv.get(0).equals("ss")) {
                return new ExecResult(0, listening ? "u_str LISTEN 0 50 " + argv.get(3) + " 17876428 * 0\n" : "", "");
            }
            return argv.equals(List.of("printenv", "SSH_CONNECTION"))
                    ? new ExecResult(0, "203.0.113.2 50022 203.0.113.11 22\n", "") : new ExecResult(127, "", "");
        }

        @Override
        public Stream openSocket(String path) throws TransportException {
            if (!forwards) {
                throw new UnsupportedOperationException("no sockets");
            }
            opened.add(path);
            if (answer == null || opened.size() <= listensAfter) {
                return null;
            }
            // an answer that never ends when it is empty: a wedged agent
            InputStream in = answer.length > 0 ? new java.io.ByteArrayInputStream(answer) : blocking();
            return new Stream() {
                @Override
                public InputStream in() {
                    return in;
                }

                @Override
                public OutputStream out() {
                    return sent;
                }

                @Override
                public void endOutput() {
                }

                @Override
                public void close() {
                    closed = true;
                    try {
                        in.close();
                    } catch (IOException e) {
                        // test double
                    }
                }
            };
        }

        /** Reads wait until the stream is closed, then end. */
        private static InputStream blocking() {
            java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    try {
                        closed.await();
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    return -1;
                }

                @Override
                public void close() {
                    closed.countDown();
                }
            };
        }

        @Override
        public void put(byte[] content, String remotePath, int mode) {
        }

        @Override
        public void upload(byte[] content, String remotePath, int mode) {
        }

        @Override
        public void move(String from, String to) {
        }

        @Override
        public String sha256(String remotePath) {
            return null;
        }

        @Override
        public void close() {
        }
    }

    private static byte[] frames(String out, String err, int code) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream sink = new DataOutputStream(bytes);
        Frames.stream(sink, Frames.OUT).write(out.getBytes(StandardCharsets.UTF_8));
        Frames.stream(sink, Frames.ERR).write(err.getBytes(StandardCharsets.UTF_8));
        Frames.exit(sink, code);
        return bytes.toByteArray();
    }

    @Test
    void aRequestCarriesSshdsViewOfTheConnectionAndComesBackAsAnExecResult() throws Exception {
        Gateway gw = new Gateway(false, frames("{\"changed\":false}\n", "note\n", 0), Duration.ofSeconds(5));

        ResidentAgent agent = ResidentAgent.reach(gw, "/var/lib/killswitch", SHA);
        ExecResult r = agent.run(List.of("plan", "--json"), null, "desired".getBytes(StandardCharsets.UTF_8), null,
                null);

        assertEquals(List.of("/var/lib/killswitch/agent-abababababababab.sock"), gw.opened);
        assertEquals(new ExecResult(0, "{\"changed\":false}\n", "note\n"), r);
        String request = gw.sent.toString(StandardCharsets.UTF_8);
        assertEquals("{\"argv\":[\"plan\",\"--json\"],\"env\":{\"SSH_CONNECTION\":\"203.0.113.2 50022 203.0.113.11 22\"},"
                + "\"timeoutMs\":5000}"
                + "\ndesired", request);
    }

    @Test
    void nothingListeningOrABecomeLoginMeansTheUsualAgentProcess() throws Exception {
        Gateway none = new Gateway(false, null, Duration.ofSeconds(5));
        Gateway become = new Gateway(true, frames("", "", 0), Duration.ofSeconds(5));

        assertNull(ResidentAgent.reach(none, "/var/lib/killswitch", SHA));
        assertNull(ResidentAgent.reach(become, "/var/lib/killswitch", SHA));
        assertEquals(List.of(), become.opened); // its socket is root's: not even tried
    }

    @Test
    void aRunStartsItWithoutWarmUpAndWorksThroughItOnceItListens() throws Exception {
        Gateway gw = new Gateway(false, frames("{}\n", "", 0), Duration.ofSeconds(5));
        gw.listensAfter = 3;

        ResidentAgent agent = ResidentAgent.start(gw, List.of("-Xms32m"), "/var/lib/killswitch/agent/a.jar", SHA,
                "/var/lib/killswitch", Duration.ofSeconds(600), Duration.ofSeconds(10));

        assertEquals(new ExecResult(0, "{}\n", ""), agent.run(List.of("plan"), null, null, null, null));
        List<String> launch = gw.execs.get(0);
        assertEquals(List.of("sh", "-c"), launch.subList(0, 2));
        assertEquals(List.of("killswitch-resident", "/var/lib/killswitch", "java", "-Xms32m", "-jar",
                "/var/lib/killswitch/agent/a.jar", "serve", "--state-dir", "/var/lib/killswitch", "--idle-exit", "600",
                "--warmup", "0"), launch.subList(3, launch.size()));
        assertEquals(4, gw.opened.size());
    }

    @Test
    void aStaleSocketOfAnAgentThatDiedIsWaitedOutNotTakenForNoForwarding() throws Exception {
        Gateway gw = new Gateway(false, frames("{}\n", "", 0), Duration.ofSeconds(5));
        gw.listensAfter = 25; // the new agent replaces the stale socket after the first checks found nobody listening

        assertEquals(new ExecResult(0, "{}\n", ""), ResidentAgent.start(gw, List.of(), "/a.jar", SHA,
                "/var/lib/killswitch", Duration.ofSeconds(60), Duration.ofSeconds(10))
                .run(List.of("plan"), null, null, null, null));
        assertEquals(2, gw.execs.stream().filter(a -> a.get(0).equals("ss")).count());
    }

    @Test
    void noJavaOrASocketSshdDoesNotForwardToMeansTheAgentPerCall() throws Exception {
        Gateway noJava = new Gateway(false, frames("", "", 0), Duration.ofSeconds(5));
        noJava.launchExit = 127;
        noJava.listensAfter = 100; // nothing listens: none was started
        assertNull(ResidentAgent.start(noJava, List.of(), "/a.jar", SHA, "/var/lib/killswitch", Duration.ofSeconds(60),
                Duration.ofSeconds(10)));
        assertEquals(1, noJava.opened.size(), "looked once before starting it, not after the start failed");

        Gateway noSockets = new Gateway(false, frames("", "", 0), Duration.ofSeconds(5));
        noSockets.forwards = false;
        assertNull(ResidentAgent.start(noSockets, List.of(), "/a.jar", SHA, "/var/lib/killswitch",
                Duration.ofSeconds(60), Duration.ofSeconds(10)));
        assertEquals(List.of(), noSockets.execs, "not even started");

        Gateway noForwarding = new Gateway(false, null, Duration.ofSeconds(5)); // AllowStreamLocalForwarding no
        noForwarding.listening = true;
        long t0 = System.nanoTime();
        assertNull(ResidentAgent.start(noForwarding, List.of(), "/a.jar", SHA, "/var/lib/killswitch",
                Duration.ofSeconds(60), Duration.ofSeconds(30)));
        assertEquals(true, System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "gave up once the socket was there");
    }

    @Test
    void anAgentThatDoesNotAnswerWithinTheCommandTimeoutIsATimeout() throws Exception {
        Gateway gw = new Gateway(false, new byte[0], Duration.ofMillis(300));
        ResidentAgent agent = ResidentAgent.reach(gw, "/var/lib/killswitch", SHA);

        assertThrows(CommandTimeout.class, () -> agent.run(List.of("plan"), null, null, null, null));
        assertEquals(true, gw.closed);
    }
}
