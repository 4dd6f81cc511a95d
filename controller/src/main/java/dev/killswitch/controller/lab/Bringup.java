package dev.killswitch.controller.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/** Builds a lab from a spec, all or nothing: on any failure it tears down what it created and rethrows. */
final class Bringup {

    static final int PARALLELISM = 8;
    private static final Path RUN_WIREGUARD = Path.of("/run/wireguard");
    private static final Path RUN_SSHD = Path.of("/run/sshd");
    private static final Path ROOT_BASHRC = Path.of("/root/.bashrc");
    /** Per-gateway directories bind-mounted over the paths the agent writes, as on separate machines. */
    private static final Map<String, Path> GATEWAY_DIRS = Map.of(
            "etc-iptables", Path.of("/etc/iptables"),
            "etc-sysctl.d", Path.of("/etc/sysctl.d"),
            "var-lib-killswitch", Path.of("/var/lib/killswitch"));
    private static final Path INOTIFY_MAX = Path.of("/proc/sys/fs/inotify/max_user_instances");
    private static final String VPN = "vpn";

    private final LabSpec spec;
    private final LabLayout layout;
    private final LabPaths paths;
    private final Toolbox tools;
    private final Processes proc;
    private final Consumer<String> progress;
    private final Map<String, String> wgPrivate = new ConcurrentHashMap<>();
    private final Map<String, String> wgPublic = new ConcurrentHashMap<>();
    private final Map<String, Long> holders = new ConcurrentHashMap<>();
    private final Map<String, Long> forwarders = new ConcurrentHashMap<>();

    Bringup(LabSpec spec, Toolbox tools, Processes proc, Consumer<String> progress) {
        this.spec = spec;
        this.layout = LabLayout.of(spec);
        this.paths = new LabPaths(spec.stateDir());
        this.tools = tools;
        this.proc = proc;
        this.progress = progress;
    }

    LabManifest run() {
        preflight();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM);
        try {
            return build(pool);
        } catch (RuntimeException e) {
            progress.accept("failed, tearing down what was built: " + e.getMessage());
            try {
                new Teardown(layout.prefix(), spec.stateDir(), tools, proc, true).run();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Everything that can be checked before a single namespace exists. */
    private void preflight() {
        requireRoot();
        List<String> stale = Teardown.ownedNamespaces(proc, tools, layout.prefix());
        if (!stale.isEmpty() || !Teardown.ownedNetnsDirs(layout.prefix()).isEmpty()) {
            throw new LabError("a lab with prefix " + layout.prefix() + " already exists (" + String.join(", ", stale)
                    + "); run `killswitch lab down --prefix " + layout.prefix() + "` first");
        }
        if (Files.exists(paths.manifest())) {
            throw new LabError(spec.stateDir() + " already records a lab (lab.json); run `killswitch lab down"
                    + " --state-dir " + spec.stateDir() + "` first or choose another --state-dir");
        }
        List<String> leftovers = LabPaths.ENTRIES.stream().filter(e -> Files.exists(spec.stateDir().resolve(e))).toList();
        if (!leftovers.isEmpty()) {
            throw new LabError(spec.stateDir() + " holds lab files (" + String.join(", ", leftovers)
                    + ") but no lab.json; remove them or choose another --state-dir");
        }
        int maxInotify = Integer.parseInt(LabFiles.read(INOTIFY_MAX).strip());
        inotifyShortfall(layout.hosts().size(), maxInotify, Processes.rootInotifyInstances()).ifPresent(msg -> {
            throw new LabError(msg);
        });
        for (LabHost h : layout.hosts()) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", h.sshPort()));
            } catch (IOException e) {
                throw new LabError("port " + h.sshPort() + " on 127.0.0.1 (for " + h.name() + ") is in use: "
                        + e.getMessage() + "; choose another --ssh-port-base");
            }
        }
    }

    /**
     * Each wireguard-go (one per gateway, one for the VPN peer) holds an inotify instance, and root may hold only
     * fs.inotify.max_user_instances of them (128 on Debian); past that, wireguard-go dies at start. The lab does
     * not raise the limit itself: that is a setting of the whole machine.
     */
    static java.util.Optional<String> inotifyShortfall(int hosts, int max, int inUse) {
        int fit = Math.max(max - inUse - 1, 0);
        if (hosts <= fit) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("the lab runs one wireguard-go per gateway plus one for the VPN peer, each holding"
                + " an inotify instance; root may hold " + max + " (fs.inotify.max_user_instances) and " + inUse
                + " are in use, so at most " + fit + " gateways fit. " + (fit > 0 ? "Use --hosts " + fit + ", or raise"
                : "Raise") + " the limit: sysctl -w fs.inotify.max_user_instances=" + Math.max(512, 2 * (hosts + inUse)));
    }

