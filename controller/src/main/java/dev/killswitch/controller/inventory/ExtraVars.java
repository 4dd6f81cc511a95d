package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Variables given with {@code -e}/{@code --extra-vars}: they override everything the inventory says.
 * Each argument is {@code key=value ...} (values stay text; quotes group), {@code @file.yml} (a YAML or
 * JSON mapping), or an inline YAML/JSON mapping {@code {"key": 1}}. Later arguments win.
 */
public record ExtraVars(Map<String, Variable> variables) {
    private static final String SOURCE = "extra vars (-e)";

    public ExtraVars {
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    public static ExtraVars none() {
        return new ExtraVars(Map.of());
    }

    /** Values already parsed, for callers that have a plain map. */
    public static ExtraVars of(Map<String, ?> values) {
        Map<String, Variable> vars = new LinkedHashMap<>();
        values.forEach((k, v) -> vars.put(k, new Variable(k, v, new Origin(SOURCE, 0, k))));
        return new ExtraVars(vars);
    }

    /** Parses the values of the {@code -e} options in order; {@code @file} paths are relative to {@code baseDir}. */
    public static ExtraVars parse(List<String> arguments, Path baseDir) {
        Map<String, Variable> vars = new LinkedHashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            String arg = arguments.get(i).strip();
            Origin origin = new Origin(SOURCE, i + 1, arg);
            if (arg.startsWith("@")) {
                vars.putAll(file(baseDir.resolve(arg.substring(1)), origin));
            } else if (arg.startsWith("{")) {
                vars.putAll(mapping(YamlFile.parse(arg, SOURCE + " #" + (i + 1)), origin));
            } else {
                vars.putAll(keyValues(arg, origin));
            }
        }
        return new ExtraVars(vars);
    }

    /** Just the values. */
    public Map<String, Object> values() {
        Map<String, Object> values = new LinkedHashMap<>();
        variables.forEach((k, v) -> values.put(k, v.value()));
        return Collections.unmodifiableMap(values);
    }

    private static Map<String, Variable> file(Path file, Origin origin) {
        if (!Files.isRegularFile(file)) {
            throw new InputError(origin, "extra vars file " + file + " does not exist");
        }
        return mapping(YamlFile.read(file), origin);
    }

    private static Map<String, Variable> mapping(YamlFile yaml, Origin origin) {
        if (yaml.root() == null) {
            return Map.of();
        }
        if (!(yaml.root() instanceof Map<?, ?> map)) {
            // name the file and line of what was given, not the -e argument
            throw new InputError(yaml.root() instanceof java.util.List<?> ? yaml.at(yaml.root(), "")
                    : new Origin(yaml.name(), 1, ""), "extra vars must be a mapping of variable names to values");
        }
        return yaml.variables(map);
    }

    private static Map<String, Variable> keyValues(String arg, Origin origin) {
        List<String> words;
        try {
            words = ShellWords.split(arg, false);
        } catch (IllegalArgumentException e) {
            throw new InputError(origin, "cannot read extra vars: " + e.getMessage());
        }
        Map<String, Variable> vars = new LinkedHashMap<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            String key = eq < 0 ? word : word.substring(0, eq);
            if (eq < 0 || !key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new InputError(origin, "expected key=value (a variable name, '=', a value), @file.yml or a {mapping}, got '" + word + "'");
            }
            vars.put(key, new Variable(key, word.substring(eq + 1), new Origin(origin.file(), origin.line(), key)));
        }
        return vars;
    }
}
