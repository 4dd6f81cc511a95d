package dev.killswitch.agent.cli;

import dev.killswitch.agent.observe.Facts;
import dev.killswitch.agent.observe.FactsReader;
import dev.killswitch.agent.observe.Sysctls;
import dev.killswitch.agent.report.Json;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code facts}: what the controller needs to render this host's kill switch. */
@Command(name = "facts", mixinStandardHelpOptions = true,
        header = "Print what the controller needs to know about this gateway.",
        description = {
            "Print the facts the controller renders a kill switch from: iptables backend and version, default-route interface, WireGuard interfaces and their endpoints (live and from wg-quick configs), SSH_CONNECTION, IPv6 state and routes. Read-only."})
final class FactsCommand extends Invocation.Invoked implements Callable<Integer> {
    /** Where wg-quick keeps its configs. */
    static final String WIREGUARD_DIR = "/etc/wireguard";

    @Option(names = "--json", description = "Print JSON (the controller always asks for it).")
    boolean json;
    @Option(names = "--wireguard-dir", paramLabel = "DIR", defaultValue = WIREGUARD_DIR,
            description = "Where wg-quick configs live (default: ${DEFAULT-VALUE}).")
    Path wireguardDir;

    @Override
    public Integer call() throws Exception {
        Facts f = new FactsReader(HostOptions.RUNNER, Sysctls.proc(), wireguardDir)
                .gather(io.env("SSH_CONNECTION"));
        if (json) {
            io.out().println(Json.MAPPER.writeValueAsString(f));
        } else {
            io.out().println("backend:           " + f.backend() + " (" + f.iptablesVersion() + ")");
            io.out().println("default interface: " + f.defaultInterface() + " / ipv6: " + f.defaultInterface6());
            for (Facts.WireGuard w : f.wireguard()) {
                io.out().println("wireguard:         " + w.name() + (w.up() ? " (up)" : " (down)") + " endpoints "
                        + w.endpoints() + (w.config() != null ? " from " + w.config() : ""));
            }
            io.out().println("ssh connection:    " + f.sshConnection());
            io.out().println("ipv6:              " + f.ipv6().disabled() + " policies " + f.ipv6().policies());
        }
        return 0;
    }
}
