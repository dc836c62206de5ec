package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A key of a Secret; RegionTopology is cluster-scoped, so the namespace is explicit. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {

  @Required
  @Pattern(Validation.OBJECT_NAME)
  @Size(max = 253)
  @JsonPropertyDescription("Name of the Secret.")
  private String name;

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
  @Size(max = 63)
  @JsonPropertyDescription("Namespace of the Secret.")
  private String namespace;

  @Default("url")
  @Pattern("^[-._a-zA-Z0-9]{1,253}$")
  @Size(max = 253)
  @JsonPropertyDescription("Key in the Secret whose value is the Redis URI (default: url).")
  private String key;

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String namespace, String key) {
    this.name = name;
    this.namespace = namespace;
    this.key = key;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }
}
