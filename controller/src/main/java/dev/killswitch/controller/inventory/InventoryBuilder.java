package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects hosts, groups and variables while inventory sources are read, then resolves them once into
 * an immutable {@link Inventory}: the implicit {@code all}/{@code ungrouped} groups, cycle checks, and
 * variable precedence.
 */
final class InventoryBuilder {
    static final String ALL = "all";
    static final String UNGROUPED = "ungrouped";
    static final String GROUP_PRIORITY = "ansible_group_priority";

    private final Map<String, HostDraft> hosts = new LinkedHashMap<>();
    private final Map<String, GroupDraft> groups = new LinkedHashMap<>();

    private record HostDraft(String name, Map<String, Variable> vars, Set<String> groups) {
    }

    private record GroupDraft(String name, Origin origin, Set<String> hosts, Map<String, Origin> children, Map<String, Variable> vars) {
    }

    InventoryBuilder(Origin origin) {
        group(ALL, origin);
        group(UNGROUPED, origin);
    }

    boolean hasGroup(String name) {
        return groups.containsKey(name);
    }

    void group(String name, Origin origin) {
        if (name.isBlank()) {
            throw new InputError(origin, "empty group name");
        }
        groups.computeIfAbsent(name, n -> new GroupDraft(n, origin, new LinkedHashSet<>(), new LinkedHashMap<>(), new LinkedHashMap<>()));
    }

    void host(String host, String group, Origin origin) {
        // the name reaches messages, the agent's desired state and log lines: no shell or control characters
        if (!dev.killswitch.agent.desired.DesiredStateReader.HOST.matcher(host).matches() || host.startsWith("-")) {
            throw new InputError(origin, "host name '" + host.replaceAll("\\p{Cntrl}", "?") + "' must match "
                    + dev.killswitch.agent.desired.DesiredStateReader.HOST.pattern() + " and not start with '-'");
        }
        group(group, origin);
        hosts.computeIfAbsent(host, h -> new HostDraft(h, new LinkedHashMap<>(), new LinkedHashSet<>())).groups().add(group);
        groups.get(group).hosts().add(host);
    }

    void hostVar(String host, Variable variable) {
        hosts.get(host).vars().put(variable.name(), variable);
    }

    void groupVar(String group, Variable variable) {
        groups.get(group).vars().put(variable.name(), variable);
    }

    void child(String parent, String child, Origin origin) {
        group(parent, origin);
        group(child, origin);
        groups.get(parent).children().putIfAbsent(child, origin);
    }

    Inventory build(Path source, Path varsDir, ExtraVars extraVars, String defaultUser) {
        reconcile();
        Map<String, List<String>> parents = parents();
        checkCycles();
        Map<String, Integer> depth = new HashMap<>();
        groups.keySet().forEach(g -> depth(g, parents, depth));
        Map<String, Integer> priority = new HashMap<>();
        groups.keySet().forEach(g -> priority.put(g, priority(g)));
        Comparator<String> mergeOrder = Comparator.<String>comparingInt(depth::get)
                .thenComparingInt(priority::get)
                .thenComparing(Comparator.naturalOrder());

        List<String> warnings = new ArrayList<>();
        VarsFiles groupVarsFiles = new VarsFiles(varsDir.resolve("group_vars"));
        VarsFiles hostVarsFiles = new VarsFiles(varsDir.resolve("host_vars"));
        warnUnmatched(groupVarsFiles, groups.keySet(), "group", warnings);
        warnUnmatched(hostVarsFiles, hosts.keySet(), "host", warnings);
        Map<String, Map<String, Variable>> groupVars = new HashMap<>();
        groups.keySet().forEach(g -> groupVars.put(g, groupVarsFiles.load(g)));

        Map<String, Group> resolvedGroups = new LinkedHashMap<>();
        groups.values().forEach(g -> resolvedGroups.put(g.name(),
                new Group(g.name(), parents.get(g.name()), List.copyOf(g.children().keySet()), List.copyOf(g.hosts()))));

        Map<String, Map<String, Variable>> hostVars = new LinkedHashMap<>();
        for (HostDraft host : hosts.values()) {
            List<String> memberOf = ancestors(host.groups(), parents).stream()
                    .filter(g -> !g.equals(ALL))
                    .sorted(mergeOrder)
                    .toList();
            // Ansible's order, lowest first: inventory group vars, group_vars/all, group_vars/*, inventory
            // host vars, host_vars/*, extra vars; a later layer replaces a whole top-level variable.
            Map<String, Variable> vars = new LinkedHashMap<>(groups.get(ALL).vars());
            memberOf.forEach(g -> vars.putAll(groups.get(g).vars()));
            vars.putAll(groupVars.get(ALL));
            memberOf.forEach(g -> vars.putAll(groupVars.get(g)));
            vars.putAll(host.vars());
            vars.putAll(hostVarsFiles.load(host.name()));
            vars.putAll(extraVars.variables());
            hostVars.put(host.name(), vars);
        }
        return new Inventory(source, List.copyOf(hosts.keySet()), resolvedGroups, hostVars, defaultUser, warnings);
    }

