import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * The harness's probe of ZooKeeper's ACLs: connects without credentials, as anyone who can reach the
 * ensemble could, and tries to read and to overwrite a znode. Prints one line per attempt ("read: refused",
 * "write: refused" or what happened instead) and exits 0 only when both were refused.
 * Run with the node's jar on the class path: java -cp understudy.jar ZkProbe.java HOST:PORT PATH
 */
public class ZkProbe {
    public static void main(String[] args) throws Exception {
        String connect = args[0];
        String path = args[1];
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        try {
            if (!connected.await(20, TimeUnit.SECONDS)) {
                System.out.println("no connection to " + connect);
                System.exit(2);
            }
            boolean readRefused = refused("read", () -> zk.getData(path, false, null));
            boolean writeRefused = refused("write", () -> zk.setData(path, "{\"nodeId\":\"intruder\"}".getBytes(), -1));
            System.exit(readRefused && writeRefused ? 0 : 1);
        } finally {
            zk.close();
        }
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static boolean refused(String what, Call call) throws Exception {
        try {
            call.run();
            System.out.println(what + ": ALLOWED");
            return false;
        } catch (KeeperException.NoAuthException e) {
            System.out.println(what + ": refused (" + e.getMessage() + ")");
            return true;
        } catch (KeeperException e) {
            System.out.println(what + ": " + e.getMessage());
            return false;
        }
    }
}
