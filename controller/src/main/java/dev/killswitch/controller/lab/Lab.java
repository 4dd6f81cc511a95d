package dev.killswitch.controller.lab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.ProcessRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A lab of VPN gateways built from network namespaces: bring one up, read its state, probe for leaks, tear it down.
 *
 * <pre>{@code
 * try (Lab lab = Lab.up(LabSpec.of(2).withPrefix("ks-t-ab12cd-").withStateDir(tmp).withInventory(tmp.resolve("hosts.yml")))) {
 *     ProbeResult r = lab.probe("gw1", ProbeKind.UDP_53);   // r.refused(): EPERM from a kill switch
 *     long leaked = lab.sinkCounts().leaked(lab.host("gw1"));
 *     CommandRunner gw1 = lab.runner("gw1");               // runs iptables-save etc. on gw1
 * }
 * }</pre>
 */
public final class Lab implements AutoCloseable {

    private static final String ICMP_ECHO = LabConfigs.icmpEcho();

    private final LabManifest manifest;
    private final Toolbox tools;
    private final Processes proc;

    private Lab(LabManifest manifest, Toolbox tools, CommandRunner runner) {
        this.manifest = manifest;
        this.tools = tools;
        this.proc = new Processes(runner);
    }

    /** Builds the lab {@code spec} describes; on failure nothing of it is left. Needs root. */
    public static Lab up(LabSpec spec) {
        return up(spec, line -> {
        });
    }

    /** As {@link #up(LabSpec)}, reporting each phase and its duration to {@code progress}. */
    public static Lab up(LabSpec spec, Consumer<String> progress) {
        Toolbox tools = Toolbox.find();
        CommandRunner runner = new ProcessRunner();
        LabManifest m = new Bringup(spec, tools, new Processes(runner), progress).run();
        return new Lab(m, tools, runner);
    }

    /** The lab recorded in {@code stateDir} (its lab.json). */
    public static Lab open(Path stateDir) {
        return new Lab(LabManifest.read(stateDir.toAbsolutePath().normalize()), Toolbox.find(), new ProcessRunner());
    }

    /** Removes every namespace, process and /etc/netns directory of the lab with {@code prefix}, and the default
     * state directory's files when they belong to it. Idempotent. */
    public static void down(String prefix) {
        down(prefix, LabSpec.DEFAULT_STATE_DIR);
    }

    /** As {@link #down(String)}, with the lab's files in {@code stateDir} (deleted only if its lab.json names
     * {@code prefix}; the inventory only if {@code lab up} wrote it). */
    public static void down(String prefix, Path stateDir) {
        Bringup.requireRoot();
        new Teardown(prefix, stateDir == null ? null : stateDir.toAbsolutePath().normalize(), Toolbox.find(),
                new Processes(new ProcessRunner()), false).run();
    }

    /** The live state of the lab recorded in {@code stateDir}. */
    public static LabStatus status(Path stateDir) {
        return open(stateDir).status();
    }

    /** Tears this lab down (see {@link #down(String, Path)}). */
    public void down() {
        down(prefix(), stateDir());
    }

    @Override
    public void close() {
        down();
    }

    public LabManifest manifest() {
        return manifest;
    }

    public LabLayout layout() {
        return manifest.layout();
    }

    public String prefix() {
        return manifest.prefix();
    }

    public List<LabHost> hosts() {
        return layout().hosts();
    }

    /** The gateway called {@code name} ({@code gw1}...). */
    public LabHost host(String name) {
        return layout().host(name);
    }

    public Path stateDir() {
        return Path.of(manifest.stateDir());
    }

    public Path inventory() {
        return Path.of(manifest.inventory());
    }

    /** The private key that logs in as root on every gateway. */
    public Path clientKey() {
        return Path.of(manifest.clientKey());
    }

    /** known_hosts with every gateway's host key, as {@code [127.0.0.1]:port} and by its address. */
    public Path knownHosts() {
        return Path.of(manifest.knownHosts());
    }

    /** The ssh client command that runs {@code remote} on gateway {@code name} as root, checking its host key. */
    public List<String> sshCommand(String name, String... remote) {
        LabHost h = host(name);
        List<String> argv = new ArrayList<>(List.of("ssh", "-i", clientKey().toString(),
                "-o", "UserKnownHostsFile=" + knownHosts(), "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-p", Integer.toString(h.sshPort()), "root@127.0.0.1"));
        argv.addAll(List.of(remote));
        return argv;
    }

    /** The network namespace of a node: a gateway ({@code gw1}), a LAN client ({@code lan1}), or net/sink/vpn/ctl. */
    public String namespaceOf(String node) {
        LabLayout l = layout();
        return switch (node) {
            case "net" -> l.netNamespace();
            case "sink" -> l.sinkNamespace();
            case "vpn" -> l.vpnNamespace();
            case "ctl" -> l.ctlNamespace();
            default -> l.lans().stream().filter(lan -> lan.clientName().equals(node)).map(LabLan::clientNamespace)
                    .findFirst().orElseGet(() -> host(node).namespace());
        };
    }

    /**
     * Runs programs on {@code node} as the node itself sees the world: in its network namespace and, for the
     * gateways and the vpn peer, in their private mount namespace (their own /run/wireguard and /etc/wireguard).
     * Hand it to agent code to observe and change a gateway's iptables.
     */
    public CommandRunner runner(String node) {
        String ns = namespaceOf(node);
        Long holder = manifest.holders().get(node);
        return (argv, stdin) -> {
            List<String> full = new ArrayList<>(holder == null || !holds(holder) ? tools.netnsExec(ns)
                    : tools.enter(ns, holder));
            full.addAll(argv);
            return proc.run(full, stdin);
        };
    }

