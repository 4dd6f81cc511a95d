package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.util.ArrayList;
import java.util.List;

/**
 * A host entry as inventories write it: a name, an address or a range such as
 * {@code gw[01:10].example.com} or {@code db-[a:f]}, with an optional {@code :port}.
 *
 * @param names the host names, ranges expanded, in order
 * @param port  the port written after the name, or null
 */
record HostRange(List<String> names, Integer port) {
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    static HostRange parse(String entry, Origin origin) {
        String host = entry.strip();
        Integer port = null;
        if (host.isEmpty()) {
            throw new InputError(origin, "empty host name");
        }
        if (host.startsWith("[") && isIpv6(host.substring(1, Math.max(1, host.indexOf(']'))))) {
            int close = host.indexOf(']');
            String rest = host.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new InputError(origin, "invalid host '" + entry + "'");
            }
            port = rest.isEmpty() ? null : port(rest.substring(1), entry, origin);
            return new HostRange(List.of(host.substring(1, close)), port);
        }
        List<Integer> colons = colonsOutsideBrackets(host);
        if (colons.size() == 1) {
            port = port(host.substring(colons.get(0) + 1), entry, origin);
            host = host.substring(0, colons.get(0));
        }
        return new HostRange(List.copyOf(expand(host, origin)), port);
    }

    private static boolean isIpv6(String text) {
        return text.contains("::") || text.chars().filter(c -> c == ':').count() == 7;
    }

    private static List<Integer> colonsOutsideBrackets(String host) {
        List<Integer> colons = new ArrayList<>();
        int depth = 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ':' && depth == 0) {
                colons.add(i);
            }
        }
        return colons;
    }

    private static int port(String text, String entry, Origin origin) {
        if (text.matches("[0-9]{1,5}")) {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        }
        throw new InputError(origin, "invalid port '" + text + "' in host '" + entry + "': a port is a number from 1 to 65535");
    }

    /** Expands the first [begin:end(:step)] and recurses for the rest, as Ansible does. */
    private static List<String> expand(String host, Origin origin) {
        int open = host.indexOf('[');
        if (open < 0) {
            return List.of(host);
        }
        int close = host.indexOf(']', open);
        if (close < 0) {
            throw new InputError(origin, "host range in '" + host + "' has no closing ']'");
        }
        String head = host.substring(0, open);
        String tail = host.substring(close + 1);
        String[] bounds = host.substring(open + 1, close).split(":", -1);
        if (bounds.length != 2 && bounds.length != 3) {
            throw new InputError(origin, "host range in '" + host + "' must be [begin:end] or [begin:end:step]");
        }
        String begin = bounds[0].isEmpty() ? "0" : bounds[0];
        String end = bounds[1];
        int step = 1;
        if (bounds.length == 3) {
            if (!bounds[2].matches("[0-9]+") || Integer.parseInt(bounds[2]) == 0) {
                throw new InputError(origin, "host range step in '" + host + "' must be a positive number");
            }
            step = Integer.parseInt(bounds[2]);
        }
        if (end.isEmpty()) {
            throw new InputError(origin, "host range in '" + host + "' must name its end");
        }
        List<String> values = new ArrayList<>();
        if (begin.length() == 1 && end.length() == 1 && LETTERS.indexOf(begin) >= 0 && LETTERS.indexOf(end) >= 0) {
            int from = LETTERS.indexOf(begin);
            int to = LETTERS.indexOf(end);
            checkOrder(from, to, host, origin);
            for (int i = from; i <= to; i += step) {
                values.add(String.valueOf(LETTERS.charAt(i)));
            }
        } else if (begin.matches("[0-9]+") && end.matches("[0-9]+")) {
            boolean padded = begin.length() > 1 && begin.startsWith("0");
            if (padded && begin.length() != end.length()) {
                throw new InputError(origin, "host range in '" + host + "': a zero-padded begin and its end must have the same width");
            }
            long from = Long.parseLong(begin);
            long to = Long.parseLong(end);
            checkOrder(from, to, host, origin);
            for (long i = from; i <= to; i += step) {
                String n = Long.toString(i);
                values.add(padded ? "0".repeat(Math.max(0, begin.length() - n.length())) + n : n);
            }
        } else {
            throw new InputError(origin, "host range in '" + host + "' must be numbers or single letters");
        }
        List<String> names = new ArrayList<>();
        for (String value : values) {
            names.addAll(expand(head + value + tail, origin));
        }
        return names;
    }

    private static void checkOrder(long from, long to, String host, Origin origin) {
        if (from > to) {
            throw new InputError(origin, "host range in '" + host + "' begins after it ends");
        }
    }
}