    static void requireRoot() {
        try {
            for (String line : LabFiles.readProc(Path.of("/proc/self/status")).split("\n")) {
                if (line.startsWith("Uid:") && !line.split("\\s+")[2].equals("0")) {
                    throw new LabError("the lab must run as root: it creates network namespaces, veths and daemons");
                }
            }
        } catch (IOException e) {
            throw new LabError("cannot tell whether this runs as root: " + e.getMessage(), e);
        }
    }

    private LabManifest build(ExecutorService pool) {
        long t0 = System.nanoTime();
        writeKeysAndConfigs(pool);
        manifest().write(paths.manifest()); // written first, so that `lab down` can clean a half-built lab
        phase("keys and configs", t0);

        long t = System.nanoTime();
        StringBuilder add = new StringBuilder();
        layout.namespaces().forEach(ns -> add.append("netns add ").append(ns).append('\n'));
        proc.require("creating the namespaces", List.of(tools.path("ip"), "-batch", "-"), add.toString());
        buildInternet();
        parallel(pool, nodes(), this::wireNode);
        for (LabLan lan : layout.lans()) {
            wireLanClient(lan);
        }
        routeInternet();
        phase("namespaces and links", t);

        t = System.nanoTime();
        LabFiles.createDirectories(RUN_WIREGUARD);
        LabFiles.createDirectories(RUN_SSHD);
        parallel(pool, tunnelNodes(), this::startHolder);
        parallel(pool, tunnelNodes(), this::startWireguard);
        phase("wireguard", t);

        t = System.nanoTime();
        parallel(pool, layout.hosts(), this::startSshd);
        parallel(pool, layout.hosts(), this::startForwarder);
        phase("sshd and forwarders", t);

        List<String> known = new ArrayList<>();
        for (LabHost h : layout.hosts()) {
            known.addAll(LabConfigs.knownHostsLines(h, LabFiles.read(paths.hostKey(h.name()).resolveSibling(
                    paths.hostKey(h.name()).getFileName() + ".pub"))));
        }
        LabFiles.write(paths.knownHosts(), String.join("\n", known) + "\n");
        LabFiles.write(spec.inventory(), LabConfigs.inventory(layout, paths.clientKey(), paths.knownHosts()));
        LabManifest m = manifest();
        m.write(paths.manifest());
        phase("lab up", t0);
        return m;
    }

    private LabManifest manifest() {
        return new LabManifest(LabManifest.VERSION, layout, spec.stateDir().toString(), spec.inventory().toString(),
                paths.clientKey().toString(), paths.knownHosts().toString(), new TreeMap<>(holders),
                new TreeMap<>(forwarders), Instant.now().toString());
    }

    private void phase(String what, long since) {
        progress.accept(String.format("%s: %.1f s", what, (System.nanoTime() - since) / 1e9));
    }

    // ---- keys and files

    private void writeKeysAndConfigs(ExecutorService pool) {
        LabFiles.createPrivateDirectories(spec.stateDir());
        LabFiles.write(paths.emptyBashrc(), "");
        LabFiles.write(paths.sshdConfig(), LabConfigs.sshdConfig(paths.clientPublicKey()));
        List<String> names = new ArrayList<>(List.of(VPN));
        layout.hosts().forEach(h -> names.add(h.name()));
        names.forEach(n -> LabFiles.createPrivateDirectories(paths.wgRunDir(n)));
        List<Runnable> jobs = new ArrayList<>();
        jobs.add(() -> sshKey(paths.clientKey(), "killswitch-lab-" + layout.prefix()));
        for (String n : names) {
            jobs.add(() -> wgKey(n));
        }
        for (LabHost h : layout.hosts()) {
            jobs.add(() -> sshKey(paths.hostKey(h.name()), h.name() + "." + layout.prefix() + "lab"));
        }
        parallel(pool, jobs, Runnable::run);

        for (LabHost h : layout.hosts()) {
            String priv = wgPrivate.get(h.name());
            LabFiles.writePrivate(paths.wgSetconf(h.name()), LabConfigs.gatewaySetconf(priv, wgPublic.get(VPN)));
            Path etc = Teardown.NETNS_ETC.resolve(h.namespace());
            LabFiles.createPrivateDirectories(etc.resolve("wireguard"));
            LabFiles.writePrivate(etc.resolve("wireguard").resolve("wg0.conf"),
                    LabConfigs.gatewayWgQuick(h, priv, wgPublic.get(VPN)));
            LabFiles.write(etc.resolve("resolv.conf"), LabConfigs.resolvConf());
        }
        LabFiles.writePrivate(paths.wgSetconf(VPN),
                LabConfigs.vpnSetconf(wgPrivate.get(VPN), layout.hosts(), wgPublic));
    }

