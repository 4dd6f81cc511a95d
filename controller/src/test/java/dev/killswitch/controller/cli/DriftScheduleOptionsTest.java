package dev.killswitch.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code drift --schedule}'s options are refused before any inventory is read or host contacted. */
class DriftScheduleOptionsTest {

    /** Exit status and stderr of the CLI; the inventory does not exist, so getting past the options would fail. */
    private static String refused(String... options) {
        PrintStream err = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            String[] args = new String[options.length + 4];
            System.arraycopy(new String[] {"drift", "-i", "/nonexistent/hosts.yml", "playbook.yml"}, 0, args, 0, 4);
            System.arraycopy(options, 0, args, 4, options.length);
            assertEquals(1, KillswitchMain.run(args));
        } finally {
            System.setErr(err);
        }
        String text = e.toString(StandardCharsets.UTF_8);
        assertTrue(!text.contains("nonexistent"), "refused before the inventory was read: " + text);
        return text;
    }

    @Test
    void aBadCronIsRefusedNamingTheOptionWithTheQuartzSyntax() {
        String err = refused("--schedule", "*/5 * * * *");
        assertTrue(err.startsWith("killswitch: --schedule '*/5 * * * *': not a Quartz cron expression"), err);
        assertTrue(err.contains("seconds first"), err);
    }

    @Test
    void aBadMisfirePolicyIsRefusedNamingTheOption() {
        String err = refused("--schedule", "0/5 * * * * ?", "--misfire", "sometimes");
        assertTrue(err.startsWith("killswitch: --misfire 'sometimes': expected one of fire-once-now, skip"), err);
    }

    @Test
    void aMisfireThresholdBelowOneSecondIsRefusedNamingTheOption() {
        String err = refused("--schedule", "0/5 * * * * ?", "--misfire-threshold", "0");
        assertTrue(err.startsWith("killswitch: --misfire-threshold 0: at least 1 second"), err);
    }

    @Test
    void aRetentionThatIsNoAgeIsRefusedNamingTheOption() {
        for (String mode : new String[] {"--once", "--schedule=0/5 * * * * ?"}) {
            String err = refused(mode, "--retain", "0d");
            assertTrue(err.contains("--retain") && err.contains("'0d' is not an age"), err);
        }
    }

    @Test
    void onceAndScheduleAreExclusiveAndOneIsNeeded() {
        assertTrue(refused("--once", "--schedule", "0/5 * * * * ?").contains("mutually exclusive"));
        assertTrue(refused().contains("Missing required argument"));
    }
}
