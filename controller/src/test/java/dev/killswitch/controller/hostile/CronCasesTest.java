package dev.killswitch.controller.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import dev.killswitch.controller.schedule.Misfire;
import dev.killswitch.controller.schedule.Schedule;
import org.quartz.CronExpression;

/**
 * Every bad cron expression of the hostile corpus (hostile/cron.tsv) is refused by {@code drift --schedule}'s
 * check, with a message naming the option; the ones marked quartz-accepts (a step of 0, a year before 1970, a
 * month name with extra letters) pass Quartz's own parser and are caught by the option's check.
 */
class CronCasesTest {
    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (InputStream in = CronCasesTest.class.getResourceAsStream("/hostile/cron.tsv")) {
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.startsWith("#") && l.contains("\t")) {
                    String[] f = l.split("\t", -1);
                    out.add(Arguments.of(f[1], f[0], f.length > 2 && f[2].equals("quartz-accepts")));
                }
            }
        }
        assertTrue(out.size() >= 15);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aBadCronExpressionIsRefusedWithAMessage(String why, String expression, boolean quartzAccepts) {
        assertEquals(quartzAccepts, CronExpression.isValidExpression(expression), why + ": Quartz's own verdict");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Schedule.Spec("hostile", expression, Misfire.FIRE_ONCE_NOW), why);
        assertTrue(e.getMessage().startsWith("--schedule '"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0/5 * * * * ?", "0 0/15 * * * ?", "0 0 3 ? * MON-FRI", "0 0 12 L * ?",
        "0 0 12 ? * 6L", "0 0 12 LW * ?", "0 0 12 * jan,Feb ?", "0 0 12 * * ? 2099"})
    void goodCronExpressionsAreAccepted(String expression) {
        new Schedule.Spec("good", expression, Misfire.FIRE_ONCE_NOW);
    }
}
