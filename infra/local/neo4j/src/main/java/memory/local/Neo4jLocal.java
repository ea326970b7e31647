package memory.local;

import java.nio.file.Path;
import java.time.Duration;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Starts a real Neo4j Community database with a Bolt port, for the local emulation.
 * Unlike the harness's test server, the store lives in a directory we choose, so it survives a restart.
 * Usage: Neo4jLocal HOME_DIR BOLT_PORT
 */
public final class Neo4jLocal {
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: Neo4jLocal HOME_DIR BOLT_PORT");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
        .setConfig(BoltConnector.enabled, true)
        .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
        .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
        .setConfig(HttpConnector.enabled, false)
        .setConfig(GraphDatabaseSettings.auth_enabled, false)
        .setConfig(GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024)
        .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(30))
        .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(1))
        // Bolt otherwise waits 5 s twice on shutdown; a local emulator should stop at once.
        .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(200))
        .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(200))
        .build();
    Runtime.getRuntime().addShutdownHook(new Thread(service::shutdown));
    exitWhenParentDies();
    System.out.println("NEO4J_READY bolt://127.0.0.1:" + port);
    System.out.flush();
  }

  /** The emulation supervisor is our parent; if it dies without stopping us, we stop too. */
  private static void exitWhenParentDies() {
    long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
    Thread watcher = new Thread(() -> {
      while (true) {
        long now = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        if (now != parent) System.exit(0);
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }
}
