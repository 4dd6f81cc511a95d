package dev.killswitch.controller.lab;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What {@code lab up} should build.
 *
 * @param prefix      names every namespace of the lab (and nothing else); lower case, digits and dashes
 * @param hosts       number of gateways, 1..{@value #MAX_HOSTS}
 * @param stateDir    keys, configs, pids and {@code lab.json}
 * @param inventory   where the Ansible-format inventory is written
 * @param sshPortBase gateway {@code gwN} is published on 127.0.0.1:(sshPortBase + N)
 */
public record LabSpec(String prefix, int hosts, Path stateDir, Path inventory, int sshPortBase) {

    public static final String DEFAULT_PREFIX = "ks-lab-";
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/killswitch-lab");
    public static final Path DEFAULT_INVENTORY = Path.of("inventory/lab/hosts.yml");
    public static final int DEFAULT_SSH_PORT_BASE = 22000;
    public static final int MAX_HOSTS = 200;

    // The prefix becomes part of namespace names, file names and a socat EXEC line: keep it plain.
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9-]{0,23}");

    public LabSpec {
        checkPrefix(prefix);
        if (hosts < 1 || hosts > MAX_HOSTS) {
            throw new LabError("--hosts must be between 1 and " + MAX_HOSTS + ", got " + hosts);
        }
        if (stateDir == null || inventory == null) {
            throw new LabError("the state directory and the inventory path are required");
        }
        if (sshPortBase < 1024 || sshPortBase + hosts > 65535) {
            throw new LabError("--ssh-port-base must leave ports " + "1024..65535 for all hosts, got " + sshPortBase);
        }
        stateDir = stateDir.toAbsolutePath().normalize();
        inventory = inventory.toAbsolutePath().normalize();
    }

    /** A lab of {@code hosts} gateways with every other setting at its default. */
    public static LabSpec of(int hosts) {
        return new LabSpec(DEFAULT_PREFIX, hosts, DEFAULT_STATE_DIR, DEFAULT_INVENTORY, DEFAULT_SSH_PORT_BASE);
    }

    public LabSpec withPrefix(String value) {
        return new LabSpec(value, hosts, stateDir, inventory, sshPortBase);
    }

    public LabSpec withStateDir(Path value) {
        return new LabSpec(prefix, hosts, value, inventory, sshPortBase);
    }

    public LabSpec withInventory(Path value) {
        return new LabSpec(prefix, hosts, stateDir, value, sshPortBase);
    }

    public LabSpec withSshPortBase(int value) {
        return new LabSpec(prefix, hosts, stateDir, inventory, value);
    }

    /** Rejects a prefix that could reach names outside the lab. */
    static String checkPrefix(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches() || !prefix.endsWith("-")) {
            throw new LabError("--prefix must be 2..24 characters of a-z, 0-9 and '-', start with a letter and end"
                    + " with '-' (like ks-lab-), got " + (prefix == null ? "nothing" : "'" + prefix + "'"));
        }
        return prefix;
    }
}
