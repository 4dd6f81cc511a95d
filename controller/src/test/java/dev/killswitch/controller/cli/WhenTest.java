package dev.killswitch.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class WhenTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private final When when = new When(Clock.fixed(NOW, ZoneOffset.UTC));

    @ParameterizedTest
    @CsvSource({
        // ages count back from now
        "90m, 2026-11-25T10:30:00Z",
        "24h, 2026-11-24T12:00:00Z",
        "7d, 2026-11-18T12:00:00Z",
        "30s, 2026-11-25T11:59:30Z",
        "PT90M, 2026-11-25T10:30:00Z",
        "P2D, 2026-11-23T12:00:00Z",
        // ISO instants and dates are UTC unless they give an offset
        "2026-11-20T08:15:00Z, 2026-11-20T08:15:00Z",
        "2026-11-20T08:15:00+01:00, 2026-11-20T07:15:00Z",
        "2026-11-20T08:15, 2026-11-20T08:15:00Z",
        "2026-11-20, 2026-11-20T00:00:00Z"})
    void agesAndIsoTimesAreRead(String given, String expected) {
        assertEquals(Instant.parse(expected), when.convert(given));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "7w", "2026-13-01", "-5m", ""})
    void anythingElseIsRefusedWithTheFormsThatWork(String bad) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> when.convert(bad));
        assertTrue(e.getMessage().contains("90m, 24h, 7d"), e.getMessage());
    }

    @Test
    void anAgeIsHowLongToKeep() {
        When.Age age = new When.Age();
        assertEquals(java.time.Duration.ofDays(90), age.convert("90d"));
        assertEquals(java.time.Duration.ofHours(36), age.convert("PT36H"));
        for (String bad : java.util.List.of("2026-11-20", "0d", "PT0S", "-P1D", "P-1D", "soon", "")) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> age.convert(bad), bad);
            assertTrue(e.getMessage().contains("is not an age"), e.getMessage());
        }
    }
}
