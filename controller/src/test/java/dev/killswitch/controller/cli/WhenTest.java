package dev.killswitch.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class WhenTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private final When when = new When(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void agesCountBackFromNow() {
        assertEquals(Instant.parse("2026-11-25T10:30:00Z"), when.convert("90m"));
        assertEquals(Instant.parse("2026-11-24T12:00:00Z"), when.convert("24h"));
        assertEquals(Instant.parse("2026-11-18T12:00:00Z"), when.convert("7d"));
        assertEquals(Instant.parse("2026-11-25T11:59:30Z"), when.convert("30s"));
        assertEquals(Instant.parse("2026-11-25T10:30:00Z"), when.convert("PT90M"));
        assertEquals(Instant.parse("2026-11-23T12:00:00Z"), when.convert("P2D"));
    }

    @Test
    void isoInstantsAndDatesAreUtcUnlessTheyGiveAnOffset() {
        assertEquals(Instant.parse("2026-11-20T08:15:00Z"), when.convert("2026-11-20T08:15:00Z"));
        assertEquals(Instant.parse("2026-11-20T07:15:00Z"), when.convert("2026-11-20T08:15:00+01:00"));
        assertEquals(Instant.parse("2026-11-20T08:15:00Z"), when.convert("2026-11-20T08:15"));
        assertEquals(Instant.parse("2026-11-20T00:00:00Z"), when.convert("2026-11-20"));
    }

    @Test
    void anythingElseIsRefusedWithTheFormsThatWork() {
        for (String bad : new String[] {"yesterday", "7w", "2026-13-01", "-5m", ""}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> when.convert(bad), bad);
            assertTrue(e.getMessage().contains("90m, 24h, 7d"), e.getMessage());
        }
    }
}
