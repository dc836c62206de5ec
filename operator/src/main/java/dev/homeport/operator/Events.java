package dev.homeport.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events about Homeport resources; a failure to record is logged, not thrown.
 */
public final class Events {

  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  private static final Logger log = LoggerFactory.getLogger(Events.class);

  private Events() {}

  /**
   * @param namespace where the Event lives: the resource's own namespace, or {@code default} for
   *     cluster-scoped resources
   */
  public static void record(
      KubernetesClient client,
      HasMetadata resource,
      String namespace,
      String reason,
      String message,
      String type,
      Instant now) {
    try {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(resource.getMetadata().getName() + ".")
                  .withNamespace(namespace)
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion(resource.getApiVersion())
                          .withKind(resource.getKind())
                          .withName(resource.getMetadata().getName())
                          .withNamespace(resource.getMetadata().getNamespace())
                          .withUid(resource.getMetadata().getUid())
                          .build())
                  .withReason(reason)
                  .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
                  .withType(type)
                  .withFirstTimestamp(now.toString())
                  .withLastTimestamp(now.toString())
                  .withCount(1)
                  .withNewSource()
                  .withComponent("homeport-operator")
                  .endSource()
                  .build())
          .create();
    } catch (RuntimeException e) {
      log.warn("Cannot record event {}: {}", reason, e.toString());
    }
  }
}
