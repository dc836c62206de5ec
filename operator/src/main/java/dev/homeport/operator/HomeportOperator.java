package dev.homeport.operator;

import dev.homeport.operator.rehome.HomeAssignmentReconciler;
import dev.homeport.operator.topology.RegionTopologyReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;

/**
 * The operator: the reconcilers registered with the Java Operator SDK, leader-elected through a
 * Kubernetes Lease so that only one replica ever writes control data, with JOSDK's and Homeport's
 * metrics in one Prometheus registry.
 */
public final class HomeportOperator implements AutoCloseable {

  private final Operator operator;
  private final HomeAssignmentReconciler rehoming;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  /**
   * @param leaseNamespace namespace of the leader-election Lease; null: no leader election (a
   *     single replica, tests)
   */
  public HomeportOperator(KubernetesClient client, String leaseName, String leaseNamespace) {
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
                    new LeaderElectionConfiguration(leaseName, leaseNamespace));
              }
            });
    operator.register(new RegionTopologyReconciler(client, Clock.systemUTC(), registry));
    operator.register(rehoming);
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
    operator.stop();
    rehoming.close();
    registry.close();
  }
}
