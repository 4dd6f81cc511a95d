package dev.killswitch.controller.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A point in time as the operator writes it: an ISO-8601 instant or date (UTC when no offset is given), or an age
 * such as {@code 90m}, {@code 24h}, {@code 7d} or an ISO duration ({@code PT90M}) counted back from now.
 */
final class When implements ITypeConverter<Instant> {
    private static final Pattern AGE = Pattern.compile("(\\d+)([smhd])");
    private final Clock clock;

    When() {
        this(Clock.systemUTC());
    }

    When(Clock clock) {
        this.clock = clock;
    }

    /** An age: 90m, 24h, 7d or an ISO duration (PT90M, P7D); null when the text is not one. */
    static Duration age(String v) {
        Matcher age = AGE.matcher(v);
        if (age.matches()) {
            // 90m -> PT90M, 7d -> P7D: java.time reads the amount and the unit
            String unit = age.group(2).toUpperCase();
            return Duration.parse((unit.equals("D") ? "P" : "PT") + age.group(1) + unit);
        }
        return v.startsWith("P") || v.startsWith("p") ? Duration.parse(v) : null;
    }

    @Override
    public Instant convert(String value) {
        String v = value.trim();
        try {
            Duration age = age(v);
            if (age != null) {
                return clock.instant().minus(age);
            }
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (v.endsWith("Z") || v.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(v).toInstant();
            }
            return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new TypeConversionException("'" + value + "' is not a time: use an ISO-8601 instant or date "
                    + "(2026-11-25T12:00:00Z, 2026-11-25) or an age (90m, 24h, 7d, PT90M)");
        }
    }

    /** An age alone, longer than zero: how long to keep something. */
    static final class Age implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d;
            try {
                d = age(value.trim());
            } catch (DateTimeParseException | ArithmeticException e) {
                d = null;
            }
            if (d == null || d.isNegative() || d.isZero()) {
                throw new TypeConversionException("'" + value + "' is not an age: use 90m, 24h, 7d or an ISO duration "
                        + "(P30D), longer than zero");
            }
            return d;
        }
    }
}
