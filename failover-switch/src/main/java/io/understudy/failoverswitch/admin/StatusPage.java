package io.understudy.failoverswitch.admin;

import io.understudy.failoverswitch.http.JsonResponses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

/**
 * The operator's status page: {@code GET /_understudy/} answers the page, {@code /_understudy/ui/*}
 * its script and style sheet, all read from this jar (no third-party host, no build step). The page
 * is open like {@code status}; it reads that JSON every half second and sends the admin actions
 * itself, with the token the operator types into it, so the switch keeps no session of any kind.
 *
 * <p>Caching: the files revalidate on every load ({@code no-cache} with {@code Last-Modified}), so
 * a switch upgrade shows its own page at once and an unchanged one costs a 304.
 */
public final class StatusPage implements HttpHandler {

    /** The page itself. */
    public static final String PAGE = AdminHandler.PREFIX + "/";
    /** Its script and style sheet. */
    public static final String ASSETS = AdminHandler.PREFIX + "/ui/";

    private static final String RESOURCES = "io/understudy/failoverswitch/ui";
    private static final String INDEX = "/index.html";
    /** Scripts and styles from this switch only, requests to this switch only, never inside a frame. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final ResourceHandler files;

    public StatusPage() {
        this.files = new ResourceHandler(new ClassPathResourceManager(StatusPage.class.getClassLoader(), RESOURCES),
                exchange -> JsonResponses.error(exchange, 404, "not_found", "the status page has no file "
                        + exchange.getRequestPath()))
                .setDirectoryListingEnabled(false)
                .setWelcomeFiles();
    }

    /** True for the paths this page answers: {@link #PAGE}, anything under {@link #ASSETS}, and the bare prefix. */
    public static boolean owns(String path) {
        return path.equals(AdminHandler.PREFIX) || path.equals(PAGE) || path.startsWith(ASSETS);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        HttpString method = exchange.getRequestMethod();
        if (!method.equals(Methods.GET) && !method.equals(Methods.HEAD)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            JsonResponses.error(exchange, 405, "method_not_allowed", method + " is not allowed on " + exchange.getRelativePath());
            return;
        }
        String path = exchange.getRelativePath();
        if (path.equals(AdminHandler.PREFIX)) {
            // relative links in the page resolve against the directory, so the page lives at the slash
            exchange.setStatusCode(StatusCodes.MOVED_PERMANENTLY);
            exchange.getResponseHeaders().put(Headers.LOCATION, PAGE);
            exchange.endExchange();
            return;
        }
        exchange.setRelativePath(path.equals(PAGE) ? INDEX : path.substring(ASSETS.length() - 1));
        exchange.getResponseHeaders()
                .put(Headers.CACHE_CONTROL, "no-cache")
                .put(HttpString.tryFromString("Content-Security-Policy"), CSP)
                .put(HttpString.tryFromString("X-Content-Type-Options"), "nosniff")
                .put(HttpString.tryFromString("Referrer-Policy"), "no-referrer");
        files.handleRequest(exchange);
    }
}
