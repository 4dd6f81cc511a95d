package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an Ansible INI inventory: hosts before any section are ungrouped; {@code [group]} lists hosts
 * with inline {@code key=value} variables, {@code [group:vars]} one variable a line, and
 * {@code [group:children]} child groups. Lines starting with {@code #} or {@code ;} are comments.
 * Values are typed as Ansible's literal_eval types them ({@link IniValue}).
 */
final class IniInventory {
    private static final Pattern SECTION = Pattern.compile("^\\[([^:\\]\\s]+)(?::(\\w+))?\\]\\s*(?:#.*)?$");
    private static final Pattern GROUP_NAME = Pattern.compile("^([^:\\]\\s]+)\\s*(?:#.*)?$");

    private final String file;
    private final InventoryBuilder into;
    /** Groups used by a :vars or :children section but not yet declared, with the error to raise if they never are. */
    private final Map<String, InputError> undeclared = new LinkedHashMap<>();

    private IniInventory(String file, InventoryBuilder into) {
        this.file = file;
        this.into = into;
    }

    static void read(Path path, InventoryBuilder into) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        new IniInventory(path.toString(), into).parse(lines);
    }

    private void parse(List<String> lines) {
        String group = InventoryBuilder.UNGROUPED;
        String state = "hosts";
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                if (n == 1 && line.startsWith("#!")) {
                    throw new InputError(at(n, ""), "inventory scripts are not run by killswitch; give a YAML or INI inventory");
                }
                continue;
            }
            Matcher section = SECTION.matcher(line);
            if (section.matches()) {
                group = section.group(1);
                state = section.group(2) == null ? "hosts" : section.group(2);
                declare(group, state, at(n, line));
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                throw new InputError(at(n, line), "invalid section header: a section is [group], [group:vars] or [group:children], without spaces");
            }
            switch (state) {
                case "hosts" -> hostLine(line, group, n);
                case "vars" -> varLine(line, group, n);
                default -> childLine(line, group, n);
            }
        }
        if (!undeclared.isEmpty()) {
            throw undeclared.values().iterator().next();
        }
    }

    private void declare(String group, String state, Origin origin) {
        switch (state) {
            case "hosts", "children" -> undeclared.remove(group);
            case "vars" -> {
                if (!into.hasGroup(group)) {
                    undeclared.putIfAbsent(group, new InputError(origin, "section [" + group + ":vars] is for group '" + group
                            + "', which is not declared with [" + group + "] or [" + group + ":children]"));
                }
            }
            default -> throw new InputError(origin, "section [" + group + ":" + state + "] has unknown type '" + state
                    + "': use [" + group + "], [" + group + ":vars] or [" + group + ":children]");
        }
        into.group(group, origin);
    }

    private void hostLine(String line, String group, int n) {
        List<String> words;
        try {
            words = ShellWords.split(line, true);
        } catch (IllegalArgumentException e) {
            throw new InputError(at(n, line), "cannot read host line: " + e.getMessage());
        }
        if (words.isEmpty()) {
            return;
        }
        if (words.get(0).equals("---")) {
            throw new InputError(at(n, "---"), "'---' starts a YAML document: name YAML inventories *.yml or *.yaml");
        }
        HostRange range = HostRange.parse(words.get(0), at(n, words.get(0)));
        Map<String, Object> vars = new LinkedHashMap<>();
        for (String word : words.subList(1, words.size())) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new InputError(at(n, word), "expected key=value after host '" + words.get(0) + "', got '" + word + "'");
            }
            vars.put(word.substring(0, eq), IniValue.parse(word.substring(eq + 1)));
        }
        for (String host : range.names()) {
            into.host(host, group, at(n, host));
            if (range.port() != null) {
                into.hostVar(host, new Variable("ansible_port", range.port(), at(n, "ansible_port")));
            }
            vars.forEach((k, v) -> into.hostVar(host, new Variable(k, v, at(n, k))));
        }
    }

    private void varLine(String line, String group, int n) {
        int eq = line.indexOf('=');
        if (eq <= 0) {
            throw new InputError(at(n, line), "expected key=value in [" + group + ":vars], got '" + line + "'");
        }
        String key = line.substring(0, eq).strip();
        into.groupVar(group, new Variable(key, IniValue.parse(line.substring(eq + 1)), at(n, key)));
    }

    private void childLine(String line, String group, int n) {
        Matcher m = GROUP_NAME.matcher(line);
        if (!m.matches()) {
            throw new InputError(at(n, line), "expected a group name in [" + group + ":children], got '" + line + "'");
        }
        String child = m.group(1);
        if (!into.hasGroup(child)) {
            undeclared.putIfAbsent(child, new InputError(at(n, child), "section [" + group + ":children] names group '"
                    + child + "', which is never declared with [" + child + "] or [" + child + ":children]"));
        }
        into.child(group, child, at(n, child));
    }

    private Origin at(int line, String field) {
        return new Origin(file, line, field);
    }
}
