package dev.killswitch.controller.inventory;

import java.util.List;

/**
 * An inventory group as written: its direct parents, children and hosts, in the order they were declared.
 * Every group but {@code all} has a parent; hosts in no other group are in {@code ungrouped}.
 */
public record Group(String name, List<String> parents, List<String> children, List<String> hosts) {

    public Group {
        parents = List.copyOf(parents);
        children = List.copyOf(children);
        hosts = List.copyOf(hosts);
    }
}
