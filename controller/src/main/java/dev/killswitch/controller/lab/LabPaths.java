package dev.killswitch.controller.lab;

import java.nio.file.Path;
import java.util.List;

/** Where each file of a lab lives under its state directory. */
record LabPaths(Path root) {

    /** The top-level entries a lab writes; teardown deletes these and nothing else. */
    static final List<String> ENTRIES = List.of("lab.json", "id_ed25519", "id_ed25519.pub", "known_hosts",
            "sshd_config", "empty-bashrc", "nodes");

    Path manifest() {
        return root.resolve("lab.json");
    }

    Path clientKey() {
        return root.resolve("id_ed25519");
    }

    Path clientPublicKey() {
        return root.resolve("id_ed25519.pub");
    }

    Path knownHosts() {
        return root.resolve("known_hosts");
    }

    Path sshdConfig() {
        return root.resolve("sshd_config");
    }

    Path emptyBashrc() {
        return root.resolve("empty-bashrc");
    }

    /** The directory of one node (gateway, vpn, forwarder logs...). */
    Path node(String name) {
        return root.resolve("nodes").resolve(name);
    }

    Path hostKey(String name) {
        return node(name).resolve("ssh_host_ed25519_key");
    }

    Path wgPrivateKey(String name) {
        return node(name).resolve("wg.key");
    }

    /** The {@code wg setconf} form of the node's wg0 configuration. */
    Path wgSetconf(String name) {
        return node(name).resolve("wg0.setconf");
    }

    /** Bind-mounted over /run/wireguard in the node's private mount namespace. */
    Path wgRunDir(String name) {
        return node(name).resolve("run-wireguard");
    }

    Path sshdPid(String name) {
        return node(name).resolve("sshd.pid");
    }

    Path log(String name, String what) {
        return node(name).resolve(what + ".log");
    }
}
