package dev.killswitch.agent.plan;

import dev.killswitch.agent.desired.DesiredState;
import java.util.List;

/** The sysctl.d file the kill switch persists: one {@code key = value} line per sysctl. */
public final class SysctlFile {
    private SysctlFile() {
    }

    public static String render(List<DesiredState.Sysctl> sysctls) {
        StringBuilder sb = new StringBuilder("# Written by killswitch-agent; changes here are overwritten.\n");
        for (DesiredState.Sysctl s : sysctls) {
            sb.append(s.key()).append(" = ").append(s.value()).append('\n');
        }
        return sb.toString();
    }
}
