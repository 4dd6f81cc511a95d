package dev.killswitch.agent.cli;

import dev.killswitch.agent.apply.StateDir;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by commands that act on this host's state. */
final class HostOptions extends Invocation.Invoked {
    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = StateDir.DEFAULT,
            description = "Where the lock, the backup of the last apply and a pending confirmation live "
                    + "(default: ${DEFAULT-VALUE}).")
    Path stateDir;

    /** Where the command prints. */
    java.io.PrintStream out() {
        return io.out();
    }

    /** The SSH connection this command came in on (sshd's SSH_CONNECTION), or null. */
    String sshConnection() {
        return io.env("SSH_CONNECTION");
    }

    StateDir stateDir() throws IOException {
        return StateDir.open(stateDir);
    }

    static final CommandRunner RUNNER = new ProcessRunner();

    /**
     * With KILLSWITCH_REQUIRE_NETNS set (the test suites set it), refuse to change anything unless this
     * process runs in a named network namespace: a test must never touch the root namespace.
     */
    void requireNetnsWhenAsked() throws IOException {
        if (io.env("KILLSWITCH_REQUIRE_NETNS") == null) {
            return;
        }
        CommandRunner.Result r = RUNNER.run(List.of("ip", "netns", "identify",
                String.valueOf(ProcessHandle.current().pid())), null);
        if (!r.ok() || r.stdout().isBlank()) {
            throw new IllegalStateException("KILLSWITCH_REQUIRE_NETNS is set and this process is not in a named "
                    + "network namespace: refusing to change the root namespace");
        }
    }

    static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
