package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.controller.template.Template;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach one inventory host over SSH, from its {@code ansible_*} connection variables.
 *
 * @param host           the inventory name
 * @param address        {@code ansible_host}, else the inventory name (never resolved here)
 * @param port           {@code ansible_port}, else 22
 * @param user           {@code ansible_user}, else the user running the controller
 * @param privateKeyFile {@code ansible_ssh_private_key_file}
 * @param become         {@code ansible_become}, with Ansible's truthiness
 * @param jumpHost       {@code killswitch_jump_host}: a host to hop through
 */
public record HostConnection(
        String host,
        String address,
        int port,
        String user,
        Optional<String> privateKeyFile,
        boolean become,
        Optional<String> jumpHost) {

    public static final int DEFAULT_PORT = 22;
    /** A host name or IP address (IPv6 with an optional %zone): nothing an SSH client could read as an option. */
    static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("[A-Za-z0-9_.:%][A-Za-z0-9_.:%-]{0,252}");
    /** A login name: letters, digits, _ . @ - (domain users), not starting with '-'. */
    static final java.util.regex.Pattern USER = java.util.regex.Pattern.compile("[A-Za-z0-9_.@][A-Za-z0-9_.@-]{0,63}");

    /** Reads the connection of {@code host} from its resolved variables, rendering templates in them. */
    static HostConnection of(String host, Map<String, Variable> vars, Map<String, Object> context, String defaultUser) {
        Reader read = new Reader(vars, context);
        Optional<String> address = read.word(ADDRESS, "ansible_host", "ansible_ssh_host");
        Optional<Integer> port = read.port("ansible_port", "ansible_ssh_port");
        Optional<String> user = read.word(USER, "ansible_user", "ansible_ssh_user");
        return new HostConnection(
                host,
                address.orElse(host),
                port.orElse(DEFAULT_PORT),
                user.orElse(defaultUser),
                read.text("ansible_ssh_private_key_file", "ansible_private_key_file"),
                read.truth("ansible_become").orElse(false),
                read.text("killswitch_jump_host"));
    }

    /** Looks up the first defined name among aliases and renders its value. */
    private record Reader(Map<String, Variable> vars, Map<String, Object> context) {

        Optional<Variable> find(String... names) {
            for (String name : names) {
                Variable v = vars.get(name);
                if (v != null && v.value() != null) {
                    return Optional.of(v);
                }
            }
            return Optional.empty();
        }

        Object rendered(Variable v) {
            return Template.render(v.value(), context, v.origin());
        }

        Optional<String> text(String... names) {
            return find(names).map(v -> {
                Object value = rendered(v);
                if (value instanceof Map || value instanceof List) {
                    throw new InputError(v.origin(), v.name() + " must be a single value, got " + value);
                }
                String text = String.valueOf(value).trim();
                if (text.isEmpty()) {
                    throw new InputError(v.origin(), v.name() + " must not be empty");
                }
                return text;
            });
        }

        /** A single value that must match {@code allowed}: the address and login reach the SSH client and logs. */
        Optional<String> word(java.util.regex.Pattern allowed, String... names) {
            Optional<String> text = text(names);
            if (text.isPresent() && !allowed.matcher(text.get()).matches()) {
                Variable v = find(names).orElseThrow();
                throw new InputError(v.origin(), v.name() + " '" + text.get().replaceAll("\\p{Cntrl}", "?")
                        + "' must match " + allowed.pattern());
            }
            return text;
        }

        Optional<Integer> port(String... names) {
            return find(names).map(v -> {
                Object value = rendered(v);
                String text = String.valueOf(value).trim();
                if (text.matches("[0-9]{1,5}")) {
                    int port = Integer.parseInt(text);
                    if (port >= 1 && port <= 65535) {
                        return port;
                    }
                }
                throw new InputError(v.origin(), "invalid port '" + value + "': " + v.name() + " must be a number from 1 to 65535");
            });
        }

        Optional<Boolean> truth(String name) {
            return find(name).map(v -> parseTruth(rendered(v), v.origin()));
        }
    }

    /** Ansible's boolean(): yes/no, on/off, true/false, y/n, t/f, 1/0, in any case. */
    static boolean parseTruth(Object value, Origin origin) {
        if (value instanceof Boolean b) {
            return b;
        }
        String text = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
        switch (text) {
            case "yes", "on", "true", "y", "t", "1", "1.0":
                return true;
            case "no", "off", "false", "n", "f", "0", "0.0", "":
                return false;
            default:
                throw new InputError(origin, "'" + value + "' is not a boolean: use yes/no, true/false or 1/0");
        }
    }
}
