package io.understudy.launcher;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.LogSettings;
import io.understudy.cluster.config.Settings;
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

    /** What this process's log lines name it when no parent named it, e.g. {@code node-a}. */
    abstract String processName(Settings settings);

    @Override
    public Integer call() {
        try {
            Settings settings = Settings.load(config);
            LogFormat.use(LogSettings.from(settings).format(), LogFormat.processName(processName(settings)));
        } catch (ConfigException e) {
            // the service's own start reads the file again and reports it, naming the file and the key
        }
        if (exitWithParent) {
            ParentWatch.start(System.in);
        }
        return MainDelegate.run(mainClass(), "--config", config.toString());
    }
}
