package io.understudy.failoverswitch.http;

import io.understudy.failoverswitch.SwitchConfig;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.ZoneId;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/**
 * The client-facing Undertow listener: HTTP or HTTPS, keep-alive, the size and time limits that
 * keep one bad client from hurting the others, and the access log.
 */
public final class Listener {

    /** The access log's logger; route it with Logback (its own appender, or off). */
    public static final String ACCESS_LOGGER = "understudy.access";

    private Listener() {
    }

    public static Undertow build(SwitchConfig config, HttpHandler handler) throws Exception {
        SwitchConfig.Limits limits = config.limits();
        Logger access = LoggerFactory.getLogger(ACCESS_LOGGER);
        HttpHandler root = handler;
        if (config.accessLog() && access.isInfoEnabled()) {
            // the line's values as the one argument, its text made when the appender formats the event (its writer thread)
            AccessLine line = new AccessLine(entry -> access.info("{}", entry), ZoneId.systemDefault());
            root = exchange -> {
                exchange.addExchangeCompleteListener(line);
                handler.handleRequest(exchange);
            };
        }
        Undertow.Builder builder = Undertow.builder()
                .setIoThreads(config.ioThreads())
                // workers only read and write ZooKeeper for admin requests; the proxy never uses them
                .setWorkerThreads(2)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, HeadSize.hardLimit(limits.maxHeaderBytes()))
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, limits.maxBodyBytes())
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, limits.requestParseTimeoutMs())
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, limits.keepAliveTimeoutMs())
                .setServerOption(UndertowOptions.IDLE_TIMEOUT, limits.idleTimeoutMs())
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, config.accessLog())
                .setSocketOption(Options.TCP_NODELAY, true)
                .setSocketOption(Options.BACKLOG, 1024)
                .setHandler(root);
        if (config.tls() == null) {
            builder.addHttpListener(config.port(), config.host());
        } else {
            builder.addHttpsListener(config.port(), config.host(), sslContext(config.tls()));
        }
        return builder.build();
    }

    static SSLContext sslContext(SwitchConfig.Tls tls) throws Exception {
        KeyStore store = KeyStore.getInstance(tls.type());
        char[] password = tls.password().toCharArray();
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }
}
