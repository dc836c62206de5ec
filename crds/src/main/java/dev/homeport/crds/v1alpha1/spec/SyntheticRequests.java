package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** How a drill's synthetic requests are sent. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SyntheticRequests {

  @Default("/orders")
  @Pattern(Validation.URL_PATH)
  @Size(max = 1024)
  @JsonPropertyDescription(
      "Path requested on every front-door's public URL (default /orders); a route whose policy"
          + " sends the key to its home region.")
  private String path;

  @Default("GET")
  @JsonPropertyDescription("HTTP method of the synthetic requests (default GET).")
  private SyntheticMethod method;

  @Default("X-User-Id")
  @Pattern(Validation.HEADER_NAME)
  @Size(max = 128)
  @JsonPropertyDescription(
      "Header that carries the routing key, as the front-door's routing-key source reads it"
          + " (default X-User-Id).")
  private String keyHeader;

  @Default("10")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription(
      "How many keys homed in the drilled region (picked by the bucket map) each round requests"
          + " through each front-door (default 10).")
  private Integer keys;

  public SyntheticRequests() {}

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public SyntheticMethod getMethod() {
    return method;
  }

  public void setMethod(SyntheticMethod method) {
    this.method = method;
  }

  public String getKeyHeader() {
    return keyHeader;
  }

  public void setKeyHeader(String keyHeader) {
    this.keyHeader = keyHeader;
  }

  public Integer getKeys() {
    return keys;
  }

  public void setKeys(Integer keys) {
    this.keys = keys;
  }
}
