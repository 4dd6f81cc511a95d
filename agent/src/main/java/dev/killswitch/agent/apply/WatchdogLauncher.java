package dev.killswitch.agent.apply;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts the detached process that rolls an unconfirmed apply back. */
@FunctionalInterface
public interface WatchdogLauncher {

    /** Seconds before the deadline at which the watchdog's JVM starts: room for a slow start on a busy host. */
    long START_MARGIN_SECONDS = 5;

    /** @return the watchdog's pid */
    long launch(Path stateDir, String id) throws IOException;

    /**
     * The real one: {@code setsid java ... watchdog}, in its own session with its output in the state dir,
     * so that it outlives the SSH session (and the process) that started it. It first waits in a plain
     * {@code sleep} until shortly before the deadline and only then starts its JVM: an apply confirmed in
     * time (the usual case) never pays for a second JVM on the gateway.
     */
    static WatchdogLauncher detached() {
        return (stateDir, id) -> {
            String java = ProcessHandle.current().info().command().orElse("java");
            Pending pending = Pending.read(StateDir.open(stateDir).pending());
            long left = pending == null ? 0 : (pending.deadline() - System.currentTimeMillis()) / 1000;
            List<String> argv = new ArrayList<>(List.of("setsid", "sh", "-c", "sleep \"$1\" && shift && exec \"$@\"",
                    "killswitch-watchdog", String.valueOf(Math.max(0, left - START_MARGIN_SECONDS))));
            argv.addAll(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
                    "-cp", System.getProperty("java.class.path"), "dev.killswitch.agent.cli.AgentMain",
                    "watchdog", "--state-dir", stateDir.toString(), "--id", id));
            ProcessBuilder pb = new ProcessBuilder(argv);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(stateDir.resolve("watchdog.log").toFile()));
            pb.redirectErrorStream(true);
            return pb.start().pid();
        };
    }
}
