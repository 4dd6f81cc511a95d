package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An Ansible host pattern, as given to {@code --limit} or a play's {@code hosts:}: group and host names,
 * globs ({@code gw*}), regular expressions ({@code ~^gw[0-9]+}), {@code all} or {@code *}, subscripts
 * ({@code eu[0]}, {@code eu[0:2]}), joined by {@code :} or {@code ,}; {@code &name} intersects and
 * {@code !name} excludes. As in Ansible, unions apply first, then intersections, then exclusions.
 * A plain name that is neither a group nor a host is an error, not an empty match.
 */
public final class HostPattern {
    /** The origin used for patterns typed on the command line. */
    public static final Origin COMMAND_LINE = new Origin("command line", 0, "--limit");

    private static final Pattern COLON_TERM = Pattern.compile("(?:[^\\s:\\[\\]]|\\[[^\\]]*\\])+");
    private static final Pattern SUBSCRIPT = Pattern.compile("^(.+)\\[(?:(-?[0-9]+)|([0-9]+):([0-9]*))\\]$");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F]*(:[0-9a-fA-F]*){2,7}(%\\S+)?");

    private final String text;
    private final Origin origin;
    private final List<Term> terms;

    /** One name, glob or regex with what to do with its hosts; {@code from}/{@code to} are a subscript or null. */
    private record Term(char op, String expr, Integer from, Integer to, boolean range) {
    }

    private HostPattern(String text, Origin origin, List<Term> terms) {
        this.text = text;
        this.origin = origin;
        this.terms = terms;
    }

    /** Parses {@code text}; errors name {@code origin} (where the pattern was written). */
    public static HostPattern parse(String text, Origin origin) {
        if (text == null || text.isBlank()) {
            throw new InputError(origin, "empty host pattern");
        }
        List<Term> regular = new ArrayList<>();
        List<Term> intersect = new ArrayList<>();
        List<Term> exclude = new ArrayList<>();
        for (String piece : split(text.strip())) {
            char op = piece.charAt(0) == '!' || piece.charAt(0) == '&' ? piece.charAt(0) : ' ';
            String expr = op == ' ' ? piece : piece.substring(1).strip();
            if (expr.isEmpty()) {
                throw new InputError(origin, "'" + op + "' must be followed by a group, host or pattern in '" + text + "'");
            }
            Term term = term(op, expr);
            (op == '!' ? exclude : op == '&' ? intersect : regular).add(term);
        }
        if (regular.isEmpty()) {
            regular.add(new Term(' ', "all", null, null, false));
        }
        List<Term> ordered = new ArrayList<>(regular);
        ordered.addAll(intersect);
        ordered.addAll(exclude);
        return new HostPattern(text, origin, List.copyOf(ordered));
    }

    public String text() {
        return text;
    }

    /** The selected hosts, in inventory order. */
    public List<String> select(Inventory inventory) {
        Set<String> selected = new LinkedHashSet<>();
        for (Term term : terms) {
            List<String> matched = match(term, inventory);
            switch (term.op()) {
                case '!' -> selected.removeAll(matched);
                case '&' -> selected.retainAll(matched);
                default -> selected.addAll(matched);
            }
        }
        return inventory.inInventoryOrder(selected);
    }

    /** Commas split when present; otherwise colons do, except inside [...] and in IPv6 addresses. */
    private static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        if (text.contains(",")) {
            for (String piece : text.split(",")) {
                if (!piece.isBlank()) {
                    pieces.add(piece.strip());
                }
            }
        } else if (IPV6.matcher(text.replaceFirst("^[!&]", "")).matches()) {
            pieces.add(text);
        } else {
            Matcher m = COLON_TERM.matcher(text);
            while (m.find()) {
                pieces.add(m.group());
            }
        }
        return pieces;
    }

    private static Term term(char op, String expr) {
        if (!expr.startsWith("~")) {
            Matcher m = SUBSCRIPT.matcher(expr);
            if (m.matches()) {
                if (m.group(2) != null) {
                    return new Term(op, m.group(1), Integer.parseInt(m.group(2)), null, false);
                }
                Integer to = m.group(4).isEmpty() ? null : Integer.parseInt(m.group(4));
                return new Term(op, m.group(1), Integer.parseInt(m.group(3)), to, true);
            }
        }
        return new Term(op, expr, null, null, false);
    }

    private List<String> match(Term term, Inventory inventory) {
        return subscript(term, enumerate(term.expr(), inventory));
    }

    private List<String> enumerate(String expr, Inventory inventory) {
        if (expr.equals("all") || expr.equals("*")) {
            return inventory.hosts();
        }
        if (inventory.hasHost(expr)) {
            return List.of(expr);
        }
        boolean regex = expr.startsWith("~");
        boolean glob = !regex && expr.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
        Predicate<String> matches = regex ? regex(expr.substring(1)) : glob ? glob(expr) : expr::equals;
        Set<String> hosts = new LinkedHashSet<>();
        boolean groupMatched = false;
        for (String group : inventory.groups().keySet()) {
            boolean special = group.equals(InventoryBuilder.ALL) || group.equals(InventoryBuilder.UNGROUPED);
            if ((!special || (!regex && !glob)) && matches.test(group)) {
                groupMatched = true;
                hosts.addAll(inventory.hostsOf(group));
            }
        }
        if (!groupMatched || regex || glob || expr.contains(".")) {
            inventory.hosts().stream().filter(matches).forEach(hosts::add);
        }
        if (hosts.isEmpty() && !groupMatched && !regex && !glob) {
            throw new InputError(origin, "no group or host named '" + expr + "' in the inventory (pattern '" + text
                    + "'); groups are: " + String.join(", ", inventory.groups().keySet()));
        }
        return inventory.inInventoryOrder(hosts);
    }

    private List<String> subscript(Term term, List<String> hosts) {
        if (term.from() == null || hosts.isEmpty()) {
            return hosts;
        }
        int size = hosts.size();
        int from = term.from() < 0 ? size + term.from() : term.from();
        if (!term.range()) {
            if (from < 0 || from >= size) {
                throw new InputError(origin, "'" + term.expr() + "' has " + size + " hosts; there is no index " + term.from()
                        + " (pattern '" + text + "')");
            }
            return List.of(hosts.get(from));
        }
        int to = term.to() == null ? size - 1 : Math.min(term.to(), size - 1);
        return from > to ? List.of() : hosts.subList(from, to + 1);
    }

    private Predicate<String> regex(String expression) {
        try {
            Pattern pattern = Pattern.compile(expression);
            return name -> pattern.matcher(name).lookingAt();
        } catch (PatternSyntaxException e) {
            throw new InputError(origin, "invalid regular expression '~" + expression + "' in host pattern: " + e.getDescription());
        }
    }

    /** Python's fnmatch: * and ? and [set] / [!set], case-sensitive, matching the whole name. */
    static Predicate<String> glob(String glob) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i++);
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i;
                if (j < glob.length() && glob.charAt(j) == '!') {
                    j++;
                }
                if (j < glob.length() && glob.charAt(j) == ']') {
                    j++;
                }
                while (j < glob.length() && glob.charAt(j) != ']') {
                    j++;
                }
                if (j >= glob.length()) {
                    re.append("\\[");
                } else {
                    String set = glob.substring(i, j).replace("\\", "\\\\").replace("[", "\\[");
                    set = set.startsWith("!") ? "^" + set.substring(1) : set.startsWith("^") ? "\\" + set : set;
                    re.append('[').append(set).append(']');
                    i = j + 1;
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        Pattern pattern = Pattern.compile(re.toString(), Pattern.DOTALL);
        return name -> pattern.matcher(name).matches();
    }
}