    private void sshKey(Path file, String comment) {
        LabFiles.createPrivateDirectories(file.getParent());
        proc.require("generating an ssh key", List.of(tools.path("ssh-keygen"), "-q", "-t", "ed25519", "-N", "",
                "-C", comment, "-f", file.toString()));
    }

    private void wgKey(String name) {
        String priv = proc.require("generating a WireGuard key", List.of(tools.path("wg"), "genkey")).strip();
        String pub = proc.require("deriving a WireGuard public key", List.of(tools.path("wg"), "pubkey"), priv + "\n")
                .strip();
        LabFiles.writePrivate(paths.wgPrivateKey(name), priv + "\n");
        wgPrivate.put(name, priv);
        wgPublic.put(name, pub);
    }

    // ---- links and addresses

    /** A node on the internet bridge: name in the lab, namespace, address on eth0. */
    private record Node(String name, String namespace, String address, LabHost host) {
    }

    private List<Node> nodes() {
        List<Node> nodes = new ArrayList<>(List.of(
                new Node("sink", layout.sinkNamespace(), LabLayout.SINK, null),
                new Node(VPN, layout.vpnNamespace(), LabLayout.VPN, null),
                new Node("ctl", layout.ctlNamespace(), LabLayout.CTL, null)));
        layout.hosts().forEach(h -> nodes.add(new Node(h.name(), h.namespace(), h.address(), h)));
        return nodes;
    }

    /** The vpn peer and the gateways: the nodes that run wireguard-go in a private mount namespace. */
    private List<Node> tunnelNodes() {
        return nodes().stream().filter(n -> n.name().equals(VPN) || n.host() != null).toList();
    }

    private void buildInternet() {
        String net = layout.netNamespace();
        sysctl(net, "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0",
                "net.ipv4.conf.default.send_redirects=0");
        List<String> cmds = new ArrayList<>(List.of("link set lo up", "link add br0 type bridge", "link set br0 up",
                "addr add " + LabLayout.ROUTER + "/24 dev br0"));
        for (Node n : nodes()) {
            String port = "v-" + n.name();
            cmds.add("link add " + port + " type veth peer name eth0 netns " + n.namespace());
            cmds.add("link set " + port + " master br0");
            cmds.add("link set " + port + " up");
        }
        ipBatch(net, "building the internet bridge", cmds);
    }

    private void routeInternet() {
        ipBatch(layout.netNamespace(), "routing the internet", List.of(
                "route add " + LabLayout.REMOTE_SINK + "/32 via " + LabLayout.SINK,
                "route add " + LabLayout.TUNNEL_NET + " via " + LabLayout.VPN));
    }

    private void wireNode(Node n) {
        List<String> cmds = new ArrayList<>(List.of("link set lo up", "addr add " + n.address() + "/24 dev eth0",
                "link set eth0 up", "route add default via " + LabLayout.ROUTER));
        switch (n.name()) {
            case "sink" -> {
                cmds.add("addr add " + LabLayout.REMOTE_SINK + "/32 dev lo");
                cmds.add("route add " + LabLayout.TUNNEL_NET + " via " + LabLayout.VPN);
            }
            case VPN -> sysctl(n.namespace(), "net.ipv4.ip_forward=1");
            default -> {
            }
        }
        LabLan lan = n.host() == null ? null : n.host().lan();
        if (lan != null) {
            cmds.add("link add " + lan.gatewayInterface() + " type veth peer name eth0 netns " + lan.clientNamespace());
            cmds.add("addr add " + lan.gatewayAddress() + "/24 dev " + lan.gatewayInterface());
            cmds.add("link set " + lan.gatewayInterface() + " up");
            sysctl(n.namespace(), "net.ipv4.ip_forward=1");
        }
        ipBatch(n.namespace(), "wiring " + n.name(), cmds);
        if (n.name().equals("sink")) {
            iptablesRestore(n.namespace(), "counting rules in the sink", LabConfigs.sinkRules(layout));
        }
        if (lan != null) {
            iptablesRestore(n.namespace(), "masquerading " + lan.subnet() + " on " + n.name(),
                    LabConfigs.lanGatewayRules(lan));
        }
    }

