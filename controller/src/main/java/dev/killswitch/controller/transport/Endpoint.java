package dev.killswitch.controller.transport;

/** An SSH login: user, host and port; parsed from {@code [user@]host[:port]} (IPv6 literals in brackets). */
public record Endpoint(String user, String host, int port) {

    public static final int SSH_PORT = 22;

    /**
     * Parses {@code [user@]host[:port]}; a missing user is {@code defaultUser}, a missing port 22.
     *
     * @throws IllegalArgumentException naming the text when it is not such a login
     */
    public static Endpoint parse(String text, String defaultUser) {
        if (text == null || text.isBlank() || text.chars().anyMatch(Character::isWhitespace)) {
            throw bad(text, "expected [user@]host[:port]");
        }
        int at = text.lastIndexOf('@');
        String user = at < 0 ? defaultUser : text.substring(0, at);
        String rest = text.substring(at + 1);
        String host;
        String portText = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw bad(text, "missing ']' after IPv6 address");
            }
            host = rest.substring(1, close);
            String tail = rest.substring(close + 1);
            if (!tail.isEmpty()) {
                if (!tail.startsWith(":")) {
                    throw bad(text, "expected ':port' after ']'");
                }
                portText = tail.substring(1);
            }
        } else {
            int colon = rest.indexOf(':');
            if (colon >= 0 && rest.indexOf(':', colon + 1) >= 0) {
                throw bad(text, "put an IPv6 address in brackets: [addr]:port");
            }
            host = colon < 0 ? rest : rest.substring(0, colon);
            portText = colon < 0 ? null : rest.substring(colon + 1);
        }
        if (user == null || user.isEmpty()) {
            throw bad(text, "user is empty");
        }
        if (host.isEmpty()) {
            throw bad(text, "host is empty");
        }
        return new Endpoint(user, host, portText == null ? SSH_PORT : port(text, portText));
    }

    /** {@code host:port}, with IPv6 literals in brackets. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static int port(String text, String portText) {
        try {
            int port = Integer.parseInt(portText);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(text, "port '" + portText + "' is not a number in 1-65535");
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("jump host '" + text + "': " + why);
    }
}
