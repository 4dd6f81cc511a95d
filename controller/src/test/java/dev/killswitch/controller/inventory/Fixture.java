package dev.killswitch.controller.inventory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes small inventories into a test's temporary directory and loads them. */
final class Fixture {
    static final Path EXAMPLES = Path.of("..", "inventory", "examples");

    private Fixture() {
    }

    /** Writes {@code lines} to {@code dir/file} (creating directories) and returns the path. */
    static Path write(Path dir, String file, String... lines) {
        Path path = dir.resolve(file);
        try {
            Files.createDirectories(path.getParent());
            Files.writeString(path, String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }

    static Inventory load(Path dir, String file, String... lines) {
        return InventoryLoader.load(write(dir, file, lines), Map.of());
    }
}
