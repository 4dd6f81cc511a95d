package dev.killswitch.agent.cli;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.DesiredStateReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.Facts;
import dev.killswitch.agent.observe.FactsReader;
import dev.killswitch.agent.observe.Sysctls;
import dev.killswitch.agent.report.Json;
import dev.killswitch.agent.rules.AutoCanonicalizer;
import dev.killswitch.agent.rules.BuiltinCanonicalizer;
import dev.killswitch.agent.rules.Canonicalizer;
import dev.killswitch.agent.rules.KernelCanonicalizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --desired and --canonicalizer options, and turning them into a desired state. */
final class DesiredInput extends Invocation.Invoked {
    enum Mode { auto, builtin, kernel }

    @Option(names = "--desired", required = true, paramLabel = "FILE|-",
            description = "The desired state (killswitch/v1 DesiredState YAML); '-' reads standard input.")
    String desired;

    @Option(names = "--facts-first",
            description = "With --desired -: first print this host's facts (what 'facts --json' prints, on one line), "
                    + "then read the desired state. The controller renders it from those facts within the same call.")
    boolean factsFirst;

    private FactsReader facts;

    @Option(names = "--canonicalizer", paramLabel = "MODE", defaultValue = "auto",
            description = "How rules are put in kernel-canonical form: builtin (fast, pure Java), kernel "
                    + "(load them into a scratch network namespace and read them back), or auto (builtin, and "
                    + "kernel for rules with match modules builtin does not know). Default: ${DEFAULT-VALUE}.")
    Mode mode;

    DesiredState read() throws IOException {
        if ("-".equals(desired)) {
            if (factsFirst) {
                Facts facts = facts().gather(io.env("SSH_CONNECTION"));
                io.out().println(Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(facts));
                io.out().flush();
            }
            return DesiredStateReader.read("<stdin>", new String(io.in().readAllBytes(), StandardCharsets.UTF_8));
        }
        if (factsFirst) {
            throw new IllegalArgumentException("--facts-first needs --desired - (the desired state on standard input)");
        }
        return DesiredStateReader.read(Path.of(desired));
    }

    /** This call's reader of the host's facts, shared by the facts dialogue and the guard's SSH context. */
    FactsReader facts() {
        if (facts == null) {
            facts = new FactsReader(HostOptions.RUNNER, Sysctls.proc(), Path.of(FactsCommand.WIREGUARD_DIR));
        }
        return facts;
    }

    Canonicalizer canonicalizer(CommandRunner run) {
        return switch (mode) {
            case builtin -> new BuiltinCanonicalizer();
            case kernel -> new KernelCanonicalizer(run);
            case auto -> new AutoCanonicalizer(new BuiltinCanonicalizer(), new KernelCanonicalizer(run));
        };
    }
}
