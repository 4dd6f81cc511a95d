package dev.killswitch.controller.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BringupTest {

    @Test
    void aLabFitsWhenEachWireguardGoAndTheVpnPeerGetAnInotifyInstance() {
        assertEquals(Optional.empty(), Bringup.inotifyShortfall(120, 128, 7));
    }

    @Test
    void aLabTooLargeForTheInotifyLimitSaysHowManyGatewaysFitAndHowToRaiseIt() {
        String msg = Bringup.inotifyShortfall(200, 128, 3).orElseThrow();

        assertTrue(msg.contains("root may hold 128 (fs.inotify.max_user_instances) and 3 are in use, so at most 124"
                + " gateways fit. Use --hosts 124, or raise the limit: sysctl -w fs.inotify.max_user_instances=512"), msg);
    }
}
