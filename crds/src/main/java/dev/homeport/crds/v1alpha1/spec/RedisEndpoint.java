package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The region's Redis, which holds its replica of the control data and its CRDT counter slots. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.url) != has(self.secretRef)",
    message = "set exactly one of redis.url or redis.secretRef")
public class RedisEndpoint {

  @Pattern(Validation.REDIS_URL)
  @Size(max = 2048)
  @JsonPropertyDescription(
      "Redis URI (redis://, rediss://, redis-sentinel://). Put URIs that carry a password in a Secret"
          + " and use secretRef instead.")
  private String url;

  @JsonPropertyDescription(
      "Secret key holding the Redis URI; use instead of url when it has credentials.")
  private SecretKeyRef secretRef;

  @Default("Standalone")
  @JsonPropertyDescription(
      "Standalone (one node, or Sentinel by URI scheme) or Cluster (the URI names a seed node).")
  private RedisMode mode;

  public RedisEndpoint() {}

  public static RedisEndpoint ofUrl(String url) {
    RedisEndpoint endpoint = new RedisEndpoint();
    endpoint.setUrl(url);
    return endpoint;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public SecretKeyRef getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretKeyRef secretRef) {
    this.secretRef = secretRef;
  }

  public RedisMode getMode() {
    return mode;
  }

  public void setMode(RedisMode mode) {
    this.mode = mode;
  }
}
