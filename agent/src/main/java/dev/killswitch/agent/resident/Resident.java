package dev.killswitch.agent.resident;

import dev.killswitch.agent.report.Json;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The resident agent: one agent JVM that stays up on a gateway between runs and serves commands over a Unix
 * socket in its state directory, so a run costs the gateway a request instead of a JVM start. The socket is named
 * after the jar's SHA-256 (a new jar never talks to an old agent), is reachable by root only, and goes away with
 * its agent after an idle time. A request carries only SSH_CONNECTION from its caller's environment: the guard
 * protects the connection the command came in on, and everything else comes from the agent's own environment.
 */
public final class Resident {
    /** The request line's limit: argv and one variable. */
    static final int REQUEST_LIMIT = 64 * 1024;
    /** The one variable a request may set. */
    public static final String SSH_CONNECTION = "SSH_CONNECTION";
    /** sun_path holds 108 bytes with its terminating NUL. */
    private static final int SOCKET_PATH_LIMIT = 107;
    /**
     * JVM flags of an agent, resident or started per call (the controller adds its class-data archive): C1 and the
     * serial collector for short work; a small first heap, which grows when a large ruleset needs it (the default,
     * 1/64 of the RAM, has a short run touch fresh pages it never reuses: a cold run's CPU 0.75 -> 0.69 s, RSS 75 ->
     * 63 MB); JVM warnings never in the JSON on stdout; and a request starts some fifteen short programs (ip,
     * iptables-save...), which vfork starts without the jspawnhelper exec in between.
     */
    public static final List<String> JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xms32m", "-Xss512k",
            "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr",
            "-Djdk.lang.Process.launchMechanism=VFORK");

    private Resident() {
    }

    /**
     * The request line.
     *
     * @param timeoutMs how long the caller waits for it; null: no limit
     */
    public record Request(List<String> argv, Map<String, String> env, Long timeoutMs) {
    }

    /** After a request's time is up, how long it may still take before the agent gives up on itself. */
    public static final Duration OVERRUN_GRACE = Duration.ofSeconds(5);

    /** Runs one request's command with these streams and environment; returns its exit code. */
    @FunctionalInterface
    public interface Commands {
        int run(List<String> argv, Map<String, String> env, InputStream in, PrintStream out, PrintStream err);
    }

    /**
     * The socket of the agent jar with this SHA-256 in {@code stateDir}, or empty when the path would be too long
     * for a Unix socket (then there is no resident agent there).
     */
    public static Optional<Path> socket(Path stateDir, String sha256) {
        Path p = stateDir.resolve("agent-" + sha256.substring(0, 16) + ".sock");
        return p.toString().getBytes(StandardCharsets.UTF_8).length <= SOCKET_PATH_LIMIT ? Optional.of(p)
                : Optional.empty();
    }

    /** The jar this class was loaded from, or empty (classes on a directory path: tests). */
    public static Optional<Path> ownJar() {
        try {
            Path p = Path.of(Resident.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
        } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }

    /** Lowercase hex SHA-256 of a file, as sha256sum prints it. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** True when an agent answers on {@code socket}. */
    public static boolean listening(Path socket) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return ch.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts this jar's resident agent for {@code stateDir} in its own session (it outlives the command and the SSH
     * session that started it), unless one already answers. Its output goes to {@code resident.log} there.
     *
     * @return why none was started, or null when one was or already runs
     */
    public static String start(Path stateDir, Duration idle) throws IOException {
        Optional<Path> jar = ownJar();
        if (jar.isEmpty()) {
            return "not running from the agent jar";
        }
        Optional<Path> socket = socket(stateDir, sha256(jar.get()));
        if (socket.isEmpty()) {
            return "the state dir's path is too long for a Unix socket";
        }
        if (listening(socket.get())) {
            return null;
        }
        List<String> argv = new ArrayList<>(List.of("setsid",
                ProcessHandle.current().info().command().orElse("java")));
        argv.addAll(JVM);
        argv.addAll(serve(jar.get(), stateDir, idle, WARMUP));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(stateDir.resolve("resident.log").toFile()));
        pb.redirectErrorStream(true);
        pb.start();
        return null;
    }

    /** Warm-up runs of a resident agent started for later runs: its first request is then as quick as the next. */
    public static final int WARMUP = 3;

    /**
     * The java arguments after the JVM flags that start the resident agent of {@code jar} for {@code stateDir}: with
     * {@code warmup} runs of the plan pipeline before it listens (none when a run waits for it).
     */
    public static List<String> serve(Path jar, Path stateDir, Duration idle, int warmup) {
        return List.of("-jar", jar.toString(), "serve", "--state-dir", stateDir.toString(),
                "--idle-exit", String.valueOf(Math.max(1, idle.toSeconds())), "--warmup", String.valueOf(warmup));
    }

    /**
     * Serves commands on {@code socket} until nothing came for {@code idle} and none is running; returns false at
     * once when another agent already serves there. Only one process binds a socket at a time (a lock next to it).
     * A request still running {@link #OVERRUN_GRACE} after its caller's time ran out calls {@code overrun}: the
     * process then ends, as the gateway's {@code timeout} ends an agent command that hangs, and the next run starts
     * a fresh one (else a hung request would keep this agent, and its lock, forever).
     */
    public static boolean serve(Path socket, Duration idle, Commands commands, PrintStream log, Runnable overrun)
            throws IOException {
        ServerSocketChannel server;
        try (FileChannel lockFile = FileChannel.open(Path.of(socket + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
            if (listening(socket)) {
                return false;
            }
            Files.deleteIfExists(socket); // a stale one: its agent died without removing it
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        }
        log.println(java.time.Instant.now() + " serving on " + socket + " (pid " + ProcessHandle.current().pid()
                + ", idle exit after " + idle.toSeconds() + " s)");
        AtomicInteger running = new AtomicInteger();
        AtomicLong last = new AtomicLong(System.nanoTime());
        Thread idleWatch = new Thread(() -> {
            try {
                while (running.get() > 0 || System.nanoTime() - last.get() < idle.toNanos()) {
                    Thread.sleep(Math.min(1000, Math.max(10, idle.toMillis() / 4)));
                }
                server.close();
            } catch (InterruptedException | IOException e) {
                // ends with the process
            }
        }, "resident-idle");
        idleWatch.setDaemon(true);
        idleWatch.start();
        java.util.concurrent.ScheduledExecutorService deadlines = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "resident-deadlines");
                    t.setDaemon(true);
                    return t;
                });
        try {
            while (true) {
                SocketChannel ch;
                try {
                    ch = server.accept();
                } catch (java.nio.channels.ClosedChannelException e) {
                    break; // idle
                }
                running.incrementAndGet();
                last.set(System.nanoTime());
                Thread t = new Thread(() -> {
                    try {
                        handle(ch, commands, deadlines, () -> {
                            log.println(java.time.Instant.now() + " a request outlived its caller's time by "
                                    + OVERRUN_GRACE.toSeconds() + " s: exiting");
                            log.flush();
                            overrun.run();
                        });
                    } catch (IOException | RuntimeException e) {
                        log.println(java.time.Instant.now() + " request failed: " + e);
                    } finally {
                        last.set(System.nanoTime());
                        running.decrementAndGet();
                    }
                }, "resident-request");
                t.start();
            }
        } finally {
            deadlines.shutdownNow();
            server.close();
            try (FileChannel lockFile = FileChannel.open(Path.of(socket + ".lock"), StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                Files.deleteIfExists(socket);
            }
            log.println(java.time.Instant.now() + " idle for " + idle.toSeconds() + " s: exiting");
        }
        return true;
    }

    private static void handle(SocketChannel ch, Commands commands, java.util.concurrent.ScheduledExecutorService deadlines,
                               Runnable overrun) throws IOException {
        java.util.concurrent.ScheduledFuture<?> deadline = null;
        try (ch) {
            InputStream in = new BufferedInputStream(Frames.in(ch));
            Request request = Json.MAPPER.readValue(Frames.line(in, REQUEST_LIMIT), Request.class);
            if (request.timeoutMs() != null && request.timeoutMs() > 0) {
                deadline = deadlines.schedule(overrun, request.timeoutMs() + OVERRUN_GRACE.toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            Map<String, String> env = new HashMap<>();
            if (request.env() != null && request.env().get(SSH_CONNECTION) != null) {
                env.put(SSH_CONNECTION, request.env().get(SSH_CONNECTION));
            }
            DataOutputStream sink = new DataOutputStream(new BufferedOutputStream(Frames.out(ch)));
            PrintStream out = new PrintStream(Frames.stream(sink, Frames.OUT), false, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(Frames.stream(sink, Frames.ERR), false, StandardCharsets.UTF_8);
            int code = commands.run(request.argv() == null ? List.of() : request.argv(), env, in, out, err);
            out.flush();
            err.flush();
            Frames.exit(sink, code);
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }
}
