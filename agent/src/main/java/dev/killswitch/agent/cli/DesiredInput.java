package dev.killswitch.agent.cli;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.DesiredStateReader;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.rules.AutoCanonicalizer;
import dev.killswitch.agent.rules.BuiltinCanonicalizer;
import dev.killswitch.agent.rules.Canonicalizer;
import dev.killswitch.agent.rules.KernelCanonicalizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --desired and --canonicalizer options, and turning them into a desired state. */
final class DesiredInput {
    enum Mode { auto, builtin, kernel }

    @Option(names = "--desired", required = true, paramLabel = "FILE|-",
            description = "The desired state (killswitch/v1 DesiredState YAML); '-' reads standard input.")
    String desired;

    @Option(names = "--canonicalizer", paramLabel = "MODE", defaultValue = "auto",
            description = "How rules are put in kernel-canonical form: builtin (fast, pure Java), kernel "
                    + "(load them into a scratch network namespace and read them back), or auto (builtin, and "
                    + "kernel for rules with match modules builtin does not know). Default: ${DEFAULT-VALUE}.")
    Mode mode;

    DesiredState read() throws IOException {
        if ("-".equals(desired)) {
            return DesiredStateReader.read("<stdin>", new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
        }
        return DesiredStateReader.read(Path.of(desired));
    }

    Canonicalizer canonicalizer(CommandRunner run) {
        return switch (mode) {
            case builtin -> new BuiltinCanonicalizer();
            case kernel -> new KernelCanonicalizer(run);
            case auto -> new AutoCanonicalizer(new BuiltinCanonicalizer(), new KernelCanonicalizer(run));
        };
    }
}
