package io.understudy.cluster;

/** How a server reaches itself over HTTP: a wildcard listen address over 127.0.0.1, an IPv6 literal in brackets. */
public final class SelfUrl {

    private SelfUrl() {
    }

    /**
     * @param host the address the server listens on; null, blank, {@code 0.0.0.0} or {@code ::} mean every address
     * @return {@code http://<address>:<port>}, without a trailing slash
     */
    public static String of(String host, int port) {
        boolean wildcard = host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        String target = wildcard ? "127.0.0.1" : host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "http://" + target + ":" + port;
    }
}
