package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.Origin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An Ansible-compatible inventory, fully resolved: hosts in inventory order, groups with their parents
 * and children, and every host's variables after precedence. Immutable; made by {@link InventoryLoader}.
 */
public final class Inventory {
    private final Path source;
    private final List<String> hosts;
    private final Map<String, Group> groups;
    private final Map<String, Map<String, Variable>> variables;
    private final Map<String, List<String>> members;
    private final Map<String, List<String>> groupNames;
    private final String defaultUser;
    private final List<String> warnings;

    Inventory(Path source, List<String> hosts, Map<String, Group> groups, Map<String, Map<String, Variable>> variables,
              String defaultUser, List<String> warnings) {
        this.source = source;
        this.hosts = List.copyOf(hosts);
        this.groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        Map<String, Map<String, Variable>> vars = new LinkedHashMap<>();
        variables.forEach((h, v) -> vars.put(h, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        this.variables = Collections.unmodifiableMap(vars);
        this.defaultUser = defaultUser;
        this.warnings = List.copyOf(warnings);
        Map<String, List<String>> members = new LinkedHashMap<>();
        Map<String, List<String>> names = new LinkedHashMap<>();
        hosts.forEach(h -> names.put(h, new ArrayList<>()));
        for (String group : groups.keySet()) {
            Set<String> inGroup = descendantHosts(group);
            members.put(group, inInventoryOrder(inGroup));
            if (!group.equals(InventoryBuilder.ALL)) {
                inGroup.forEach(h -> names.get(h).add(group));
            }
        }
        this.members = Collections.unmodifiableMap(members);
        names.replaceAll((h, list) -> list.stream().sorted().toList());
        this.groupNames = Collections.unmodifiableMap(names);
    }

    /** The inventory file or directory this was read from. */
    public Path source() {
        return source;
    }

    /** All hosts, in the order the inventory first names them. */
    public List<String> hosts() {
        return hosts;
    }

    public boolean hasHost(String host) {
        return variables.containsKey(host);
    }

    /** Every group by name, including {@code all} and {@code ungrouped}, in declaration order. */
    public Map<String, Group> groups() {
        return groups;
    }

    public Group group(String name) {
        Group group = groups.get(name);
        if (group == null) {
            throw new IllegalArgumentException("no group named '" + name + "'");
        }
        return group;
    }

    /** Hosts of the group and of all its descendants, in inventory order. */
    public List<String> hostsOf(String group) {
        group(group);
        return members.get(group);
    }

    /** The groups the host is in, directly or through children, sorted; {@code all} left out (Ansible's group_names). */
    public List<String> groupNames(String host) {
        requireHost(host);
        return groupNames.get(host);
    }

    /** The host's variables after precedence, each with where it was defined. */
    public Map<String, Variable> variables(String host) {
        requireHost(host);
        return variables.get(host);
    }

    /** The host's variable values after precedence, not yet rendered. */
    public Map<String, Object> vars(String host) {
        Map<String, Object> values = new LinkedHashMap<>();
        variables(host).forEach((name, v) -> values.put(name, v.value()));
        return Collections.unmodifiableMap(values);
    }

    /**
     * What templates for this host can refer to: its variables plus Ansible's {@code inventory_hostname},
     * {@code inventory_hostname_short}, {@code group_names} and {@code groups}.
     */
    public Map<String, Object> templateVars(String host) {
        Map<String, Object> context = new LinkedHashMap<>(vars(host));
        context.put("inventory_hostname", host);
        context.put("inventory_hostname_short", host.contains(".") ? host.substring(0, host.indexOf('.')) : host);
        context.put("group_names", groupNames(host));
        context.put("groups", members);
        return Collections.unmodifiableMap(context);
    }

    /** How to reach the host; templates in its connection variables are rendered, bad values fail naming their origin. */
    public HostConnection connection(String host) {
        return HostConnection.of(host, variables(host), templateVars(host), defaultUser);
    }

    /** The hosts an Ansible host pattern selects (as for {@code --limit}), in inventory order. */
    public List<String> select(String pattern) {
        return HostPattern.parse(pattern, HostPattern.COMMAND_LINE).select(this);
    }

    /** As {@link #select(String)}, for a pattern written at {@code origin} (a play's {@code hosts:}, say). */
    public List<String> select(String pattern, Origin origin) {
        return HostPattern.parse(pattern, origin).select(this);
    }

    /** Things that were ignored but look like mistakes, such as a group_vars file for no group. */
    public List<String> warnings() {
        return warnings;
    }

    List<String> inInventoryOrder(Set<String> chosen) {
        List<String> out = new ArrayList<>();
        for (String host : hosts) {
            if (chosen.contains(host)) {
                out.add(host);
            }
        }
        return out;
    }

    private Set<String> descendantHosts(String group) {
        Set<String> out = new HashSet<>();
        Set<String> seen = new HashSet<>();
        List<String> todo = new ArrayList<>(List.of(group));
        while (!todo.isEmpty()) {
            String g = todo.remove(todo.size() - 1);
            if (seen.add(g)) {
                out.addAll(groups.get(g).hosts());
                todo.addAll(groups.get(g).children());
            }
        }
        return out;
    }

    private void requireHost(String host) {
        if (!variables.containsKey(host)) {
            throw new IllegalArgumentException("no host named '" + host + "' in " + source);
        }
    }
}
