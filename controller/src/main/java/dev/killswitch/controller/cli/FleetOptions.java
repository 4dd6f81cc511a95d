package dev.killswitch.controller.cli;

import dev.killswitch.controller.inventory.ExtraVars;
import dev.killswitch.controller.inventory.Inventory;
import dev.killswitch.controller.inventory.InventoryLoader;
import dev.killswitch.controller.rollout.HostRun;
import dev.killswitch.controller.rollout.Progress;
import dev.killswitch.controller.transport.SshTransport;
import dev.killswitch.controller.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every fleet command shares: inventory, limit, vars, SSH and output. */
final class FleetOptions {
    /** Footer line of every command that logs in to hosts. */
    static final String PASSPHRASE_HELP = "Environment: " + SshTransport.PASSPHRASE_ENV + " is the passphrase of "
            + "encrypted private keys (ansible_ssh_private_key_file). There is no option for it: an argument "
            + "would show in ps.";

    @Option(names = {"-i", "--inventory"}, paramLabel = "INVENTORY",
            description = "Ansible inventory: a YAML or INI file, or a directory; group_vars/ and host_vars/ next "
                    + "to it are read.")
    Path inventory;

    @Option(names = {"-l", "--limit"}, paramLabel = "PATTERN",
            description = "Further limit the play's hosts, as Ansible does: groups, hosts, globs, ~regex, '!' to "
                    + "exclude, ':' or ',' for union, '&' for intersection.")
    String limit;

    @Option(names = {"-e", "--extra-vars"}, paramLabel = "KEY=VALUE|@FILE",
            description = "Extra variables, highest precedence (repeatable).")
    List<String> extraVars = new ArrayList<>();

    @Option(names = {"-f", "--forks"}, paramLabel = "N", defaultValue = "10",
            description = "Hosts worked on at the same time (default: ${DEFAULT-VALUE}).")
    int forks;

    @Option(names = "--known-hosts", paramLabel = "FILE",
            description = "known_hosts file for strict host key checking (default: ~/.ssh/known_hosts).")
    Path knownHosts;

    @Option(names = "--accept-new-host-keys",
            description = "Trust on first use: add unknown host keys to known_hosts. A changed key is still refused.")
    boolean acceptNewHostKeys;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "SSH connect timeout (default: ${DEFAULT-VALUE}).")
    int connectTimeout;

    @Option(names = "--agent-jar", paramLabel = "FILE",
            description = "The killswitch-agent jar to install on hosts (default: the one built next to this "
                    + "controller, agent/target/killswitch-agent.jar).")
    Path agentJar;

    @Option(names = "--resident-agent",
            description = "Keep an agent running on each gateway between runs and work through it: a run then costs "
                    + "a gateway a request instead of starting Java (about 1 CPU-second). A run that finds none starts "
                    + "it and works through it; it exits after --resident-idle without a request. It listens on a "
                    + "root-only Unix socket in the state dir, reached over the same SSH connection (sshd's "
                    + "AllowStreamLocalForwarding, on by default); hosts that log in as another user with "
                    + "ansible_become always start the agent per call. Off by default.")
    boolean residentAgent;

    @Option(names = "--resident-idle", paramLabel = "SECONDS", defaultValue = "600",
            description = "With --resident-agent: a resident agent this run starts exits after SECONDS without a "
                    + "request (default: ${DEFAULT-VALUE}).")
    int residentIdle;

    @Option(names = "--json", description = "Print the recap as JSON (schema killswitch.recap/v1) instead of text.")
    boolean json;

    @Option(names = "--no-color", description = "Plain output, no ANSI colors.")
    boolean noColor;

    Inventory inventory() {
        if (inventory == null) {
            throw new IllegalArgumentException("an inventory is needed: -i INVENTORY");
        }
        return InventoryLoader.load(inventory, ExtraVars.parse(extraVars, Path.of(".")));
    }

    Transport transport() {
        return new SshTransport(knownHosts != null ? knownHosts : SshTransport.defaultKnownHosts(), acceptNewHostKeys,
                SshTransport.passphraseFromEnvironment());
    }

    boolean color() {
        return !noColor && !json && System.console() != null;
    }

    Progress progress() {
        return json ? Progress.QUIET : Progress.console(System.out, color());
    }

    HostRun.Options runOptions(int confirmTimeout, boolean force) {
        if (residentIdle < 1) {
            throw new IllegalArgumentException("--resident-idle must be at least 1 second");
        }
        return new HostRun.Options(Duration.ofSeconds(connectTimeout), Duration.ofSeconds(180), confirmTimeout, force,
                residentAgent ? Duration.ofSeconds(residentIdle) : null);
    }

    byte[] agentJar() throws IOException {
        if (agentJar != null) {
            return Files.readAllBytes(agentJar);
        }
        String prop = System.getProperty("killswitch.agent.jar");
        if (prop != null) {
            return Files.readAllBytes(Path.of(prop));
        }
        try (InputStream in = FleetOptions.class.getResourceAsStream("/killswitch-agent.jar")) {
            if (in != null) {
                return in.readAllBytes();
            }
        }
        for (Path p : List.of(Path.of("agent/target/killswitch-agent.jar"),
                Path.of(System.getProperty("killswitch.home", "."), "agent/target/killswitch-agent.jar"))) {
            if (Files.isRegularFile(p)) {
                return Files.readAllBytes(p);
            }
        }
        throw new IllegalArgumentException("cannot find the agent jar: build it (mvn -q -DskipTests package) or pass "
                + "--agent-jar FILE");
    }
}
