package dev.killswitch.agent.testing;

import dev.killswitch.agent.observe.CommandRunner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs killswitch-agent as its own process inside a test namespace, only ever through
 * {@code ip netns exec}, with KILLSWITCH_REQUIRE_NETNS set so that it refuses to change a root namespace.
 */
public final class AgentProcess {
    private AgentProcess() {
    }

    public static List<String> argv(Map<String, String> env, String... args) {
        List<String> argv = new ArrayList<>(List.of("env", "-u", "SSH_CONNECTION", "KILLSWITCH_REQUIRE_NETNS=1"));
        env.forEach((k, v) -> argv.add(k + "=" + v));
        argv.add(ProcessHandle.current().info().command().orElse("java"));
        argv.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "dev.killswitch.agent.cli.AgentMain"));
        argv.addAll(List.of(args));
        return argv;
    }

    public static CommandRunner.Result run(Netns ns, String stdin, String... args) {
        return ns.exec(argv(Map.of(), args), stdin);
    }

    public static CommandRunner.Result runWithEnv(Netns ns, Map<String, String> env, String stdin, String... args) {
        return ns.exec(argv(new LinkedHashMap<>(env), args), stdin);
    }
}
