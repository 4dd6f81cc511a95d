package dev.killswitch.controller.rollout;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints, one per line, the JVM flags the controller starts the agent with on a gateway ({@link HostRun#JVM},
 * then the class archive's flags for {@code use} or {@code write}), so that bench/agent times exactly that
 * command. In the controller's package because those flags are package-private there, and defined nowhere else.
 */
public final class AgentLaunch {
    private AgentLaunch() {
    }

    /** {@code AgentLaunch JAR [plain|use|write]}. */
    public static void main(String[] args) {
        ClassArchive archive = new ClassArchive(args[0]);
        List<String> flags = new ArrayList<>(HostRun.JVM);
        String mode = args.length > 1 ? args[1] : "plain";
        switch (mode) {
            case "use" -> flags.addAll(archive.use());
            case "write" -> flags.addAll(archive.write());
            case "plain" -> { }
            default -> throw new IllegalArgumentException("mode is plain, use or write, not " + mode);
        }
        flags.forEach(System.out::println);
    }
}
