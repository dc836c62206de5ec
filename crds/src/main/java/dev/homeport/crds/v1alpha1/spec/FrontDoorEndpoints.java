package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where a region's front-door listens: the public URL peers proxy to and the admin URL. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FrontDoorEndpoints {

  @Required
  @Pattern(Validation.HTTP_URL)
  @Size(max = 2048)
  @JsonPropertyDescription(
      "Public URL of the region's front-door; other regions proxy requests for keys homed here to it.")
  private String url;

  @Required
  @Pattern(Validation.HTTP_URL)
  @Size(max = 2048)
  @JsonPropertyDescription(
      "Admin URL of the region's front-door (health, metrics, routing); the operator probes it.")
  private String adminUrl;

  public FrontDoorEndpoints() {}

  public FrontDoorEndpoints(String url, String adminUrl) {
    this.url = url;
    this.adminUrl = adminUrl;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getAdminUrl() {
    return adminUrl;
  }

  public void setAdminUrl(String adminUrl) {
    this.adminUrl = adminUrl;
  }
}
