package io.understudy.chaos.mediawiki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * MediaWiki as Debian 12 installs it ({@code mediawiki} 1.39 in {@code /usr/share/mediawiki}) and the PHP that runs
 * it. {@link #require} says exactly what is missing and which packages bring it, so a machine without them fails the
 * end-to-end test with the command to run instead of skipping it.
 *
 * @param php  the PHP command line interpreter, which also serves the wiki ({@code php -S})
 * @param home MediaWiki's installation directory, the document root
 */
public record MediaWikiPackage(Path php, Path home) {

    /** What brings everything the tests need, without Apache (PHP's own server serves the wiki). */
    public static final String APT_INSTALL = "apt-get install -y --no-install-recommends mediawiki php-pgsql php-cli";

    public static final MediaWikiPackage DEBIAN = new MediaWikiPackage(Path.of("/usr/bin/php"), Path.of("/usr/share/mediawiki"));

    /** @throws IllegalStateException naming what is missing and the packages to install */
    public static MediaWikiPackage require() {
        MediaWikiPackage pkg = DEBIAN;
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(pkg.php)) {
            missing.add(pkg.php + " (php-cli)");
        } else if (!pkg.phpModules().contains("pgsql")) {
            missing.add("PHP's PostgreSQL module (php-pgsql)");
        }
        if (!Files.isRegularFile(pkg.script("install.php"))) {
            missing.add(pkg.script("install.php") + " (mediawiki)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("MediaWiki from Debian's packages is needed for this end-to-end test and "
                    + String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " missing; install it with: "
                    + APT_INSTALL);
        }
        return pkg;
    }

    /** A maintenance script, e.g. {@code install.php}. */
    public Path script(String name) {
        return home.resolve("maintenance").resolve(name);
    }

    /** An extension shipped in the package (Debian keeps them in {@code extensions-core}), by its {@code extension.json}. */
    public Path extension(String name) {
        return home.resolve("extensions-core").resolve(name).resolve("extension.json");
    }

    private List<String> phpModules() {
        try {
            Process p = new ProcessBuilder(php.toString(), "-m").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            return out.lines().map(String::trim).toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
