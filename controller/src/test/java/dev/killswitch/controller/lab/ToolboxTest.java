package dev.killswitch.controller.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolboxTest {

    @TempDir
    Path bin;

    private void install(String... programs) throws IOException {
        for (String p : programs) {
            Path f = bin.resolve(p);
            Files.writeString(f, "#!/bin/sh\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void missingProgramsStopUpWithTheDebianPackagesToInstall() throws IOException {
        install(Toolbox.PACKAGES.keySet().stream()
                .filter(p -> !p.equals("wireguard-go") && !p.equals("socat") && !p.equals("ping")).toArray(String[]::new));

        LabError e = assertThrows(LabError.class, () -> Toolbox.find(List.of(bin)));

        assertTrue(e.getMessage().contains("ping, socat, wireguard-go"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install -y iputils-ping socat wireguard-go"), e.getMessage());
    }

    @Test
    void aProgramThatIsNotExecutableCountsAsMissing() throws IOException {
        install(Toolbox.PACKAGES.keySet().toArray(String[]::new));
        Files.setPosixFilePermissions(bin.resolve("sshd"), PosixFilePermissions.fromString("rw-r--r--"));

        LabError e = assertThrows(LabError.class, () -> Toolbox.find(List.of(bin)));

        assertTrue(e.getMessage().contains("not installed: sshd."), e.getMessage());
        assertTrue(e.getMessage().endsWith("apt-get install -y openssh-server"), e.getMessage());
    }

    @Test
    void everyProgramResolvesToAnAbsolutePathInTheFirstDirectoryThatHasIt(@TempDir Path later) throws IOException {
        install(Toolbox.PACKAGES.keySet().toArray(String[]::new));
        Files.writeString(later.resolve("ip"), "");

        Toolbox tools = Toolbox.find(List.of(bin, later));

        assertEquals(bin.resolve("ip").toString(), tools.path("ip"));
        assertEquals(List.of(bin.resolve("ip").toString(), "netns", "exec", "ks-lab-gw1"), tools.netnsExec("ks-lab-gw1"));
        assertFalse(tools.enter("ks-lab-gw1", 42).isEmpty());
        assertEquals("--net=/run/netns/ks-lab-gw1", tools.enter("ks-lab-gw1", 42).get(1));
    }
}
