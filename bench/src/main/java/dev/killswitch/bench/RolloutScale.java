package dev.killswitch.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.killswitch.controller.inventory.InventoryLoader;
import dev.killswitch.controller.inventory.Inventory;
import dev.killswitch.controller.playbook.Play;
import dev.killswitch.controller.playbook.PlaybookReader;
import dev.killswitch.controller.rollout.HostRun;
import dev.killswitch.controller.rollout.Progress;
import dev.killswitch.controller.rollout.Recap;
import dev.killswitch.controller.rollout.Rollout;
import dev.killswitch.controller.rollout.Status;
import dev.killswitch.controller.transport.AgentInstaller;
import dev.killswitch.controller.transport.ExecResult;
import dev.killswitch.controller.transport.FakeTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The scale simulation of the rollout: the real orchestrator ({@link Rollout} with {@link HostRun} as its work: agent
 * install, facts, render, compile, apply, confirm over a fresh connection) over a fleet of N fake gateways reached
 * through {@link FakeTransport} with SSH-like latency, each answering like a real agent (facts and apply reports
 * captured from a lab gateway). Prints one tab-separated line: wall time and heap figures (see {@link #HEADER}).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.killswitch.bench.RolloutScale --hosts 1000 [--forks 50]
 * [--connect-ms 50] [--exec-ms 20] [--agent-jar FILE] [--playbook FILE] [--rerun] [--header]}; {@code --header} alone
 * prints only the column names.
 */
public final class RolloutScale {

    /** Column names of the line {@link #main} prints. */
    public static final String HEADER = String.join("\t", "hosts", "forks", "mode", "wall_ms", "cpu_ms", "host_ms_median",
            "baseline_mb", "peak_used_mb", "peak_live_mb", "retained_mb", "gcs", "changed", "ok", "failed",
            "connects", "execs", "uploads", "max_open", "inventory_ms");

    private static final String HOST = "@HOST@";
    private static final String ADDRESS = "@ADDRESS@";
    private static final String WG_ADDRESS = "@WGADDRESS@";

    /** How the fleet looks: first apply (every host changes) or the idempotent re-run (none does). */
    /**
     * @param applyLine the report as an agent that awaits its confirmation prints it (one line)
     * @param confirmId the confirmation id in that report
     */
    private record Fleet(String facts, String applyReport, boolean changes, String applyLine, String confirmId) {
        static Fleet of(String facts, String applyReport, boolean changes) throws IOException {
            var report = dev.killswitch.agent.report.Json.MAPPER.readTree(applyReport);
            return new Fleet(facts, applyReport, changes, report.toString(), report.path("confirm").path("id").asText());
        }
    }

    private RolloutScale() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = options(args);
        if (opt.containsKey("--header")) {
            System.out.println(HEADER);
            if (!opt.containsKey("--hosts")) {
                return;
            }
        }
        int hosts = Integer.parseInt(opt.getOrDefault("--hosts", "100"));
        int forks = Integer.parseInt(opt.getOrDefault("--forks", "50"));
        Duration connect = Duration.ofMillis(Long.parseLong(opt.getOrDefault("--connect-ms", "50")));
        Duration exec = Duration.ofMillis(Long.parseLong(opt.getOrDefault("--exec-ms", "20")));
        Path agentJar = Path.of(opt.getOrDefault("--agent-jar", "agent/target/killswitch-agent.jar"));
        Path playbook = Path.of(opt.getOrDefault("--playbook", "playbooks/killswitch.yml"));
        boolean rerun = opt.containsKey("--rerun");

        Fleet fleet = Fleet.of(resource("scale/facts.json"),
                resource(rerun ? "scale/apply-unchanged.json" : "scale/apply-changed.json"), !rerun);
        Path dir = Files.createTempDirectory("killswitch-scale-");
        try {
            Path inventoryFile = writeInventory(dir, hosts);
            long i0 = System.nanoTime();
            Inventory inv = InventoryLoader.load(inventoryFile, Map.of());
            long inventoryMs = (System.nanoTime() - i0) / 1_000_000;
            Play play = PlaybookReader.read(playbook).plays().get(0);
            List<String> names = inv.select(play.hosts());

            FakeTransport.Latency latency = new FakeTransport.Latency(connect, exec);
            // dialogues, as over SSH: facts and apply are one agent call
            FakeTransport transport = new FakeTransport(agent(fleet), h -> latency, FakeTransport.Sleeper.real(),
                    h -> false).holdingDialogues();
            byte[] jar = Files.readAllBytes(agentJar);
            if (rerun) {
                // a re-run finds the agent installed by the first apply
                names.forEach(h -> transport.putFile(h, AgentInstaller.DEFAULT_PATH, jar, 0644));
            }
            HostRun run = new HostRun(transport, jar, HostRun.Options.defaults(), Progress.QUIET);
            Rollout rollout = new Rollout(forks, Progress.QUIET);

            HeapWatch heap = new HeapWatch();
            long baseline = heap.baseline();
            heap.start();
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            Recap recap = rollout.run(play.name(), names, play.serial(), play.maxFailPercentage(),
                    h -> run.run(inv, play, h, true));
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            long cpuMs = (cpuNanos() - cpu0) / 1_000_000;
            heap.stop();
            long retained = heap.baseline() - baseline; // the recap is still reachable here: what a run keeps
            java.lang.ref.Reference.reachabilityFence(recap);

            Map<Status, Integer> counts = recap.counts();
            List<Long> millis = recap.hosts().stream().map(r -> r.millis()).sorted().toList();
            if (counts.get(Status.FAILED) > 0) {
                recap.hosts().stream().filter(r -> r.status().failed()).limit(3)
                        .forEach(r -> System.err.println(r.host() + ": " + r.message()));
            }
            System.out.println(String.join("\t", String.valueOf(hosts), String.valueOf(forks),
                    rerun ? "rerun" : "first", String.valueOf(wallMs), String.valueOf(cpuMs), String.valueOf(millis.get(millis.size() / 2)),
                    mb(baseline), mb(heap.peakUsed()), mb(heap.peakLive()), mb(retained),
                    String.valueOf(heap.collections()), String.valueOf(counts.get(Status.CHANGED)),
                    String.valueOf(counts.get(Status.OK)), String.valueOf(counts.get(Status.FAILED)
                            + counts.get(Status.UNREACHABLE) + counts.get(Status.ROLLED_BACK)),
                    String.valueOf(transport.connects()), String.valueOf(transport.execs()),
                    String.valueOf(transport.uploads()), String.valueOf(transport.maxOpenConnections()),
                    String.valueOf(inventoryMs)));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * A gateway's agent as the controller sees it over SSH: java -version, the class-data archive's checksum check
     * (intact on a re-run), facts, apply (with --facts-first: the facts line, then the report), confirm.
     */
    private static FakeTransport.Script agent(Fleet fleet) {
        return (host, argv, stdin) -> {
            if (argv.contains("-version")) {
                return new ExecResult(0, "", "openjdk version \"17.0.15\" 2025-04-15\n");
            }
            if (argv.get(0).equals("sha256sum")) {
                return new ExecResult(fleet.changes() ? 1 : 0, "", "");
            }
            int jar = argv.indexOf("-jar");
            String command = jar >= 0 && jar + 2 < argv.size() ? argv.get(jar + 2) : "";
            int n = Integer.parseInt(host.substring(2));
            return switch (command) {
                case "facts" -> new ExecResult(0, personal(fleet.facts(), host, n), "");
                case "apply" -> stdin == null && argv.contains("--facts-first")
                        ? new ExecResult(0, personal(fleet.facts(), host, n), "")
                        : argv.contains("--await-confirm")
                        // the report on one line; the agent prints the second line once the token came
                        ? new ExecResult(0, personal(fleet.applyLine(), host, n)
                                + (fleet.changes() ? "\nconfirmed " + fleet.confirmId() + "\n" : "\n"), "")
                        : new ExecResult(0, personal(fleet.applyReport(), host, n), "");
                case "confirm" -> new ExecResult(0, "confirmed 0e6f4d5c-" + host + "\n", "");
                default -> new ExecResult(2, "", "killswitch-agent: unexpected command " + argv + "\n");
            };
        };
    }

    /** The captured output with this host's name and addresses. */
    private static String personal(String template, String host, int n) {
        return template.replace(HOST, host).replace(ADDRESS, address(n, 0)).replace(WG_ADDRESS, address(n, 1));
    }

    /** A distinct address per host: 10.64.0.0/10 for eth0 and 100.64.0.0/10 for the tunnel. */
    private static String address(int n, int tunnel) {
        return (tunnel == 0 ? 10 : 100) + "." + (64 + (n >> 16)) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }

    /** An Ansible-format YAML inventory of N gateways, like an operator's (one entry per host). */
    private static Path writeInventory(Path dir, int hosts) throws IOException {
        StringBuilder s = new StringBuilder("all:\n  children:\n    gateways:\n      vars:\n"
                + "        ansible_user: root\n        ansible_ssh_private_key_file: /nonexistent/id_ed25519\n"
                + "      hosts:\n");
        for (int i = 1; i <= hosts; i++) {
            s.append("        gw").append(i).append(":\n          ansible_host: ").append(address(i, 0)).append('\n');
        }
        Path file = dir.resolve("hosts.yml");
        Files.writeString(file, s.toString());
        return file;
    }

    private static String resource(String name) {
        try (InputStream in = RolloutScale.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (Set.of("--rerun", "--header").contains(args[i])) {
                out.put(args[i], "");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                out.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        return out;
    }

    /** CPU time of this whole process (every thread, GC included). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }

    /**
     * Heap used over a run: sampled every few milliseconds, and read before and after every collection from the GC's
     * own notifications, so that a peak between two samples is not missed.
     */
    static final class HeapWatch {
        private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
                .collect(Collectors.toSet());
        private final AtomicLong peakUsed = new AtomicLong();
        private final AtomicLong peakLive = new AtomicLong();
        private final AtomicLong collections = new AtomicLong();
        private final List<Runnable> undo = new ArrayList<>();
        private volatile boolean running;
        private Thread sampler;

        /** Heap used after full collections: what stays reachable. */
        long baseline() {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            return used();
        }

        void start() {
            running = true;
            NotificationListener listener = (n, handback) -> {
                if (!running || !n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    return;
                }
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
                collections.incrementAndGet();
                peakUsed.accumulateAndGet(heap(info.getMemoryUsageBeforeGc()), Math::max);
                peakLive.accumulateAndGet(heap(info.getMemoryUsageAfterGc()), Math::max);
            };
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                NotificationEmitter emitter = (NotificationEmitter) gc;
                emitter.addNotificationListener(listener, null, null);
                undo.add(() -> {
                    try {
                        emitter.removeNotificationListener(listener);
                    } catch (javax.management.ListenerNotFoundException e) {
                        // already gone
                    }
                });
            }
            sampler = new Thread(() -> {
                while (running) {
                    peakUsed.accumulateAndGet(used(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        void stop() throws InterruptedException {
            peakUsed.accumulateAndGet(used(), Math::max);
            running = false;
            sampler.join();
            undo.forEach(Runnable::run);
        }

        long peakUsed() {
            return peakUsed.get();
        }

        /** The most that was still reachable after any collection during the run (0 if none ran). */
        long peakLive() {
            return peakLive.get();
        }

        long collections() {
            return collections.get();
        }

        private long heap(Map<String, MemoryUsage> pools) {
            return pools.entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                    .mapToLong(e -> e.getValue().getUsed()).sum();
        }

        private static long used() {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
    }
}
