package dev.killswitch.controller.lab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code lab.json} records about a lab that is up: its layout, its files and the processes it started.
 *
 * @param version    format of this file
 * @param layout     namespaces, hosts and addresses
 * @param stateDir   the state directory
 * @param inventory  the inventory written for the lab
 * @param clientKey  private key that logs in as root on every gateway
 * @param knownHosts host keys of every gateway, as {@code [127.0.0.1]:port} and by address
 * @param holders    node name to the pid that holds its private mount namespace (vpn and gateways)
 * @param forwarders gateway name to the pid of its SSH forwarder in the root namespace
 * @param createdAt  when {@code lab up} finished (ISO-8601)
 */
public record LabManifest(int version, LabLayout layout, String stateDir, String inventory, String clientKey,
                          String knownHosts, Map<String, Long> holders, Map<String, Long> forwarders,
                          String createdAt) {

    static final int VERSION = 1;
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public LabManifest {
        holders = Map.copyOf(holders);
        forwarders = Map.copyOf(forwarders);
    }

    public String prefix() {
        return layout.prefix();
    }

    void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LabError("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@code lab.json} from {@code stateDir}. */
    static LabManifest read(Path stateDir) {
        Path file = new LabPaths(stateDir).manifest();
        if (!Files.isRegularFile(file)) {
            throw new LabError("no lab is recorded in " + stateDir + " (no lab.json); start one with `killswitch lab up`");
        }
        try {
            LabManifest m = JSON.readValue(file.toFile(), LabManifest.class);
            if (m.version() != VERSION || m.layout() == null) {
                throw new LabError(file + ": field version: expected " + VERSION + ", got " + m.version());
            }
            return m;
        } catch (IOException e) {
            throw new LabError(file + ": not a lab description: " + e.getMessage(), e);
        }
    }
}
