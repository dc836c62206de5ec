package dev.homeport.operator;

import dev.homeport.operator.rehome.HomeAssignmentReconciler;
import dev.homeport.operator.topology.RegionTopologyReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator: the reconcilers registered with the Java Operator SDK, leader-elected through a
 * Kubernetes Lease so that only one replica ever writes control data, with JOSDK's and Homeport's
 * metrics in one Prometheus registry.
 */
public final class HomeportOperator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HomeportOperator.class);

  private final Operator operator;
  private final HomeAssignmentReconciler rehoming;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile boolean closing;

  /**
   * An operator whose drills read no front-door metrics.
   *
   * @param leaseNamespace namespace of the leader-election Lease; null: no leader election (a
   *     single replica, tests)
   */
  public HomeportOperator(KubernetesClient client, String leaseName, String leaseNamespace) {
    this(client, leaseName, leaseNamespace, null);
  }

  /**
   * @param leaseNamespace namespace of the leader-election Lease; null: no leader election (a
   *     single replica, tests)
   * @param frontDoorAdminToken the front-doors' admin token, with which drills read every region's
   *     front-door metrics; null: drills judge abortIf on their synthetic requests only
   */
  public HomeportOperator(
      KubernetesClient client,
      String leaseName,
      String leaseNamespace,
      String frontDoorAdminToken) {
    this.rehoming = new HomeAssignmentReconciler(client, Clock.systemUTC(), registry);
    this.operator =
        new Operator(
            overrider -> {
              overrider
                  .withKubernetesClient(client)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withCloseClientOnStop(false)
                  .withStopOnInformerErrorDuringStartup(false);
              if (leaseNamespace != null) {
                overrider.withLeaderElectionConfiguration(
                    leaderElection(leaseName, leaseNamespace));
              }
            });
    operator.register(
        new RegionTopologyReconciler(client, Clock.systemUTC(), registry, frontDoorAdminToken));
    operator.register(rehoming);
  }

  /**
   * A replica that loses the Lease while running exits at once (its pod restarts as a follower), so
   * two replicas never write control data together. Stopping gives the Lease up without exiting:
   * JOSDK's own exit would come from the shutdown hook, where System.exit blocks forever.
   */
  private LeaderElectionConfiguration leaderElection(String leaseName, String leaseNamespace) {
    return new LeaderElectionConfiguration(
        leaseName,
        leaseNamespace,
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        null,
        new LeaderCallbacks(() -> {}, this::leadershipEnded, leader -> {}),
        false);
  }

  private void leadershipEnded() {
    if (!closing) {
      log.error("Lost the leader-election Lease; exiting so that only the new leader writes");
      System.exit(1);
    }
  }

  public void start() {
    operator.start();
  }

  /** Whether the controllers run and their informers are in sync. */
  public boolean ready() {
    return operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    closing = true;
    operator.stop();
    rehoming.close();
    registry.close();
  }
}
