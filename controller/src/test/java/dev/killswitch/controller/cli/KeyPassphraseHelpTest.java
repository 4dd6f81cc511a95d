package dev.killswitch.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyPassphraseHelpTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "plan", "apply", "drift"})
    void everyCommandThatLogsInSaysWhereTheKeyPassphraseComesFrom(String command) {
        CapturedRun r = command.isEmpty() ? CapturedRun.of("--help") : CapturedRun.of(command, "--help");
        assertEquals(0, r.exit());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("KILLSWITCH_SSH_KEY_PASSPHRASE is the passphrase of encrypted private keys"), help);
        assertFalse(help.contains("--passphrase"), "no option: an argument shows in ps");
    }
}
