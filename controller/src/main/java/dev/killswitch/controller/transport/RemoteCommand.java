package dev.killswitch.controller.transport;

import java.util.ArrayList;
import java.util.List;

/** Turns an argument list into the one line SSH carries, for a POSIX shell on the gateway. */
public final class RemoteCommand {

    private static final List<String> SUDO = List.of("sudo", "-n", "--");

    private RemoteCommand() {
    }

    /** {@code argv} behind {@code sudo -n --} when {@code become}; sudo never prompts, it fails instead. */
    public static List<String> argv(boolean become, List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        if (!become) {
            return List.copyOf(argv);
        }
        List<String> all = new ArrayList<>(SUDO.size() + argv.size());
        all.addAll(SUDO);
        all.addAll(argv);
        return List.copyOf(all);
    }

    /** Every argument single-quoted and joined by spaces, so the shell sees exactly these words and nothing else. */
    public static String line(List<String> argv) {
        StringBuilder line = new StringBuilder();
        for (String arg : argv) {
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("argument contains a NUL byte, which no remote command can receive");
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(quote(arg));
        }
        return line.toString();
    }

    /** One word for a POSIX shell: inside single quotes nothing is special, and ' itself becomes '\''. */
    public static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
