package dev.homeport.frontdoor.routing;

import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.Lease;
import dev.homeport.contract.RoutingTable;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** The front-door's read side of the control data in its region's Redis. */
public interface ControlStore extends AutoCloseable {

  CompletionStage<Optional<RoutingTable>> routingTable();

  CompletionStage<Optional<DirectoryEntry>> directory(String key);

  CompletionStage<Optional<Lease>> lease(String region);

  /**
   * Listens for published routing epochs and changed directory keys. Messages are hints: a lost one
   * only delays a change until the next poll.
   */
  void subscribe(Consumer<Long> onEpoch, Consumer<String> onDirectoryChange);

  @Override
  void close();
}
