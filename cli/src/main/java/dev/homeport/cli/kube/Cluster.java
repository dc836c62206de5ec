package dev.homeport.cli.kube;

import dev.homeport.cli.CliException;
import dev.homeport.cli.ExitCode;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.RegionTopology;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The cluster the user's kubeconfig points at, the way kubectl finds it ({@code --kubeconfig}, else
 * {@code KUBECONFIG}, else {@code ~/.kube/config}; {@code --context}, else the current context),
 * and the Homeport objects in it. Every API failure leaves here as a {@link CliException} that
 * names the object and what to do.
 */
public final class Cluster implements AutoCloseable {

  /** The field manager and user agent of every change the plugin makes. */
  public static final String FIELD_MANAGER = "kubectl-homeport";

  private static final String API_VERSION = RegionTopology.GROUP + "/" + RegionTopology.VERSION;

  /** Attempts of a read-modify-patch before giving up on concurrent writers. */
  private static final int CONFLICT_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final String namespace;
  private final String topologyName;
  private final String contextName;

  private Cluster(KubernetesClient client, String namespace, String topologyName, String context) {
    this.client = client;
    this.namespace = namespace;
    this.topologyName = topologyName;
    this.contextName = context;
  }

  /**
   * Connects as kubectl would.
   *
   * @param kubeconfig the {@code --kubeconfig} file, or null for {@code KUBECONFIG} / {@code
   *     ~/.kube/config}
   * @param context the {@code --context}, or null for the current context
   * @param namespace the {@code --namespace}, or null for the context's namespace (else {@code
   *     default})
   * @param topologyName the RegionTopology the commands act on
   */
  public static Cluster connect(
      Path kubeconfig, String context, String namespace, String topologyName) {
    Config config = config(kubeconfig, context);
    config.setUserAgent(FIELD_MANAGER);
    // kubectl fails at once when the server is unreachable; fabric8 would retry ten times.
    config.setRequestRetryBackoffLimit(1);
    config.setRequestRetryBackoffInterval(200);
    String ns = namespace != null ? namespace : config.getNamespace();
    NamedContext current = config.getCurrentContext();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    return new Cluster(
        client,
        ns == null || ns.isBlank() ? "default" : ns,
        topologyName,
        current == null ? null : current.getName());
  }

  private static Config config(Path kubeconfig, String context) {
    Config config;
    String source;
    if (kubeconfig != null) {
      if (!Files.isRegularFile(kubeconfig)) {
        throw CliException.of(
            ExitCode.USAGE, "--kubeconfig %s: no such file; name a kubeconfig file", kubeconfig);
      }
      source = kubeconfig.toString();
      try {
        config = Config.fromKubeconfig(context, kubeconfig.toFile());
      } catch (RuntimeException e) {
        throw CliException.of(
            ExitCode.USAGE, "cannot read the kubeconfig %s: %s", kubeconfig, rootMessage(e));
      }
    } else {
      source =
          Config.getKubeconfigFilenames().stream()
              .filter(f -> new File(f).isFile())
              .collect(Collectors.joining(File.pathSeparator));
      try {
        config = Config.autoConfigure(context);
      } catch (RuntimeException e) {
        throw CliException.of(
            ExitCode.USAGE, "cannot read the kubeconfig %s: %s", source, rootMessage(e));
      }
    }
    if (context != null) {
      NamedContext current = config.getCurrentContext();
      if (current == null || !context.equals(current.getName())) {
        List<String> known =
            config.getContexts() == null
                ? List.of()
                : config.getContexts().stream().map(NamedContext::getName).sorted().toList();
        throw CliException.of(
            ExitCode.USAGE,
            "context \"%s\" does not exist in the kubeconfig %s; contexts: %s",
            context,
            source.isEmpty() ? "(none found)" : source,
            known.isEmpty() ? "none" : String.join(", ", known));
      }
    }
    return config;
  }

  public KubernetesClient client() {
    return client;
  }

  /** The namespace of HomeAssignments: {@code -n}, else the context's, else {@code default}. */
  public String namespace() {
    return namespace;
  }

  public String topologyName() {
    return topologyName;
  }

  /** Reads the RegionTopology; exit 3 when it (or its CRD) is not there. */
  public Topology topology() {
    GenericKubernetesResource raw = call(() -> topologyResource().get());
    if (raw == null) {
      throw CliException.of(
          ExitCode.UNAVAILABLE,
          "RegionTopology %s not found; is Homeport installed? (kubectl get regiontopologies)%s",
          topologyName,
          "global".equals(topologyName) ? "" : "; or name another one with --topology");
    }
    return view(raw);
  }

