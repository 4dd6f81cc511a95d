package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads an Ansible inventory (a YAML file, an INI file, or a directory of them) together with the
 * {@code group_vars/} and {@code host_vars/} beside it, and resolves variables with Ansible's precedence.
 * Host names and addresses are kept as written; nothing is resolved over DNS.
 */
public final class InventoryLoader {
    /** Files a directory inventory skips, as Ansible's default inventory_ignore_extensions. */
    private static final List<String> IGNORED_EXTENSIONS =
            List.of("~", ".orig", ".bak", ".ini", ".cfg", ".retry", ".pyc", ".pyo", ".swp", ".md", ".txt", ".rst");
    private static final List<String> IGNORED_NAMES = List.of("group_vars", "host_vars", "vars_plugins");

    private InventoryLoader() {
    }

    /** Loads {@code inventory}; {@code extraVars} (as from {@code -e key=value}) override every other variable. */
    public static Inventory load(Path inventory, Map<String, ?> extraVars) {
        return load(inventory, ExtraVars.of(extraVars));
    }

    public static Inventory load(Path inventory, ExtraVars extraVars) {
        Origin origin = new Origin(inventory.toString(), 0, "");
        if (!Files.exists(inventory)) {
            throw new InputError(origin, "inventory not found");
        }
        InventoryBuilder builder = new InventoryBuilder(origin);
        Path varsDir;
        if (Files.isDirectory(inventory)) {
            readDirectory(inventory, builder);
            varsDir = inventory;
        } else {
            readFile(inventory, builder);
            varsDir = inventory.toAbsolutePath().getParent();
        }
        return builder.build(inventory, varsDir, extraVars, System.getProperty("user.name"));
    }

    private static void readDirectory(Path dir, InventoryBuilder builder) {
        for (Path entry : VarsFiles.sortedEntries(dir)) {
            String name = entry.getFileName().toString();
            if (name.startsWith(".") || IGNORED_NAMES.contains(name) || IGNORED_EXTENSIONS.stream().anyMatch(name::endsWith)) {
                continue;
            }
            if (Files.isDirectory(entry)) {
                readDirectory(entry, builder);
            } else {
                readFile(entry, builder);
            }
        }
    }

    private static void readFile(Path file, InventoryBuilder builder) {
        String name = file.getFileName().toString();
        if (name.endsWith(".yml") || name.endsWith(".yaml") || name.endsWith(".json")) {
            YamlInventory.read(file, builder);
        } else {
            IniInventory.read(file, builder);
        }
    }
}