    private void wireLanClient(LabLan lan) {
        ipBatch(lan.clientNamespace(), "wiring " + lan.clientName(), List.of("link set lo up",
                "addr add " + lan.clientAddress() + "/24 dev eth0", "link set eth0 up",
                "route add default via " + lan.gatewayAddress()));
    }

    private void sysctl(String namespace, String... settings) {
        List<String> argv = new ArrayList<>(tools.netnsExec(namespace));
        argv.addAll(List.of(tools.path("sysctl"), "-q", "-w"));
        argv.addAll(List.of(settings));
        proc.require("setting sysctls in " + namespace, argv);
    }

    private void ipBatch(String namespace, String purpose, List<String> cmds) {
        proc.require(purpose, List.of(tools.path("ip"), "-n", namespace, "-batch", "-"), String.join("\n", cmds) + "\n");
    }

    private void iptablesRestore(String namespace, String purpose, String rules) {
        List<String> argv = new ArrayList<>(tools.netnsExec(namespace));
        argv.addAll(List.of(tools.path("iptables-restore"), "--noflush"));
        proc.require(purpose, argv, rules);
    }

    // ---- daemons

    /** A sleeping process that keeps the node's private mount namespace, with its own /run/wireguard. */
    private void startHolder(Node n) {
        List<String> argv = new ArrayList<>(List.of(tools.path("setsid")));
        argv.addAll(tools.netnsExec(n.namespace()));
        argv.addAll(List.of(tools.path("unshare"), "--mount", "--propagation", "private", tools.path("sleep"), "infinity"));
        long pid = Processes.detach(argv, paths.log(n.name(), "holder"));
        holders.put(n.name(), pid);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Processes.name(pid).orElse("").equals("sleep")) {
            if (!Processes.alive(pid) || System.nanoTime() > deadline) {
                throw new LabError("the mount namespace holder of " + n.name() + " did not start; see "
                        + paths.log(n.name(), "holder"));
            }
            Processes.pause(5);
        }
        if (LabFiles.link(Path.of("/proc", Long.toString(pid), "ns", "mnt")).equals(LabFiles.link(Path.of("/proc/self/ns/mnt")))) {
            throw new LabError("the holder of " + n.name() + " shares this process's mount namespace");
        }
        inNode(n, "giving " + n.name() + " its own /run/wireguard", List.of(tools.path("mount"), "--bind",
                paths.wgRunDir(n.name()).toString(), RUN_WIREGUARD.toString()));
        if (n.host() != null) {
            // each gateway is its own machine for what the agent keeps and persists
            for (Map.Entry<String, Path> m : GATEWAY_DIRS.entrySet()) {
                Path own = paths.node(n.name()).resolve(m.getKey());
                try {
                    Files.createDirectories(own);
                    Files.createDirectories(m.getValue());
                } catch (java.io.IOException e) {
                    throw new LabError("cannot create " + own + " or " + m.getValue() + ": " + e.getMessage());
                }
                inNode(n, "giving " + n.name() + " its own " + m.getValue(), List.of(tools.path("mount"), "--bind",
                        own.toString(), m.getValue().toString()));
            }
        }
        if (n.host() != null && Files.isRegularFile(ROOT_BASHRC)) {
            // a real gateway's root shell starts bare; this machine's .bashrc would add ~0.1 s to every command
            inNode(n, "hiding root's .bashrc on " + n.name(), List.of(tools.path("mount"), "--bind",
                    paths.emptyBashrc().toString(), ROOT_BASHRC.toString()));
        }
    }

    private void startWireguard(Node n) {
        inNodeLogged(n, "wireguard-go", List.of(tools.path("wireguard-go"), LabLayout.WG_INTERFACE));
        inNode(n, "configuring wg0 on " + n.name(), List.of(tools.path("wg"), "setconf", LabLayout.WG_INTERFACE,
                paths.wgSetconf(n.name()).toString()));
        List<String> cmds = n.host() == null
                ? List.of("addr add " + LabLayout.VPN_TUNNEL + "/16 dev wg0", "link set wg0 up")
                : List.of("addr add " + n.host().wgAddress() + "/32 dev wg0", "link set wg0 up",
                "route add 0.0.0.0/1 dev wg0", "route add 128.0.0.0/1 dev wg0");
        ipBatch(n.namespace(), "addressing wg0 on " + n.name(), cmds);
    }

    private void startSshd(LabHost h) {
        Node n = new Node(h.name(), h.namespace(), h.address(), h);
        Path pidFile = paths.sshdPid(h.name());
        inNodeLogged(n, "sshd", List.of(tools.path("sshd"), "-f", paths.sshdConfig().toString(),
                "-h", paths.hostKey(h.name()).toString(), "-E", paths.log(h.name(), "sshd").toString(),
                "-o", "ListenAddress=" + h.address() + ":22", "-o", "PidFile=" + pidFile));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.isRegularFile(pidFile) || LabFiles.read(pidFile).isBlank()) {
            if (System.nanoTime() > deadline) {
                throw new LabError("sshd on " + h.name() + " wrote no pid file; see " + paths.log(h.name(), "sshd"));
            }
            Processes.pause(10);
        }
    }

    /**
     * Publishes the gateway's sshd on 127.0.0.1 in the root namespace. Each connection runs socat in the
     * ctl namespace, so it reaches the gateway from the operator's address through eth0, like a real VPS.
     * socat splits the EXEC line itself (no shell); every value in it is a lab constant.
     */
    private void startForwarder(LabHost h) {
        List<String> connect = new ArrayList<>(tools.netnsExec(layout.ctlNamespace()));
        connect.addAll(List.of(tools.path("socat"), "STDIO", "TCP:" + h.address() + ":22"));
        String exec = "EXEC:'" + String.join(" ", connect) + "'";
        long pid = Processes.detach(List.of(tools.path("setsid"), tools.path("socat"),
                "TCP-LISTEN:" + h.sshPort() + ",bind=127.0.0.1,reuseaddr,fork", exec),
                paths.log(h.name(), "forwarder"));
        forwarders.put(h.name(), pid);
        awaitBanner(h);
    }

    /** Waits until the whole path (forwarder, ctl, eth0, sshd) answers with an SSH banner. */
    private void awaitBanner(LabHost h) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", h.sshPort()), 1000);
                s.setSoTimeout(5000);
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if (line != null && line.startsWith("SSH-")) {
                    return;
                }
                last = "got " + line;
            } catch (IOException e) {
                last = e.getMessage();
            }
            Processes.pause(20);
        }
        throw new LabError("sshd of " + h.name() + " does not answer on 127.0.0.1:" + h.sshPort() + " (" + last
                + "); see " + paths.log(h.name(), "forwarder") + " and " + paths.log(h.name(), "sshd"));
    }

    private void inNode(Node n, String purpose, List<String> argv) {
        List<String> full = new ArrayList<>(tools.enter(n.namespace(), holders.get(n.name())));
        full.addAll(argv);
        proc.require(purpose, full);
    }

    /** Runs a daemon that forks into the background, its output to a log instead of a pipe it might keep open. */
    private void inNodeLogged(Node n, String what, List<String> argv) {
        List<String> full = new ArrayList<>(tools.enter(n.namespace(), holders.get(n.name())));
        full.addAll(argv);
        Path log = paths.log(n.name(), what);
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(full).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true).start();
            int code = p.waitFor();
            if (code != 0) {
                throw new LabError("starting " + what + " on " + n.name() + " failed (exit " + code + "); see " + log);
            }
        } catch (IOException e) {
            throw new LabError("cannot start " + what + " on " + n.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabError("interrupted while starting " + what, e);
        }
    }

    /** Runs {@code job} for every item on the pool; waits for all, then rethrows the first failure. */
    static <T> void parallel(ExecutorService pool, List<T> items, Consumer<T> job) {
        List<Future<?>> futures = new ArrayList<>();
        items.forEach(i -> futures.add(pool.submit(() -> job.accept(i))));
        RuntimeException first = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                RuntimeException r = e.getCause() instanceof RuntimeException re ? re
                        : new LabError(e.getCause().toString(), e.getCause());
                if (first == null) {
                    first = r;
                } else {
                    first.addSuppressed(r);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabError("interrupted", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
