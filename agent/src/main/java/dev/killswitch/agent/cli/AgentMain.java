package dev.killswitch.agent.cli;

/** Entry point of killswitch-agent. */
public final class AgentMain {
    private AgentMain() {
    }

    public static void main(String[] args) {
        System.exit(0);
    }
}
