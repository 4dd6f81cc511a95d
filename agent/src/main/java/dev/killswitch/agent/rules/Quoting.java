package dev.killswitch.agent.rules;

/** How iptables-save prints a string value (xtables_save_string), so that iptables-restore reads it back. */
final class Quoting {

    private Quoting() {
    }

    /** Bare when non-empty and only {@code [A-Za-z0-9_-]}, else double-quoted with {@code " \ '} escaped. */
    static String saveString(String value) {
        return isBare(value) ? value : quoted(value);
    }

    /** Always double-quoted, with {@code " \ '} escaped (a quoted token read back from save output). */
    static String quoted(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 4);
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c == '\'') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** The string match's own quoting: always quoted, only {@code "} and {@code \} escaped. */
    static String stringMatch(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 4);
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    static boolean isBare(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A token as it was read: quoted tokens are re-quoted, bare ones stay bare. */
    static String asRead(Tokenizer.Token t) {
        return t.quoted() ? quoted(t.text()) : t.text();
    }
}
