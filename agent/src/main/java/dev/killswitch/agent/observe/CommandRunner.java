package dev.killswitch.agent.observe;

import java.io.IOException;
import java.util.List;

/** Runs a program with an argument list (never a shell line). The only way the agent touches the host. */
public interface CommandRunner {

    /** What a finished program returned. */
    record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Runs {@code argv} with {@code stdin} (may be null) and waits for it.
     *
     * @throws IOException when the program cannot be started (missing binary)
     */
    Result run(List<String> argv, String stdin) throws IOException;
}
