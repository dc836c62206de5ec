package dev.homeport.operator.region;

import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.spec.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Resolves the Redis URL of a region: written in the topology, or read from a Secret. */
public final class RedisUrls {

  private RedisUrls() {}

  /**
   * @param index the region's position in {@code spec.regions}, for error messages
   * @throws IllegalArgumentException naming the region, the field and the missing secret or key
   */
  public static String resolve(KubernetesClient client, RegionSpec region, int index) {
    return resolve(client, region, "spec.regions[" + index + "]");
  }

  /**
   * @param field where the region's spec is, for error messages: {@code spec.regions[0]}, or {@code
   *     status.acceptedRegions[3]} for a region removed from spec.regions that is still routed
   * @throws IllegalArgumentException naming the region, the field and the missing secret or key
   */
  public static String resolve(KubernetesClient client, RegionSpec region, String field) {
    if (region.getRedis().getUrl() != null) {
      return region.getRedis().getUrl();
    }
    SecretKeyRef ref = region.getRedis().getSecretRef();
    String namespace = ref.getNamespace() == null ? "default" : ref.getNamespace();
    String where =
        "region "
            + region.getName()
            + ": "
            + field
            + ".redis.secretRef: secret "
            + namespace
            + "/"
            + ref.getName();
    Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
    if (secret == null) {
      throw new IllegalArgumentException(where + " not found");
    }
    String encoded = secret.getData() == null ? null : secret.getData().get(ref.getKey());
    if (encoded == null) {
      throw new IllegalArgumentException(where + " has no key " + ref.getKey());
    }
    return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).trim();
  }
}
