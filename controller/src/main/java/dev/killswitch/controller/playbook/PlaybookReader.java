package dev.killswitch.controller.playbook;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.yaml.Entries;
import dev.killswitch.agent.yaml.Field;
import dev.killswitch.agent.yaml.YamlDocument;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads an Ansible-style playbook of kill-switch plays, with file, line and field in every error. */
public final class PlaybookReader {
    static final List<String> PLAY_KEYS =
            List.of("name", "hosts", "vars", "serial", "max_fail_percentage", "killswitch", "rules");
    private static final Pattern PERCENT = Pattern.compile("([0-9]{1,3})%");
    private static final YamlDocument YAML = new YamlDocument(4 * 1024 * 1024, 32, "a playbook");

    private PlaybookReader() {
    }

    public static Playbook read(Path file) {
        return playbook(YAML.read(file), file.toString());
    }

    public static Playbook read(String file, String text) {
        return playbook(YAML.read(file, text), file);
    }

    private static Playbook playbook(Field root, String file) {
        if (root == null) {
            throw new InputError(new Origin(file, 1, ""), "empty playbook: expected a list of plays");
        }
        List<Play> plays = new ArrayList<>();
        for (Field p : root.list()) {
            plays.add(play(p));
        }
        if (plays.isEmpty()) {
            throw new InputError(root.origin(), "the playbook has no plays");
        }
        return new Playbook(file, plays);
    }

    @SuppressWarnings("unchecked")
    private static Play play(Field f) {
        Entries e = f.mapping().allowOnly(PLAY_KEYS);
        String name = e.get("name") == null ? null : e.get("name").text();
        String hosts = e.required("hosts").text();
        Map<String, Object> vars = new LinkedHashMap<>();
        if (e.get("vars") != null) {
            e.get("vars").mapping();
            vars = (Map<String, Object>) e.get("vars").plain();
        }
        List<Object> serial = serial(e.get("serial"));
        Integer maxFail = null;
        if (e.get("max_fail_percentage") != null) {
            maxFail = e.get("max_fail_percentage").integer();
            if (maxFail > 100) {
                throw e.get("max_fail_percentage").error("max_fail_percentage must be 0..100, got " + maxFail);
            }
        }
        Field ks = e.required("killswitch");
        ks.mapping();
        Field rules = e.get("rules");
        if (rules != null) {
            rules.mapping();
        }
        return new Play(name, hosts, vars, serial, maxFail, ks, rules, f.origin());
    }

    /** serial: a number, a percentage, or a list of them (the first batch is the canary). */
    private static List<Object> serial(Field f) {
        List<Object> out = new ArrayList<>();
        if (f == null) {
            return out;
        }
        for (Field item : f.isList() ? f.list() : List.of(f)) {
            String v = item.scalar();
            if (v != null && PERCENT.matcher(v).matches()) {
                int pct = Integer.parseInt(v.substring(0, v.length() - 1));
                if (pct < 1 || pct > 100) {
                    throw item.error("serial percentage must be 1%..100%, got " + v);
                }
                out.add(v);
            } else {
                int n = item.integer();
                if (n < 1) {
                    throw item.error("serial must be at least 1, got " + n);
                }
                out.add(n);
            }
        }
        return out;
    }
}
