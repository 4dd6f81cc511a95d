package dev.killswitch.controller.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code killswitch lab}: a disposable fleet of VPN gateways in network namespaces, for tests, demos and benchmarks. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Status.class},
        description = {
            "Build, inspect and remove a lab: a fleet of WireGuard VPN gateways on this machine, each in its own "
                    + "network namespace with its own sshd and tunnel, for tests, the demo and benchmarks.",
            "",
            "The lab has an \"internet\" (203.0.113.0/24 on a bridge), a VPN peer (203.0.113.1, tunnel 10.66.0.1/16, "
                    + "UDP 51820), the operator's workstation (203.0.113.2), a sink (203.0.113.250 and, routed, "
                    + "198.51.100.250) that counts every packet reaching it by source address, gateways gw1..gwN "
                    + "(203.0.113.(10+N) on eth0, 10.66.0.(10+N) on wg0, full tunnel) and a LAN client "
                    + "(172.31.77.10) behind gw1, which masquerades it into the tunnel.",
            "",
            "The root network namespace gets no address, route, link or rule. Each gateway's sshd is published on "
                    + "127.0.0.1 by a forwarder that connects from the workstation's address, so a connection "
                    + "arrives on the gateway's eth0 like one to a real VPS.",
            "",
            "Needs root, and the packages iproute2 wireguard-go wireguard-tools openssh-server socat iptables "
                    + "iputils-ping."},
        footer = {"", "Examples:",
            "  killswitch lab up --hosts 5",
            "  killswitch apply -i inventory/lab/hosts.yml",
            "  killswitch lab status --json --reset-counters",
            "  killswitch lab down"})