  /**
   * Changes the RegionTopology with a JSON merge patch computed from a fresh read and sent with
   * that read's resourceVersion, so the API server refuses it (409) if anyone wrote in between; on
   * a conflict it reads again and recomputes, a few times.
   *
   * @param change computes the patch (a JSON merge patch as nested maps) from the topology, or
   *     returns null when there is nothing to change; it may throw a {@link CliException} to refuse
   * @return the topology after the change (or as read, when there was nothing to change)
   */
  public Topology patchTopology(Function<Topology, Map<String, Object>> change) {
    for (int attempt = 1; ; attempt++) {
      Topology topology = topology();
      Map<String, Object> patch = change.apply(topology);
      if (patch == null) {
        return topology;
      }
      Map<String, Object> body = new LinkedHashMap<>(patch);
      @SuppressWarnings("unchecked")
      Map<String, Object> metadata =
          new LinkedHashMap<>((Map<String, Object>) body.getOrDefault("metadata", Map.of()));
      metadata.put("resourceVersion", topology.resourceVersion());
      body.put("metadata", metadata);
      String json = client.getKubernetesSerialization().asJson(body);
      try {
        GenericKubernetesResource patched =
            topologyResource()
                .patch(
                    new PatchContext.Builder()
                        .withPatchType(PatchType.JSON_MERGE)
                        .withFieldManager(FIELD_MANAGER)
                        .build(),
                    json);
        return view(patched);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw failure(e, "RegionTopology " + topologyName);
        }
        if (attempt >= CONFLICT_ATTEMPTS) {
          throw CliException.of(
              ExitCode.FAILED,
              "RegionTopology %s changed during each of %d attempts to update it (someone else"
                  + " keeps writing it); try again",
              topologyName,
              CONFLICT_ATTEMPTS);
        }
      }
    }
  }

  /** HomeAssignments in the namespace of {@link #namespace()}. */
  public NonNamespaceOperation<
          HomeAssignment, KubernetesResourceList<HomeAssignment>, Resource<HomeAssignment>>
      homeAssignments() {
    return client.resources(HomeAssignment.class).inNamespace(namespace);
  }

  /** Runs an API call, turning its failure into a readable {@link CliException}. */
  public <T> T call(Supplier<T> request) {
    try {
      return request.get();
    } catch (KubernetesClientException e) {
      throw failure(e, null);
    }
  }

  /** A readable failure for an API error, with the exit code of its kind. */
  public CliException failure(KubernetesClientException e, String object) {
    String server = client.getConfiguration().getMasterUrl();
    if (e.getCode() == 0 || hasCause(e, IOException.class)) {
      return CliException.of(
          ExitCode.UNAVAILABLE,
          "cannot reach the Kubernetes API server at %s%s: %s; %s",
          server,
          contextName == null ? "" : " (context " + contextName + ")",
          connectionProblem(e),
          contextName == null
              ? "no kubeconfig context was found: set KUBECONFIG or use --kubeconfig"
              : "check that the cluster is up, and --context/--kubeconfig");
    }
    Status status = e.getStatus();
    String message =
        status != null && status.getMessage() != null ? status.getMessage() : e.getMessage();
    return switch (e.getCode()) {
      case 401 ->
          CliException.of(
              ExitCode.FAILED,
              "the API server at %s did not accept the credentials of %s (401 Unauthorized); log in"
                  + " again or pick another --context",
              server,
              contextName == null ? "the kubeconfig" : "context " + contextName);
      case 403 -> new CliException(ExitCode.FAILED, message + " (403 Forbidden)");
      case 404 ->
          new CliException(ExitCode.UNAVAILABLE, (object == null ? "" : object + ": ") + message);
      case 422 -> new CliException(ExitCode.USAGE, invalid(status, message));
      default -> new CliException(ExitCode.FAILED, message + " (HTTP " + e.getCode() + ")");
    };
  }

  /** The API server's validation errors, one per line under its summary. */
  private static String invalid(Status status, String message) {
    if (status == null
        || status.getDetails() == null
        || status.getDetails().getCauses() == null
        || status.getDetails().getCauses().isEmpty()) {
      return message;
    }
    StatusDetails details = status.getDetails();
    StringBuilder text =
        new StringBuilder(
            details.getKind() != null && details.getName() != null
                ? details.getKind() + " " + details.getName() + " is invalid:"
                : "invalid:");
    for (StatusCause cause : details.getCauses()) {
      text.append("\n  ");
      if (cause.getField() != null && !cause.getMessage().startsWith(cause.getField())) {
        text.append(cause.getField()).append(": ");
      }
      text.append(cause.getMessage());
    }
    return text.toString();
  }

  private Resource<GenericKubernetesResource> topologyResource() {
    return client.genericKubernetesResources(API_VERSION, "RegionTopology").withName(topologyName);
  }

  private Topology view(GenericKubernetesResource raw) {
    return Topology.of(raw);
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** What went wrong on the way to the server, in words: the JDK's exceptions often have none. */
  private static String connectionProblem(Throwable e) {
    if (hasCause(e, java.net.UnknownHostException.class)
        || hasCause(e, java.nio.channels.UnresolvedAddressException.class)) {
      return "unknown host";
    }
    if (hasCause(e, java.net.ConnectException.class)) {
      return "connection refused";
    }
    if (hasCause(e, java.net.http.HttpTimeoutException.class)
        || hasCause(e, java.net.SocketTimeoutException.class)) {
      return "timed out";
    }
    if (hasCause(e, javax.net.ssl.SSLException.class)) {
      return "TLS failed: " + rootMessage(e);
    }
    return rootMessage(e);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }

  @Override
  public void close() {
    client.close();
  }
}
