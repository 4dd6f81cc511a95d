package dev.killswitch.controller.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process a test keeps running beside the lab (an SSH session, a probe, a listener): stdout is collected line
 * by line with the time each line arrived, stderr as text. Closing it kills it and everything it started.
 */
final class Spawned implements AutoCloseable {

    /** A line of output and when it was read ({@link System#nanoTime()}). */
    record Line(long nanos, String text) {
    }

    private final List<String> argv;
    private final Process process;
    private final List<Line> lines = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread outReader;
    private final Thread errReader;

    private Spawned(List<String> argv, Process process) {
        this.argv = List.copyOf(argv);
        this.process = process;
        this.outReader = pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
                text -> {
                    synchronized (lines) {
                        lines.add(new Line(System.nanoTime(), text));
                        lines.notifyAll();
                    }
                });
        this.errReader = pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
                text -> {
                    synchronized (stderr) {
                        stderr.append(text).append('\n');
                    }
                });
    }

    static Spawned start(List<String> argv) {
        try {
            return new Spawned(argv, new ProcessBuilder(argv).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv, e);
        }
    }

    private static Thread pump(BufferedReader in, java.util.function.Consumer<String> sink) {
        Thread t = new Thread(() -> {
            try (in) {
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    sink.accept(l);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Every stdout line so far. */
    List<Line> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Every stdout line so far, as text. */
    String stdout() {
        StringBuilder sb = new StringBuilder();
        lines().forEach(l -> sb.append(l.text()).append('\n'));
        return sb.toString();
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits until stdout has {@code count} lines equal to {@code text}; fails naming the output otherwise. */
    void awaitLines(String text, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (lines.stream().filter(l -> l.text().equals(text)).count() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && !outReader.isAlive()) {
                    throw new AssertionError("no " + count + " '" + text + "' line(s) from " + argv + " within "
                            + timeout + "; stdout " + lines.stream().map(Line::text).toList() + ", stderr " + stderr());
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Writes one line to the process's stdin. */
    void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits for the exit and for all output; fails (after killing it) if it does not end in time. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new AssertionError(argv + " did not end within " + timeout + "; stdout "
                    + lines().stream().map(Line::text).toList() + ", stderr " + stderr());
        }
        outReader.join(5000);
        errReader.join(5000);
        return process.exitValue();
    }

    /** Sends SIGTERM, as systemd stops a service, and keeps reading what it writes while it stops. */
    void terminate() {
        // Process.destroy() would also close our ends of its pipes; the handle only signals
        process.toHandle().destroy();
    }

    /** Sends SIGKILL: the process dies at once, with no chance to clean up. */
    void kill() {
        process.toHandle().destroyForcibly();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
