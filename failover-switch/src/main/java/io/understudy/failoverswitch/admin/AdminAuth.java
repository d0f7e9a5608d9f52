package io.understudy.failoverswitch.admin;

import io.understudy.failoverswitch.http.JsonResponses;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Bearer-token check for admin actions. With no token configured every action is refused (403):
 * an unprotected switchover endpoint is never the default.
 */
final class AdminAuth {

    private static final String BEARER = "Bearer ";

    private final byte[] token;

    /** @param token the configured token, or null */
    AdminAuth(String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** True when the request may proceed; otherwise the 401/403 answer has been sent. */
    boolean admit(HttpServerExchange exchange) {
        if (token == null) {
            JsonResponses.error(exchange, 403, "admin_disabled",
                    "admin actions are disabled on this switch: set switch.adminToken to enable them");
            return false;
        }
        String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"understudy\"");
            JsonResponses.error(exchange, 401, "unauthorized", "admin actions need 'Authorization: Bearer <switch.adminToken>'");
            return false;
        }
        byte[] given = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"understudy\", error=\"invalid_token\"");
            JsonResponses.error(exchange, 401, "unauthorized", "the bearer token is not this switch's admin token");
            return false;
        }
        return true;
    }
}
