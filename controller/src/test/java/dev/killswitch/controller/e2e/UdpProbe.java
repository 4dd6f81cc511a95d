package dev.killswitch.controller.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A UDP packet generator started inside a lab namespace ({@code ip netns exec NS java -cp ... UdpProbe ...}). It
 * reports what the kernel said to each send: a drop in OUTPUT comes back as EPERM ("refused"); a send that returns
 * normally passed the firewall.
 *
 * <ul>
 * <li>{@code flood ADDR PORT PER_SECOND MAX_SECONDS}: a fresh socket per datagram (a new conntrack flow each, so
 * no accepted flow can hide a leak), paced, until stdin closes or MAX_SECONDS pass.</li>
 * <li>{@code flow ADDR PORT INTERVAL_MS MAX_SECONDS}: one connected socket (one conntrack flow), counting the
 * echoes it gets back; each line on stdin starts the next phase, so the caller can mark "after the tunnel
 * dropped".</li>
 * </ul>
 * Prints {@code started}, for flow an {@code echo} line per reply, and at the end one summary line per phase:
 * {@code phase=N sent=S refused=R failed=F echoes=E} (plus {@code error=...} for the first other failure).
 */
public final class UdpProbe {

    private static final String EPERM = "Operation not permitted";

    private UdpProbe() {
    }

    /** Counts for one phase of a run. */
    private static final class Tally {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong echoes = new AtomicLong();
        volatile String error;

        void failure(IOException e) {
            if (e.getMessage() != null && e.getMessage().contains(EPERM)) {
                refused.incrementAndGet();
            } else {
                failed.incrementAndGet();
                if (error == null) {
                    error = e.toString().replace(' ', '_');
                }
            }
        }

        String line(int phase) {
            return "phase=" + phase + " sent=" + sent + " refused=" + refused + " failed=" + failed + " echoes="
                    + echoes + (error == null ? "" : " error=" + error);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 || !(args[0].equals("flood") || args[0].equals("flow"))) {
            System.err.println("usage: UdpProbe flood|flow ADDR PORT RATE_OR_INTERVAL MAX_SECONDS");
            System.exit(64);
        }
        InetSocketAddress to = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        int n = Integer.parseInt(args[3]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Integer.parseInt(args[4]));
        Tally[] phases = {new Tally(), new Tally(), new Tally(), new Tally()};
        AtomicInteger phase = new AtomicInteger();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Thread control = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                while (in.readLine() != null && phase.get() < phases.length - 1) {
                    phase.incrementAndGet();
                }
            } catch (IOException ignored) {
                // stdin gone: stop like on EOF
            }
            phase.set(phases.length); // past the last phase: stop
        });
        control.setDaemon(true);
        control.start();
        out.println("started");
        if (args[0].equals("flood")) {
            flood(to, n, deadline, phases, phase);
        } else {
            flow(to, n, deadline, phases, phase, out);
        }
        for (int i = 0; i < phases.length; i++) {
            if (phases[i].sent.get() + phases[i].refused.get() + phases[i].failed.get() > 0 || i == 0) {
                out.println(phases[i].line(i));
            }
        }
        out.flush();
        System.exit(0);
    }

    private static void flood(InetSocketAddress to, int perSecond, long deadline, Tally[] phases,
                              AtomicInteger phase) {
        byte[] payload = "killswitch e2e flood".getBytes(StandardCharsets.US_ASCII);
        long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long next = System.nanoTime();
        for (int p = phase.get(); p < phases.length && System.nanoTime() < deadline; p = phase.get()) {
            Tally t = phases[p];
            try (DatagramSocket s = new DatagramSocket()) {
                s.send(new DatagramPacket(payload, payload.length, to));
                t.sent.incrementAndGet();
            } catch (IOException e) {
                t.failure(e);
            }
            next += period;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    private static void flow(InetSocketAddress to, int intervalMs, long deadline, Tally[] phases,
                             AtomicInteger phase, PrintStream out) throws IOException, InterruptedException {
        byte[] payload = "killswitch e2e flow".getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(to); // fixes the source address: the flow keeps it whatever the routes do later
            s.setSoTimeout(100);
            Thread echoes = new Thread(() -> {
                byte[] buf = new byte[512];
                while (!s.isClosed()) {
                    try {
                        s.receive(new DatagramPacket(buf, buf.length));
                        phases[Math.min(phase.get(), phases.length - 1)].echoes.incrementAndGet();
                        out.println("echo");
                    } catch (SocketTimeoutException idle) {
                        // poll again
                    } catch (IOException e) {
                        if (s.isClosed()) {
                            return;
                        }
                    }
                }
            });
            echoes.setDaemon(true);
            echoes.start();
            for (int p = phase.get(); p < phases.length && System.nanoTime() < deadline; p = phase.get()) {
                Tally t = phases[p];
                try {
                    s.send(new DatagramPacket(payload, payload.length));
                    t.sent.incrementAndGet();
                } catch (IOException e) {
                    t.failure(e);
                }
                Thread.sleep(intervalMs);
            }
        }
    }
}