    /** Runs {@code argv} on {@code node} (see {@link #runner(String)}). */
    public CommandRunner.Result exec(String node, List<String> argv) {
        try {
            return runner(node).run(argv, null);
        } catch (IOException e) {
            throw new LabError("cannot run " + argv.get(0) + " on " + node + ": " + e.getMessage(), e);
        }
    }

    /** Sends one {@code kind} probe from {@code node} to the sink on the internet segment (203.0.113.250). */
    public ProbeResult probe(String node, ProbeKind kind) {
        return probe(node, kind, LabLayout.SINK);
    }

    /**
     * Sends one {@code kind} probe from {@code node} to {@code target}, from a fresh socket (a new conntrack flow).
     * 198.51.100.250 is the sink reached by routing (through the tunnel while it is up); 10.66.0.1 is the VPN
     * peer inside the tunnel.
     */
    public ProbeResult probe(String node, ProbeKind kind, String target) {
        if (!target.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            throw new LabError("a probe target is an IPv4 address, got '" + target + "'");
        }
        List<String> argv = new ArrayList<>(tools.netnsExec(namespaceOf(node)));
        String stdin = null;
        switch (kind) {
            case UDP_53 -> {
                argv.addAll(List.of(tools.path("socat"), "-u", "STDIN", "UDP4-SENDTO:" + target + ":53"));
                stdin = "killswitch lab probe\n";
            }
            case TCP_80 -> {
                argv.addAll(List.of(tools.path("socat"), "-u", "STDIN", "TCP4:" + target + ":80,connect-timeout=1"));
                stdin = "";
            }
            case ICMP -> {
                argv.addAll(List.of(tools.path("socat"), "-u", "STDIN", "IP4-SENDTO:" + target + ":1"));
                stdin = ICMP_ECHO;
            }
        }
        CommandRunner.Result r = proc.run(argv, stdin);
        String detail = (r.stderr() + r.stdout()).strip();
        return new ProbeResult(node, kind, target, detail.contains("Operation not permitted"), r.exitCode(), detail);
    }

    /** The sink's packet counters by source address. */
    public SinkCounts sinkCounts() {
        List<String> argv = new ArrayList<>(tools.netnsExec(layout().sinkNamespace()));
        argv.addAll(List.of(tools.path("iptables-save"), "-c", "-t", "filter"));
        return SinkCounts.parse(proc.require("reading the sink's counters", argv));
    }

    /** Sets the sink's counters to zero. */
    public void resetCounters() {
        List<String> argv = new ArrayList<>(tools.netnsExec(layout().sinkNamespace()));
        argv.addAll(List.of(tools.path("iptables"), "-t", "filter", "-Z", LabConfigs.SINK_CHAIN));
        proc.require("resetting the sink's counters", argv);
    }

    /** Each gateway's live state and the sink's counters. */
    public LabStatus status() {
        List<String> namespaces = Teardown.ownedNamespaces(proc, tools, prefix());
        ExecutorService pool = Executors.newFixedThreadPool(Bringup.PARALLELISM);
        List<HostStatus> hosts = new ArrayList<>();
        try {
            List<java.util.concurrent.Future<HostStatus>> futures = new ArrayList<>();
            for (LabHost h : hosts()) {
                futures.add(pool.submit(() -> hostStatus(h, namespaces.contains(h.namespace()))));
            }
            for (var f : futures) {
                hosts.add(f.get());
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new LabError(e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabError("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
        SinkCounts sink = namespaces.contains(layout().sinkNamespace()) ? sinkCounts() : new SinkCounts(java.util.Map.of(), 0);
        return new LabStatus(prefix(), manifest.stateDir(), manifest.inventory(), hosts, sink);
    }

    private HostStatus hostStatus(LabHost h, boolean namespace) {
        if (!namespace) {
            return new HostStatus(h, false, false, 0, false, forwarderRunning(h));
        }
        boolean linkUp = false;
        CommandRunner.Result link = proc.run(List.of(tools.path("ip"), "-j", "-n", h.namespace(), "link", "show",
                "dev", LabLayout.WG_INTERFACE), null);
        if (link.ok()) {
            try {
                for (JsonNode flag : LabManifest.JSON.readTree(link.stdout()).path(0).path("flags")) {
                    linkUp |= flag.asText().equals("UP");
                }
            } catch (IOException e) {
                throw new LabError("cannot read `ip -j link` output for " + h.name() + ": " + e.getMessage(), e);
            }
        }
        CommandRunner.Result shake = exec(h.name(), List.of(tools.path("wg"), "show", LabLayout.WG_INTERFACE,
                "latest-handshakes"));
        long latest = shake.stdout().lines().map(l -> l.split("\\s+")).filter(f -> f.length == 2 && f[1].matches("[0-9]+"))
                .mapToLong(f -> Long.parseLong(f[1])).max().orElse(0);
        return new HostStatus(h, true, linkUp && shake.ok(), latest, sshdRunning(h), forwarderRunning(h));
    }

    private boolean sshdRunning(LabHost h) {
        Path pidFile = new LabPaths(stateDir()).sshdPid(h.name());
        try {
            long pid = Long.parseLong(LabFiles.readProc(pidFile).strip());
            return Processes.name(pid).orElse("").equals("sshd");
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private boolean forwarderRunning(LabHost h) {
        Long pid = manifest.forwarders().get(h.name());
        return pid != null && Processes.commandLine(pid).map(a -> Teardown.isForwarder(a, prefix())).orElse(false);
    }

    /** True while {@code pid} is still the sleeping holder of a mount namespace (not a reused pid). */
    private static boolean holds(long pid) {
        return Processes.name(pid).orElse("").equals("sleep");
    }
}
