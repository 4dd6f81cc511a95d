package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML document read as plain maps, lists and scalars (YAML 1.1, as Ansible reads it), that still
 * knows the line of every mapping, sequence and mapping key so errors can name it.
 */
final class YamlFile {
    private final String name;
    private final Object root;
    private final Map<Object, Integer> lines;
    private final Map<Object, Map<String, Integer>> keyLines;

    private YamlFile(String name, Object root, Map<Object, Integer> lines, Map<Object, Map<String, Integer>> keyLines) {
        this.name = name;
        this.root = root;
        this.lines = lines;
        this.keyLines = keyLines;
    }

    static YamlFile read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        try {
            return parse(java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(in).toString(), file.toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            int line = 1;
            for (int i = 0; i < in.position() && i < bytes.length; i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new InputError(new Origin(file.toString(), line, ""), "not valid UTF-8 (byte offset "
                    + in.position() + ")");
        }
    }

    static YamlFile parse(String text, String name) {
        LineRecorder recorder = new LineRecorder();
        try {
            Object root = new Yaml(recorder).load(text);
            return new YamlFile(name, root, recorder.lines, recorder.keyLines);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new InputError(new Origin(name, line, ""), "malformed YAML: " + firstLine(e.getProblem()));
        } catch (YAMLException e) {
            throw new InputError(new Origin(name, 0, ""), "malformed YAML: " + firstLine(e.getMessage()));
        }
    }

    String name() {
        return name;
    }

    Object root() {
        return root;
    }

    /** Where a mapping or sequence starts, with the field to name. */
    Origin at(Object container, String field) {
        return new Origin(name, lines.getOrDefault(container, 0), field);
    }

    /** Where a key of a mapping was written, with the field to name. */
    Origin atKey(Map<?, ?> map, Object key, String field) {
        Map<String, Integer> keys = keyLines.get(map);
        Integer line = keys == null ? null : keys.get(String.valueOf(key));
        return line == null ? at(map, field) : new Origin(name, line, field);
    }

    /** The mapping's entries with each value's origin, keys as text. */
    Map<String, Variable> variables(Map<?, ?> map) {
        Map<String, Variable> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), new Variable(String.valueOf(k), v, atKey(map, k, String.valueOf(k)))));
        return out;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").trim();
    }

    /** SafeConstructor that notes lines as it builds; timestamps stay text, as templates want them. */
    private static final class LineRecorder extends SafeConstructor {
        final Map<Object, Integer> lines = new IdentityHashMap<>();
        final Map<Object, Map<String, Integer>> keyLines = new IdentityHashMap<>();

        LineRecorder() {
            super(options());
            yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
        }

        private static LoaderOptions options() {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            return options;
        }

        @Override
        protected Object constructObject(Node node) {
            Object value = super.constructObject(node);
            if (value instanceof Map || value instanceof List) {
                lines.putIfAbsent(value, node.getStartMark().getLine() + 1);
            }
            return value;
        }

        @Override
        protected void constructMapping2ndStep(MappingNode node, Map<Object, Object> mapping) {
            super.constructMapping2ndStep(node, mapping);
            Map<String, Integer> keys = new HashMap<>();
            for (NodeTuple tuple : node.getValue()) {
                Object key = constructObject(tuple.getKeyNode());
                keys.putIfAbsent(String.valueOf(key), tuple.getKeyNode().getStartMark().getLine() + 1);
            }
            keyLines.put(mapping, keys);
        }
    }
}
