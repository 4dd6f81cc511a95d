package dev.killswitch.agent.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.killswitch.agent.apply.ApplyError;
import dev.killswitch.agent.report.Json;
import dev.killswitch.agent.report.Report;
import dev.killswitch.agent.report.Reports;
import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine.Option;

/** The --json option and the one place reports and errors are printed. */
final class Output extends Invocation.Invoked {
    @Option(names = "--json", description = "Print the report as JSON (schema killswitch.agent.report/v1) on "
            + "standard output.")
    boolean json;
    /** JSON on one line, for a controller that reads the report line by line while the process goes on. */
    boolean oneLine;

    /** Where commands print what is not a report. */
    PrintStream out() {
        return io.out();
    }

    PrintStream err() {
        return io.err();
    }

    void print(Report r) {
        PrintStream out = io.out();
        if (json) {
            try {
                out.println(oneLine ? Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(r) : Json.MAPPER.writeValueAsString(r));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            out.print(Reports.human(r));
        }
        out.flush();
    }

    /** Prints the error (stderr always, JSON too with --json) and returns exit code 1. */
    int fail(String command, String host, Exception e, Report partial) {
        Origin origin = e instanceof InputError ie ? ie.origin() : e instanceof ApplyError ae ? ae.origin() : null;
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        io.err().println("killswitch-agent " + command + ": " + message);
        if (json) {
            Report.Problem p = Reports.problem(message, origin);
            Report r = partial != null
                    ? new Report(partial.schema(), partial.command(), partial.host(), partial.backend(), false,
                    partial.fingerprint(), partial.steps(), partial.guard(), partial.diff(), partial.foreign(),
                    partial.timings(), List.of(p), null)
                    : new Report(Report.SCHEMA, command, host, null, false, null, List.of(), null, List.of(),
                    List.of(), java.util.Map.of(), List.of(p), null);
            print(r);
        }
        return 1;
    }
}