    /** Every group hangs under all; hosts that are in no group are in ungrouped, and only those. */
    private void reconcile() {
        for (GroupDraft group : groups.values()) {
            if (!group.name().equals(ALL) && groups.values().stream().noneMatch(p -> p.children().containsKey(group.name()))) {
                groups.get(ALL).children().put(group.name(), group.origin());
            }
        }
        for (HostDraft host : hosts.values()) {
            boolean grouped = host.groups().stream().anyMatch(g -> !g.equals(ALL) && !g.equals(UNGROUPED));
            if (grouped) {
                host.groups().remove(UNGROUPED);
                groups.get(UNGROUPED).hosts().remove(host.name());
            } else {
                host.groups().add(UNGROUPED);
                groups.get(UNGROUPED).hosts().add(host.name());
            }
        }
    }

    private Map<String, List<String>> parents() {
        Map<String, List<String>> parents = new LinkedHashMap<>();
        groups.keySet().forEach(g -> parents.put(g, new ArrayList<>()));
        groups.values().forEach(p -> p.children().keySet().forEach(c -> parents.get(c).add(p.name())));
        return parents;
    }

    private void checkCycles() {
        Set<String> done = new HashSet<>();
        for (String group : groups.keySet()) {
            visit(group, new ArrayList<>(), done);
        }
    }

    private void visit(String group, List<String> path, Set<String> done) {
        if (done.contains(group)) {
            return;
        }
        path.add(group);
        for (Map.Entry<String, Origin> child : groups.get(group).children().entrySet()) {
            if (path.contains(child.getKey())) {
                List<String> loop = new ArrayList<>(path.subList(path.indexOf(child.getKey()), path.size()));
                loop.add(child.getKey());
                throw new InputError(child.getValue(), "group '" + child.getKey() + "' is its own ancestor: "
                        + String.join(" -> ", loop));
            }
            visit(child.getKey(), path, done);
        }
        path.remove(path.size() - 1);
        done.add(group);
    }

    /** Distance from all along the longest path: parents merge before their children. */
    private static int depth(String group, Map<String, List<String>> parents, Map<String, Integer> memo) {
        Integer known = memo.get(group);
        if (known != null) {
            return known;
        }
        int depth = parents.get(group).stream().mapToInt(p -> depth(p, parents, memo) + 1).max().orElse(0);
        memo.put(group, depth);
        return depth;
    }

    private int priority(String group) {
        Variable v = groups.get(group).vars().get(GROUP_PRIORITY);
        if (v == null || v.value() == null) {
            return 1;
        }
        String text = String.valueOf(v.value()).trim();
        if (!text.matches("-?[0-9]{1,9}")) {
            throw new InputError(v.origin(), GROUP_PRIORITY + " must be a whole number, got '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    private static Set<String> ancestors(Set<String> direct, Map<String, List<String>> parents) {
        Set<String> out = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(direct);
        while (!todo.isEmpty()) {
            String g = todo.remove(todo.size() - 1);
            if (out.add(g)) {
                todo.addAll(parents.get(g));
            }
        }
        return out;
    }

    private static void warnUnmatched(VarsFiles files, Set<String> known, String kind, List<String> warnings) {
        for (String name : files.names()) {
            if (!known.contains(name)) {
                warnings.add(files.dir().resolve(name) + ": no " + kind + " named '" + name + "' in the inventory; its variables are not used");
            }
        }
    }
}
