package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reads an Ansible YAML inventory: a mapping of groups (usually just {@code all}), each with optional
 * {@code hosts} (host or range to its variables), {@code vars} and {@code children} (nested groups).
 * Keys other than these are refused rather than skipped, because a misspelt {@code hosts:} would
 * otherwise drop hosts silently.
 */
final class YamlInventory {
    private final YamlFile yaml;
    private final InventoryBuilder into;

    private YamlInventory(YamlFile yaml, InventoryBuilder into) {
        this.yaml = yaml;
        this.into = into;
    }

    static void read(Path path, InventoryBuilder into) {
        YamlFile yaml = YamlFile.read(path);
        YamlInventory reader = new YamlInventory(yaml, into);
        if (yaml.root() == null) {
            throw new InputError(new Origin(yaml.name(), 1, ""), "empty inventory: expected a mapping such as 'all: {hosts: ...}'");
        }
        if (!(yaml.root() instanceof Map<?, ?> groups)) {
            throw new InputError(yaml.at(yaml.root(), ""), "a YAML inventory is a mapping of group names (usually 'all'), found "
                    + kind(yaml.root()));
        }
        groups.forEach((name, data) -> reader.group(String.valueOf(name), data, yaml.atKey(groups, name, String.valueOf(name))));
    }

    private void group(String name, Object data, Origin origin) {
        into.group(name, origin);
        if (data == null) {
            return;
        }
        if (!(data instanceof Map<?, ?> sections)) {
            throw new InputError(origin, "group '" + name + "' must be a mapping with hosts, children and vars, found " + kind(data));
        }
        for (Map.Entry<?, ?> section : sections.entrySet()) {
            String key = String.valueOf(section.getKey());
            Origin at = yaml.atKey(sections, key, name + "." + key);
            Object value = section.getValue();
            if (value instanceof String single && !key.equals("vars")) {
                value = Collections.singletonMap(single, null); // Ansible accepts "hosts: gw01"
            }
            if (value == null) {
                continue;
            }
            if (!List.of("hosts", "vars", "children").contains(key)) {
                throw new InputError(at, "unexpected key '" + key + "' in group '" + name + "': only hosts, children and vars are allowed");
            }
            if (!(value instanceof Map<?, ?> entries)) {
                throw new InputError(at, key + " of group '" + name + "' must be a mapping, found " + kind(value));
            }
            switch (key) {
                case "hosts" -> entries.forEach((host, vars) -> hosts(String.valueOf(host), vars, name, yaml.atKey(entries, host, String.valueOf(host))));
                case "vars" -> yaml.variables(entries).values().forEach(v -> into.groupVar(name, v));
                default -> entries.forEach((child, childData) -> {
                    Origin childAt = yaml.atKey(entries, child, String.valueOf(child));
                    group(String.valueOf(child), childData, childAt);
                    into.child(name, String.valueOf(child), childAt);
                });
            }
        }
    }

    private void hosts(String entry, Object vars, String group, Origin origin) {
        HostRange range = HostRange.parse(entry, origin);
        if (vars != null && !(vars instanceof Map)) {
            throw new InputError(origin, "variables of host '" + entry + "' must be a mapping, found " + kind(vars));
        }
        for (String host : range.names()) {
            into.host(host, group, origin);
            if (range.port() != null) {
                into.hostVar(host, new Variable("ansible_port", range.port(), new Origin(origin.file(), origin.line(), "ansible_port")));
            }
            if (vars instanceof Map<?, ?> map) {
                yaml.variables(map).values().forEach(v -> into.hostVar(host, v));
            }
        }
    }

    private static String kind(Object value) {
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        return "'" + value + "'";
    }
}
