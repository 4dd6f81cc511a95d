package dev.killswitch.agent.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * One command's standard streams and environment: the process's own for a command line, a connection's for a
 * request to the resident agent (which serves many at once, so nothing reads {@code System.in/out} or the
 * environment directly).
 */
public record Invocation(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {

    /** This process's streams and environment. */
    public static Invocation system() {
        return new Invocation(System.in, System.out, System.err, System.getenv());
    }

    /** An environment variable, or null. */
    String env(String name) {
        return env.get(name);
    }

    /** Commands and option groups that print, read standard input or the environment: they get the invocation. */
    abstract static class Invoked {
        Invocation io = Invocation.system();

        final void use(Invocation io) {
            this.io = io;
        }
    }
}
