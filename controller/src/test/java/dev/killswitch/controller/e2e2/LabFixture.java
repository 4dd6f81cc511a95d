package dev.killswitch.controller.e2e2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link RolloutLab} per test class: up before the first test, down after the last (also on failure), and
 * every gateway reset to the open baseline and snapshotted before each test.
 *
 * <pre>{@code @RegisterExtension static final LabFixture FIXTURE = new LabFixture("r2c");}</pre>
 */
final class LabFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final String tag;
    private Path dir;
    private RolloutLab lab;
    private final Map<String, RolloutLab.Snapshot> before = new LinkedHashMap<>();

    /** @param tag a few characters of the lab's prefix ({@code ks-TAG-xxxxxx-}) naming the test class */
    LabFixture(String tag) {
        this.tag = tag;
    }

    RolloutLab lab() {
        return lab;
    }

    /** What {@code gw} held when the current test began (after the reset). */
    RolloutLab.Snapshot before(String gw) {
        return before.get(gw);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("ks-e2e2-" + tag + "-");
        lab = RolloutLab.up(dir, tag);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (lab != null) {
                lab.close();
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        lab.reset();
        before.clear();
        RolloutLab.GATEWAYS.forEach(gw -> before.put(gw, lab.snapshot(gw)));
    }
}
