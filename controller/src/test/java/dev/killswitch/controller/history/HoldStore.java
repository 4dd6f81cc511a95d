package dev.killswitch.controller.history;

/** Another controller process: holds the store at args[0] open for args[1] milliseconds. */
public final class HoldStore {
    private HoldStore() {
    }

    public static void main(String[] args) throws Exception {
        try (History h = JdbcHistory.open(args[0])) {
            h.find(History.Query.all());
            System.out.println("open");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]));
        }
    }
}
