package dev.killswitch.agent.apply;

import java.io.IOException;
import java.nio.file.Path;

/** Starts the detached process that rolls an unconfirmed apply back. */
@FunctionalInterface
public interface WatchdogLauncher {

    /** @return the watchdog's pid */
    long launch(Path stateDir, String id) throws IOException;

    /**
     * The real one: {@code setsid java ... watchdog}, in its own session with its output in the state dir,
     * so that it outlives the SSH session (and the process) that started it.
     */
    static WatchdogLauncher detached() {
        return (stateDir, id) -> {
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
                    "-cp", System.getProperty("java.class.path"), "dev.killswitch.agent.cli.AgentMain",
                    "watchdog", "--state-dir", stateDir.toString(), "--id", id);
            pb.command().add(0, "setsid");
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(stateDir.resolve("watchdog.log").toFile()));
            pb.redirectErrorStream(true);
            return pb.start().pid();
        };
    }
}
