package io.understudy.launcher;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/** Shared shape of {@code understudy node} and {@code understudy switch}: one config file, one main. */
abstract class ServiceCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "key=value properties file; UNDERSTUDY_<KEY> environment variables override keys")
    Path config;

    @Option(names = "--exit-with-parent", hidden = true,
            description = "exit when stdin closes (set by the local appliance for its children)")
    boolean exitWithParent;

    abstract String mainClass();

    @Override
    public Integer call() {
        if (exitWithParent) {
            ParentWatch.start(System.in);
        }
        return MainDelegate.run(mainClass(), "--config", config.toString());
    }
}