public final class LabCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: up, down or status");
    }

    /** Options every lab subcommand shares. */
    static final class StateOption {
        @Option(names = "--state-dir", paramLabel = "DIR",
                description = "Directory of the lab's keys, configs, logs and lab.json (default: ${DEFAULT-VALUE}).",
                defaultValue = "/var/lib/killswitch-lab")
        Path stateDir;
    }

    /** Prints a LabError as one line and returns the error exit code. */
    static int fail(CommandSpec spec, LabError e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("killswitch " + spec.qualifiedName().replaceFirst("^.*?lab", "lab") + ": " + e.getMessage());
        err.flush();
        return 1;
    }

    /** {@code lab up}. */
    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Build a lab of N gateways and write its inventory.",
                "",
                "All or nothing: if any step fails, everything built so far is removed and the error names the "
                        + "step. Refuses to start when a lab with the same prefix exists, when the state directory "
                        + "already records a lab, or when a port is taken.",
                "",
                "Writes: the inventory (group gateways, and lan_gateways with gw1), the state directory (client "
                        + "key id_ed25519, known_hosts, lab.json, per-node configs and logs) and "
                        + "/etc/netns/<namespace>/ (each gateway's /etc/wireguard/wg0.conf and resolv.conf)."},
            footer = {"", "Exit status: 0 when the lab is up, 1 on error (nothing is left behind)."})
    static final class Up implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StateOption state;

        @Option(names = "--hosts", paramLabel = "N", defaultValue = "3",
                description = "Number of gateways, 1..200 (default: ${DEFAULT-VALUE}).")
        int hosts;

        @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = LabSpec.DEFAULT_PREFIX,
                description = "Names every namespace of the lab: PREFIXnet, PREFIXsink, PREFIXvpn, PREFIXctl, "
                        + "PREFIXgw1.., PREFIXlan1. Lower-case letters, digits and '-', ending in '-' "
                        + "(default: ${DEFAULT-VALUE}).")
        String prefix;

        @Option(names = {"-i", "--inventory"}, paramLabel = "FILE", defaultValue = "inventory/lab/hosts.yml",
                description = "Where to write the Ansible-format inventory (default: ${DEFAULT-VALUE}).")
        Path inventory;

        @Option(names = "--ssh-port-base", paramLabel = "PORT", defaultValue = "22000",
                description = "Gateway gwN's sshd is published on 127.0.0.1:(PORT+N) (default: ${DEFAULT-VALUE}).")
        int sshPortBase;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                LabSpec labSpec = new LabSpec(prefix, hosts, state.stateDir, inventory, sshPortBase);
                Lab lab = Lab.up(labSpec, line -> {
                    out.println("  " + line);
                    out.flush();
                });
                out.printf("%-6s %-16s %-14s %-24s %s%n", "HOST", "NAMESPACE", "ADDRESS", "SSH", "TUNNEL");
                for (LabHost h : lab.hosts()) {
                    out.printf("%-6s %-16s %-14s %-24s %s%n", h.name(), h.namespace(), h.address(),
                            "127.0.0.1:" + h.sshPort(), h.wgAddress());
                }
                out.println("inventory: " + lab.inventory());
                out.println("log in:    " + String.join(" ", lab.sshCommand("gw1")));
                out.flush();
                return 0;
            } catch (LabError e) {
                return fail(spec, e);
            }
        }
    }

    /** {@code lab down}. */
    @Command(name = "down", mixinStandardHelpOptions = true,
            description = {"Remove a lab: its forwarders, every process in its namespaces, the namespaces (and with "
                    + "them every link), /etc/netns/PREFIX*, the state directory's lab files and the inventory it "
                    + "wrote.",
                "",
                "Idempotent: removing a lab that is partly or wholly gone succeeds. Only names that a lab with "
                        + "this prefix creates are touched."},
            footer = {"", "Exit status: 0 when nothing of the lab is left, 1 on error."})
    static final class Down implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StateOption state;

        @Option(names = "--prefix", paramLabel = "PREFIX",
                description = "The lab to remove (default: the prefix recorded in the state directory, else "
                        + LabSpec.DEFAULT_PREFIX + ").")
        String prefix;

        @Override
        public Integer call() {
            try {
                String p = prefix != null ? prefix : recordedPrefix(state.stateDir);
                long t0 = System.nanoTime();
                Lab.down(p, state.stateDir);
                spec.commandLine().getOut().printf("lab %s is down (%.1f s)%n", p, (System.nanoTime() - t0) / 1e9);
                spec.commandLine().getOut().flush();
                return 0;
            } catch (LabError e) {
                return fail(spec, e);
            }
        }

        private static String recordedPrefix(Path stateDir) {
            if (Files.isRegularFile(new LabPaths(stateDir).manifest())) {
                try {
                    return LabManifest.read(stateDir).prefix();
                } catch (LabError e) {
                    // unreadable: fall back to the default prefix
                }
            }
            return LabSpec.DEFAULT_PREFIX;
        }
    }

    /** {@code lab status}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Show each gateway (namespace, address, SSH port, tunnel up, last handshake, sshd, "
                    + "forwarder) and the sink's packet counts by source address.",
                "",
                "A count under a gateway's eth0 address is a packet that left outside the tunnel (a leak); under "
                        + "its tunnel address, one that went through the VPN peer."},
            footer = {"", "Exit status: 0 when every gateway is healthy, 1 when one is not or on error."})
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StateOption state;

        @Option(names = "--json", description = "Print the status as JSON.")
        boolean json;

        @Option(names = "--reset-counters", description = "After printing, set the sink's counters to zero.")
        boolean resetCounters;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                Lab lab = Lab.open(state.stateDir);
                LabStatus s = lab.status();
                out.print(json ? LabManifest.JSON.writeValueAsString(s) + "\n" : text(s));
                out.flush();
                if (resetCounters) {
                    lab.resetCounters();
                }
                return s.healthy() ? 0 : 1;
            } catch (LabError e) {
                return fail(spec, e);
            } catch (JsonProcessingException e) {
                return fail(spec, new LabError("cannot render the status: " + e.getMessage(), e));
            }
        }

        static String text(LabStatus s) {
            StringBuilder b = new StringBuilder("lab " + s.prefix() + " (state " + s.stateDir() + ", inventory "
                    + s.inventory() + ")\n");
            b.append(String.format("%-6s %-16s %-14s %-6s %-12s %-4s %-10s %-5s %s%n", "HOST", "NAMESPACE", "ADDRESS",
                    "SSH", "TUNNEL", "WG", "HANDSHAKE", "SSHD", "FORWARDER"));
            long now = System.currentTimeMillis() / 1000;
            for (HostStatus h : s.hosts()) {
                LabHost host = h.host();
                b.append(String.format("%-6s %-16s %-14s %-6d %-12s %-4s %-10s %-5s %s%n", host.name(),
                        h.namespace() ? host.namespace() : "(missing)", host.address(), host.sshPort(),
                        host.wgAddress(), h.wgUp() ? "up" : "down",
                        h.latestHandshake() == 0 ? "never" : (now - h.latestHandshake()) + "s ago",
                        h.sshd() ? "up" : "down", h.forwarder() ? "up" : "down"));
            }
            b.append("sink ").append(LabLayout.SINK).append(": packets by source\n");
            for (Map.Entry<String, Long> e : s.sink().bySource().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey()).toList()) {
                if (e.getValue() > 0) {
                    b.append(String.format("  %-16s %d%n", e.getKey(), e.getValue()));
                }
            }
            b.append(String.format("  %-16s %d%n  %-16s %d%n", "other", s.sink().other(), "total", s.sink().total()));
            return b.toString();
        }
    }
}
