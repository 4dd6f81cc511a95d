package dev.killswitch.agent.yaml;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** One node of a desired-state document, with the file, line and field path that its errors name. */
public final class Field {
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,8}");

    private final String file;
    private final String path;
    private final Node node;

    public Field(String file, String path, Node node) {
        this.file = file;
        this.path = path;
        this.node = node;
    }

    public String path() {
        return path;
    }

    public int line() {
        return node.getStartMark().getLine() + 1;
    }

    public Origin origin() {
        return new Origin(file, line(), path);
    }

    public InputError error(String message) {
        return new InputError(origin(), message);
    }

    /** The path of a key below this node. */
    public String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** A mapping's entries in file order; duplicate keys are refused. */
    public Entries mapping() {
        if (!(node instanceof MappingNode m)) {
            throw error("expected a mapping, got " + describe());
        }
        Map<String, Entries.Entry> entries = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            Field rawKey = new Field(file, path, t.getKeyNode());
            if (!(t.getKeyNode() instanceof ScalarNode)) {
                throw rawKey.error("a key must be plain text, got " + rawKey.describe());
            }
            String key = rawKey.text();
            Field keyField = new Field(file, childPath(key), t.getKeyNode());
            Entries.Entry previous = entries.get(key);
            if (previous != null) {
                throw keyField.error("duplicate key '" + key + "' (first at line " + previous.keyField().line() + ")");
            }
            entries.put(key, new Entries.Entry(key, keyField, new Field(file, childPath(key), t.getValueNode())));
        }
        return new Entries(this, entries);
    }

    /** A list's items, each with its own path ({@code chains.INPUT[2]}) and line. */
    public List<Field> list() {
        if (!(node instanceof SequenceNode s)) {
            throw error("expected a list, got " + describe());
        }
        List<Field> items = new ArrayList<>();
        List<Node> values = s.getValue();
        for (int i = 0; i < values.size(); i++) {
            items.add(new Field(file, path + "[" + i + "]", values.get(i)));
        }
        return Collections.unmodifiableList(items);
    }

    /** A scalar as written. Numbers keep their spelling; null and booleans are refused so nothing is guessed. */
    public String text() {
        if (!(node instanceof ScalarNode s)) {
            throw error("expected a string, got " + describe());
        }
        if (s.getTag().equals(Tag.NULL)) {
            throw error("expected a string, got " + describe());
        }
        if (s.getTag().equals(Tag.BOOL)) {
            throw error("expected a string, got " + describe() + " (quote it if you mean the text)");
        }
        return s.getValue();
    }

    /** A decimal integer written as a number (not quoted). */
    public int integer() {
        if (!(node instanceof ScalarNode s) || !s.getTag().equals(Tag.INT)) {
            throw error("expected an integer, got " + describe());
        }
        if (!DECIMAL.matcher(s.getValue()).matches()) {
            throw error("expected a decimal integer of at most 9 digits, got '" + s.getValue() + "'");
        }
        return Integer.parseInt(s.getValue());
    }

    /** Text with no control characters (rule strings, paths). */
    public String plainText(String what) {
        String v = text();
        refuseControl(v, what);
        return v;
    }

    /** Text that may end up near a shell or a file name: no shell metacharacters, and matches {@code allowed}. */
    public String word(Pattern allowed, String what) {
        String v = text();
        refuseControl(v, what);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ("`$;|&<>".indexOf(c) >= 0) {
                throw error(what + " '" + v + "' contains the shell metacharacter '" + c + "'");
            }
        }
        if (!allowed.matcher(v).matches()) {
            throw error(what + " '" + v + "' must match " + allowed.pattern());
        }
        return v;
    }

    private void refuseControl(String v, String what) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (Character.isISOControl(c) && c != '\t') {
                throw error(what + " contains the control character U+" + String.format("%04X", (int) c));
            }
        }
    }

    public boolean isMapping() {
        return node instanceof MappingNode;
    }

    public boolean isList() {
        return node instanceof SequenceNode;
    }

    public boolean isNull() {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    /** A boolean written as YAML true/false (yes/no are not booleans in YAML 1.2 and are refused). */
    public boolean bool() {
        if (!(node instanceof ScalarNode s) || !s.getTag().equals(Tag.BOOL)
                || !(s.getValue().equals("true") || s.getValue().equals("false"))) {
            throw error("expected true or false, got " + describe());
        }
        return s.getValue().equals("true");
    }

    /** The scalar's text whatever its YAML type (numbers, booleans); null for a null. */
    public String scalar() {
        if (!(node instanceof ScalarNode s)) {
            throw error("expected a single value, got " + describe());
        }
        return s.getTag().equals(Tag.NULL) ? null : s.getValue();
    }

    /** This subtree as plain Java values: maps, lists, and scalars as Integer, Boolean or String. */
    public Object plain() {
        if (node instanceof MappingNode) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Entries.Entry e : mapping()) {
                m.put(e.key(), e.value().plain());
            }
            return m;
        }
        if (node instanceof SequenceNode) {
            List<Object> l = new ArrayList<>();
            for (Field f : list()) {
                l.add(f.plain());
            }
            return l;
        }
        ScalarNode s = (ScalarNode) node;
        if (s.getTag().equals(Tag.NULL)) {
            return null;
        }
        if (s.getTag().equals(Tag.BOOL)) {
            return Boolean.valueOf(s.getValue());
        }
        if (s.getTag().equals(Tag.INT) && DECIMAL.matcher(s.getValue()).matches()) {
            return Integer.valueOf(s.getValue());
        }
        return s.getValue();
    }

    /** How this node reads to a person: "a mapping", "the string '22'", "null". */
    public String describe() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode s = (ScalarNode) node;
        Tag tag = s.getTag();
        if (tag.equals(Tag.NULL)) {
            return "nothing (null)";
        }
        if (tag.equals(Tag.BOOL)) {
            return "the boolean " + s.getValue();
        }
        if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
            return "the number " + s.getValue();
        }
        return "the string '" + s.getValue() + "'";
    }
}
