package memory.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.server.security.SecureHasher;
import org.neo4j.server.security.SystemGraphCredential;

/**
 * Starts a real Neo4j Community database with a Bolt port, for the local emulation.
 * Unlike the harness's test server, the store lives in a directory we choose, so it survives a restart.
 * Authentication is on: at every start user neo4j gets the password in $HM_LOCAL_NEO4J_PASSWORD (the
 * environment, not the command line, which any process may read). Once it is set, the launcher
 * writes HOME_DIR/launcher-ready: before that, Bolt may answer but not with this password.
 * Usage: HM_LOCAL_NEO4J_PASSWORD=... Neo4jLocal HOME_DIR BOLT_PORT
 */
public final class Neo4jLocal {
  public static void main(String[] args) throws IOException {
    String password = System.getenv("HM_LOCAL_NEO4J_PASSWORD");
    if (args.length != 2 || password == null || password.length() < 16) {
      System.err.println("usage: HM_LOCAL_NEO4J_PASSWORD=<16+ characters> Neo4jLocal HOME_DIR BOLT_PORT");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    Path ready = home.resolve("launcher-ready");
    Files.deleteIfExists(ready);
    DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
        .setConfig(BoltConnector.enabled, true)
        .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
        .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
        .setConfig(HttpConnector.enabled, false)
        // Bolt also speaks WebSocket, which any web page may open: without the password it gets nothing.
        .setConfig(GraphDatabaseSettings.auth_enabled, true)
        // No lock-out after failed logins: nobody guesses a random 48-hex-digit password, and a lock-out
        // would let one misconfigured client (or a page) stall every other client of this shared server.
        .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
        .setConfig(GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024)
        .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(30))
        .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(1))
        // Bolt otherwise waits 5 s twice on shutdown; a local emulator should stop at once.
        .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(200))
        .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(200))
        .build();
    Runtime.getRuntime().addShutdownHook(new Thread(service::shutdown));
    exitWhenParentDies();
    try {
      setPassword(service.database("system"), password);
    } catch (RuntimeException e) {
      System.err.println("could not set the password of user neo4j: " + e);
      System.exit(1);
    }
    Files.writeString(ready, "bolt://127.0.0.1:" + port + "\n");
    System.out.println("NEO4J_READY bolt://127.0.0.1:" + port);
    System.out.flush();
  }

  /**
   * Sets the password of neo4j, whatever it was: the default "neo4j" of a new store (which only lets a
   * client change it, never query), or the last start's. It writes the credential the way Neo4j applies
   * an initial password (neo4j-admin dbms set-initial-password), on the User node of the system graph,
   * which every login reads: `ALTER USER` would do the same through Cypher, but the first Cypher query
   * of a fresh JVM takes seconds (over 30 on a busy machine), and refuses to set the password it has.
   */
  private static void setPassword(GraphDatabaseService system, String password) {
    String credential = SystemGraphCredential.createCredentialForPassword(
            password.getBytes(StandardCharsets.UTF_8), new SecureHasher())
        .serialize();
    try (Transaction tx = system.beginTx()) {
      Node user = tx.findNode(Label.label("User"), "name", "neo4j");
      if (user == null) throw new IllegalStateException("the system graph has no user neo4j");
      user.setProperty("credentials", credential);
      user.setProperty("passwordChangeRequired", false);
      tx.commit();
    }
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
