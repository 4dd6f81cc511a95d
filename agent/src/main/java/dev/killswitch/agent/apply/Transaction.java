package dev.killswitch.agent.apply;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.Sysctls;
import dev.killswitch.agent.plan.Plan;
import dev.killswitch.agent.plan.RestoreScript;
import dev.killswitch.agent.plan.Step;
import dev.killswitch.agent.rules.Family;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Carries out a plan's ruleset and sysctl steps: one {@code iptables-restore --noflush} per family,
 * never a sequence of {@code iptables -A}.
 */
public final class Transaction {
    private static final Pattern ERROR_LINE = Pattern.compile(
            "(?:Error occurred at line: (\\d+))|(?:line (\\d+)(?::| failed))");

    private Transaction() {
    }

    /**
     * Applies the ruleset steps family by family.
     *
     * @return the families that were changed, in order
     * @throws ApplyError when a restore fails; families before it in the returned order were already changed
     *                    and {@link ApplyError#getMessage()} says which step was refused
     */
    public static List<Family> applyRules(CommandRunner run, Plan plan, List<Family> appliedSoFar) throws IOException {
        for (Family f : Family.values()) {
            RestoreScript script = RestoreScript.render(plan, f);
            if (script.empty()) {
                continue;
            }
            CommandRunner.Result r = run.run(List.of(f.restoreCommand(), "--noflush", "--wait", "10"), script.text());
            if (!r.ok()) {
                throw refused(f, script, r.stderr());
            }
            appliedSoFar.add(f);
        }
        return appliedSoFar;
    }

    public static void applySysctls(Sysctls sysctls, Plan plan) {
        for (Step s : plan.steps()) {
            if (s instanceof Step.SetSysctl sc) {
                try {
                    sysctls.write(sc.key(), sc.to());
                } catch (IOException e) {
                    throw new ApplyError("cannot set sysctl " + sc.key() + "=" + sc.to() + ": " + e.getMessage(),
                            sc.origin());
                }
            }
        }
    }

    static ApplyError refused(Family f, RestoreScript script, String stderr) {
        String msg = stderr.strip().replaceAll("\\s*Try `.*", "").replace('\n', ' ');
        Matcher m = ERROR_LINE.matcher(stderr);
        Step.RulesetStep step = null;
        while (m.find() && step == null) {
            int line = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
            step = script.stepAt(line);
        }
        if (step instanceof Step.InsertRule ins) {
            return new ApplyError(f.restoreCommand() + " refused rule '" + ins.rule().text() + "': " + msg,
                    ins.origin());
        }
        return new ApplyError(f.restoreCommand() + " refused the " + f.key() + " transaction"
                + (step != null ? " at '" + step.describe() + "'" : "") + ": " + msg);
    }

    public static List<Family> none() {
        return new ArrayList<>();
    }
}
