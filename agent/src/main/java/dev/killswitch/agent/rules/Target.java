package dev.killswitch.agent.rules;

import java.util.List;

/** {@code -j NAME opts} or, with {@code goTo}, {@code -g CHAIN}. */
public record Target(boolean goTo, String name, List<Opt> options) {
    public Target {
        options = List.copyOf(options);
    }

    private static final Target ACCEPT = new Target(false, "ACCEPT", List.of());
    private static final Target DROP = new Target(false, "DROP", List.of());
    private static final Target RETURN = new Target(false, "RETURN", List.of());

    /** {@code -j NAME} without options: one shared value for the common verdicts, which most rules end in. */
    public static Target jump(String name) {
        return switch (name) {
            case "ACCEPT" -> ACCEPT;
            case "DROP" -> DROP;
            case "RETURN" -> RETURN;
            default -> new Target(false, name, List.of());
        };
    }

    /** True for a jump or goto to a user-defined chain, which must exist when the rule is loaded. */
    public boolean isChainJump() {
        return goTo || !isVerdict() && !name.equals("QUEUE") && !Targets.EXTENSIONS.contains(name);
    }

    /** The verdict's name as the constant this class compares with (an identity check), else {@code name}. */
    static String shared(String name) {
        return switch (name) {
            case "ACCEPT" -> "ACCEPT";
            case "DROP" -> "DROP";
            case "REJECT" -> "REJECT";
            case "RETURN" -> "RETURN";
            default -> name;
        };
    }

    public boolean isVerdict() {
        return name.equals("ACCEPT") || name.equals("DROP") || name.equals("REJECT") || name.equals("RETURN");
    }
}
