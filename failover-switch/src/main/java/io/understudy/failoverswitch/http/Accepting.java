package io.understudy.failoverswitch.http;

import io.undertow.Undertow;
import java.io.IOException;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.channels.AcceptingChannel;

/**
 * Closes a listener's socket while the connections it accepted stay open, so new clients are refused
 * at once (and go to another switch) while the open ones are still answered. Undertow offers no such
 * call: {@code ListenerInfo.suspend()} closes every open connection as well, which cuts off requests
 * in flight. The listening channel is therefore read from the listener's private field; when a future
 * Undertow keeps it elsewhere this returns false, the switch keeps accepting while it drains, and
 * {@code SwitchDrainIT} fails.
 */
final class Accepting {

    private static final Logger log = LoggerFactory.getLogger(Accepting.class);

    private Accepting() {
    }

    static boolean stop(Undertow.ListenerInfo listener) {
        try {
            Field field = Undertow.ListenerInfo.class.getDeclaredField("channel");
            field.setAccessible(true);
            AcceptingChannel<?> channel = (AcceptingChannel<?>) field.get(listener);
            channel.close();
            return true;
        } catch (ReflectiveOperationException | ClassCastException | IOException e) {
            log.warn("cannot close the listening socket of {} on its own ({}); it accepts until the switch stops",
                    listener.getAddress(), e.toString());
            return false;
        }
    }
}
