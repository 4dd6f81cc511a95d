package dev.killswitch.controller.transport;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * In-process {@link Transport} for unit tests and the scale simulation: scripted command results, per-host latency
 * through an injectable {@link Sleeper}, unreachable hosts, a small per-host file store for uploads, and counters.
 * It keeps no per-host state until a host receives a file, so ten thousand hosts cost little.
 */
public final class FakeTransport implements Transport {

    /** What a gateway answers to a command. May throw to simulate a dropped connection. */
    @FunctionalInterface
    public interface Script {
        ExecResult respond(String host, List<String> argv, byte[] stdin) throws TransportException;

        /** Every command succeeds with no output. */
        static Script ok() {
            return (host, argv, stdin) -> OK;
        }
    }

    /** Waits out simulated latency; inject a virtual clock's sleeper to run without real waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        /** {@link Thread#sleep}. */
        static Sleeper real() {
            return duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        }

        /** No waiting at all. */
        static Sleeper none() {
            return duration -> { };
        }
    }

    /** Simulated latency of one host: to connect (or to fail to), and per command. */
    public record Latency(Duration connect, Duration exec) {
        public static final Latency NONE = new Latency(Duration.ZERO, Duration.ZERO);
    }

    /** A file the fake holds for a host. */
    public record FakeFile(byte[] content, int mode) {
    }

    private static final ExecResult OK = new ExecResult(0, "", "");

    private final Script script;
    private final Function<String, Latency> latency;
    private final Sleeper sleeper;
    private final Predicate<String> unreachable;
    private final boolean dialogues;
    private final Map<String, Map<String, FakeFile>> files = new ConcurrentHashMap<>();
    // Identity keys (arrays do not override equals): one digest per distinct uploaded array, however many hosts.
    private final Map<byte[], String> digests = new ConcurrentHashMap<>();

    private final LongAdder connects = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder execs = new LongAdder();
    private final LongAdder uploads = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();

    /** A fake with no latency where every host is reachable. */
    public FakeTransport(Script script) {
        this(script, host -> Latency.NONE, Sleeper.none(), host -> false);
    }

    /**
     * @param latency per host name; return shared instances, it is called for every connect
     * @param unreachable host names whose connect fails with {@link Unreachable} after the connect latency
     */
    public FakeTransport(Script script, Function<String, Latency> latency, Sleeper sleeper,
                         Predicate<String> unreachable) {
        this(script, latency, sleeper, unreachable, false);
    }

    private FakeTransport(Script script, Function<String, Latency> latency, Sleeper sleeper,
                          Predicate<String> unreachable, boolean dialogues) {
        this.script = script;
        this.latency = latency;
        this.sleeper = sleeper;
        this.unreachable = unreachable;
        this.dialogues = dialogues;
    }

    /**
     * The same fake, whose connections also hold {@link Connection#converse dialogues}: the script is asked twice with
     * the same argv, first with null stdin (the first line of its stdout opens the dialogue; the rest is ignored), then
     * with the answer as stdin (its result ends the dialogue). Each half waits the exec latency. Without this, a
     * dialogue is unsupported, as for a transport that cannot hold one. A command watched as it goes
     * ({@link Connection#exec(List, byte[], Consumer, Duration)}) asks the script once and hands on its stdout's lines.
     */
    public FakeTransport holdingDialogues() {
        return new FakeTransport(script, latency, sleeper, unreachable, true);
    }

    @Override
    public Connection connect(Target target) throws TransportException {
        String host = target.name();
        Latency delay = latency.apply(host);
        pause(host, delay.connect());
        if (unreachable.test(host)) {
            refused.increment();
            throw new Unreachable(host, "host " + host + " (" + target.address() + ") is unreachable: simulated",
                    null);
        }
        connects.increment();
        maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        return new FakeConnection(target, delay);
    }

    /** Successful connects so far. */
    public long connects() {
        return connects.sum();
    }

    /** Connects refused because the host was unreachable. */
    public long refused() {
        return refused.sum();
    }

    /** Commands run so far (including those behind sha256, move and upload). */
    public long execs() {
        return execs.sum();
    }

    /** Files uploaded so far. */
    public long uploads() {
        return uploads.sum();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    /** Most connections that were open at the same time. */
    public int maxOpenConnections() {
        return maxOpen.get();
    }

    /** The file a host holds at {@code path}, or null. */
    public FakeFile file(String host, String path) {
        Map<String, FakeFile> hostFiles = files.get(host);
        return hostFiles == null ? null : hostFiles.get(path);
    }

    /** Puts a file on a host as if someone else had written it (a tampered agent, say). */
    public void putFile(String host, String path, byte[] content, int mode) {
        files.computeIfAbsent(host, h -> new ConcurrentHashMap<>()).put(path, new FakeFile(content, mode));
    }

    private void pause(String host, Duration duration) throws Unreachable {
        if (duration.isZero()) {
            return;
        }
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable(host, "host " + host + ": interrupted", e);
        }
    }

    private final class FakeConnection implements Connection {
        private final Target target;
        private final Latency delay;
        private boolean closed;

        FakeConnection(Target target, Latency delay) {
            this.target = target;
            this.delay = delay;
        }

        @Override
        public Target target() {
            return target;
        }

        @Override
        public ExecResult exec(List<String> argv, byte[] stdin, Duration timeout) throws TransportException {
            String host = target.name();
            Duration limit = timeout == null ? target.commandTimeout() : timeout;
            requireOpen();
            execs.increment();
            if (delay.exec().compareTo(limit) > 0) {
                pause(host, limit);
                throw new CommandTimeout(host, RemoteCommand.line(argv), limit);
            }
            pause(host, delay.exec());
            return script.respond(host, argv, stdin);
        }

        @Override
        public ExecResult exec(List<String> argv, byte[] stdin, Consumer<String> then, Duration timeout)
                throws TransportException {
            if (!dialogues) {
                return Connection.super.exec(argv, stdin, then, timeout);
            }
            ExecResult r = exec(argv, stdin, timeout);
            if (then != null) {
                r.stdout().lines().forEach(then);
            }
            return r;
        }

        @Override
        public ExecResult converse(List<String> argv, Function<String, byte[]> answer, Consumer<String> then,
                                   Duration timeout) throws TransportException {
            if (!dialogues) {
                return Connection.super.converse(argv, answer, then, timeout);
            }
            ExecResult opening = exec(argv, null, timeout);
            int nl = opening.stdout().indexOf('\n');
            if (nl < 0) {
                return opening;
            }
            ExecResult r = exec(argv, answer.apply(opening.stdout().substring(0, nl)), timeout);
            if (then != null) {
                r.stdout().lines().forEach(then);
            }
            return r;
        }

        @Override
        public void put(byte[] content, String remotePath, int mode) throws TransportException {
            requireOpen();
            pause(target.name(), delay.exec());
            uploads.increment();
            putFile(target.name(), remotePath, content, mode);
        }

        @Override
        public void upload(byte[] content, String remotePath, int mode) throws TransportException {
            requireOpen();
            pause(target.name(), delay.exec());
            uploads.increment();
            putFile(target.name(), remotePath, content, mode);
        }

        @Override
        public void move(String from, String to) throws TransportException {
            requireOpen();
            execs.increment();
            pause(target.name(), delay.exec());
            Map<String, FakeFile> hostFiles = files.get(target.name());
            FakeFile file = hostFiles == null ? null : hostFiles.remove(from);
            if (file == null) {
                throw new RemoteError(target.name(), "host " + target.name() + ": mv " + from + " " + to
                        + " failed: No such file or directory");
            }
            hostFiles.put(to, file);
        }

        @Override
        public String sha256(String remotePath) throws TransportException {
            requireOpen();
            execs.increment();
            pause(target.name(), delay.exec());
            FakeFile file = file(target.name(), remotePath);
            return file == null ? null : digests.computeIfAbsent(file.content(), Digests::sha256Hex);
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                open.decrementAndGet();
            }
        }

        private synchronized void requireOpen() throws Unreachable {
            if (closed) {
                throw new Unreachable(target.name(), "host " + target.name() + ": connection already closed", null);
            }
        }
    }
}
