package dev.killswitch.controller.faults;

import dev.killswitch.controller.e2e.UdpProbe;
import dev.killswitch.controller.lab.LabLayout;
import dev.killswitch.controller.lab.SinkCounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What runs beside a fault: a paced UDP flood from every gateway at the sink (a fresh flow per datagram), and one
 * open SSH session per gateway. Closing it stops both and tells how many packets leaked and sessions were lost.
 */
final class Traffic implements AutoCloseable {

    private static final Pattern SUMMARY = Pattern.compile("phase=0 sent=(\\d+) refused=(\\d+) failed=(\\d+)");

    /** Packets each gateway sent and had refused, leaked packets at the sink, and SSH sessions lost. */
    record Tally(long sent, long refused, long leaked, int sessions, int lostSessions, Map<String, Long> leakedBy) {
    }

    private final FaultLab lab;
    private final List<String> gateways;
    private final Map<String, Process> probes = new LinkedHashMap<>();
    private final Map<String, Path> probeOut = new LinkedHashMap<>();
    private final Map<String, Process> sessions = new LinkedHashMap<>();
    private final SinkCounts before;
    private Tally tally;

    private Traffic(FaultLab lab, List<String> gateways) {
        this.lab = lab;
        this.gateways = List.copyOf(gateways);
        this.before = lab.lab.sinkCounts();
    }

    /**
     * Starts {@code perSecond} probes a second from each of {@code gateways} (for at most {@code maxSeconds}), and an
     * SSH session to each when {@code ssh}; returns once every probe has started.
     */
    static Traffic start(FaultLab lab, List<String> gateways, int perSecond, int maxSeconds, boolean ssh) {
        Traffic t = new Traffic(lab, gateways);
        try {
            for (String gw : gateways) {
                Path out = Files.createTempFile(lab.dir, "probe-" + gw + "-", ".out");
                List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", lab.lab.host(gw).namespace(),
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx24m"));
                argv.addAll(FaultLab.JVM);
                argv.addAll(List.of("-cp", System.getProperty("java.class.path"), UdpProbe.class.getName(), "flood",
                        LabLayout.SINK, "9", Integer.toString(perSecond), Integer.toString(maxSeconds)));
                t.probes.put(gw, new ProcessBuilder(argv).redirectOutput(out.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start());
                t.probeOut.put(gw, out);
                if (ssh) {
                    List<String> s = new ArrayList<>(lab.lab.sshCommand(gw, "sleep", "86400"));
                    s.addAll(1, List.of("-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"));
                    t.sessions.put(gw, new ProcessBuilder(s).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
                }
            }
        } catch (IOException e) {
            t.close();
            throw new UncheckedIOException("cannot start the probes", e);
        }
        FaultLab.awaitTrue("the probes to start", java.time.Duration.ofSeconds(120),
                () -> t.probeOut.values().stream().allMatch(p -> read(p).contains("started")));
        return t;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** SSH sessions that ended by now. */
    int lostSessions() {
        return (int) sessions.values().stream().filter(p -> !p.isAlive()).count();
    }

    /** Stops everything (once) and returns what happened. */
    Tally stop() {
        if (tally != null) {
            return tally;
        }
        int lost = lostSessions();
        long sent = 0;
        long refused = 0;
        for (Map.Entry<String, Process> e : probes.entrySet()) {
            Process p = e.getValue();
            try {
                p.getOutputStream().close();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (IOException | InterruptedException ex) {
                p.destroyForcibly();
            }
            Matcher m = SUMMARY.matcher(read(probeOut.get(e.getKey())));
            if (m.find()) {
                sent += Long.parseLong(m.group(1));
                refused += Long.parseLong(m.group(2));
            }
        }
        sessions.values().forEach(Process::destroyForcibly);
        FaultLab.pause(300); // the last datagrams cross the veths asynchronously
        SinkCounts after = lab.lab.sinkCounts();
        Map<String, Long> by = new LinkedHashMap<>();
        long leaked = 0;
        for (String gw : gateways) {
            long n = after.leaked(lab.lab.host(gw)) - before.leaked(lab.lab.host(gw));
            by.put(gw, n);
            leaked += n;
        }
        tally = new Tally(sent, refused, leaked, sessions.size(), lost, by);
        return tally;
    }

    @Override
    public void close() {
        if (tally == null) {
            try {
                stop();
            } catch (RuntimeException e) {
                probes.values().forEach(Process::destroyForcibly);
                sessions.values().forEach(Process::destroyForcibly);
            }
        }
    }
}
