package dev.killswitch.controller.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Removes every trace of a lab: forwarders, the processes in its namespaces, the namespaces (and with them every
 * link), its /etc/netns directories, its state files and inventory. Idempotent: anything already gone is skipped.
 */
final class Teardown {

    static final Path NETNS_ETC = Path.of("/etc/netns");

    private final String prefix;
    private final Path stateDir;
    private final Toolbox tools;
    private final Processes proc;
    private final boolean stateDirIsOurs;

    /**
     * {@code stateDir} may be null: then only the namespaces, processes and /etc/netns directories go. Its files
     * are deleted only when its lab.json names this prefix, or when {@code stateDirIsOurs} (a failed {@code up}
     * cleaning what it wrote before lab.json existed).
     */
    Teardown(String prefix, Path stateDir, Toolbox tools, Processes proc, boolean stateDirIsOurs) {
        this.prefix = LabSpec.checkPrefix(prefix);
        this.stateDir = stateDir;
        this.tools = tools;
        this.proc = proc;
        this.stateDirIsOurs = stateDirIsOurs;
    }

    void run() {
        LabManifest manifest = recordedManifest();
        Set<Long> forwarders = new LinkedHashSet<>(forwarderPids(prefix));
        if (manifest != null) {
            manifest.forwarders().values().stream()
                    .filter(pid -> Processes.commandLine(pid).map(argv -> isForwarder(argv, prefix)).orElse(false))
                    .forEach(forwarders::add);
        }
        Processes.end(new ArrayList<>(forwarders));

        List<String> namespaces = ownedNamespaces(proc, tools, prefix);
        List<Long> inside = new ArrayList<>();
        for (String ns : namespaces) {
            String out = proc.run(List.of(tools.path("ip"), "netns", "pids", ns), null).stdout();
            out.lines().map(String::strip).filter(l -> l.matches("[0-9]+")).map(Long::valueOf).forEach(inside::add);
        }
        Processes.end(inside);
        if (!namespaces.isEmpty()) {
            StringBuilder del = new StringBuilder();
            namespaces.forEach(ns -> del.append("netns del ").append(ns).append('\n'));
            proc.run(List.of(tools.path("ip"), "-force", "-batch", "-"), del.toString());
            List<String> left = ownedNamespaces(proc, tools, prefix);
            if (!left.isEmpty()) {
                throw new LabError("could not delete the namespaces " + String.join(", ", left));
            }
        }

        ownedNetnsDirs(prefix).forEach(LabFiles::deleteTree);
        deleteIfEmpty(NETNS_ETC);
        if (stateDir != null && (manifest != null || stateDirIsOurs)) {
            if (manifest != null) {
                deleteInventory(Path.of(manifest.inventory()));
            }
            LabPaths.ENTRIES.forEach(e -> LabFiles.deleteTree(stateDir.resolve(e)));
            deleteIfEmpty(stateDir);
        }
    }

    /** The state directory's manifest when it describes a lab with this prefix; another lab's is left alone. */
    private LabManifest recordedManifest() {
        if (stateDir == null || !Files.isRegularFile(new LabPaths(stateDir).manifest())) {
            return null;
        }
        try {
            LabManifest m = LabManifest.read(stateDir);
            return m.prefix().equals(prefix) ? m : null;
        } catch (LabError e) {
            return null; // unreadable: leave the directory for a human to look at
        }
    }

    private static void deleteInventory(Path inventory) {
        try {
            if (Files.isRegularFile(inventory)
                    && LabFiles.readProc(inventory).startsWith(LabConfigs.INVENTORY_MARKER)) {
                Files.delete(inventory);
                deleteIfEmpty(inventory.getParent());
            }
        } catch (IOException e) {
            throw new LabError("cannot delete the inventory " + inventory + ": " + e.getMessage(), e);
        }
    }

    private static void deleteIfEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isEmpty()) {
                Files.delete(dir);
            }
        } catch (IOException e) {
            // absent, or not ours to empty: nothing to do
        }
    }

    /** The namespaces {@code ip netns list} shows that a lab with {@code prefix} would have created. */
    static List<String> ownedNamespaces(Processes proc, Toolbox tools, String prefix) {
        String out = proc.require("listing namespaces", List.of(tools.path("ip"), "netns", "list"));
        return out.lines().map(l -> l.split("\\s+")[0]).filter(ns -> LabLayout.ownedBy(prefix, ns)).toList();
    }

    /** The /etc/netns directories of the lab's namespaces. */
    static List<Path> ownedNetnsDirs(String prefix) {
        if (!Files.isDirectory(NETNS_ETC)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(NETNS_ETC)) {
            return s.filter(p -> LabLayout.ownedBy(prefix, p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new LabError("cannot list " + NETNS_ETC + ": " + e.getMessage(), e);
        }
    }

    /** Pids of the lab's SSH forwarders (listeners and their per-connection children) in the root namespace. */
    static List<Long> forwarderPids(String prefix) {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+")).map(Long::valueOf)
                    .filter(pid -> Processes.commandLine(pid).map(argv -> isForwarder(argv, prefix)).orElse(false))
                    .toList();
        } catch (IOException e) {
            throw new LabError("cannot list /proc: " + e.getMessage(), e);
        }
    }

    /** True for a socat whose EXEC line enters exactly this lab's ctl namespace. */
    static boolean isForwarder(List<String> argv, String prefix) {
        return !argv.isEmpty() && (argv.get(0).equals("socat") || argv.get(0).endsWith("/socat"))
                && argv.stream().anyMatch(a -> a.startsWith("EXEC:'") && a.contains(" netns exec " + prefix + "ctl "));
    }
}
