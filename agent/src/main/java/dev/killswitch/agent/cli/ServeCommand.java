package dev.killswitch.agent.cli;

import dev.killswitch.agent.apply.StateDir;
import dev.killswitch.agent.resident.Resident;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code serve}: the resident agent. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        header = "Stay up and serve commands on a Unix socket in the state dir (the resident agent).",
        sortOptions = false,
        description = {
            "Serve agent commands on the Unix socket STATE-DIR/agent-SHA.sock (SHA: the first 16 hex digits of this jar's SHA-256; mode 0600, root only), each exactly as the command line would run it, until nothing came for the idle time. The controller starts it with --resident-agent and reaches the socket over SSH (OpenSSH's streamlocal forwarding), so that a run costs the gateway a request instead of a JVM start. A request may set only SSH_CONNECTION, the connection it came in on, which the guard protects. Exits at once (status 0) when another agent already serves there."})
final class ServeCommand extends Invocation.Invoked implements Callable<Integer> {
    @Mixin
    HostOptions host;
    @Option(names = "--idle-exit", paramLabel = "SECONDS", defaultValue = "600",
            description = "Exit after this many seconds without a request (default: ${DEFAULT-VALUE}).")
    long idleExit;
    @Option(names = "--warmup", paramLabel = "RUNS", defaultValue = "" + Resident.WARMUP,
            description = "Run the plan pipeline this many times on built-in samples before listening, so that the "
                    + "first request is as quick as the next (default: ${DEFAULT-VALUE}; the controller asks for 0 "
                    + "when its run waits for the socket).")
    int warmup;

    @Override
    public Integer call() throws Exception {
        if (idleExit < 1) {
            throw new IllegalArgumentException("--idle-exit must be at least 1 second");
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must be 0 or more");
        }
        Optional<Path> jar = Resident.ownJar();
        if (jar.isEmpty()) {
            throw new IllegalStateException("serve runs from the agent jar (java -jar killswitch-agent.jar serve)");
        }
        StateDir.open(host.stateDir); // creates it, root only
        Path socket = Resident.socket(host.stateDir, Resident.sha256(jar.get())).orElseThrow(() ->
                new IllegalArgumentException("the state dir's path is too long for a Unix socket: " + host.stateDir));
        PrintStream log = io.out();
        // load and compile the plan pipeline now, not in the first run that comes
        for (int i = 0; i < warmup; i++) {
            AgentMain.run(new Invocation(java.io.InputStream.nullInputStream(), new PrintStream(
                    java.io.OutputStream.nullOutputStream()), log, Map.of()), "warmup");
        }
        boolean served = Resident.serve(socket, Duration.ofSeconds(idleExit), commands(io.env()), log,
                () -> Runtime.getRuntime().halt(1));
        if (!served) {
            log.println("another agent already serves on " + socket);
        }
        return 0;
    }

    /**
     * Requests as command lines of this agent: in this process's environment, but with the caller's SSH_CONNECTION
     * only (the session that started the resident agent is not the one a request came in on).
     */
    static Resident.Commands commands(Map<String, String> processEnv) {
        Map<String, String> own = new HashMap<>(processEnv);
        own.remove(Resident.SSH_CONNECTION);
        return (argv, env, in, out, err) -> {
            if (!argv.isEmpty() && argv.get(0).equals("serve")) {
                err.println("killswitch-agent: the resident agent does not start another one");
                return 1;
            }
            Map<String, String> all = new HashMap<>(own);
            all.putAll(env);
            return AgentMain.run(new Invocation(in, out, err, Map.copyOf(all)), argv.toArray(String[]::new));
        };
    }

    /** The option plan and apply take to start the resident agent for the next runs. */
    static final class Start {
        @Option(names = "--start-resident", paramLabel = "IDLE-SECONDS",
                description = "Also start the resident agent for this state dir (see 'serve'), unless one runs; it "
                        + "exits after IDLE-SECONDS without a request. Why none was started goes to resident.log "
                        + "in the state dir.")
        Long idle;

        void startFor(Path stateDir) {
            if (idle == null) {
                return;
            }
            String why;
            try {
                why = Resident.start(StateDir.open(stateDir).root(), Duration.ofSeconds(Math.max(1, idle)));
            } catch (java.io.IOException | RuntimeException e) {
                why = e.toString();
            }
            if (why != null) {
                try {
                    java.nio.file.Files.writeString(stateDir.resolve("resident.log"), java.time.Instant.now()
                            + " not started: " + why + "\n", java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                } catch (java.io.IOException e) {
                    // the state dir is gone or read-only: the next run asks again
                }
            }
        }
    }
}
