package dev.homeport.testkit;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a real API server: one per test run (JVM), started on first use and stopped when the
 * run ends. Inject {@link TestKubeApiServer} or {@link KubernetesClient} as parameters.
 */
public final class KubeApiServerExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KubeApiServerExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    server(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestKubeApiServer.class || type == KubernetesClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestKubeApiServer server = server(context);
    return parameter.getParameter().getType() == KubernetesClient.class ? server.client() : server;
  }

  private static TestKubeApiServer server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            Shared.class, key -> new Shared(TestKubeApiServer.start()), Shared.class)
        .server;
  }

  /** Closed by JUnit when the root context (the whole run) ends. */
  private static final class Shared implements ExtensionContext.Store.CloseableResource {
    private final TestKubeApiServer server;

    Shared(TestKubeApiServer server) {
      this.server = server;
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
